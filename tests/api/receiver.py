"""A webhook receiver as a bank's system would run it: verifies each signature, counts deliveries."""

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from api.signing import SIGNATURE_HEADER, SignatureInvalid, signature_verify


class WebhookReceiver:
    def __init__(self, secret: str = "", *, fail_first: int = 0) -> None:
        self.secret = secret
        self.fail_first = fail_first
        self.received: list[dict] = []
        self.refused: list[str] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                return

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                try:
                    signature_verify(
                        secret=receiver.secret,
                        header=self.headers.get(SIGNATURE_HEADER, ""),
                        body=body,
                        now=int(time.time()),
                        tolerance=300,
                    )
                except SignatureInvalid as error:
                    receiver.refused.append(str(error))
                    self.send_response(400)
                    self.end_headers()
                    return
                if receiver.fail_first > 0:
                    receiver.fail_first -= 1
                    self.send_response(503)
                    self.end_headers()
                    return
                import json

                receiver.received.append(json.loads(body))
                self.send_response(204)
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> "WebhookReceiver":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
