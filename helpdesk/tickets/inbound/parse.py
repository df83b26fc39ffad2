"""Incoming email (the OIRS mailbox) read into plain data, as pure functions over raw bytes.

``parse_inbound`` turns an RFC 5322 message into an ``InboundMessage``: decoded headers
(RFC 2047 words, raw 8-bit latin-1 or UTF-8), the text body (text/plain preferred, else the
HTML reduced to text by ``reply_text.html_to_text``), the reply with its quoted history and
signature cut off (``reply_text.strip_reply``), and the attachments. Whether a message may be
answered is ``robots``' question; the folio it names is ``folios.find_folio``'s. Nothing here
touches the database or the network, and nothing raises on malformed mail: garbage in gives
a best-effort message out.

Use ``text`` to open a new request (a forwarded message is its content) and ``reply_text``
to add a reply to an existing one.
"""

from __future__ import annotations

import mimetypes
import os
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage, Message
from email.parser import BytesParser
from email.utils import getaddresses, parsedate_to_datetime
from typing import NamedTuple, cast

from helpdesk.tickets.inbound.reply_text import clean_text, html_to_text, strip_reply

_POLICY = policy.default


class Attachment(NamedTuple):
    """A file as the sender declared it; check its type from the content before keeping it."""

    filename: str
    content_type: str
    content: bytes


@dataclass(frozen=True)
class InboundMessage:
    """One received email. Addresses are lowercase; Message-IDs keep their angle brackets."""

    message_id: str | None
    in_reply_to: str | None
    references: tuple[str, ...]
    from_address: str
    from_name: str
    to: tuple[str, ...]
    cc: tuple[str, ...]
    subject: str
    date: datetime | None
    content_type: str
    text: str
    reply_text: str
    attachments: tuple[Attachment, ...]
    headers: tuple[tuple[str, str], ...]

    def header(self, name: str) -> str | None:
        """The first value of a header (decoded), or None when it is absent."""
        values = self.header_values(name)
        return values[0] if values else None

    def header_values(self, name: str) -> list[str]:
        wanted = name.lower()
        return [value for key, value in self.headers if key.lower() == wanted]

    @property
    def thread_ids(self) -> tuple[str, ...]:
        """Message-IDs this message answers, the most recent first, for threading."""
        ids = [self.in_reply_to] if self.in_reply_to else []
        ids += [ref for ref in reversed(self.references) if ref not in ids]
        return tuple(ids)


# --- parsing -----------------------------------------------------------------------------

_MSG_ID = re.compile(r"<[^<>\s]+>")
_ESCAPED_BYTE = re.compile(r"[\udc80-\udcff]")


def _decode_bytes(data: bytes, charset: str | None = None) -> str:
    """Bytes to text: the declared charset, else UTF-8, else Windows-1252, else latin-1."""
    for candidate in (charset, "utf-8", "cp1252"):
        if not candidate:
            continue
        try:
            return data.decode(candidate)
        except (LookupError, UnicodeDecodeError):
            continue
    return data.decode("latin-1")


def _raw_headers(msg: Message) -> list[tuple[str, str]]:
    """Header values as sent, with raw 8-bit bytes (surrogate-escaped by the parser) decoded."""
    headers = []
    # raw_items() is what the stdlib generator uses; the parsed headers would have replaced
    # undeclared 8-bit bytes (a latin-1 subject sent without RFC 2047) with U+FFFD.
    for name, value in msg.raw_items():
        text = str(value)
        if _ESCAPED_BYTE.search(text):
            text = _decode_bytes(text.encode("utf-8", "surrogateescape"))
        headers.append((str(name).strip(), "".join(text.splitlines())))
    return headers


def _parse_header(name: str, value: str) -> object | None:
    try:
        return _POLICY.header_factory(name, value)
    except Exception:  # the header parser has had crash bugs on hostile input
        return None


def _text_header(name: str, value: str) -> str:
    parsed = _parse_header(name, value)
    return clean_text(str(parsed) if parsed is not None else value).strip()


def _addresses(name: str, value: str) -> list[tuple[str, str]]:
    """(display name, lowercase address) pairs; empty addresses are skipped."""
    parsed = _parse_header(name, value)
    pairs: list[tuple[str, str]] = []
    try:
        for address in getattr(parsed, "addresses", ()):
            addr = f"{address.username}@{address.domain}" if address.domain else address.username
            pairs.append((address.display_name, addr))
    except Exception:
        pairs = []
    if not pairs:
        pairs = getaddresses([value])
    return [
        (clean_text(display).strip(), clean_text(addr).strip().strip("<>").lower())
        for display, addr in pairs
        if addr and addr.strip("<> ")
    ]


def _message_ids(value: str | None) -> list[str]:
    if not value:
        return []
    found = _MSG_ID.findall(value)
    if found:
        return found
    bare = value.strip()
    return [bare] if bare else []


def _date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _part_text(part: Message) -> str:
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return ""
    return clean_text(_decode_bytes(payload, part.get_content_charset()))


def _find_body(msg: EmailMessage, kind: str) -> Message | None:
    try:
        return msg.get_body(preferencelist=(kind,))
    except Exception:
        return None


def _safe_filename(name: str | None, content_type: str, index: int) -> str:
    """A display name with no path, no control characters, at most 200 characters."""
    cleaned = clean_text(name or "").replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = "".join(ch for ch in cleaned if unicodedata.category(ch) not in {"Cc", "Cf"})
    cleaned = cleaned.strip().lstrip(".").strip()
    if not cleaned:
        extension = mimetypes.guess_extension(content_type) or ".bin"
        if content_type == "message/rfc822":
            extension = ".eml"
        cleaned = f"adjunto-{index}{extension}"
    if len(cleaned) > 200:
        stem, extension = os.path.splitext(cleaned)
        extension = extension[:16]
        cleaned = stem[: 200 - len(extension)] + extension
    return cleaned


def _message_part_bytes(part: Message) -> bytes:
    payload = part.get_payload()
    if isinstance(payload, list):
        return b"\n".join(item.as_bytes(policy=_POLICY) for item in payload)
    decoded = part.get_payload(decode=True)
    return decoded if isinstance(decoded, bytes) else b""


def _attachments(msg: Message, body_parts: Sequence[Message]) -> list[Attachment]:
    found: list[Attachment] = []

    def visit(part: Message) -> None:
        if any(part is body for body in body_parts):
            return
        content_type = part.get_content_type()
        maintype = part.get_content_maintype()
        if maintype == "multipart" and part.is_multipart():
            for sub in part.get_payload():
                if isinstance(sub, Message):
                    visit(sub)
            return
        try:
            filename = part.get_filename()
        except Exception:
            filename = None
        disposition = part.get_content_disposition()
        # Text parts without a name or an "attachment" disposition are the body's
        # alternatives (the HTML twin of a text/plain body), not files the sender attached.
        if maintype == "text" and not filename and disposition != "attachment":
            return
        try:
            if maintype == "message":
                content = _message_part_bytes(part)
            else:
                payload = part.get_payload(decode=True)
                content = payload if isinstance(payload, bytes) else b""
        except Exception:
            return
        name = _safe_filename(filename, content_type, len(found) + 1)
        found.append(Attachment(name, content_type, content))

    visit(msg)
    return found


def parse_inbound(raw: bytes) -> InboundMessage:
    """Read a raw RFC 5322 message; never raises, whatever the bytes."""
    try:
        return _parse(raw)
    except Exception:
        text = clean_text(_decode_bytes(raw))
        return InboundMessage(
            message_id=None,
            in_reply_to=None,
            references=(),
            from_address="",
            from_name="",
            to=(),
            cc=(),
            subject="",
            date=None,
            content_type="text/plain",
            text=text,
            reply_text=strip_reply(text),
            attachments=(),
            headers=(),
        )


def _parse(raw: bytes) -> InboundMessage:
    msg = cast(EmailMessage, BytesParser(policy=_POLICY).parsebytes(raw))
    raw_headers = _raw_headers(msg)
    headers = tuple((name, _text_header(name, value)) for name, value in raw_headers)

    def first_raw(name: str) -> str | None:
        return next((value for key, value in raw_headers if key.lower() == name), None)

    def all_values(name: str) -> list[str]:
        return [value for key, value in headers if key.lower() == name]

    def first(name: str) -> str | None:
        return next(iter(all_values(name)), None)

    senders = _addresses("From", first_raw("from") or "")
    from_name, from_address = senders[0] if senders else ("", "")
    message_ids = _message_ids(first("message-id"))
    in_reply_to = _message_ids(first("in-reply-to"))
    references = [ref for value in all_values("references") for ref in _message_ids(value)]

    plain = _find_body(msg, "plain")
    html = _find_body(msg, "html")
    text = _part_text(plain).strip("\n") if plain is not None else ""
    if not text.strip() and html is not None:
        text = html_to_text(_part_text(html))
    body_parts = [part for part in (plain, html) if part is not None]
    if not text.strip() and not msg.is_multipart() and msg.get_content_maintype() == "multipart":
        # A multipart declared without a usable boundary: its payload is all we have.
        text = _part_text(msg).strip("\n")
        body_parts.append(msg)

    return InboundMessage(
        message_id=message_ids[0] if message_ids else None,
        in_reply_to=in_reply_to[0] if in_reply_to else None,
        references=tuple(references),
        from_address=from_address,
        from_name=from_name,
        to=tuple(addr for _, addr in _addresses("To", first_raw("to") or "")),
        cc=tuple(addr for _, addr in _addresses("Cc", first_raw("cc") or "")),
        subject=first("subject") or "",
        date=_date(first("date")),
        content_type=msg.get_content_type(),
        text=text,
        reply_text=strip_reply(text),
        attachments=tuple(_attachments(msg, body_parts)),
        headers=headers,
    )
