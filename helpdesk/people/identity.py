"""Identity numbers: Chilean RUN (python-stdnum) and foreign documents."""

from __future__ import annotations

from stdnum import exceptions as stdnum_errors
from stdnum.cl import rut


def normalize_run(value: str) -> str | None:
    """'12.345.678-5' -> '12345678-5'; None when the check digit or format is wrong."""
    try:
        compact = rut.validate(value)
    except stdnum_errors.ValidationError:
        return None
    return f"{compact[:-1]}-{compact[-1]}"


def run_from_claveunica(numero: int | str, dv: str) -> str | None:
    """ClaveÚnica sends the body as an int and the check digit apart (may be 'K')."""
    return normalize_run(f"{numero}-{dv}")


def format_run(run: str) -> str:
    return rut.format(run)


def normalize_document_number(value: str) -> str:
    return "".join(ch for ch in value.upper() if ch.isalnum())
