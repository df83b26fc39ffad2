"""The service's vocabulary: words people use for the same thing, in every reader language.

Each group lists interchangeable names; a query that contains one of them also looks for the
others (with a lower weight than the words typed). Names of one group may be in different
languages: a Creole reader who types "amann" also finds the Spanish "multa", and a Spanish word
typed by any reader finds the articles written with it. Keep each group to one meaning: a word
in two groups widens both.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from knowledge_base.search.analyzers import has_cjk, normalize, split_words, terms

LONGEST_NAME = 5  # words

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
    (
        "cónyuge",
        "esposa",
        "esposo",
        "pareja",
        "conviviente civil",
        "spouse",
        "wife",
        "husband",
        "partner",
        "madanm",
        "mari",
        "patnè",
        "époux",
        "épouse",
        "conjoint",
        "配偶",
        "妻子",
        "丈夫",
        "супруг",
        "супруга",
        "жена",
        "муж",
    ),
    (
        "hijos",
        "hijo",
        "hija",
        "niños",
        "children",
        "child",
        "kids",
        "pitit",
        "timoun",
        "enfants",
        "enfant",
        "孩子",
        "子女",
        "儿童",
        "дети",
        "ребенок",
    ),
    ("familia", "family", "fanmi", "famille", "家庭", "家人", "семья"),
    ("prórroga", "extensión", "extension", "pwolongasyon", "prolongation", "延期", "продление"),
)


@dataclass(frozen=True)
class Concept:
    """One thing the reader asked for: the words typed, and other names for the same thing."""

    words: tuple[str, ...]
    alternatives: tuple[tuple[str, ...], ...] = ()


def _words(phrase: str) -> tuple[str, ...]:
    return tuple(split_words(normalize(phrase)))


Table = dict[tuple[str, ...], tuple[tuple[str, ...], ...]]


@cache
def _table() -> Table:
    """Each name (as normalized words) → the other names of its groups."""
    table: dict[tuple[str, ...], list[tuple[str, ...]]] = {}
    for group in SYNONYM_GROUPS:
        names = list(dict.fromkeys(_words(name) for name in group))
        for name in names:
            others = table.setdefault(name, [])
            others.extend(n for n in names if n != name and n not in others)
    return {name: tuple(others) for name, others in table.items()}


_CYRILLIC = re.compile(r"[\u0400-\u04ff]")


def _script(words: tuple[str, ...]) -> str:
    text = "".join(words)
    return "zh" if has_cjk(text) else "ru" if _CYRILLIC.search(text) else "latin"


def _stems(locale: str, words: Iterable[str]) -> tuple[str, ...]:
    return tuple(t for w in words for t in terms(locale, w)[:1])


@cache
def _stemmed_table(locale: str) -> Table:
    """The names written in ``locale``'s script, keyed by their stems in that language: a
    reader typing "штрафы" or "fines" finds the group of "штраф" and "fine"."""
    script = {"ru": "ru", "zh": "zh"}.get(locale, "latin")
    table: dict[tuple[str, ...], tuple[tuple[str, ...], ...]] = {}
    for name, others in _table().items():
        # Acronyms stay exact: English "running" stems to "run", which is also the RUN.
        if _script(name) == script and min(len(w) for w in name) >= 4:
            key = _stems(locale, name)
            if key:
                table[key] = tuple(dict.fromkeys(table.get(key, ()) + others))
    return table


def concepts(words: list[str], locale: str) -> list[Concept]:
    """Groups the query's words into concepts, longest known name first; a name matches as
    written, or by stems in the reader's language when the span begins and ends with a word
    that is not a stop word."""
    exact, stemmed = _table(), _stemmed_table(locale)
    stems = [_stems(locale, [w]) for w in words]
    result: list[Concept] = []
    i = 0
    while i < len(words):
        for size in range(min(LONGEST_NAME, len(words) - i), 0, -1):
            name = tuple(words[i : i + size])
            others = exact.get(name)
            if others is None and stems[i] and stems[i + size - 1]:
                others = stemmed.get(tuple(s for stem in stems[i : i + size] for s in stem))
            if others is not None:
                result.append(Concept(name, others))
                i += size
                break
        else:
            result.append(Concept((words[i],)))
            i += 1
    return result
