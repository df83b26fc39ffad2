"""Deciding between a page and its htmx fragment, on the request's headers only."""

from __future__ import annotations

from starlette.requests import HTTPConnection

from helpdesk.core.templating import is_htmx


def wants_fragment(request: HTTPConnection) -> bool:
    """True for htmx requests that swap a partial. htmx restoring a page from history (its
    cache missed, e.g. after the back button) asks with HX-Request too, but needs the page."""
    return is_htmx(request) and request.headers.get("hx-history-restore-request") != "true"
