"""A ticket's stored file as a download, for the citizen's and the staff's pages alike.

Who may have which file is each page's service's question; this only answers with it.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import FileResponse, Response

from helpdesk.core.errors import NotFound
from helpdesk.core.web import settings
from helpdesk.tickets import attachment_store, attachments
from helpdesk.tickets.models import TicketAttachment


def attachment_response(request: Request, attachment: TicketAttachment | None) -> Response:
    """The stored file as a download (never shown inline), for whoever was allowed it."""
    if attachment is None:
        raise NotFound("attachment")
    try:
        path = attachment_store.stored_path(
            attachment_store.directory(settings(request)), attachment.storage_name
        )
    except attachments.AttachmentNotFound:
        raise NotFound("attachment") from None
    return FileResponse(
        path,
        media_type=attachment.content_type,
        filename=attachment.display_name,
        content_disposition_type="attachment",
        headers={"Cache-Control": "private, no-store"},
    )
