"""Files a person sends with a web form (a new request, a reply): chosen, stored, discarded.

Stored before the unit of work commits, so a handler that answers 4xx, or fails, discards
what it stored: the database rolls back, the storage keeps what it was given.
"""

from __future__ import annotations

from collections.abc import Sequence

from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request

from helpdesk.tickets import attachment_store, attachments

POLICY = attachments.AttachmentPolicy()
# Starlette's own ceiling on file parts; the policy's count is checked (and explained) after.
MAX_FORM_FILES = 20


def chosen_files(form: FormData) -> list[UploadFile]:
    """The files chosen; a file input left empty still sends a part with no name."""
    return [
        f
        for f in form.getlist("archivos")
        if isinstance(f, UploadFile) and (f.filename or (f.size or 0) > 0)
    ]


async def store(
    request: Request, uploads: Sequence[UploadFile], errors: dict[str, str]
) -> list[attachments.StoredAttachment]:
    try:
        return await attachment_store.store_attachments(
            [(f.filename, f) for f in uploads], attachment_store.storage(request), POLICY
        )
    except attachments.AttachmentError as refusal:
        errors["archivos"] = refusal.message
        return []


async def discard(request: Request, stored: Sequence[attachments.StoredAttachment]) -> None:
    await attachment_store.discard(attachment_store.storage(request), stored)
