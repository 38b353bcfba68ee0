"""Upload limits checked before a byte of the body is read (issue 13, point 7).

- ``RequestSizeLimitHandler``, the first of ``FILE_UPLOAD_HANDLERS``: Django asks every
  handler about a multipart body before reading it, with its Content-Length; a body larger
  than ``UPLOAD_MAX_REQUEST_BYTES`` is refused there (``UploadTooLarge``, a 413 page from
  ``cms.errors.bad_request``). This bounds every upload of the site, the Wagtail documents and
  images included (their own per-file limits: ``WAGTAILDOCS_MAX_UPLOAD_SIZE``,
  ``WAGTAILIMAGES_MAX_UPLOAD_SIZE``). Files larger than ``FILE_UPLOAD_MAX_MEMORY_SIZE`` are
  spooled to disk by Django's own handlers, never held in memory.
- ``PrivateFileHandler``: the import of paper forms writes the uploaded file straight into
  the private upload folder (``upload_dir()``, mode 0700, files 0600), where the task worker
  reads it; it refuses more than its limit while receiving, too.
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler


class UploadTooLarge(RequestDataTooBig):
    """A request body above an upload limit, refused before it was read."""

    def __init__(self, limit: int, size: int):
        self.limit, self.size = limit, size
        super().__init__(f"Upload of {size} bytes refused: the limit is {limit} bytes.")


def request_length(request) -> int | None:
    """The request's Content-Length, or None when it is missing or not a number."""
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return None


class RequestSizeLimitHandler(FileUploadHandler):
    """Refuses a multipart body above ``UPLOAD_MAX_REQUEST_BYTES`` from its Content-Length;
    otherwise passes every chunk on to the next handler unchanged."""

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        limit = int(getattr(settings, "UPLOAD_MAX_REQUEST_BYTES", 0) or 0)
        if limit and content_length > limit:
            raise UploadTooLarge(limit, content_length)
        return None

    def receive_data_chunk(self, raw_data, start):
        return raw_data

    def file_complete(self, file_size):
        return None


def upload_dir() -> Path:
    """The private folder where uploaded import files wait for the worker (``UPLOAD_DIR``;
    web and worker must share it). Never under MEDIA_ROOT."""
    configured = getattr(settings, "UPLOAD_DIR", "") or ""
    path = Path(configured) if configured else Path(tempfile.gettempdir()) / "tingjian-uploads"
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def delete_stale_uploads(max_age_hours: int = 24) -> int:
    """Delete upload files older than ``max_age_hours`` (left by a job that never ran);
    returns how many."""
    cutoff = time.time() - max_age_hours * 3600
    deleted = 0
    for path in upload_dir().glob("import-*"):
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
                deleted += 1
        except FileNotFoundError:
            continue
    return deleted


class PrivateUploadedFile(UploadedFile):
    """An uploaded file kept at ``path`` in the private upload folder."""

    def __init__(self, path: str, fd: int, name, content_type, charset, content_type_extra):
        self.path = path
        super().__init__(os.fdopen(fd, "w+b"), name, content_type, 0, charset, content_type_extra)

    def discard(self) -> None:
        try:
            self.file.close()
        finally:
            Path(self.path).unlink(missing_ok=True)


class PrivateFileHandler(FileUploadHandler):
    """Writes each uploaded file into ``upload_dir()`` (mode 0600) and refuses more than
    ``limit`` bytes of it. ``paths`` lists every file it made, for the view to delete the
    ones it does not keep."""

    def __init__(self, request, limit: int):
        super().__init__(request)
        self.limit = limit
        self.paths: list[str] = []
        self.received = 0

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        fd, path = tempfile.mkstemp(prefix="import-", suffix=".upload", dir=upload_dir())
        self.paths.append(path)
        self.received = 0
        self.file = PrivateUploadedFile(
            path, fd, self.file_name, self.content_type, self.charset, self.content_type_extra
        )

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.limit:
            self.file.discard()
            raise UploadTooLarge(self.limit, self.received)
        self.file.write(raw_data)
        return None

    def file_complete(self, file_size):
        self.file.flush()
        self.file.seek(0)
        self.file.size = file_size
        return self.file

    def discard_all(self, keep: str = "") -> None:
        """Delete the files this handler wrote, but ``keep``."""
        for path in self.paths:
            if path != keep:
                Path(path).unlink(missing_ok=True)
