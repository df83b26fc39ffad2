"""A recording, tampering HTTP reverse proxy on loopback, in front of the OIDC provider.

It forwards every request with its ``Host`` header untouched, so the provider's discovery
document, issuer and endpoints name the proxy and all later traffic passes through it too.
Tests read what the app sent (method, path, form body, authorization scheme) and may rewrite
a JSON answer on its way back, e.g. to break an id_token's signature.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

import httpx2
import uvicorn
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

# Headers that describe one hop or one encoding of the body, not the message.
_HOP_HEADERS = {
    "connection",
    "keep-alive",
    "transfer-encoding",
    "content-length",
    "content-encoding",
}

JSONRewrite = Callable[[dict[str, Any]], dict[str, Any]]


@dataclass(frozen=True)
class Exchange:
    method: str
    path: str
    query: dict[str, str]
    form: dict[str, str]
    auth_scheme: str  # "Bearer", "Basic" or "" (the credentials are not kept)
    status: int
    response_json: dict[str, Any] | None


@dataclass
class TamperProxy:
    upstream: str
    exchanges: list[Exchange] = field(default_factory=list)
    rewrites: dict[str, JSONRewrite] = field(default_factory=dict)
    url: str = ""

    def rewrite(self, path: str, change: JSONRewrite) -> None:
        """Passes every successful JSON answer for ``path`` through ``change``."""
        self.rewrites[path] = change

    def to(self, path: str) -> list[Exchange]:
        return [exchange for exchange in self.exchanges if exchange.path == path]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        assert scope["type"] == "http"
        request = Request(scope, receive)
        body = await request.body()
        headers = [(k, v) for k, v in request.headers.items() if k not in _HOP_HEADERS]
        async with httpx2.AsyncClient(timeout=10.0, verify=False) as http:  # loopback HTTP
            target = self.upstream + request.url.path
            if request.url.query:
                target += "?" + request.url.query
            answer = await http.request(request.method, target, headers=headers, content=body)
        content, data = answer.content, None
        if answer.headers.get("content-type", "").startswith("application/json"):
            data = answer.json()
            change = self.rewrites.get(request.url.path)
            if change is not None and answer.status_code == 200:
                data = change(data)
                content = httpx2.Response(200, json=data).content
        form = {}
        if request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
            form = dict(parse_qsl(body.decode()))
        self.exchanges.append(
            Exchange(
                method=request.method,
                path=request.url.path,
                query=dict(request.query_params),
                form=form,
                auth_scheme=request.headers.get("authorization", "").partition(" ")[0],
                status=answer.status_code,
                response_json=data,
            )
        )
        response_headers = {k: v for k, v in answer.headers.items() if k not in _HOP_HEADERS}
        await Response(content, answer.status_code, response_headers)(scope, receive, send)


@contextlib.contextmanager
def running_proxy(upstream: str, timeout: float = 10.0) -> Iterator[TamperProxy]:
    """Serves a TamperProxy with uvicorn on a thread of its own, on a free loopback port."""
    proxy = TamperProxy(upstream.rstrip("/"))
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    proxy.url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    config = uvicorn.Config(
        proxy,
        lifespan="off",
        ws="none",
        http="h11",
        loop="asyncio",
        log_level="warning",
        access_log=False,
        timeout_graceful_shutdown=2,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=lambda: asyncio.run(server.serve(sockets=[sock])), daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + timeout
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the tamper proxy did not start")
            time.sleep(0.01)
        yield proxy
    finally:
        server.should_exit = True
        thread.join(timeout)
        sock.close()
