"""Parsing JSON bodies into pydantic models, with the API's one error shape on failure."""

from __future__ import annotations

import json
from typing import TypeVar

from pydantic import BaseModel, ValidationError
from starlette.requests import Request

from helpdesk.core.errors import DomainError
from helpdesk.core.i18n import gettext as _

M = TypeVar("M", bound=BaseModel)
MAX_JSON_BODY = 256 * 1024


class InvalidInput(DomainError):
    status_code = 422

    def __init__(self, message: str, details: list[dict[str, object]] | None = None) -> None:
        super().__init__(message)
        self.details = details


async def parse_body(request: Request, model: type[M]) -> M:
    if not request.headers.get("content-type", "").startswith("application/json"):
        raise InvalidInput(_("El cuerpo debe ser JSON (Content-Type: application/json)."))
    body = await request.body()
    if len(body) > MAX_JSON_BODY:
        raise InvalidInput(_("El cuerpo es demasiado grande."))
    try:
        payload = json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise InvalidInput(_("El cuerpo no es JSON válido.")) from None
    if nul := _nul_field(payload):  # PostgreSQL stores no NUL: refused here, on every body
        raise InvalidInput(_("Revise los datos ingresados"), [{"field": nul, "problem": "nul"}])
    try:
        return model.model_validate(payload)
    except ValidationError as exc:
        details = [
            {"field": ".".join(str(p) for p in err["loc"]), "problem": err["type"]}
            for err in exc.errors(include_url=False, include_input=False)
        ]
        raise InvalidInput(_("Revise los datos ingresados"), details) from None


def _nul_field(value: object, path: str = "") -> str | None:
    """The first field (dotted path) whose text holds a NUL character, or None."""
    if isinstance(value, str):
        return path or "body" if "\x00" in value else None
    if isinstance(value, dict):
        items = [(str(k), v) for k, v in value.items()]
        keys = [k for k in value if isinstance(k, str) and "\x00" in k]
        if keys:
            return path or "body"
    elif isinstance(value, list):
        items = [(str(i), v) for i, v in enumerate(value)]
    else:
        return None
    for key, item in items:
        found = _nul_field(item, f"{path}.{key}" if path else key)
        if found:
            return found
    return None
