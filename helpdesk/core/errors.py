"""Domain errors that routes turn into localized pages or JSON errors."""

from __future__ import annotations


class DomainError(Exception):
    status_code = 400

    def __init__(self, message: str = "") -> None:
        super().__init__(message)
        self.message = message


class PermissionDenied(DomainError):
    status_code = 403


class NotFound(DomainError):
    status_code = 404


class TooManyRequests(DomainError):
    status_code = 429
