"""The new-request form over HTTP: its two-step choice of kind, and the error summary that
heads it when something is missing (the browser side is tests/e2e/test_request_form_phone.py)."""

from __future__ import annotations

import uuid

import pytest

from helpdesk.tickets.citizen.service import kind_groups
from tests.helpdesk.tickets.citizen.test_pages import prove_email
from tests.support.error_summary import check_summary, read
from tests.support.http import Browser

FIRST_KIND = f"tipo-{kind_groups()[1][0].code}"  # the first of the portal's kinds


async def proven(client: Browser, sessionmaker) -> str:
    await prove_email(client, sessionmaker, f"anon.{uuid.uuid4().hex[:8]}@test.portal")
    token = await client.csrf("/solicitudes/nueva")
    return token


async def post(client: Browser, token: str, **fields: str):
    return await client.post(
        "/solicitudes/nueva",
        data={"csrf_token": token, **fields},
        files=[("archivos", ("", b"", "application/octet-stream"))],
    )


async def test_the_form_has_no_summary_and_both_groups_folded(client, sessionmaker) -> None:
    await proven(client, sessionmaker)
    page = read((await client.get("/solicitudes/nueva")).text)
    assert page.summary is None
    groups = {i: attrs for i, (tag, attrs) in page.by_id.items() if tag == "details"}
    assert set(groups) == {"tipos-tramite", "tipos-siac"}
    assert not any("open" in attrs for attrs in groups.values())


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({}, [FIRST_KIND, "region", "asunto", "texto"]),
        ({"tipo": "consulta", "region": "RM", "asunto": "Mi permiso"}, ["texto"]),
        (
            {"tipo": "estampado_electronico", "region": "XX", "asunto": "x", "texto": "y"},
            ["region", "archivos"],
        ),
        (
            {"tipo": "consulta", "region": "RM", "asunto": "a" * 201, "texto": "y"},
            ["asunto"],
        ),
    ],
    ids=["empty", "no-text", "region-and-document", "long-subject"],
)
async def test_errors_are_summed_up_at_the_top_with_links_to_their_fields(
    client, sessionmaker, fields: dict[str, str], expected: list[str]
) -> None:
    token = await proven(client, sessionmaker)
    response = await post(client, token, **fields)
    assert response.status_code == 422
    page = check_summary(response.text, expected)
    # The group of the chosen kind unfolds again; both unfold when no kind was chosen.
    open_groups = {
        i for i, (tag, attrs) in page.by_id.items() if tag == "details" and "open" in attrs
    }
    if "tipo" in fields:
        chosen = "tipos-siac" if fields["tipo"] == "consulta" else "tipos-tramite"
        assert open_groups == {chosen}
        assert "checked" in page.by_id[f"tipo-{fields['tipo']}"][1]
    else:
        assert open_groups == {"tipos-tramite", "tipos-siac"}
