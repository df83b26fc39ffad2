"""Attachment rules: type from the content, limits enforced while streaming, safe names,
atomic storage under random names and a read-back that refuses forged names."""

from __future__ import annotations

import hashlib
import stat
import struct
import zlib
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
from starlette.datastructures import UploadFile

from helpdesk.tickets.attachment_store import (
    read_stored,
    store_attachment,
    store_attachments,
    stored_path,
)
from helpdesk.tickets.attachments import (
    JPEG,
    PDF,
    PNG,
    AllowedType,
    AttachmentNotFound,
    AttachmentPolicy,
    EmptyFile,
    StoredAttachment,
    TooLarge,
    TooMany,
    WrongType,
    detect_type,
    sanitize_filename,
)

# --- Real, tiny files of each kind, built here so their provenance is plain.


def png_bytes() -> bytes:
    """A valid 1x1 red PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def jpeg_bytes() -> bytes:
    """A valid baseline 8x8 grey JPEG: one block whose DC and AC are both empty."""

    def segment(marker: int, payload: bytes) -> bytes:
        return bytes([0xFF, marker]) + struct.pack(">H", len(payload) + 2) + payload

    one_code = bytes([1] + [0] * 15) + b"\x00"  # a single 1-bit code for symbol 0
    return (
        b"\xff\xd8"
        + segment(0xE0, b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00")
        + segment(0xDB, b"\x00" + b"\x01" * 64)
        + segment(0xC0, b"\x08\x00\x08\x00\x08\x01\x01\x11\x00")
        + segment(0xC4, b"\x00" + one_code)
        + segment(0xC4, b"\x10" + one_code)
        + segment(0xDA, b"\x01\x01\x00\x00\x3f\x00")
        + b"\x3f"  # DC category 0, then end of block, padded with ones
        + b"\xff\xd9"
    )


def pdf_bytes() -> bytes:
    """A valid one-page PDF with a correct cross-reference table."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


Opener = Callable[[Path, str], UploadFile]

HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>\n"
# The start of a Windows executable: the MZ header and the DOS stub.
EXE = (
    b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"
    + b"\x00" * 44
    + (b"\x80\x00\x00\x00This program cannot be run in DOS mode.\r\r\n$")
)


@pytest.fixture
def samples(tmp_path: Path) -> dict[str, Path]:
    folder = tmp_path / "samples"
    folder.mkdir()
    files = {
        "png": png_bytes(),
        "jpeg": jpeg_bytes(),
        "pdf": pdf_bytes(),
        "html": HTML,
        "exe": EXE,
        "empty": b"",
    }
    paths = {}
    for key, data in files.items():
        path = folder / key
        path.write_bytes(data)
        paths[key] = path
    return paths


@pytest.fixture
def store(tmp_path: Path) -> Path:
    # Stands for settings' var/attachments: outside templates/ and static/.
    return tmp_path / "var" / "attachments"


@pytest.fixture
def open_upload() -> Iterator[Opener]:
    """Opens a sample as Starlette's UploadFile, the way a multipart form hands it over."""
    with ExitStack() as stack:

        def opener(path: Path, filename: str) -> UploadFile:
            handle = stack.enter_context(path.open("rb"))
            return UploadFile(handle, filename=filename)

        yield opener


def leftovers(directory: Path) -> list[str]:
    return sorted(path.name for path in directory.iterdir()) if directory.exists() else []


# --- Accepted files.


@pytest.mark.parametrize(
    ("sample", "filename", "kind", "display"),
    [
        ("png", "captura.png", PNG, "captura.png"),
        ("jpeg", "Cédula frente.JPEG", JPEG, "Cédula frente.jpeg"),
        ("jpeg", "foto.jpg", JPEG, "foto.jpg"),
        ("pdf", "Certificado de residencia.pdf", PDF, "Certificado de residencia.pdf"),
    ],
)
async def test_real_files_are_stored_with_digest_and_random_name(
    samples: dict[str, Path],
    store: Path,
    open_upload: Opener,
    sample: str,
    filename: str,
    kind: AllowedType,
    display: str,
) -> None:
    data = samples[sample].read_bytes()
    stored = await store_attachment(open_upload(samples[sample], filename), filename, store)
    assert stored.content_type == kind.mime
    assert stored.display_name == display
    assert stored.size == len(data)
    assert stored.sha256 == hashlib.sha256(data).hexdigest()
    assert leftovers(store) == [stored.storage_name]  # no temporary file left behind
    path = stored_path(store, stored.storage_name)
    assert path.read_bytes() == data
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert filename not in stored.storage_name
    assert read_stored(store, stored.storage_name, stored.sha256) == data


async def test_each_upload_gets_a_different_random_name(store: Path) -> None:
    names = {(await store_attachment(png_bytes(), "a.png", store)).storage_name for _ in range(5)}
    assert len(names) == 5


async def test_a_pdf_renamed_png_is_stored_as_pdf(
    samples: dict[str, Path], store: Path, open_upload: Opener
) -> None:
    upload = open_upload(samples["pdf"], "escaneo.png")
    stored = await store_attachment(upload, "escaneo.png", store)
    assert stored.content_type == "application/pdf"
    assert stored.display_name == "escaneo.pdf"


async def test_an_async_iterator_of_chunks_is_accepted(store: Path) -> None:
    data = pdf_bytes()

    async def chunks() -> AsyncIterator[bytes]:
        for start in range(0, len(data), 7):
            yield data[start : start + 7]
            yield b""  # an empty chunk in the middle is not the end

    stored = await store_attachment(chunks(), "informe.pdf", store)
    assert read_stored(store, stored.storage_name) == data


def test_detect_type_reads_only_the_content() -> None:
    assert detect_type(png_bytes()) is PNG
    assert detect_type(jpeg_bytes()) is JPEG
    assert detect_type(pdf_bytes()) is PDF
    assert detect_type(HTML) is None
    assert detect_type(EXE) is None
    assert detect_type(b"") is None


# --- Refused files.


@pytest.mark.parametrize("sample", ["html", "exe"])
async def test_html_or_exe_named_pdf_is_refused(
    samples: dict[str, Path], store: Path, open_upload: Opener, sample: str
) -> None:
    upload = open_upload(samples[sample], "factura.pdf")
    with pytest.raises(WrongType) as caught:
        await store_attachment(upload, "factura.pdf", store)
    assert caught.value.code == "wrong_type"
    assert str(caught.value) == "El archivo factura.pdf no es PDF, JPEG ni PNG."
    assert leftovers(store) == []


async def test_empty_file_is_refused(
    samples: dict[str, Path], store: Path, open_upload: Opener
) -> None:
    with pytest.raises(EmptyFile) as caught:
        await store_attachment(open_upload(samples["empty"], "vacío.pdf"), "vacío.pdf", store)
    assert caught.value.code == "empty"
    assert str(caught.value) == "El archivo vacío.pdf está vacío."
    assert leftovers(store) == []


class Endless:
    """An UploadFile-like source of PDF-looking bytes that never ends and counts what is read."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.read_total = 0

    async def read(self, size: int = -1) -> bytes:
        assert size > 0, "asked to read everything at once"
        self.read_total += size
        assert self.read_total <= self.limit + 1, "read past the size limit"
        return (b"%PDF-1.4\n" + b"x" * size)[:size]


async def test_too_large_stops_reading_an_upload_file_at_the_limit(store: Path) -> None:
    policy = AttachmentPolicy(max_bytes=100_000, chunk_size=4096)
    source = Endless(policy.max_bytes)
    with pytest.raises(TooLarge) as caught:
        await store_attachment(source, "grande.pdf", store, policy)
    assert caught.value.code == "too_large"
    assert source.read_total == policy.max_bytes + 1
    assert leftovers(store) == []


async def test_too_large_stops_pulling_chunks_past_the_limit(store: Path) -> None:
    policy = AttachmentPolicy(max_bytes=10_000)
    chunk = 1024
    pulled = 0
    closed = False

    async def endless() -> AsyncIterator[bytes]:
        nonlocal pulled, closed
        try:
            while True:
                assert pulled <= policy.max_bytes + chunk, "read past limit + one chunk"
                pulled += chunk
                yield b"%PDF" + b"x" * (chunk - 4)
        finally:
            closed = True

    with pytest.raises(TooLarge):
        await store_attachment(endless(), "grande.pdf", store, policy)
    assert pulled <= policy.max_bytes + chunk
    assert closed, "the abandoned iterator is closed"
    assert leftovers(store) == []


async def test_wrong_type_is_decided_without_reading_the_rest(store: Path) -> None:
    pulled = 0

    async def endless_html() -> AsyncIterator[bytes]:
        nonlocal pulled
        while True:
            assert pulled < 64 * 1024, "kept reading a file already known to be HTML"
            pulled += 100
            yield b"<html>" + b" " * 94

    with pytest.raises(WrongType):
        await store_attachment(endless_html(), "a.pdf", store)
    assert pulled < 1024


def test_default_policy_is_ten_mib_and_five_files() -> None:
    policy = AttachmentPolicy()
    assert (policy.max_bytes, policy.max_files) == (10 * 1024 * 1024, 5)
    assert "10 MB" in str(TooLarge("a.pdf", policy.max_bytes))
    with pytest.raises(ValueError, match="max_files"):
        AttachmentPolicy(max_files=0)


async def test_too_many_files_refused_before_reading_any(store: Path) -> None:
    class Untouchable:
        async def read(self, size: int = -1) -> bytes:
            raise AssertionError("a file was read although the message had too many")

    uploads = [(f"{number}.pdf", Untouchable()) for number in range(6)]
    with pytest.raises(TooMany) as caught:
        await store_attachments(uploads, store)
    assert caught.value.code == "too_many"
    assert str(caught.value) == "Puede adjuntar como máximo 5 archivos por mensaje."
    assert str(TooMany(1)) == "Puede adjuntar como máximo 1 archivo por mensaje."
    assert leftovers(store) == []


async def test_a_message_is_stored_all_or_nothing(store: Path) -> None:
    policy = AttachmentPolicy(max_files=3)
    good = await store_attachments([("a.png", png_bytes()), ("b.jpg", jpeg_bytes())], store, policy)
    assert [item.content_type for item in good] == ["image/png", "image/jpeg"]
    kept = leftovers(store)
    with pytest.raises(WrongType):
        await store_attachments([("c.pdf", pdf_bytes()), ("d.pdf", HTML)], store, policy)
    assert leftovers(store) == kept  # c.pdf, stored first, was removed again


# --- Names.


@pytest.mark.parametrize(
    ("given", "kind", "expected"),
    [
        ("../../etc/passwd", PDF, "passwd.pdf"),
        ("<script>.pdf", PDF, "script.pdf"),
        ("a\x00b.pdf", PDF, "ab.pdf"),
        ('"><img src=x onerror=alert(1)>.png', PNG, "img src_x onerror_alert(1).png"),
        ("C:\\Users\\ana\\Informe.PDF", PDF, "Informe.pdf"),
        ("foto.png", PDF, "foto.pdf"),
        ("foto.tar.gz", PNG, "foto.tar.png"),
        ("sin extensión", JPEG, "sin extensión.jpg"),
        ("Ñuñoa año 2024.jpeg", JPEG, "Ñuñoa año 2024.jpeg"),
        ("Dokiman Kreyòl.pdf", PDF, "Dokiman Kreyòl.pdf"),
        ("居留许可.pdf", PDF, "居留许可.pdf"),
        ("Вид на жительство.png", PNG, "Вид на жительство.png"),
        ("factura\u202egnp.exe", PNG, "facturagnp.png"),  # right-to-left override removed
        ("línea\r\nX-Header: 1.pdf", PDF, "líneaX-Header_ 1.pdf"),
        ("..", PDF, "adjunto.pdf"),
        (".pdf", PDF, "adjunto.pdf"),
        ("", PNG, "adjunto.png"),
        (None, JPEG, "adjunto.jpg"),
        ("-rf .pdf", PDF, "rf.pdf"),
    ],
)
def test_display_names_are_sanitized(given: str | None, kind: AllowedType, expected: str) -> None:
    assert sanitize_filename(given, kind) == expected


def test_display_names_are_bounded_in_length() -> None:
    name = sanitize_filename("á" * 500 + ".pdf", PDF, max_length=120)
    assert len(name) == 120
    assert name.endswith("á.pdf")


async def test_hostile_names_are_sanitized_when_stored(store: Path) -> None:
    stored: list[StoredAttachment] = []
    for name in ("../../etc/passwd", "<script>.pdf", "a\x00b.pdf"):
        stored.append(await store_attachment(pdf_bytes(), name, store))
    assert [item.display_name for item in stored] == ["passwd.pdf", "script.pdf", "ab.pdf"]
    assert not (store.parent / "etc").exists()
    assert sorted(leftovers(store)) == sorted(item.storage_name for item in stored)


# --- Reading back.


@pytest.fixture
async def one_stored(store: Path) -> StoredAttachment:
    return await store_attachment(pdf_bytes(), "a.pdf", store)


@pytest.mark.parametrize(
    "forged",
    [
        "../../etc/passwd",
        "/etc/passwd",
        "",
        ".",
        "a" * 42,
        "a" * 44,
        "a" * 42 + "/",
        "a" * 41 + "..",
        "a" * 43 + "\n",
        "a" * 43,  # the right form, but nothing stored under it
    ],
)
async def test_reading_back_with_a_forged_name_is_refused(
    store: Path, one_stored: StoredAttachment, forged: str
) -> None:
    with pytest.raises(AttachmentNotFound):
        stored_path(store, forged)
    with pytest.raises(AttachmentNotFound):
        read_stored(store, forged)


async def test_reading_back_refuses_a_symlink_or_a_wrong_digest(
    tmp_path: Path, store: Path, one_stored: StoredAttachment
) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("no")
    link = store / ("b" * 43)
    link.symlink_to(secret)
    with pytest.raises(AttachmentNotFound):
        stored_path(store, link.name)
    with pytest.raises(AttachmentNotFound):
        read_stored(store, one_stored.storage_name, sha256="0" * 64)
    assert read_stored(store, one_stored.storage_name, one_stored.sha256) == pdf_bytes()
