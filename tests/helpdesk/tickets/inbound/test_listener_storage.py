"""The OIRS listener keeps mailed files where the web app reads them: with the database
storage, a PDF sent by email is in the shared table and downloads through the storage."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from helpdesk.tickets.file_storage import DatabaseStorage, StoredFileChunk, read_all
from helpdesk.tickets.inbound.listener import OirsListener
from helpdesk.tickets.models import TicketAttachment
from tests.helpdesk.tickets.inbound.test_listener import (
    DOMAIN,
    OIRS,
    PDF_BYTES,
    TRUST,
    an_email,
    mail,
    requests_of,
    send,
)


@pytest.fixture
async def listener(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> AsyncIterator[OirsListener]:
    server = OirsListener(
        sessionmaker,
        "127.0.0.1",
        0,
        our_addresses=[OIRS],
        message_id_domain=DOMAIN,
        attachments_dir=DatabaseStorage(sessionmaker),
        base_url="http://testserver",
        recipients=[OIRS],
        trust=TRUST,
    )
    await server.start()
    yield server
    await server.stop()


async def test_a_mailed_file_is_stored_in_the_database(
    listener: OirsListener, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    email = an_email()
    message = mail(email, "Documentos", "Envío mi pase.")
    message.add_attachment(PDF_BYTES, maintype="application", subtype="pdf", filename="pase.pdf")
    await send(listener, message, sender=email)

    (request,) = await requests_of(sessionmaker, email)
    async with sessionmaker() as db:
        (file,) = await db.scalars(
            select(TicketAttachment).where(TicketAttachment.request_id == request.id)
        )
        rows = await db.scalar(
            select(func.count()).where(StoredFileChunk.storage_name == file.storage_name)
        )
    assert rows == 1 and file.sha256 == hashlib.sha256(PDF_BYTES).hexdigest()
    stored = await read_all(DatabaseStorage(sessionmaker), file.storage_name, file.sha256)
    assert stored == PDF_BYTES
