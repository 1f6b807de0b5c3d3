"""Request bodies with a bound: an upload above the evidence limit is refused while it streams.

Django's own limits bound the form fields of a request (``DATA_UPLOAD_MAX_MEMORY_SIZE``,
``DATA_UPLOAD_MAX_NUMBER_FIELDS``, ``DATA_UPLOAD_MAX_NUMBER_FILES``), not the files in it: without this
handler a 200 MB file would be read and spooled to disk before the service refused it. The handler
runs first among ``FILE_UPLOAD_HANDLERS`` and stops the parse, without reading the rest of the body,
as soon as the declared length or the bytes of one file pass ``KARTOSFERA_UPLOAD_MAX_BYTES`` (the
evidence limit). The request then answers 413 with the branded page (``kartosfera.views.bad_request``).
"""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.files.uploadhandler import FileUploadHandler


class UploadTooLarge(RequestDataTooBig):
    """A request with a file larger than ``KARTOSFERA_UPLOAD_MAX_BYTES``: answered 413."""


class UploadSizeLimitHandler(FileUploadHandler):
    """Refuse an oversized upload before it is read (declared length) or as soon as it grows too big."""

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        # The files may use the limit, the form fields Django's own bound, the multipart framing 64 KiB.
        allowed = settings.KARTOSFERA_UPLOAD_MAX_BYTES + settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 64 * 1024
        if content_length > allowed:
            raise UploadTooLarge(
                f"request body of {content_length} bytes declared, at most {allowed} accepted"
            )

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        if start + len(raw_data) > settings.KARTOSFERA_UPLOAD_MAX_BYTES:
            raise UploadTooLarge(
                f"file {self.file_name!r} passed {settings.KARTOSFERA_UPLOAD_MAX_BYTES} bytes"
            )
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None  # the next handler (memory or temporary file) makes the file
