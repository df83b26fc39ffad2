"""Gzip only for clients that ask, and kept pages kept compressed with the visitor's token
filled into the compressed stream."""

from __future__ import annotations

import gzip
import zlib

import pytest

from helpdesk.core.compression import GzipWithSlots

PAGE = [b"<html><body>" + b"<p>Texto repetido</p>" * 200, b"</form><form>", b"fin</html>"]


@pytest.mark.parametrize("value", [b"", b"csrf-token-123", b"x" * 5000, bytes(range(256))])
def test_filled_stream_is_one_valid_gzip_member(value: bytes) -> None:
    packed = GzipWithSlots(PAGE).fill(value)
    assert gzip.decompress(packed) == value.join(PAGE)
    reader = zlib.decompressobj(16 + zlib.MAX_WBITS)
    assert reader.decompress(packed) == value.join(PAGE)
    assert reader.eof and not reader.unused_data  # one member, nothing after it


def test_a_page_without_slots_and_a_value_too_long() -> None:
    assert gzip.decompress(GzipWithSlots([b"solo"]).fill(b"ignored")) == b"solo"
    with pytest.raises(ValueError, match="stored block"):
        GzipWithSlots(PAGE).fill(b"x" * 70_000)


async def test_a_kept_page_sent_gzipped_is_the_same_page(client) -> None:
    plain = await client.get("/", headers={"Accept-Encoding": "identity"})
    packed = await client.get("/", headers={"Accept-Encoding": "gzip, deflate"})
    assert packed.headers["content-encoding"] == "gzip"
    assert "Accept-Encoding" in packed.headers["vary"]
    assert int(packed.headers["content-length"]) < len(plain.content) / 2
    assert packed.text == plain.text  # the same visitor: the same CSRF token, filled in
    assert 'name="csrf_token" value="csrf-slot' not in packed.text
