"""A ticket's stored file as a download, for the citizen's and the staff's pages alike.

Who may have which file is each page's service's question; this only answers with it,
streamed from whichever storage holds it (a local folder, or the shared database).
"""

from __future__ import annotations

from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from helpdesk.core.errors import NotFound
from helpdesk.tickets import attachment_store, attachments
from helpdesk.tickets.models import TicketAttachment


async def attachment_response(request: Request, attachment: TicketAttachment | None) -> Response:
    """The stored file as a download (never shown inline), for whoever was allowed it."""
    if attachment is None:
        raise NotFound("attachment")
    try:
        chunks = await attachment_store.open_stored(
            attachment_store.storage(request), attachment.storage_name
        )
    except attachments.AttachmentNotFound:
        raise NotFound("attachment") from None
    return StreamingResponse(
        chunks,
        media_type=attachment.content_type,
        headers={
            "Content-Disposition": _disposition(attachment.display_name),
            "Content-Length": str(attachment.size),
            "Cache-Control": "private, no-store",
        },
    )


def _disposition(filename: str) -> str:
    """As Starlette's FileResponse writes it: RFC 6266, with RFC 5987 for non-ASCII names."""
    quoted = quote(filename)
    if quoted != filename:
        return f"attachment; filename*=utf-8''{quoted}"
    return f'attachment; filename="{filename}"'
