"""The demo set of requests, planned as plain values: who writes, about what, when, in which
language and region, and how each conversation went until now.

Pure and seeded: the same seed and the same ``now`` give the same plan. ``requests.py``
writes it through the inbox's own services. Every region, kind and status appears; the
older a request, the likelier it was answered and closed, and a few old ones are still
open, past their legal due date.
"""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Final

from helpdesk.demo import conversations as talk
from helpdesk.reference.data import REGIONS
from helpdesk.tickets import kinds, status_flow

SEED: Final = 2026
COUNT: Final = 300
PEOPLE: Final = 140
EMAIL_DOMAIN: Final = "personas.demo.portal"  # every demo person's email ends with it

AGENT: Final = "agent"
PERSON: Final = "person"
NOTE: Final = "note"
SYSTEM: Final = "system"

# Where the service's users live (DOMAIN.md §7): most in the capital and the north.
REGION_WEIGHTS: Final = {
    "RM": 40, "AN": 9, "TA": 8, "AP": 6, "VS": 7, "CO": 4, "AT": 3, "LI": 3, "ML": 3,
    "BI": 3, "NB": 2, "AR": 2, "LR": 2, "LL": 2, "AI": 1, "MA": 1,
}  # fmt: skip
LOCALE_WEIGHTS: Final = {"es": 52, "ht": 22, "en": 7, "fr": 6, "zh": 7, "ru": 6}
CHANNEL_WEIGHTS: Final = {
    kinds.WEB: 60, kinds.EMAIL: 15, kinds.PRESENCIAL: 10, kinds.TELEFONO: 5,
    kinds.TERRENO: 5, kinds.MUNICIPIO: 5,
}  # fmt: skip
PRIORITY_WEIGHTS: Final = {kinds.BAJA: 10, kinds.NORMAL: 75, kinds.ALTA: 12, kinds.URGENTE: 3}
# Labels agents put on some requests (queue/tags.py), by kind where one fits.
TAGS: Final = {
    "regularizacion": "menor-de-edad",
    "refugio": "vulnerable",
    "reclamo": "reiterada",
    "transparencia": "ley-20285",
    "multas": "pago-tgr",
}
# Kinds where asking for an identity document makes no sense.
NO_DOCUMENTS: Final = frozenset({"felicitacion", "sugerencia", "opinion", "comentario"})

# (given names, surnames, country of birth) by language, as the service's users are.
NAMES: Final[dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]]] = {
    "es": (
        (
            "Yelitza",
            "José Gregorio",
            "Daniela",
            "Luis Miguel",
            "Rosa",
            "Carlos",
            "Milagros",
            "Andrés",
            "Katherine",
            "Wilmer",
            "Juana",
            "Jhon Freddy",
            "Mariela",
            "Edwin",
        ),
        (
            "Rondón",
            "Quispe",
            "Mamani",
            "Gutiérrez",
            "Rojas",
            "Pérez",
            "Vargas",
            "Castillo",
            "Huamán",
            "Martínez",
            "Condori",
            "Ramírez",
            "Flores",
            "Salazar",
        ),
        ("VE", "VE", "VE", "PE", "PE", "CO", "CO", "BO", "BO", "AR", "EC", "DO"),
    ),
    "ht": (
        (
            "Marie",
            "Jean",
            "Rose-Michelle",
            "Wilson",
            "Nadège",
            "Jean-Baptiste",
            "Fabiola",
            "Evens",
            "Mirlande",
            "Ricardo",
            "Guerline",
            "Frantz",
        ),
        (
            "Joseph",
            "Pierre",
            "Louis",
            "Jean-Baptiste",
            "Charles",
            "Saint-Fleur",
            "Augustin",
            "Désir",
            "Exantus",
            "Dorvil",
            "Métellus",
            "Célestin",
        ),
        ("HT",),
    ),
    "en": (
        ("Grace", "Samuel", "Chinedu", "Abigail", "Michael", "Tanya"),
        ("Okafor", "Johnson", "Mensah", "Brown", "Campbell", "Adeyemi"),
        ("NG", "GH", "JM", "US", "GB"),
    ),
    "fr": (
        ("Aminata", "Moussa", "Claire", "Ousmane", "Fatou", "Julien"),
        ("Diallo", "Ndiaye", "Martin", "Sow", "Traoré", "Lefebvre"),
        ("SN", "FR", "CM", "CD", "HT"),
    ),
    "zh": (
        ("Wei", "Fang", "Lei", "Min", "Jun", "Xiu Ying"),
        ("Zhang", "Wang", "Li", "Liu", "Chen", "Huang"),
        ("CN",),
    ),
    "ru": (
        ("Olga", "Dmitri", "Anastasia", "Sergei", "Irina", "Oleksandr"),
        ("Ivanova", "Petrov", "Smirnova", "Kuznetsov", "Kovalenko", "Sokolova"),
        ("RU", "UA", "BY"),
    ),
}


@dataclass(frozen=True)
class DemoPerson:
    given_names: str
    surnames: str
    email: str
    locale: str
    region_code: str
    country_of_birth: str
    document_number: str
    birth_date: date


@dataclass(frozen=True)
class Turn:
    """One step of a conversation: a message (``body``, None for a bare move) and the
    status moves it made (by the writer's actor kind)."""

    at: datetime
    who: str  # AGENT, PERSON, NOTE or SYSTEM
    body: str | None
    moves: tuple[str, ...] = ()


@dataclass(frozen=True)
class DemoRequest:
    person: int  # index in the plan's people
    kind: str
    channel: str
    region_code: str
    locale: str
    priority: str
    subject: str
    body: str
    received_at: datetime
    status: str  # where the turns leave it
    turns: tuple[Turn, ...]
    tags: tuple[str, ...] = ()
    rating: int | None = None  # the person's CSAT (1–5) once resolved, and its comment
    rating_comment: str | None = None


@dataclass(frozen=True)
class Plan:
    people: tuple[DemoPerson, ...]
    requests: tuple[DemoRequest, ...]


def _ascii(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in folded.lower() if ch.isalnum())


def _pick(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _people(rng: random.Random) -> tuple[DemoPerson, ...]:
    people = []
    for index in range(PEOPLE):
        locale = _pick(rng, LOCALE_WEIGHTS)
        given, surnames, countries = NAMES[locale]
        first, last = rng.choice(given), rng.choice(surnames)
        if locale == "es":  # two surnames, as Spanish speakers write them
            last = f"{last} {rng.choice(surnames)}"
        email = f"{_ascii(first)}.{_ascii(last.split()[0])}.{index + 1}@{EMAIL_DOMAIN}"
        people.append(
            DemoPerson(
                given_names=first,
                surnames=last,
                email=email,
                locale=locale,
                region_code=_pick(rng, REGION_WEIGHTS),
                country_of_birth=rng.choice(countries),
                document_number=f"{rng.choice('CDFGHJKLMNPRTVWXY')}{rng.randrange(10**7, 10**8)}",
                birth_date=date(rng.randint(1960, 2004), rng.randint(1, 12), rng.randint(1, 28)),
            )
        )
    return tuple(people)


# Final status by the request's age in days (received how long ago).
_STATUS_BY_AGE: Final = (
    (1, {status_flow.NUEVO: 80, status_flow.ABIERTO: 20}),
    (5, {status_flow.NUEVO: 30, status_flow.ABIERTO: 30, status_flow.EN_ESPERA_CIUDADANO: 25,
         status_flow.RESUELTO: 15}),
    (13, {status_flow.NUEVO: 10, status_flow.ABIERTO: 25, status_flow.EN_ESPERA_CIUDADANO: 20,
          status_flow.RESUELTO: 25, status_flow.CERRADO: 15, status_flow.REABIERTO: 5}),
    (10_000, {status_flow.NUEVO: 8, status_flow.ABIERTO: 10,
              status_flow.EN_ESPERA_CIUDADANO: 10, status_flow.RESUELTO: 10,
              status_flow.CERRADO: 55, status_flow.REABIERTO: 7}),
)  # fmt: skip


def _received(rng: random.Random, now: datetime) -> datetime:
    age = min(int(rng.expovariate(1 / 12)), 60)  # most recent, some two months old
    day = (now - timedelta(days=age)).date()
    # Between 08:00 and 20:00 in Chile, roughly 11:00 to 23:00 UTC.
    at = datetime(
        day.year, day.month, day.day, rng.randint(11, 22), rng.randrange(60), tzinfo=now.tzinfo
    )
    return min(at, now - timedelta(minutes=rng.randint(20, 240)))


def _turns(
    rng: random.Random, kind: str, locale: str, status: str, received: datetime, now: datetime
) -> tuple[Turn, ...]:
    """The conversation that leads to ``status``, spread between reception and now."""
    S = status_flow
    documents = kind not in NO_DOCUMENTS and rng.random() < 0.7
    steps: list[tuple[str, str | None, tuple[str, ...]]] = []
    if status == S.NUEVO:
        return ()
    if status == S.EN_ESPERA_CIUDADANO:
        steps.append((AGENT, talk.ASK_DOCUMENTS[locale], (S.EN_ESPERA_CIUDADANO,)))
    elif status == S.ABIERTO and documents:
        steps.append((AGENT, talk.ASK_DOCUMENTS[locale], (S.EN_ESPERA_CIUDADANO,)))
        steps.append((PERSON, talk.SENDS_DOCUMENTS[locale], (S.ABIERTO,)))
    elif status == S.ABIERTO:
        steps.append((AGENT, talk.TAKING_IT[locale], (S.ABIERTO,)))
    else:  # resolved, then maybe closed or reopened
        if documents:
            steps.append((AGENT, talk.ASK_DOCUMENTS[locale], (S.EN_ESPERA_CIUDADANO,)))
            steps.append((PERSON, talk.SENDS_DOCUMENTS[locale], (S.ABIERTO,)))
            steps.append((AGENT, talk.ANSWER[locale], (S.RESUELTO,)))
        else:
            steps.append((AGENT, talk.ANSWER[locale], (S.ABIERTO, S.RESUELTO)))
        if status == S.CERRADO:
            steps.append((PERSON, talk.THANKS[locale], (S.CERRADO,)))
        elif status == S.REABIERTO:
            steps.append((PERSON, talk.STILL_NEEDS_HELP[locale], (S.REABIERTO,)))
    if rng.random() < 0.25:
        steps.insert(0, (NOTE, rng.choice(talk.INTERNAL_NOTES), ()))  # seen before answering
    # Each step some time after the one before it, all before now; a reopening comes
    # within the days a person may reopen (status_flow.REOPEN_WINDOW).
    span = (now - received) / (len(steps) + 1)
    at, turns, resolved = received, [], received
    for who, body, moves in steps:
        at = at + max(span * rng.uniform(0.5, 1.0), timedelta(minutes=5))
        if S.REABIERTO in moves:
            at = min(at, resolved + S.REOPEN_WINDOW / 2)
        at = min(at, now - timedelta(minutes=1))
        if S.RESUELTO in moves:
            resolved = at
        turns.append(Turn(at, who, body, moves))
    return tuple(turns)


def _rating(rng: random.Random, status: str, locale: str) -> tuple[int | None, str | None]:
    """Most people who were answered rate the answer, mostly well."""
    if status not in (status_flow.RESUELTO, status_flow.CERRADO) or rng.random() < 0.35:
        return None, None
    score = rng.choices((5, 4, 3, 2, 1), weights=(45, 25, 12, 8, 10))[0]
    comments = talk.THANKS if score >= 4 else talk.STILL_NEEDS_HELP
    return score, comments[locale] if rng.random() < 0.3 else None


def plan(now: datetime, seed: int = SEED, count: int = COUNT) -> Plan:
    rng = random.Random(seed)  # noqa: S311 (demo data, seeded so every run gives the same)
    people = _people(rng)
    regions = [r.code for r in REGIONS]
    codes = list(kinds.KINDS)
    requests = []
    for index in range(count):
        # The first rounds go through every region and every kind, so each has some.
        wanted = regions[index] if index < len(regions) else None
        local = [i for i, p in enumerate(people) if p.region_code == wanted]
        person_index = rng.choice(local) if local else rng.randrange(len(people))
        person = people[person_index]
        region = wanted or person.region_code
        kind = codes[index % len(codes)] if index < 3 * len(codes) else rng.choice(codes)
        received = _received(rng, now)
        age = (now - received).days
        weights = next(w for limit, w in _STATUS_BY_AGE if age < limit)
        status = _pick(rng, weights)
        subject, body = talk.OPENINGS[kind][person.locale]
        rating, comment = _rating(rng, status, person.locale)
        requests.append(
            DemoRequest(
                person=person_index,
                kind=kind,
                channel=_pick(rng, CHANNEL_WEIGHTS),
                region_code=region,
                locale=person.locale,
                priority=_pick(rng, PRIORITY_WEIGHTS),
                subject=subject,
                body=body,
                received_at=received,
                status=status,
                turns=_turns(rng, kind, person.locale, status, received, now),
                tags=(TAGS[kind],) if kind in TAGS and status != status_flow.NUEVO else (),
                rating=rating,
                rating_comment=comment,
            )
        )
    return Plan(people, tuple(sorted(requests, key=lambda r: r.received_at)))
