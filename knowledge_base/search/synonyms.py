"""The service's vocabulary: words people use for the same thing, in every reader language.

Each group lists interchangeable names; a query that contains one of them also looks for the
others (with a lower weight than the words typed). Names of one group may be in different
languages: a Creole reader who types "amann" also finds the Spanish "multa", and a Spanish word
typed by any reader finds the articles written with it. Keep each group to one meaning: a word
in two groups widens both.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from knowledge_base.search.analyzers import normalize, split_words

SYNONYM_GROUPS: tuple[tuple[str, ...], ...] = (
    # The identity card for foreigners.
    (
        "cédula de identidad",
        "cédula",
        "carnet",
        "carné",
        "carnet de extranjería",
        "cédula de extranjería",
        "documento de identidad",
        "identity card",
        "id card",
        "kat idantite",
        "kanè",
        "carte d'identité",
        "身份证",
        "удостоверение личности",
    ),
    # A residence permit in general (the former "visas").
    (
        "visa",
        "permiso de residencia",
        "residencia",
        "residence permit",
        "residency",
        "viza",
        "pèmi rezidans",
        "rezidans",
        "titre de séjour",
        "permis de séjour",
        "签证",
        "居留许可",
        "виза",
        "вид на жительство",
        "внж",
    ),
    (
        "residencia temporal",
        "visa temporal",
        "visa temporaria",
        "temporary residence",
        "temporary residency",
        "rezidans tanporè",
        "résidence temporaire",
        "临时居留",
        "временное проживание",
        "временный вид на жительство",
    ),
    (
        "residencia definitiva",
        "permanencia definitiva",
        "permanent residence",
        "permanent residency",
        "rezidans definitif",
        "rezidans pèmanan",
        "résidence définitive",
        "résidence permanente",
        "永久居留",
        "постоянное проживание",
        "постоянный вид на жительство",
    ),
    (
        "permanencia transitoria",
        "turista",
        "visa de turista",
        "tourist",
        "tourist visa",
        "visitor",
        "touris",
        "vizitè",
        "touriste",
        "séjour temporaire",
        "游客",
        "旅游",
        "临时停留",
        "турист",
        "туристическая виза",
    ),
    (
        "nacionalización",
        "nacionalidad",
        "ciudadanía",
        "carta de nacionalización",
        "naturalization",
        "naturalisation",
        "citizenship",
        "nationality",
        "nasyonalite",
        "natiralizasyon",
        "sitwayènte",
        "nationalité",
        "citoyenneté",
        "入籍",
        "国籍",
        "гражданство",
        "натурализация",
    ),
    (
        "refugio",
        "refugiado",
        "asilo",
        "refugee",
        "asylum",
        "refije",
        "azil",
        "réfugié",
        "asile",
        "难民",
        "庇护",
        "беженец",
        "убежище",
    ),
    ("claveúnica", "clave única", "clave unica"),
    (
        "hora",
        "cita",
        "reserva de hora",
        "appointment",
        "randevou",
        "rendez-vous",
        "预约",
        "запись на приём",
    ),
    ("rut", "run", "rol único tributario", "rol único nacional"),
    (
        "estampado",
        "estampado electrónico",
        "sello",
        "electronic stamp",
        "stamp",
        "tampon électronique",
        "电子签注",
        "签注",
        "электронный штамп",
        "штамп",
    ),
    ("multa", "amann", "fine", "amende", "罚款", "штраф"),
    (
        "permiso de trabajo",
        "autorización de trabajo",
        "work permit",
        "pèmi travay",
        "otorizasyon travay",
        "permis de travail",
        "autorisation de travail",
        "工作许可",
        "разрешение на работу",
    ),
    ("pasaporte", "passport", "paspò", "passeport", "护照", "паспорт"),
    (
        "reunificación familiar",
        "family reunification",
        "rasanbleman familyal",
        "regroupement familial",
        "家庭团聚",
        "воссоединение семьи",
    ),
    ("prórroga", "extensión", "extension", "pwolongasyon", "prolongation", "延期", "продление"),
)


@dataclass(frozen=True)
class Concept:
    """One thing the reader asked for: the words typed, and other names for the same thing."""

    words: tuple[str, ...]
    alternatives: tuple[tuple[str, ...], ...] = ()


def _words(phrase: str) -> tuple[str, ...]:
    return tuple(split_words(normalize(phrase)))


@cache
def _table() -> tuple[dict[tuple[str, ...], tuple[tuple[str, ...], ...]], int]:
    """Each name (as normalized words) → the other names of its groups; the longest name."""
    table: dict[tuple[str, ...], list[tuple[str, ...]]] = {}
    for group in SYNONYM_GROUPS:
        names = list(dict.fromkeys(_words(name) for name in group))
        for name in names:
            others = table.setdefault(name, [])
            others.extend(n for n in names if n != name and n not in others)
    longest = max(len(name) for name in table)
    return {name: tuple(others) for name, others in table.items()}, longest


def concepts(words: list[str]) -> list[Concept]:
    """Groups the query's words into concepts, longest known name first."""
    table, longest = _table()
    result: list[Concept] = []
    i = 0
    while i < len(words):
        for size in range(min(longest, len(words) - i), 0, -1):
            name = tuple(words[i : i + size])
            if name in table:
                result.append(Concept(name, table[name]))
                i += size
                break
        else:
            result.append(Concept((words[i],)))
            i += 1
    return result
