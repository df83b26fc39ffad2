"""Schemathesis against /api/v1/openapi.json, in-process: no operation answers with a 5xx."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from starlette.applications import Starlette

from helpdesk.core.settings import Settings
from tests.conftest import make_app


@pytest.fixture(scope="module")
def fuzz_app(settings: Settings) -> Iterator[Starlette]:
    # Its own app: schemathesis drives it from its own event loop, where the suite's pooled
    # connections cannot go.
    app = make_app(settings)

    async def answer_lifespan(scope, receive, send):  # type: ignore[no-untyped-def]
        # The search index, without the mail worker and other background services.
        if scope["type"] != "lifespan":
            await app(scope, receive, send)
            return
        await receive()
        await app.state.kb_index.ensure_ready(app.state.sessionmaker)
        await send({"type": "lifespan.startup.complete"})
        await receive()
        await app.state.engine.dispose()
        await send({"type": "lifespan.shutdown.complete"})

    yield answer_lifespan  # type: ignore[misc]


def test_no_server_errors(fuzz_app: Starlette) -> None:
    # One test over every operation: schemathesis' pytest plugin (from_fixture) does not run
    # under this pytest version.
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", fuzz_app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 11

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=25,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
        )
        def check(case: schemathesis.Case) -> None:
            response = case.call()
            case.validate_response(response, checks=[not_a_server_error])

        check()
