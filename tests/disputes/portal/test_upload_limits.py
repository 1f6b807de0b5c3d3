"""Request bodies are bounded: an upload above the limit is refused while it streams (the rest of the
body is never read), with the branded 413 page; every other body is bounded by Django's limits."""

import io

import pytest
from django.test.client import ClientHandler

from disputes.models import Case, Evidence
from tests.disputes.portal.test_claim_pages import PDF, now, start  # noqa: F401 (a fixture)
from tests.disputes.portal.test_claim_pages import portal as portal  # a fixture

BOUNDARY = "KartosferaBoundary"


class CountingInput(io.BytesIO):
    """A request body that counts what the server read of it."""

    read_bytes = 0

    def read(self, size=-1):
        data = super().read(size)
        self.read_bytes += len(data)
        return data

    def readline(self, size=-1):
        data = super().readline(size)
        self.read_bytes += len(data)
        return data


def multipart(file_bytes: bytes) -> bytes:
    return b"".join(
        [
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="kind"\r\n\r\n'.encode(),
            b"CUSTOMER_DOCUMENT\r\n",
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="skan.pdf"\r\n'.encode(),
            b"Content-Type: application/pdf\r\n\r\n",
            file_bytes,
            f"\r\n--{BOUNDARY}--\r\n".encode(),
        ]
    )


def post_streaming(portal, path: str, body: bytes) -> tuple[int, str, CountingInput]:
    """POST ``body`` as a server would stream it to the application, signed in as ``portal``."""
    portal.get("/cards/")  # a CSRF cookie for the header below
    stream = CountingInput(body)
    csrf = portal.cookies["csrftoken"].value
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": path,
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "wsgi.url_scheme": "http",
        "wsgi.input": stream,
        "CONTENT_TYPE": f"multipart/form-data; boundary={BOUNDARY}",
        "CONTENT_LENGTH": str(len(body)),
        "HTTP_COOKIE": "; ".join(f"{name}={morsel.value}" for name, morsel in portal.cookies.items()),
        "HTTP_X_CSRFTOKEN": csrf,
        "HTTP_ACCEPT_LANGUAGE": "pl",
    }
    # The test client's handler (it keeps the test's database connection open), fed this stream.
    response = ClientHandler(enforce_csrf_checks=True)(environ)
    return response.status_code, response.content.decode(), stream


@pytest.mark.parametrize(
    ("file_size", "most_read"),
    [
        (5 * 1024 * 1024, 0),  # the declared length is too large: not one byte is read
        (300 * 1024, 200 * 1024),  # the length passes, the file does not: reading stops at the limit
    ],
    ids=["declared-length", "file-grows-too-big"],
)
def test_an_upload_above_the_limit_is_refused_while_it_streams(portal, theft, settings, file_size, most_read):
    settings.KARTOSFERA_UPLOAD_MAX_BYTES = 100 * 1024
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 64 * 1024
    start(portal, theft, theft.transaction_ids)
    case = Case.objects.get()
    body = multipart(PDF + b"x" * file_size)

    status, page, stream = post_streaming(portal, f"/claims/{case.pk}/step/evidence/", body)

    assert status == 413
    assert "<h1>Plik jest za duży</h1>" in page
    assert "Plik może mieć najwyżej 100,0\xa0KB. Nic nie zostało zapisane." in page
    assert stream.read_bytes <= most_read < len(body)
    assert not Evidence.objects.exists()


def test_an_upload_within_the_limit_is_read_whole_and_stored(portal, theft, settings):
    settings.KARTOSFERA_UPLOAD_MAX_BYTES = 100 * 1024
    start(portal, theft, theft.transaction_ids)
    case = Case.objects.get()
    body = multipart(PDF + b"x" * (50 * 1024))

    status, _page, stream = post_streaming(portal, f"/claims/{case.pk}/step/evidence/", body)

    assert status == 302
    assert stream.read_bytes == len(body)
    assert Evidence.objects.get().size == len(PDF) + 50 * 1024


def test_form_fields_above_their_bound_answer_400_and_change_nothing(portal, theft, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024
    start(portal, theft, theft.transaction_ids)
    case = Case.objects.get()

    response = portal.post(f"/claims/{case.pk}/step/whereabouts/", {"card_whereabouts": "x" * 20_000})

    assert response.status_code == 400
    assert "<h1>Nie udało się odczytać żądania</h1>" in response.content.decode()
    case.refresh_from_db()
    assert case.card_whereabouts == ""
