"""Row ids read from URLs and forms: digits only, within the database's integer range.

PostgreSQL's ``integer`` stops at 2,147,483,647; a larger number sent to it is an error, not
"not found". Every id a visitor can type goes through here, so an out-of-range one is
simply no such row (a 404 for a path, the form's own message for a field).
"""

from __future__ import annotations

from typing import Final

from starlette.convertors import Convertor, register_url_convertor

MAX_ROW_ID: Final = 2**31 - 1


def row_id(text: str) -> int | None:
    """The id in ``text``, or None when it is not one (blank, signs, other digits, too big)."""
    text = text.strip()
    if not (text.isascii() and text.isdecimal()) or len(text) > len(str(MAX_ROW_ID)):
        return None
    value = int(text)
    return value if 0 < value <= MAX_ROW_ID else None


class RowIdConvertor(Convertor[int]):
    """``{name:id}`` in a route: up to nine digits, so every match fits the column."""

    regex = "[0-9]{1,9}"

    def convert(self, value: str) -> int:
        return int(value)

    def to_string(self, value: int) -> str:
        return str(value)


register_url_convertor("id", RowIdConvertor())
