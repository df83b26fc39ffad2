"""The applicant's document on a case: a Chilean RUN (python-stdnum checks its digit) or a
passport, national ID or other document with its issuing country (pure rules).

A RUN is kept as ``12345678-5``, the form ``people.run`` uses, so a case and a person with
the same RUN meet on equal strings; other numbers as upper-case letters and digits only
(``ht-123 4567`` and ``HT1234567`` are one passport)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from helpdesk.core.countries import ISO_CODES
from helpdesk.core.i18n import lazy_gettext
from helpdesk.people import identity

RUN: Final = "run"
PASAPORTE: Final = "pasaporte"
DNI: Final = "dni"
OTRO: Final = "otro"
DOCUMENT_TYPES: Final = (RUN, PASAPORTE, DNI, OTRO)
DOCUMENT_TYPE_NAMES: Final = {
    RUN: lazy_gettext("RUN"),
    PASAPORTE: lazy_gettext("Pasaporte"),
    DNI: lazy_gettext("Documento nacional de identidad"),
    OTRO: lazy_gettext("Otro documento"),
}
CHILE: Final = "CL"
MAX_NUMBER_LENGTH: Final = 40


@dataclass(frozen=True)
class Document:
    type: str
    number: str
    country: str


class DocumentError(ValueError):
    """Why a document was refused; ``message`` is a Spanish msgid for ``gettext``."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


BAD_RUN = lazy_gettext("el RUN no es válido (dígito verificador incorrecto)")
UNKNOWN_TYPE = lazy_gettext("tipo de documento desconocido")
BAD_NUMBER = lazy_gettext("número de documento no válido")
BAD_COUNTRY = lazy_gettext("país emisor desconocido (código ISO 3166 de dos letras)")


# The same forms as a person's record (people.identity), so a case and a person meet on
# equal strings.
normalize_run = identity.normalize_run
normalize_number = identity.normalize_document_number


def parse_document(doc_type: str, number: str, country: str) -> Document:
    """The document, normalised, or ``DocumentError``. A RUN's country is always Chile
    (whatever the case system sent); any other document needs its issuing country."""
    doc_type = doc_type.strip().lower()
    if doc_type == RUN:
        run = normalize_run(number)
        if run is None:
            raise DocumentError(BAD_RUN)
        return Document(RUN, run, CHILE)
    if doc_type not in DOCUMENT_TYPES:
        raise DocumentError(UNKNOWN_TYPE)
    compact = normalize_number(number)
    if not compact or len(compact) > MAX_NUMBER_LENGTH:
        raise DocumentError(BAD_NUMBER)
    country = country.strip().upper()
    if country not in ISO_CODES:
        raise DocumentError(BAD_COUNTRY)
    return Document(doc_type, compact, country)
