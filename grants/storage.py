"""The one place that stores and reads uploaded files (ARCHITECTURE.md, "Personal data").

Types are decided by content, never by the uploaded name or the browser's Content-Type; files get
generated names under a root outside static/, so nothing the user sends ever becomes part of a path.
"""

import hashlib
import os
import re
import tempfile
import unicodedata
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from flask_babel import lazy_gettext as _l

from grants.services.errors import ValidationError

CHUNK_SIZE = 64 * 1024
DISPLAY_NAME_MAX = 120
# Signature -> (content type, extension). The longest signature sets how many bytes to sniff.
SIGNATURES: tuple[tuple[bytes, str, str], ...] = (
    (b"%PDF-", "application/pdf", ".pdf"),
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
)
HEAD_SIZE = max(len(magic) for magic, _, _ in SIGNATURES)
EXTENSIONS = {content_type: ext for _, content_type, ext in SIGNATURES}
STORED_NAME = re.compile(r"[0-9a-f]{2}/[0-9a-f]{32}\.(pdf|jpg|png)")


@dataclass(frozen=True)
class StoredFile:
    stored_name: str  # relative to the root, e.g. "ab/ab12….pdf"; the only thing used to find the file
    content_type: str
    size: int
    sha256: str
    display_name: str  # shown to people, never used in a path


def sniff_type(head: bytes) -> str | None:
    """The content type the first bytes prove, or None: the allow-list is checked on content only."""
    for magic, content_type, _ in SIGNATURES:
        if head.startswith(magic):
            return content_type
    return None


def clean_display_name(name: str) -> str:
    """The uploaded name made safe to show: base name only, no control characters, bounded length."""
    name = unicodedata.normalize("NFC", name or "")
    # Cc: control characters; Cf: invisible format characters such as right-to-left overrides.
    name = "".join(ch for ch in name if unicodedata.category(ch) not in ("Cc", "Cf"))
    name = re.split(r"[/\\]", name)[-1].strip()
    if name in ("", ".", ".."):
        return "document"
    if len(name) > DISPLAY_NAME_MAX:
        stem, dot, ext = name.rpartition(".")
        if dot and stem and len(ext) <= 10:  # keep the extension visible
            name = stem[: DISPLAY_NAME_MAX - len(ext) - 1].rstrip() + "." + ext
        else:
            name = name[:DISPLAY_NAME_MAX].rstrip()
    return name


def _too_large(max_bytes: int) -> ValidationError:
    mb = max(1, round(max_bytes / (1024 * 1024)))
    return ValidationError(_l("The file is too large (maximum %(mb)d MB).", mb=mb), "file")


def _read_head(stream: BinaryIO) -> bytes:
    """Enough bytes to sniff the type: a stream may return fewer bytes than asked."""
    head = b""
    while len(head) < HEAD_SIZE:
        chunk = stream.read(HEAD_SIZE - len(head))
        if not chunk:
            break
        head += chunk
    return head


def store_upload(stream: BinaryIO, original_name: str, root: Path, max_bytes: int) -> StoredFile:
    """Check and store one upload under root with a generated name, atomically.

    The stream is read in chunks and abandoned as soon as it exceeds max_bytes; on any refusal or
    error nothing is left on disk.
    """
    head = _read_head(stream)
    if not head:
        raise ValidationError(_l("The file is empty."), "file")
    content_type = sniff_type(head)
    if content_type is None:
        raise ValidationError(_l("Only PDF, JPEG or PNG files are accepted."), "file")
    if len(head) > max_bytes:
        raise _too_large(max_bytes)

    token = uuid.uuid4().hex
    stored_name = f"{token[:2]}/{token}{EXTENSIONS[content_type]}"
    target = stored_path(root, stored_name)
    target.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256(head)
    size = len(head)
    fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=".upload-", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(head)
            while chunk := stream.read(CHUNK_SIZE):
                size += len(chunk)
                if size > max_bytes:
                    raise _too_large(max_bytes)
                digest.update(chunk)
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp_name, target)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    return StoredFile(stored_name=stored_name, content_type=content_type, size=size,
                      sha256=digest.hexdigest(), display_name=clean_display_name(original_name))


def stored_path(root: Path, stored_name: str) -> Path:
    """The path of a stored file; refuses any name we could not have generated, or that leaves root."""
    if not STORED_NAME.fullmatch(stored_name):
        raise ValueError(f"not a stored file name: {stored_name!r}")
    base = Path(root).resolve()
    path = (base / stored_name).resolve()
    if not path.is_relative_to(base):
        raise ValueError(f"stored file name escapes the root: {stored_name!r}")
    return path


# --- the application's upload folder -------------------------------------------------------

def imports_root() -> Path:
    """Where the partner files of the imports wait for their import: instance/imports (the
    import deletes its file; the retention rule deletes those of abandoned uploads)."""
    from flask import current_app

    return Path(current_app.instance_path) / "imports"


def upload_root() -> Path:
    """Where the app keeps uploads: instance/uploads (outside static/)."""
    from flask import current_app

    return Path(current_app.instance_path) / "uploads"


def save_upload(stream: BinaryIO, original_name: str) -> StoredFile:
    """Store an upload in the app's folder, within the app's size limit."""
    from flask import current_app

    return store_upload(stream, original_name, upload_root(),
                        current_app.config["MAX_UPLOAD_BYTES"])


def discard(stored_name: str) -> None:
    stored_path(upload_root(), stored_name).unlink(missing_ok=True)


def send_stored(item):
    """Download a stored file (an UploadedFile row) under its cleaned name, never cached."""
    from flask import send_file

    return send_file(stored_path(upload_root(), item.stored_name), mimetype=item.content_type,
                     as_attachment=True, download_name=item.display_name, max_age=0)
