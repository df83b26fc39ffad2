"""The unit of work's write queue on SQLite: writers take turns, but only once their body
has arrived, so a slow upload holds nobody up."""

from __future__ import annotations

import asyncio

import pytest

from helpdesk.core.unit_of_work import UnitOfWorkMiddleware


async def _answer(app, method: str, receive) -> int:
    statuses: list[int] = []

    async def send(message) -> None:
        if message["type"] == "http.response.start":
            statuses.append(message["status"])

    scope = {
        "type": "http",
        "method": method,
        "path": "/",
        "headers": [],
        "query_string": b"",
    }
    await app(scope, receive, send)
    return statuses[0]


async def test_a_stalled_upload_does_not_hold_other_writers(sessionmaker) -> None:
    async def endpoint(scope, receive, send) -> None:
        while (await receive()).get("more_body"):
            pass
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    app = UnitOfWorkMiddleware(endpoint, sessionmaker, write_lock=asyncio.Lock())
    stalled = asyncio.Event()

    async def slow_body():
        if not stalled.is_set():
            stalled.set()
            return {"type": "http.request", "body": b"x" * 1024, "more_body": True}
        await asyncio.sleep(3600)  # the client never sends the rest
        raise AssertionError("unreachable")

    async def whole_body():
        return {"type": "http.request", "body": b"y", "more_body": False}

    slow = asyncio.create_task(_answer(app, "POST", slow_body))
    await stalled.wait()
    # Another writer gets through at once, and a read never waits.
    assert await asyncio.wait_for(_answer(app, "POST", whole_body), timeout=2) == 204
    assert await asyncio.wait_for(_answer(app, "GET", whole_body), timeout=2) == 204
    slow.cancel()
    with pytest.raises(asyncio.CancelledError):
        await slow


async def test_writers_take_turns(sessionmaker) -> None:
    inside = 0
    most = 0

    async def endpoint(scope, receive, send) -> None:
        nonlocal inside, most
        await receive()
        inside += 1
        most = max(most, inside)
        await asyncio.sleep(0.01)  # e.g. a database round trip
        inside -= 1
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    app = UnitOfWorkMiddleware(endpoint, sessionmaker, write_lock=asyncio.Lock())

    async def body():
        return {"type": "http.request", "body": b"", "more_body": False}

    assert await asyncio.gather(*(_answer(app, "POST", body) for _ in range(5))) == [204] * 5
    assert most == 1
