"""Static files: versioned names, long-lived caching, text compressed once, the favicon.

When the app starts, every file under ``static/`` is read once: a hash of its content gives
it a versioned name (``css/site.css`` → ``css/site.<hash>.css``), which pages link to through
``static_url('css/site.css')`` in templates. A versioned name always holds the same bytes, so
it is served with ``Cache-Control: immutable`` for a year and a repeat visit fetches nothing
but the page. The plain name is still served (files added later, such as article images,
and old cached pages) with a short lifetime and revalidation. Text files (CSS, JavaScript,
SVG) are gzipped at start-up, not per request, and sent compressed to clients that accept it.

In development files change while the app runs: nothing is versioned or precompressed there,
links use plain names and responses are revalidated every time.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

from helpdesk.core import links
from helpdesk.core.settings import PROJECT_ROOT

STATIC_DIR = PROJECT_ROOT / "static"
IMMUTABLE = "public, max-age=31536000, immutable"
SHORT = "public, max-age=300, must-revalidate"
REVALIDATE = "no-cache"
FAVICON_CACHE = "public, max-age=604800"  # /favicon.ico has no version in its name: a week
COMPRESSIBLE = frozenset({".css", ".js", ".svg", ".json", ".txt", ".map"})
HASH_LENGTH = 12
_SCOPE_KEY = "helpdesk.static_asset"


@dataclass(frozen=True)
class Asset:
    path: str  # relative, with "/"
    versioned: str
    gzipped: bytes | None  # None when not text, or when gzip would not make it smaller


def versioned_name(path: str, content: bytes) -> str:
    """``css/site.css`` → ``css/site.<first 12 hex digits of its SHA-256>.css``."""
    digest = hashlib.sha256(content).hexdigest()[:HASH_LENGTH]
    pure = PurePosixPath(path)
    return str(pure.with_name(f"{pure.stem}.{digest}{pure.suffix}"))


def accepts_gzip(headers: Headers) -> bool:
    for part in headers.get("accept-encoding", "").split(","):
        coding, _, params = part.strip().partition(";")
        if coding.strip().lower() in ("gzip", "*"):
            return params.replace(" ", "").lower() not in ("q=0", "q=0.0", "q=0.00", "q=0.000")
    return False


class StaticAssets:
    """What ``static/`` held when the process started: versioned names and gzipped text."""

    def __init__(self, directory: Path = STATIC_DIR, *, versioned: bool = True) -> None:
        self.directory = directory
        self.versioned = versioned
        self._by_path: dict[str, Asset] = {}
        self._by_versioned: dict[str, Asset] = {}
        if versioned:
            for file in sorted(directory.rglob("*")):
                if file.is_file():
                    self._add(file.relative_to(directory).as_posix(), file.read_bytes())

    def _add(self, path: str, content: bytes) -> None:
        gzipped = None
        if PurePosixPath(path).suffix in COMPRESSIBLE:
            # mtime=0: the same bytes on every start and every node.
            packed = gzip.compress(content, compresslevel=9, mtime=0)
            gzipped = packed if len(packed) < len(content) else None
        asset = Asset(path, versioned_name(path, content), gzipped)
        self._by_path[path] = self._by_versioned[asset.versioned] = asset

    def url(self, path: str) -> str:
        """The link to a static file: its versioned name when it has one."""
        asset = self._by_path.get(path)
        return links.url_path("static", path=asset.versioned if asset else path)

    def by_versioned(self, name: str) -> Asset | None:
        return self._by_versioned.get(name)

    def by_path(self, path: str) -> Asset | None:
        return self._by_path.get(path)


@functools.cache
def static_assets(versioned: bool = True) -> StaticAssets:
    """The process's view of ``static/``, read once (the templates and the mount share it)."""
    return StaticAssets(STATIC_DIR, versioned=versioned)


class AssetFiles(StaticFiles):
    """Starlette's static files (paths checked, ETag and Last-Modified, 304, ranges), plus
    versioned names, their caching headers and the gzipped text."""

    def __init__(self, assets: StaticAssets) -> None:
        super().__init__(directory=assets.directory)
        self.assets = assets

    def get_path(self, scope: Scope) -> str:
        path = super().get_path(scope)
        name = path.replace(os.sep, "/")
        versioned = self.assets.by_versioned(name)
        scope[_SCOPE_KEY] = (versioned or self.assets.by_path(name), versioned is not None)
        return versioned.path.replace("/", os.sep) if versioned else path

    def file_response(
        self,
        full_path: str | os.PathLike[str],
        stat_result: os.stat_result,
        scope: Scope,
        status_code: int = 200,
    ) -> Response:
        response = super().file_response(full_path, stat_result, scope, status_code)
        asset, versioned = scope.get(_SCOPE_KEY, (None, False))
        if versioned:
            response.headers["Cache-Control"] = IMMUTABLE
        else:
            response.headers["Cache-Control"] = SHORT if self.assets.versioned else REVALIDATE
        if asset is None or asset.gzipped is None:
            return response
        response.headers.add_vary_header("Accept-Encoding")
        request_headers = Headers(scope=scope)
        if (
            isinstance(response, FileResponse)
            and response.status_code == 200
            and "range" not in request_headers
            and accepts_gzip(request_headers)
        ):
            headers = {
                key: response.headers[key]
                for key in ("etag", "last-modified", "cache-control", "vary")
                if key in response.headers
            }
            headers["Content-Encoding"] = "gzip"
            media_type = response.headers.get("content-type")
            return Response(asset.gzipped, headers=headers, media_type=media_type)
        return response


async def favicon(request: Request) -> Response:
    """Browsers ask for /favicon.ico whatever the page links to (Safari does not take SVG)."""
    return FileResponse(
        STATIC_DIR / "favicon.ico",
        media_type="image/vnd.microsoft.icon",
        headers={"Cache-Control": FAVICON_CACHE},
    )
