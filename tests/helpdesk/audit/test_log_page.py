"""The audit log page: supervisors narrow it to one request or person and read names."""

from __future__ import annotations

from tests.helpdesk.tickets.workbench.test_pages import make_request
from tests.support.factories import sign_in_staff, staff_member
from tests.support.http import Browser, page_text
from tests.support.markup import parse_page


async def test_supervisor_follows_one_request_with_names_and_links(
    client: Browser, sessionmaker
) -> None:
    opened = await make_request(sessionmaker, "RM", subject="Auditoría de una solicitud")
    agent = await staff_member(sessionmaker, "regional_agent", "santiago")
    await sign_in_staff(client, agent)
    token = await client.csrf(f"/staff/solicitudes/{opened['folio']}")
    claimed = await client.post(
        f"/staff/solicitudes/{opened['folio']}/tomar", data={"csrf_token": token}
    )
    assert claimed.status_code == 303

    await client.post("/staff/salir", data={"csrf_token": await client.csrf("/staff")})
    await sign_in_staff(client, await staff_member(sessionmaker, "supervisor"))
    detail = await client.get(f"/staff/solicitudes/{opened['folio']}")
    assert f"/staff/auditoria?solicitud={opened['folio']}" in detail.text

    page = await client.get("/staff/auditoria", params={"solicitud": opened["folio"].lower()})
    assert page.status_code == 200
    parsed = parse_page(page.text)
    rows = [attrs for tag, attrs in parsed.elements if tag == "tr"][1:]
    links = [attrs.get("href") for tag, attrs in parsed.elements if tag == "a"]
    # Only this request's events, each linking to it; the agent by name, not "staff #id".
    assert rows and links.count(f"/staff/solicitudes/{opened['folio']}") == len(rows)
    text = page_text(page.text)
    assert "Test regional_agent" in text and "staff #" not in text
    # In words: who took it, the status it moved to; no raw codes.
    assert "Asignada a Test regional_agent (antes: nadie)" in text
    assert "Estado cambiado de «Nuevo» a «Abierto»" in text
    assert "request.assign" not in text and "assignee_id" not in text

    unknown = await client.get("/staff/auditoria", params={"solicitud": "SIAC-1999-000001"})
    assert unknown.status_code == 404
    assert "No hay una solicitud o ficha con ese número" in page_text(unknown.text)


async def test_an_agent_reads_the_history_of_a_request_they_answer(
    client: Browser, sessionmaker
) -> None:
    """The issue's report: analysts (and agents) got 403 on the log of a request they can
    answer. They read its history in words now, without the addresses."""
    opened = await make_request(sessionmaker, "RM", subject="Historial para el agente")
    await sign_in_staff(client, await staff_member(sessionmaker, "regional_agent", "santiago"))
    detail = await client.get(f"/staff/solicitudes/{opened['folio']}")
    assert f"/staff/auditoria?solicitud={opened['folio']}" in detail.text
    page = await client.get("/staff/auditoria", params={"solicitud": opened["folio"]})
    assert page.status_code == 200
    text = page_text(page.text)
    assert f"Solicitud {opened['folio']} recibida" in text and "Desde" not in text
    assert (await client.get("/staff/auditoria")).status_code == 403
