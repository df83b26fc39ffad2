"""An address in an agent's reply can be tapped: on the person's page and in the email, as a
link with rel="noopener nofollow", the line breaks kept (issue 12)."""

from __future__ import annotations

from helpdesk.notifications.mailer import EmailRenderer
from tests.helpdesk.tickets.workbench.test_pages import make_request, outbox_replies, signed_in
from tests.support.markup import parse_page

TEXT = "Revise su trámite aquí:\nhttps://www.serviciomigraciones.cl/estado\nSaludos"
URL = "https://www.serviciomigraciones.cl/estado"


def links_in(html: str) -> list[dict[str, str]]:
    return [
        attrs for tag, attrs in parse_page(html).elements if tag == "a" and attrs.get("href") == URL
    ]


async def test_reply_links_open_on_the_page_and_in_the_email(app, client, sessionmaker) -> None:
    made = await make_request(sessionmaker)
    await signed_in(client, sessionmaker)
    url = f"/staff/solicitudes/{made['folio']}"
    assert (await client.submit(url + "/responder", {"texto": TEXT}, url)).status_code == 303

    staff_page = await client.get(url)
    assert [a["rel"] for a in links_in(staff_page.text)] == ["noopener nofollow"]

    private = await client.get(f"/solicitudes/{made['folio']}/{made['token']}")
    assert private.status_code == 200
    [link] = links_in(private.text)
    assert link["rel"] == "noopener nofollow"
    assert "<br>" in private.text.split(URL)[0][-40:]  # the line break before it is kept

    [sent] = await outbox_replies(sessionmaker, made["email"])
    email = EmailRenderer(app.state.templates.env, "portal@test").render(sent)
    html = email.get_body(("html",)).get_content()
    assert [a["rel"] for a in links_in(html)] == ["noopener nofollow"]
    assert URL in email.get_body(("plain",)).get_content()
