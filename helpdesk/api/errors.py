"""The API's own errors, shared by every domain's endpoints."""

from __future__ import annotations

from helpdesk.core.errors import DomainError


class Unauthorized(DomainError):
    """No valid token: 401, answered as JSON like every API error."""

    status_code = 401
