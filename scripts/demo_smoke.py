"""Smoke test of a running `make demo`, as a new user meets it: over HTTP, with nothing but the stdlib.

    python scripts/demo_smoke.py --base-url http://127.0.0.1:8000 --demo-log var/demo.log

Waits (bounded) for ``/healthz`` to answer 200, reads the demo customer's PESEL and password from the
lines ``make demo`` printed, signs in through the real sign-in form (its CSRF cookie and token), and
fetches the card list. Exits 0 when the card list shows the customer's cards, 1 with the reason
otherwise. Used by ``.ci/run``.
"""

import argparse
import http.cookiejar
import re
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

# The line seed_demo prints for the registered demo customer.
SIGN_IN_LINE = re.compile(r"sign in with PESEL (?P<pesel>\d{11}) and password (?P<password>\S+?)[\s(]")
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="(?P<token>[^"]+)"')


class SmokeFailure(Exception):
    """The demo does not do what a new user expects."""


def _opener() -> urllib.request.OpenerDirector:
    return urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))


def _get(opener: urllib.request.OpenerDirector, url: str, timeout: float = 10) -> tuple[int, str, str]:
    """Status, final URL and body of a GET (redirects followed)."""
    try:
        with opener.open(url, timeout=timeout) as response:
            return response.status, response.geturl(), response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return error.code, url, error.read().decode("utf-8", "replace")


def wait_for_health(base_url: str, *, timeout: float, demo_log: Path | None) -> None:
    """Poll /healthz until it answers 200, or fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    last = "no answer"
    while time.monotonic() < deadline:
        try:
            status, _, body = _get(_opener(), f"{base_url}/healthz", timeout=5)
            if status == 200:
                print(f"healthz: 200 {body.strip()[:200]}")
                return
            last = f"HTTP {status}"
        except OSError as error:  # not listening yet
            last = str(error)
        if demo_log is not None and "Error" in _tail(demo_log) and "make: ***" in _tail(demo_log):
            raise SmokeFailure("make demo stopped with an error before serving")
        time.sleep(2)
    raise SmokeFailure(f"/healthz did not answer 200 within {timeout:.0f} s (last: {last})")


def _tail(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")[-4000:]
    except FileNotFoundError:
        return ""


def demo_credentials(demo_log: Path) -> tuple[str, str]:
    """The PESEL and password of the registered demo customer, as `make demo` printed them."""
    match = SIGN_IN_LINE.search(demo_log.read_text(encoding="utf-8", errors="replace"))
    if match is None:
        raise SmokeFailure(f"{demo_log} does not show the demo customer's sign-in line")
    return match["pesel"], match["password"]


def sign_in_and_list_cards(base_url: str, pesel: str, password: str) -> str:
    """Sign in through the portal's form and return the card list page."""
    opener = _opener()
    status, _, form_page = _get(opener, f"{base_url}/sign-in/")
    if status != 200:
        raise SmokeFailure(f"GET /sign-in/ answered {status}")
    token = CSRF_INPUT.search(form_page)
    if token is None:
        raise SmokeFailure("the sign-in form carries no CSRF token")
    body = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": token["token"], "identifier": pesel, "password": password}
    ).encode()
    request = urllib.request.Request(  # noqa: S310 (http URL given on the command line)
        f"{base_url}/sign-in/", data=body, headers={"Referer": f"{base_url}/sign-in/"}
    )
    try:
        with opener.open(request, timeout=20) as response:
            landed = response.geturl()
    except urllib.error.HTTPError as error:
        raise SmokeFailure(f"POST /sign-in/ answered {error.code}") from None
    if "/sign-in/" in urllib.parse.urlsplit(landed).path:
        raise SmokeFailure("the sign-in form was shown again: the demo customer could not sign in")
    status, url, cards_page = _get(opener, f"{base_url}/cards/")
    if status != 200 or "/sign-in/" in url:
        raise SmokeFailure(f"the card list answered {status} at {url}")
    return cards_page


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", default="http://127.0.0.1:8000")
    parser.add_argument("--demo-log", type=Path, required=True, help="what `make demo` printed")
    parser.add_argument("--timeout", type=float, default=600, help="seconds to wait for /healthz")
    args = parser.parse_args()
    base_url = args.base_url.rstrip("/")
    try:
        wait_for_health(base_url, timeout=args.timeout, demo_log=args.demo_log)
        pesel, password = demo_credentials(args.demo_log)
        cards_page = sign_in_and_list_cards(base_url, pesel, password)
        masked = re.findall(r"•••• \d{4}", cards_page)
        if not masked:
            raise SmokeFailure("the card list shows no card")
        shown = sorted(set(masked))
        print(f"signed in as the demo customer; the card list shows {len(masked)} card(s): {shown}")
    except SmokeFailure as failure:
        print(f"demo smoke test FAILED: {failure}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
