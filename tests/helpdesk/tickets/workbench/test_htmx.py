"""The agent pages with and without htmx: the queue's results region alone for HX-Request, the
request page's forms posting in place, and the staff-only scripts and shortcut help."""

from __future__ import annotations

from helpdesk.core.static_files import static_assets
from helpdesk.tickets.queue import service as queues
from tests.helpdesk.tickets.workbench.test_pages import make_request, signed_in
from tests.helpdesk.tickets.workbench.test_presence import parsed
from tests.support.http import page_text

HX = {"HX-Request": "true"}
QUEUE = "/staff/solicitudes"


async def test_queue_answers_htmx_with_the_results_region_only(client, sessionmaker) -> None:
    made = await make_request(sessionmaker)
    await signed_in(client, sessionmaker)
    url = QUEUE + "?vista=unassigned&tipo=consulta"

    full = await client.get(url)
    assert full.status_code == 200 and "<html" in full.text
    assert "HX-Request" in full.headers["Vary"]
    page = parsed(full.text)
    assert page.find("h1") and page.find("div", id="bandeja")

    fragment = await client.get(url, headers=HX)
    assert fragment.status_code == 200
    assert "HX-Request" in fragment.headers["Vary"]
    assert fragment.headers["Cache-Control"] == "private, no-store"
    assert "<html" not in fragment.text and "<h1" not in fragment.text
    region = parsed(fragment.text)
    [root] = region.find("div", id="bandeja")
    assert root["hx-target"] == "#bandeja" and root["hx-push-url"] == "true"
    assert made["folio"] in region.text["bandeja"]
    # The view that was asked for, with the links and the form still plain GETs.
    [current] = region.find("a", id="vista-unassigned")
    assert current["aria-current"] == "page" and current["href"] == current["hx-get"]
    [form] = region.find("form", action=QUEUE)
    assert form["method"] == "get" and form["hx-get"] == QUEUE

    # htmx restoring a page from history after a cache miss needs the whole page.
    restore = await client.get(url, headers={**HX, "HX-History-Restore-Request": "true"})
    assert "<html" in restore.text


async def test_queue_paging_link_swaps_in_place(client, sessionmaker, monkeypatch) -> None:
    monkeypatch.setattr(queues, "PAGE_SIZE", 1)
    for _ in range(2):
        await make_request(sessionmaker)
    await signed_in(client, sessionmaker, "central_analyst")
    page = parsed((await client.get(QUEUE, headers=HX)).text)
    [more] = page.find("a", id="ver-mas")
    assert more["hx-get"] == more["href"] and more["rel"] == "next"
    older = await client.get(str(more["href"]), headers=HX)
    assert older.status_code == 200 and "<html" not in older.text
    assert parsed(older.text).find("div", id="bandeja")


async def test_request_page_forms_post_in_place_and_without_htmx(client, sessionmaker) -> None:
    made = await make_request(sessionmaker)
    await signed_in(client, sessionmaker)
    url = f"{QUEUE}/{made['folio']}"
    page = parsed((await client.get(url)).text)
    for action in ("responder", "nota", "tomar"):
        [form] = page.find("form", action=f"{url}/{action}")
        assert form["method"] == "post" and form["hx-post"] == f"{url}/{action}"
        assert form["hx-target"] == "#main" and form["hx-select"] == "#main"
    # The properties (status among them) post on change and get their pane back.
    [form] = page.find("form", action=f"{url}/propiedades")
    assert form["method"] == "post" and form["hx-post"] == f"{url}/propiedades"
    assert form["hx-trigger"] == "change" and form["hx-target"] == "#propiedades"
    # The reply form knows the last message it showed.
    [seen] = page.find("input", name="visto")
    assert str(seen["value"]).isdigit() and int(str(seen["value"])) > 0

    # An htmx post that fails validation answers the whole page with the error (htmx selects
    # #main from it); a good one redirects exactly as without htmx.
    token = await client.csrf(url)
    bad = await client.post(
        url + "/nota", data={"nota": " "}, headers={**HX, "X-CSRF-Token": token}
    )
    assert bad.status_code == 422 and parsed(bad.text).find("main", id="main")
    assert "Escriba la nota." in page_text(bad.text)
    good = await client.post(
        url + "/nota", data={"nota": "Revisar"}, headers={**HX, "X-CSRF-Token": token}
    )
    assert good.status_code == 303 and good.headers["location"] == url + "?hecho=nota"


async def test_staff_scripts_and_shortcut_help_only_on_staff_pages(client, sessionmaker) -> None:
    made = await make_request(sessionmaker)
    agent_htmx, agent_shortcuts = (
        static_assets().url("js/agent-htmx.js"),
        static_assets().url("js/agent-shortcuts.js"),
    )
    public = parsed((await client.get("/")).text)
    assert not public.find("script", src=agent_shortcuts)
    await signed_in(client, sessionmaker)
    for url in (QUEUE, f"{QUEUE}/{made['folio']}"):
        page = parsed((await client.get(url)).text)
        for script in (agent_htmx, agent_shortcuts):
            [tag] = page.find("script", src=script)
            assert "defer" in tag
        [dialog] = page.find("dialog", id="atajos")
        assert dialog["aria-labelledby"] == "atajos-titulo"
        assert "Atajos de teclado" in page.text["atajos-titulo"]
        # The button exists for the script to show: shortcuts need JavaScript.
        [toggle] = [p for p in page.find("p") if "data-shortcuts-toggle" in p]
        assert "hidden" in toggle
    # A staff member on a public page gets none of it.
    assert not parsed((await client.get("/")).text).find("script", src=agent_htmx)
