"""Static files: versioned names cached for a year, plain names revalidated, text gzipped once,
and a favicon."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from starlette.datastructures import Headers

from helpdesk.core.static_files import (
    IMMUTABLE,
    SHORT,
    StaticAssets,
    accepts_gzip,
    static_assets,
    versioned_name,
)
from helpdesk.core.static_files import STATIC_DIR as STATIC

GZIP = {"Accept-Encoding": "gzip, deflate, br"}
IDENTITY = {"Accept-Encoding": "identity"}


def test_versioned_names_follow_the_content() -> None:
    assert versioned_name("css/site.css", b"a") != versioned_name("css/site.css", b"b")
    name = versioned_name("vendor/htmx/htmx-2.0.11.min.js", b"x")
    assert name.startswith("vendor/htmx/htmx-2.0.11.min.") and name.endswith(".js")
    assert len(name) == len("vendor/htmx/htmx-2.0.11.min.js") + 13


@pytest.mark.parametrize(
    ("header", "gzip_ok"),
    [
        ("gzip, deflate, br", True),
        ("br;q=1.0, gzip;q=0.8", True),
        ("identity", False),
        ("", False),
        ("gzip;q=0", False),
        ("*", True),
        ("GZIP", True),
    ],
)
def test_accepts_gzip(header: str, gzip_ok: bool) -> None:
    assert accepts_gzip(Headers({"accept-encoding": header})) is gzip_ok


def test_development_links_plain_names(tmp_path: Path) -> None:
    (tmp_path / "a.css").write_text("body{}")
    assert StaticAssets(tmp_path, versioned=False).url("a.css") == "/static/a.css"
    assert StaticAssets(tmp_path).url("a.css").startswith("/static/a.")


async def test_versioned_file_is_immutable_and_gzipped(client) -> None:
    url = static_assets().url("css/site.css")
    assert url != "/static/css/site.css"
    packed = await client.get(url, headers=GZIP)
    assert packed.status_code == 200
    assert packed.headers["cache-control"] == IMMUTABLE
    assert packed.headers["content-encoding"] == "gzip"
    assert "accept-encoding" in packed.headers["vary"].lower()
    assert packed.headers["content-type"].startswith("text/css")
    assert packed.content == (STATIC / "css/site.css").read_bytes()  # decoded by the client
    assert int(packed.headers["content-length"]) < len(packed.content) / 2
    plain = await client.get(url, headers=IDENTITY)
    assert "content-encoding" not in plain.headers
    assert plain.content == packed.content and plain.headers["cache-control"] == IMMUTABLE


async def test_plain_name_is_served_briefly_and_revalidated(client) -> None:
    first = await client.get("/static/css/site.css", headers=GZIP)
    assert first.status_code == 200 and first.headers["cache-control"] == SHORT
    again = await client.get(
        "/static/css/site.css", headers={**GZIP, "If-None-Match": first.headers["etag"]}
    )
    assert again.status_code == 304 and not again.content


async def test_unknown_or_escaping_paths_are_404(client) -> None:
    assert (await client.get("/static/css/site.0123456789ab.css")).status_code == 404
    assert (await client.get("/static/../app.py")).status_code == 404
    assert (await client.get("/static/%2e%2e/app.py")).status_code == 404


async def test_a_range_request_gets_the_plain_bytes(client) -> None:
    url = static_assets().url("vendor/htmx/htmx-2.0.11.min.js")
    part = await client.get(url, headers={**GZIP, "Range": "bytes=0-9"})
    assert part.status_code == 206 and "content-encoding" not in part.headers
    assert part.content == (STATIC / "vendor/htmx/htmx-2.0.11.min.js").read_bytes()[:10]


async def test_favicon(client) -> None:
    ico = await client.get("/favicon.ico")
    assert ico.status_code == 200
    assert ico.headers["content-type"] == "image/vnd.microsoft.icon"
    assert ico.content[:4] == b"\x00\x00\x01\x00"  # an ICO file
    assert "max-age" in ico.headers["cache-control"]
    home = (await client.get("/")).text
    svg_url = static_assets().url("favicon.svg")
    assert f'<link rel="icon" href="{svg_url}" type="image/svg+xml">' in home
    svg = await client.get(svg_url)
    assert svg.status_code == 200 and svg.headers["content-type"].startswith("image/svg+xml")


async def test_pages_are_gzipped_for_browsers_that_accept_it(client) -> None:
    page = await client.get("/", headers=GZIP)
    assert page.status_code == 200 and page.headers["content-encoding"] == "gzip"
    assert "accept-encoding" in page.headers["vary"].lower()
    assert "<html" in page.text
    assert "content-encoding" not in (await client.get("/", headers=IDENTITY)).headers


def test_precompressed_bytes_are_the_files_bytes() -> None:
    assets = static_assets()
    for path in ("css/site.css", "vendor/htmx/htmx-2.0.11.min.js", "favicon.svg"):
        asset = assets.by_path(path)
        assert asset is not None and asset.gzipped is not None
        assert gzip.decompress(asset.gzipped) == (STATIC / path).read_bytes()
    ico = assets.by_path("favicon.ico")
    assert ico is not None and ico.gzipped is None  # not text


async def test_only_gzip_clients_go_through_the_compressor(client) -> None:
    plain = await client.get("/", headers={"Accept-Encoding": "br"})
    assert "content-encoding" not in plain.headers and "<html" in plain.text
    packed = await client.get("/", headers={"Accept-Encoding": "deflate, gzip"})
    assert packed.headers["content-encoding"] == "gzip"
