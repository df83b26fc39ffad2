"""Malformed or oversized request bodies: a clear 400 or 413 on every POST route, never a 500,
and nothing logged as an error (issue 13)."""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace

import httpx2
import pytest
from starlette.routing import BaseRoute, Mount, Route
from starlette.types import Message

from app import body_limits, create_app, route_table
from helpdesk.core.body_limits import BodyLimitMiddleware, BodyLimits
from helpdesk.core.settings import Settings, SettingsError
from helpdesk.core.static_files import static_assets
from helpdesk.tickets import uploads
from tests.helpdesk.tickets.api.test_routes import staff_token
from tests.support import factories
from tests.support.http import page_text

API_PREFIX = "/api/"
BOUNDARY = "x0x0x0"
LIMITS = BodyLimits.from_settings(Settings())


def _post_paths(routes: list[BaseRoute], prefix: str = "") -> Iterator[str]:
    for route in routes:
        if isinstance(route, Mount):
            yield from _post_paths(list(route.routes), prefix + route.path)
        elif isinstance(route, Route) and "POST" in (route.methods or ()):
            # Any value matches the parameters' patterns ({id}: digits, {str}: anything).
            yield prefix + re.sub(r"\{[^}]+\}", "1", route.path)


POST_PATHS = sorted(set(_post_paths(route_table(static_assets(versioned=False)))))


def _multipart(parts: list[tuple[str, str | None, bytes]]) -> bytes:
    chunks = []
    for name, filename, data in parts:
        disposition = f'form-data; name="{name}"'
        if filename is not None:
            disposition += f'; filename="{filename}"'
        chunks.append(
            f"--{BOUNDARY}\r\nContent-Disposition: {disposition}\r\n\r\n".encode() + data + b"\r\n"
        )
    return b"".join(chunks) + f"--{BOUNDARY}--\r\n".encode()


MULTIPART = f"multipart/form-data; boundary={BOUNDARY}"
URLENCODED = "application/x-www-form-urlencoded"
# (what the hostile tester sent, its Content-Type, the body, the answer expected)
BODIES = {
    "garbage multipart": ("multipart/form-data", b"garbage", 400),
    "multipart with a broken boundary": (MULTIPART, b"--x0x0x0\r\nnot a header\r\n\r\n", 400),
    "a 1.5 MiB text field": (
        MULTIPART,
        _multipart([("texto", None, b"a" * (LIMITS.field_bytes + LIMITS.field_bytes // 2))]),
        400,
    ),
    "a 1.5 MiB urlencoded field": (
        URLENCODED,
        b"texto=" + b"a" * (LIMITS.field_bytes + LIMITS.field_bytes // 2),
        400,
    ),
    "1,001 fields": (URLENCODED, b"&".join(b"f%d=1" % i for i in range(1001)), 400),
    "101 file parts": (
        MULTIPART,
        _multipart([("archivos", f"{i}.pdf", b"%PDF-1.4") for i in range(101)]),
        400,
    ),
    "a urlencoded body over the limit": (URLENCODED, b"texto=" + b"a" * LIMITS.body_bytes, 413),
    "a JSON body over the limit": ("application/json", b'"' + b"a" * LIMITS.body_bytes + b'"', 413),
}


@pytest.fixture
def no_errors_logged(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    caplog.set_level(logging.INFO)
    yield
    bad = [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]
    assert not bad, [r.getMessage() for r in bad]


def _assert_refused(response: httpx2.Response, path: str, status: int) -> None:
    assert response.status_code == status, (path, response.status_code, response.text[:300])
    if path.startswith(API_PREFIX):
        assert response.json()["error"]["code"] == {400: "bad_request", 413: "too_large"}[status]
    else:
        assert response.headers["content-type"].startswith("text/html")
        assert "Traceback" not in response.text


@pytest.mark.usefixtures("no_errors_logged")
@pytest.mark.parametrize("kind", sorted(BODIES))
@pytest.mark.parametrize("path", POST_PATHS)
async def test_every_post_route_refuses_a_bad_body_with_a_clear_4xx(client, path, kind) -> None:
    content_type, body, status = BODIES[kind]
    await client.get("/")  # a session cookie: the CSRF check reads the form, as for a browser
    response = await client.post(path, content=body, headers={"Content-Type": content_type})
    _assert_refused(response, path, status)


@pytest.mark.usefixtures("no_errors_logged")
@pytest.mark.parametrize("viewer", ["anonymous", "admin", "citizen"])
@pytest.mark.parametrize("kind", ["garbage multipart", "101 file parts", "1,001 fields"])
@pytest.mark.parametrize("path", POST_PATHS)
async def test_with_the_token_in_a_header_the_route_refuses_it_itself(
    client, sessionmaker, path, kind, viewer
) -> None:
    """htmx sends the token in a header: the CSRF check reads no body, the route parses it
    (signed in, so routes get that far)."""
    if viewer == "admin":
        await factories.sign_in_staff(client, await factories.staff_member(sessionmaker, "admin"))
    elif viewer == "citizen":
        await factories.sign_in_citizen(client, (await factories.citizen(sessionmaker))[0])
    content_type, body, _ = BODIES[kind]
    token = await client.csrf("/")
    response = await client.post(
        path, content=body, headers={"Content-Type": content_type, "X-CSRF-Token": token}
    )
    assert response.status_code < 500, (path, response.status_code, response.text[:300])


def test_every_post_route_is_covered() -> None:
    assert len(POST_PATHS) > 40
    assert {"/correo", "/staff/ingresar", "/cuenta/registro"} <= set(POST_PATHS)
    assert any(p.startswith(API_PREFIX) for p in POST_PATHS)


@pytest.mark.usefixtures("no_errors_logged")
@pytest.mark.parametrize(
    ("lang", "explanation"),
    [
        ("es", "No pudimos entender lo que envió."),
        ("en", "We could not understand what you sent."),
    ],
)
async def test_the_refusal_is_a_localized_page(client, lang, explanation) -> None:
    client.http.cookies.set("lang", lang)
    await client.get("/")
    response = await client.post(
        "/correo", content=b"garbage", headers={"Content-Type": "multipart/form-data"}
    )
    assert response.status_code == 400
    assert explanation in page_text(response.text)


@pytest.mark.usefixtures("no_errors_logged")
async def test_api_refusals_without_a_cookie_are_json(app) -> None:
    """An integration with no cookie skips the CSRF check; the size limit still holds."""
    async with httpx2.AsyncClient(
        transport=httpx2.ASGITransport(app=app), base_url="http://testserver"
    ) as bare:
        for path in (p for p in POST_PATHS if p.startswith(API_PREFIX)):
            too_big = await bare.post(
                path,
                content=b"{" + b" " * LIMITS.body_bytes + b"}",
                headers={"Content-Type": "application/json", "Authorization": "Bearer x"},
            )
            _assert_refused(too_big, path, 413)
            garbage = await bare.post(
                path, content=b"garbage", headers={"Content-Type": "multipart/form-data"}
            )
            assert 400 <= garbage.status_code < 500, (path, garbage.status_code)
            assert "error" in garbage.json()


async def _streamed_fields() -> AsyncIterator[bytes]:
    for i in range(LIMITS.body_bytes // (LIMITS.field_bytes - 16) + 1):
        yield b"f%d=%s&" % (i, b"a" * (LIMITS.field_bytes - 16))


@pytest.mark.usefixtures("no_errors_logged")
async def test_the_hostile_testers_55_mib_urlencoded_body_is_too_large(client) -> None:
    await client.get("/")
    body = b"texto=" + b"a" * (55 * 1024 * 1024)
    response = await client.post("/correo", content=body, headers={"Content-Type": URLENCODED})
    assert response.status_code == 413
    assert "El envío es demasiado grande" in page_text(response.text)


@pytest.mark.usefixtures("no_errors_logged")
@pytest.mark.parametrize(
    ("path", "content_type", "credentials"),
    [
        (
            "/correo",
            URLENCODED,
            "none",
        ),  # read by the CSRF check (or, on SQLite, the writers' turn)
        ("/cuenta/registro", URLENCODED, "header"),  # read by the route
        ("/api/v1/requests", "application/json", "bearer"),  # read by the API's JSON parser
    ],
)
async def test_a_streamed_body_is_cut_off_at_the_limit(
    client, sessionmaker, path, content_type, credentials
) -> None:
    """No Content-Length (chunked): the body is counted as it arrives. Fields just under the
    field limit, so the form parser's own limits do not answer first."""
    headers = {"Content-Type": content_type}
    token = await client.csrf("/")
    if credentials == "header":
        headers["X-CSRF-Token"] = token
    elif credentials == "bearer":
        headers.update(await staff_token(sessionmaker))
    response = await client.post(path, content=_streamed_fields(), headers=headers)
    assert "content-length" not in response.request.headers
    _assert_refused(response, path, 413)


@pytest.mark.usefixtures("no_errors_logged")
async def test_the_largest_legitimate_upload_passes_the_limit(client) -> None:
    """Five files of the largest size reach the form's own checks (its token here)."""
    await client.get("/")
    largest = b"a" * uploads.POLICY.max_bytes
    body = _multipart(
        [("csrf_token", None, b"forged")]
        + [("archivos", f"{i}.pdf", largest) for i in range(uploads.POLICY.max_files)]
    )
    assert len(body) > LIMITS.body_bytes
    response = await client.post("/correo", content=body, headers={"Content-Type": MULTIPART})
    assert response.status_code == 403  # read whole, then refused for its forged token
    too_many = _multipart(
        [("archivos", f"{i}.pdf", largest) for i in range(uploads.POLICY.max_files + 1)]
    )
    refused = await client.post("/correo", content=too_many, headers={"Content-Type": MULTIPART})
    assert refused.status_code == 413


@pytest.mark.usefixtures("no_errors_logged")
@pytest.mark.parametrize("path", ["/correo", "/cuenta/registro"])
async def test_a_client_that_leaves_halfway_through_its_body_is_no_error(app, path) -> None:
    messages: list[Message] = [
        {"type": "http.request", "body": b"--x0x0x0\r\nContent-Disp", "more_body": True},
        {"type": "http.disconnect"},
    ]
    sent: list[Message] = []

    async def receive() -> Message:
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "server": ("testserver", 80),
        "client": ("203.0.113.7", 40000),
        "root_path": "",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "headers": [(b"host", b"testserver"), (b"content-type", MULTIPART.encode())],
    }
    await app(scope, receive, send)
    assert not sent  # nobody is listening


async def test_a_declared_length_over_the_limit_is_refused_before_reading() -> None:
    sent: list[Message] = []
    refused: list[int] = []

    async def app(scope, receive, send):  # pragma: no cover - must not be reached
        raise AssertionError("the app was called")

    async def receive() -> Message:
        raise AssertionError("the body was read")

    async def send(message: Message) -> None:
        sent.append(message)

    async def on_refusal(scope, receive, send, status: int) -> None:
        refused.append(status)

    middleware = BodyLimitMiddleware(app, LIMITS, on_refusal)
    for length, status in ((str(LIMITS.upload_body_bytes + 1), 413), ("12x", 400)):
        scope = {
            "type": "http",
            "method": "POST",
            "path": "/correo",
            "headers": [
                (b"content-type", MULTIPART.encode()),
                (b"content-length", length.encode()),
            ],
        }
        await middleware(scope, receive, send)
        assert refused[-1] == status


@pytest.mark.parametrize(
    "changes",
    [
        {"max_upload_body_bytes": uploads.POLICY.max_files * uploads.POLICY.max_bytes},
        {"max_form_files": uploads.MAX_FORM_FILES - 1},
    ],
)
def test_limits_that_refuse_a_legitimate_upload_stop_the_start(changes) -> None:
    with pytest.raises(SettingsError):
        body_limits(replace(Settings(), **changes))


def test_the_defaults_allow_the_largest_upload() -> None:
    assert body_limits(Settings()) == LIMITS


def test_limits_are_read_from_the_environment() -> None:
    settings = Settings.from_env({"APP_ENV": "test", "MAX_BODY_BYTES": "1000"})
    assert BodyLimits.from_settings(settings).body_bytes == 1000
    with pytest.raises(SettingsError):
        Settings.from_env({"APP_ENV": "test", "MAX_UPLOAD_BODY_BYTES": "10"})


def test_create_app_refuses_a_limit_below_the_largest_upload(settings) -> None:
    with pytest.raises(SettingsError):
        create_app(replace(settings, max_upload_body_bytes=1000, max_body_bytes=1000))
