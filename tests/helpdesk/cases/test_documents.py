"""The applicant's document: RUN checked with python-stdnum, other documents normalised."""

from __future__ import annotations

import pytest

from helpdesk.cases import documents
from helpdesk.cases.documents import Document, DocumentError, parse_document


@pytest.mark.parametrize(
    ("doc_type", "number", "country", "expected"),
    [
        ("run", "12.345.678-5", "", Document("run", "12345678-5", "CL")),
        ("RUN", "123456785", "VE", Document("run", "12345678-5", "CL")),  # a RUN is Chile's
        ("run", "44.444.444-4", "", Document("run", "44444444-4", "CL")),
        ("run", "10.000.013-k", "", Document("run", "10000013-K", "CL")),
        ("pasaporte", "ht-123 4567", "ht", Document("pasaporte", "HT1234567", "HT")),
        ("dni", "V-12.345.678", "VE", Document("dni", "V12345678", "VE")),
        ("otro", "IPE 123456", "pe", Document("otro", "IPE123456", "PE")),
    ],
)
def test_valid_documents_are_normalised(
    doc_type: str, number: str, country: str, expected: Document
) -> None:
    assert parse_document(doc_type, number, country) == expected


@pytest.mark.parametrize(
    ("doc_type", "number", "country", "reason"),
    [
        ("run", "12.345.678-4", "", documents.BAD_RUN),  # wrong check digit
        ("run", "abc", "", documents.BAD_RUN),
        ("cedula", "123", "VE", documents.UNKNOWN_TYPE),
        ("pasaporte", "--", "VE", documents.BAD_NUMBER),
        ("pasaporte", "A" * 41, "VE", documents.BAD_NUMBER),
        ("pasaporte", "AB123", "XX", documents.BAD_COUNTRY),
        ("pasaporte", "AB123", "", documents.BAD_COUNTRY),
        ("dni", "123", "VEN", documents.BAD_COUNTRY),
    ],
)
def test_invalid_documents_say_why(doc_type: str, number: str, country: str, reason: str) -> None:
    with pytest.raises(DocumentError) as refused:
        parse_document(doc_type, number, country)
    assert refused.value.message == reason


def test_a_run_matches_the_form_people_records_use() -> None:
    from helpdesk.people.identity import normalize_run

    for raw in ("12.345.678-5", "10000013K", "44444444-4"):
        assert documents.normalize_run(raw) == normalize_run(raw)
