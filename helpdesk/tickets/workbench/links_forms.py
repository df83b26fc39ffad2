"""Parsing the folio an agent types to merge or link requests: pure, returns (folio, errors)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from helpdesk.core.i18n import gettext as _
from helpdesk.tickets.citizen.forms import Errors
from helpdesk.tickets.folios import PREFIXES

_FOLIO = re.compile(rf"({'|'.join(PREFIXES)})-\d{{4}}-\d{{6,9}}", re.IGNORECASE)


def parse_folio(form: Mapping[str, Any], name: str) -> tuple[str, Errors]:
    """A folio like SIAC-2026-000123, upper-cased; spaces around it are forgiven."""
    value = form.get(name)
    folio = value.strip().upper() if isinstance(value, str) else ""
    if not folio:
        return "", {name: _("Escriba el folio de la otra solicitud.")}
    if len(folio) > 20 or not _FOLIO.fullmatch(folio):
        return folio[:20], {name: _("Escriba un folio como SIAC-2026-000123 o AYU-2026-004567.")}
    return folio, {}
