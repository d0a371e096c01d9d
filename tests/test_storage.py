"""Uploads: types decided by content, size limit, generated names, no escape from the root."""

import hashlib
import io
import re
from pathlib import Path

import pytest
from flask import Flask
from flask_babel import Babel

from grants.services.errors import ValidationError
from grants.storage import (
    StoredFile,
    clean_display_name,
    sniff_type,
    store_upload,
    stored_path,
)

PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 100 + b"\xff\xd9"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 50
HTML = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 100
MB = 1024 * 1024
NAME = re.compile(r"([0-9a-f]{2})/(\1[0-9a-f]{30})\.(pdf|jpg|png)")


class TrickleStream(io.BytesIO):
    """Returns at most a few bytes per read, like a slow network stream; counts bytes read."""

    def __init__(self, data: bytes, step: int = 3):
        super().__init__(data)
        self.step = step
        self.bytes_read = 0

    def read(self, size: int | None = -1) -> bytes:
        if size is None or size < 0 or size > self.step:
            size = self.step
        chunk = super().read(size)
        self.bytes_read += len(chunk)
        return chunk


class HugeStream(io.RawIOBase):
    """A PDF of practically endless size: proves the reader stops early and never reads it all."""

    def __init__(self):
        self.bytes_read = 0

    def read(self, size: int = -1) -> bytes:
        assert 0 < size <= MB, "must read in bounded chunks"
        assert self.bytes_read <= 4 * MB, "kept reading past the limit"
        chunk = (b"%PDF-" + b"x" * (size - 5)) if self.bytes_read == 0 else b"x" * size
        self.bytes_read += len(chunk)
        return chunk


def files_under(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def message_text(error: ValidationError) -> str:
    app = Flask(__name__)
    Babel(app)
    with app.app_context():
        return str(error.message)


@pytest.mark.parametrize(("content", "content_type", "ext"), [
    (PDF, "application/pdf", "pdf"), (JPEG, "image/jpeg", "jpg"), (PNG, "image/png", "png")])
def test_valid_files_are_stored_with_generated_names(tmp_path, content, content_type, ext):
    root = tmp_path / "uploads"
    stored = store_upload(io.BytesIO(content), f"Mon dossier.{ext}", root, MB)

    assert isinstance(stored, StoredFile)
    assert stored.content_type == content_type
    assert stored.size == len(content)
    assert stored.sha256 == hashlib.sha256(content).hexdigest()
    assert stored.display_name == f"Mon dossier.{ext}"
    match = NAME.fullmatch(stored.stored_name)
    assert match and match.group(3) == ext
    path = stored_path(root, stored.stored_name)
    assert path.parent.parent == root.resolve()
    assert path.read_bytes() == content
    assert files_under(root) == [path]  # no temporary file left over


def test_each_upload_gets_its_own_name(tmp_path):
    first = store_upload(io.BytesIO(PDF), "a.pdf", tmp_path, MB)
    second = store_upload(io.BytesIO(PDF), "a.pdf", tmp_path, MB)
    assert first.stored_name != second.stored_name
    assert len(files_under(tmp_path)) == 2


def test_short_reads_are_handled(tmp_path):
    content = PNG + bytes(range(256)) * 1000
    stored = store_upload(TrickleStream(content, step=3), "p.png", tmp_path, MB)
    assert stored.content_type == "image/png"
    assert stored.size == len(content)
    assert stored.sha256 == hashlib.sha256(content).hexdigest()
    assert stored_path(tmp_path, stored.stored_name).read_bytes() == content


@pytest.mark.parametrize("content", [HTML, EXE, b"GIF89a\x01\x00", b"%PD", b"\xff\xd8", b"\x89PNG\r\n"])
def test_content_not_in_the_allow_list_is_refused_whatever_the_name(tmp_path, content):
    with pytest.raises(ValidationError) as caught:
        store_upload(io.BytesIO(content), "photo.jpg", tmp_path, MB)
    assert caught.value.field == "file"
    assert message_text(caught.value) == "Only PDF, JPEG or PNG files are accepted."
    assert files_under(tmp_path) == []


def test_pdf_named_png_is_stored_as_pdf(tmp_path):
    stored = store_upload(io.BytesIO(PDF), "x.png", tmp_path, MB)
    assert stored.content_type == "application/pdf"
    assert stored.stored_name.endswith(".pdf")
    assert stored.display_name == "x.png"


def test_too_large_is_refused_without_leaving_a_file(tmp_path):
    content = PDF + b"x" * 2000
    with pytest.raises(ValidationError) as caught:
        store_upload(io.BytesIO(content), "big.pdf", tmp_path, max_bytes=len(content) - 1)
    assert caught.value.field == "file"
    assert files_under(tmp_path) == []
    # Exactly at the limit is accepted.
    stored = store_upload(io.BytesIO(content), "big.pdf", tmp_path, max_bytes=len(content))
    assert stored.size == len(content)


def test_too_large_stops_reading_early(tmp_path):
    stream = HugeStream()
    with pytest.raises(ValidationError) as caught:
        store_upload(stream, "huge.pdf", tmp_path, max_bytes=2 * MB)
    assert stream.bytes_read <= 3 * MB
    assert files_under(tmp_path) == []
    assert message_text(caught.value) == "The file is too large (maximum 2 MB)."


def test_empty_file_is_refused(tmp_path):
    with pytest.raises(ValidationError) as caught:
        store_upload(io.BytesIO(b""), "empty.pdf", tmp_path, MB)
    assert caught.value.field == "file"
    assert message_text(caught.value) == "The file is empty."
    assert files_under(tmp_path) == []


@pytest.mark.parametrize("name", ["../../x", "../../x.pdf", "/etc/passwd", "..\\..\\x.pdf", "..", ""])
def test_uploaded_name_never_reaches_the_path(tmp_path, name):
    root = tmp_path / "uploads"
    stored = store_upload(io.BytesIO(PDF), name, root, MB)
    assert NAME.fullmatch(stored.stored_name)
    assert "/" not in stored.display_name and "\\" not in stored.display_name
    assert stored.display_name not in ("", ".", "..")
    assert [p.resolve() for p in files_under(tmp_path)] == [stored_path(root, stored.stored_name)]


@pytest.mark.parametrize(("raw", "clean"), [
    ("../../x.pdf", "x.pdf"),
    ("C:\\temp\\a.png", "a.png"),
    ("/var/www/report.pdf", "report.pdf"),
    ("dir/", "document"),
    ("", "document"),
    ("..", "document"),
    ("  \x00\x1f\x7f ", "document"),
    ("fac\x00ture\n.pdf", "facture.pdf"),
    ("photo\u202egnp.exe", "photognp.exe"),  # right-to-left override removed
    ("Reçu d'achat n°3.jpg", "Reçu d'achat n°3.jpg"),
])
def test_clean_display_name(raw, clean):
    assert clean_display_name(raw) == clean


def test_clean_display_name_limits_length_and_keeps_extension():
    cleaned = clean_display_name("a" * 300 + ".pdf")
    assert len(cleaned) == 120
    assert cleaned.endswith("a.pdf")
    assert len(clean_display_name("b" * 300)) == 120


def test_sniff_type():
    assert sniff_type(PDF) == "application/pdf"
    assert sniff_type(JPEG) == "image/jpeg"
    assert sniff_type(PNG) == "image/png"
    assert sniff_type(HTML) is None
    assert sniff_type(EXE) is None
    assert sniff_type(b"") is None
    assert sniff_type(b"%pdf-1.4") is None


@pytest.mark.parametrize("name", [
    "../etc/passwd",
    "/etc/passwd",
    "ab/../../etc/passwd",
    "AB/AB" + "0" * 30 + ".pdf",
    "ab/cd" + "0" * 30 + ".exe",
    "ab/ab" + "0" * 30 + ".pdf\n",
    "ab/ab" + "0" * 30 + ".pdf/..",
    "/ab/ab" + "0" * 30 + ".pdf",
    "ab\\ab" + "0" * 30 + ".pdf",
    "ab/ab" + "0" * 29 + ".pdf",
    "",
])
def test_stored_path_refuses_names_we_did_not_generate(tmp_path, name):
    with pytest.raises(ValueError):
        stored_path(tmp_path, name)


def test_stored_path_refuses_a_subfolder_linking_outside(tmp_path):
    root = tmp_path / "uploads"
    outside = tmp_path / "outside"
    root.mkdir()
    outside.mkdir()
    (root / "ab").symlink_to(outside, target_is_directory=True)
    with pytest.raises(ValueError):
        stored_path(root, "ab/ab" + "0" * 30 + ".pdf")


def test_stored_path_resolves_generated_names_under_root(tmp_path):
    name = "ab/ab" + "0" * 30 + ".jpg"
    assert stored_path(tmp_path, name) == tmp_path.resolve() / "ab" / ("ab" + "0" * 30 + ".jpg")
