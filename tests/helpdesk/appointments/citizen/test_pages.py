"""/citas without JavaScript: trámite → office → day → time, a proven address, the
booking's 303 to the private link; the race's loser gets 409 with the next free times;
reschedule and cancel on the private page; a tampered link is a 404."""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from helpdesk.appointments.models import Appointment
from helpdesk.core import links
from helpdesk.notifications.models import OutboxMessage
from tests.support.factories import citizen, sign_in_citizen
from tests.support.http import Browser, page_text

TRAMITE = "rd-solicitud"  # one counter at each demo office: one person per time


class _Choices(HTMLParser):
    """Each radio's and select option's value by field name, in page order."""

    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, list[str]] = {}
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "input" and found.get("type") == "radio":
            self.values.setdefault(str(found["name"]), []).append(str(found["value"]))
        elif tag == "select":
            self._select = str(found["name"])
        elif tag == "option" and self._select and found.get("value"):
            self.values.setdefault(self._select, []).append(str(found["value"]))

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None


def choices(html: str, name: str) -> list[str]:
    parser = _Choices()
    parser.feed(html)
    return parser.values.get(name, [])


async def _mail(
    sessionmaker: async_sessionmaker[AsyncSession], to: str, template: str
) -> list[OutboxMessage]:
    async with sessionmaker() as db:
        query = select(OutboxMessage).where(
            OutboxMessage.to_address == to, OutboxMessage.template == template
        )
        return list(await db.scalars(query.order_by(OutboxMessage.id)))


async def _prove(
    client: Browser, sessionmaker: async_sessionmaker[AsyncSession], email: str, back: str
) -> None:
    prove = links.url_path("prove_email")
    response = await client.submit(prove, {"email": email, "next": back}, page=prove)
    assert response.status_code == 303
    [message] = await _mail(sessionmaker, email, "prove_email")
    confirmed = await client.submit(urlsplit(str(message.context["link"])).path, {})
    assert confirmed.headers["location"] == back


async def _time_page(client: Browser, office_id: int) -> tuple[str, str]:
    """The time step's URL and page, walking the steps as a person does."""
    book = links.url_path("appointment_book")
    first = await client.get(book)
    assert first.status_code == 200 and TRAMITE in choices(first.text, "tramite")
    offices_page = await client.get(book, params={"tramite": TRAMITE})
    assert str(office_id) in choices(offices_page.text, "oficina")
    query = {"tramite": TRAMITE, "oficina": office_id}
    days_page = await client.get(book, params=query)
    days = choices(days_page.text, "dia")
    assert days, page_text(days_page.text)
    url = links.url_path("appointment_book", query={**query, "dia": days[0]})
    return url, (await client.get(url)).text


async def test_book_reschedule_and_cancel_without_javascript(
    app: object,
    client: Browser,
    sessionmaker: async_sessionmaker[AsyncSession],
    offices: dict[str, int],
    unique: str,
) -> None:
    email = f"pagina-{unique}@example.cl"
    url, html = await _time_page(client, offices["santiago"])
    assert choices(html, "hora") == []  # no proven address yet: no form
    await _prove(client, sessionmaker, email, url)
    times = choices((await client.get(url)).text, "hora")
    assert times
    day = url.rsplit("dia=", 1)[1]
    form = {"tramite": TRAMITE, "oficina": offices["santiago"], "dia": day, "hora": times[0]}
    booked = await client.submit(links.url_path("appointment_book_submit"), form, page=url)
    assert booked.status_code == 303
    location = urlsplit(booked.headers["location"])
    private = location.path
    assert location.query == "hecho=reservada"
    [confirmation] = await _mail(sessionmaker, email, "appointment_confirmation")
    assert urlsplit(str(confirmation.context["link"])).path == private
    done = await client.get(booked.headers["location"])
    assert email in page_text(done.text)  # "booked: the confirmation went to …"
    page = await client.get(private)
    assert page.status_code == 200 and page.headers["cache-control"] == "private, no-store"
    assert email not in page_text(page.text)

    # Another day's times, then the move.
    other_day = choices(page.text, "dia")[1]
    moved_page = await client.get(private, params={"dia": other_day})
    new_time = choices(moved_page.text, "hora")[0]
    token = private.rsplit("/", 1)[1]
    moved = await client.submit(
        links.url_path("appointment_reschedule", token=token), {"hora": new_time}, page=private
    )
    assert moved.status_code == 303
    async with sessionmaker() as db:
        held = await db.scalar(select(Appointment).where(Appointment.email == email))
        assert held is not None and held.starts_at.isoformat()[:10] <= new_time[:10]
        assert held.local_day.isoformat() == new_time[:10]

    cancelled = await client.submit(
        links.url_path("appointment_cancel", token=token), {}, page=private
    )
    assert cancelled.status_code == 303
    after = await client.get(private)
    assert choices(after.text, "hora") == [] and "Anulada" in page_text(after.text)
    assert len(await _mail(sessionmaker, email, "appointment_cancelled")) == 1

    tampered = await client.get(private[:-3] + ("abc" if not private.endswith("abc") else "xyz"))
    assert tampered.status_code == 404


async def test_the_loser_of_a_race_gets_409_with_the_next_free_times(
    app: object,
    client: Browser,
    sessionmaker: async_sessionmaker[AsyncSession],
    offices: dict[str, int],
    unique: str,
) -> None:
    url, _html = await _time_page(client, offices["iquique"])
    await _prove(client, sessionmaker, f"primera-{unique}@example.cl", url)
    times = choices((await client.get(url)).text, "hora")
    day = url.rsplit("dia=", 1)[1]
    form = {"tramite": TRAMITE, "oficina": offices["iquique"], "dia": day, "hora": times[0]}
    submit = links.url_path("appointment_book_submit")
    assert (await client.submit(submit, form, page=url)).status_code == 303

    # Someone else, who loaded the page before the first booking, posts the same time.
    client.http.cookies.clear()
    await _prove(client, sessionmaker, f"segunda-{unique}@example.cl", url)
    lost = await client.submit(submit, form, page=url)
    assert lost.status_code == 409
    offered = choices(lost.text, "hora")
    assert offered and times[0] not in offered and offered[0] == times[1]

    # Bad input is a 422, never a 500.
    bad = await client.submit(submit, {**form, "hora": "mañana"}, page=url)
    assert bad.status_code == 422
    unknown = await client.get(links.url_path("appointment_book"), params={"tramite": "nada"})
    assert unknown.status_code == 422


async def test_a_signed_in_person_books_with_their_account_their_region_first(
    app: object,
    client: Browser,
    sessionmaker: async_sessionmaker[AsyncSession],
    offices: dict[str, int],
) -> None:
    email, person_id = await citizen(sessionmaker, region="MA")
    await sign_in_citizen(client, email)
    book = links.url_path("appointment_book")
    listed = choices((await client.get(book, params={"tramite": TRAMITE})).text, "oficina")
    assert listed[0] == str(offices["punta-arenas"])  # Magallanes first, then north to south
    assert listed.index(str(offices["iquique"])) < listed.index(str(offices["santiago"]))
    url, html = await _time_page(client, offices["punta-arenas"])
    times = choices(html, "hora")  # no email proof asked: the account's address is proven
    assert times
    day = url.rsplit("dia=", 1)[1]
    form = {"tramite": TRAMITE, "oficina": offices["punta-arenas"], "dia": day, "hora": times[0]}
    assert (
        await client.submit(links.url_path("appointment_book_submit"), form, page=url)
    ).status_code == 303
    async with sessionmaker() as db:
        held = await db.scalar(select(Appointment).where(Appointment.person_id == person_id))
    assert held is not None and held.email == email.lower()
