"""Incoming email (the OIRS mailbox) read into plain data, as pure functions over raw bytes.

``parse_inbound`` turns an RFC 5322 message into an ``InboundMessage``: decoded headers
(RFC 2047 words, raw 8-bit latin-1 or UTF-8), the text body (text/plain preferred, else the
HTML reduced to text with scripts and styles dropped), the reply with its quoted history and
signature cut off, and the attachments. ``find_folio`` finds the request a reply belongs to;
``is_auto_reply`` (RFC 3834 and what mail servers do in practice) and ``is_loop`` say when a
message must not be answered. Nothing here touches the database or the network, and nothing
raises on malformed mail: garbage in gives a best-effort message out.

Use ``text`` to open a new request (a forwarded message is its content) and ``reply_text``
to add a reply to an existing one.
"""

from __future__ import annotations

import contextlib
import mimetypes
import os
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage, Message
from email.parser import BytesParser
from email.utils import getaddresses, parsedate_to_datetime
from html.parser import HTMLParser
from typing import NamedTuple, cast

from helpdesk.tickets.folios import PREFIXES

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

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
_MSG_ID = re.compile(r"<[^<>\s]+>")
_ESCAPED_BYTE = re.compile(r"[\udc80-\udcff]")


def _clean(text: str) -> str:
    """Drop control characters and lone surrogates, which databases refuse (PostgreSQL: NUL)."""
    return _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


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
    return _clean(str(parsed) if parsed is not None else value).strip()


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
        (_clean(display).strip(), _clean(addr).strip().strip("<>").lower())
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
    return _clean(_decode_bytes(payload, part.get_content_charset()))


def _find_body(msg: EmailMessage, kind: str) -> Message | None:
    try:
        return msg.get_body(preferencelist=(kind,))
    except Exception:
        return None


def _safe_filename(name: str | None, content_type: str, index: int) -> str:
    """A display name with no path, no control characters, at most 200 characters."""
    cleaned = _clean(name or "").replace("\\", "/").rsplit("/", 1)[-1]
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
        text = _clean(_decode_bytes(raw))
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


# --- HTML to text ------------------------------------------------------------------------

# <head> itself is not skipped: an unclosed one would swallow the whole body.
_SKIPPED = frozenset(
    {"script", "style", "title", "template", "noscript", "iframe", "object", "svg", "math"}
)
_PARAGRAPHS = frozenset({"p", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul", "ol"})
_BLOCKS = _PARAGRAPHS | {"div", "li", "tr", "dl", "dt", "dd", "pre", "hr", "section", "article"}
_BLOCKS |= {"header", "footer", "address", "blockquote", "center", "form", "fieldset"}


class _TextExtractor(HTMLParser):
    """Visible text only: entities unescaped, blockquotes quoted with "> " for strip_reply."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self._line: list[str] = []
        self._line_depth = 0
        self._skip = 0
        self._quote = 0
        self._pre = 0

    def _flush(self, *, force: bool = False) -> None:
        if self._line or force:
            text = "".join(self._line).rstrip()
            depth = self._line_depth if self._line else self._quote
            self.lines.append(("> " * depth + text).rstrip())
            self._line = []

    def _break(self, tag: str) -> None:
        self._flush()
        if tag in _PARAGRAPHS and self.lines and self.lines[-1].strip("> "):
            self.lines.append(">" * self._quote)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED:
            self._skip += 1
        elif tag == "br":
            self._flush(force=True)
        elif tag in _BLOCKS:
            self._break(tag)
            self._quote += tag == "blockquote"
            self._pre += tag == "pre"

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED:
            self._skip = max(0, self._skip - 1)
        elif tag in _BLOCKS:
            self._break(tag)
            if tag == "blockquote":
                self._quote = max(0, self._quote - 1)
            if tag == "pre":
                self._pre = max(0, self._pre - 1)

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        if self._pre:
            first, *rest = data.split("\n")
            self._add(first)
            for line in rest:
                self._flush(force=True)
                self._add(line)
            return
        text = re.sub(r"\s+", " ", data)
        if not self._line:
            text = text.lstrip()
        self._add(text)

    def _add(self, text: str) -> None:
        if text:
            if not self._line:
                self._line_depth = self._quote
            self._line.append(text)

    def text(self) -> str:
        self._flush()
        joined = "\n".join(self.lines)
        return re.sub(r"\n{3,}", "\n\n", joined).strip("\n")


def html_to_text(html: str) -> str:
    """Readable text of an HTML body; script, style and other non-visible content is dropped."""
    extractor = _TextExtractor()
    # HTMLParser is lenient; should it still fail, keep the text read before the failure.
    with contextlib.suppress(Exception):
        extractor.feed(html)
        extractor.close()
    return _clean(extractor.text())


# --- quoted history and signatures -------------------------------------------------------

# "El lun, 2 mar 2026 a las 10:15, Ana <ana@x.cl> escribió:" (Gmail wraps it over lines),
# "On Mon, ... wrote:", "Le lun. 2 mars 2026 à 10:15, ... a écrit :", Creole "... te ekri:".
_ATTRIBUTION_START = re.compile(r"^\s*(?:on|el|le|nan)\b", re.IGNORECASE)
_ATTRIBUTION_END = re.compile(
    r"(?:wrote|escribió|escribio|a écrit|a ecrit|te ekri)\s*:\s*$", re.IGNORECASE
)
# Outlook's block, "*From:*" when bold was flattened; [\s*]* rather than \s*\**\s* keeps the
# matching linear on long lines of spaces.
_HEADER_FROM = re.compile(r"^[\s*]*(?:from|de)[\s*]*:", re.IGNORECASE)
_HEADER_NEXT = re.compile(
    r"^[\s*]*(?:sent|date|to|subject|cc|enviado|fecha|para|asunto|envoyé|envoye|à|objet)[\s*]*:",
    re.IGNORECASE,
)
_SEPARATOR = re.compile(
    r"^\s*(?:-{3,}\s*(?:original message|mensaje original|message d'origine|"
    r"message original|mesaj orijinal)\s*-{3,}|_{20,})\s*$",
    re.IGNORECASE,
)
_SIGNATURE = re.compile(r"^--\s?$")
_SENT_FROM = re.compile(
    r"^\s*(?:sent from my|sent from outlook|get outlook for|enviado desde mi|"
    r"obtener outlook para|envoyé de mon|envoyé depuis mon|obtenir outlook pour|"
    r"voye (?:depi|soti nan))\b",
    re.IGNORECASE,
)


def _is_quoted(line: str) -> bool:
    return line.lstrip().startswith(">")


def _attribution_length(lines: Sequence[str], index: int) -> int:
    """How many lines (1 to 3) an attribution starting at ``index`` spans, or 0."""
    line = lines[index]
    if not line.strip() or _is_quoted(line):
        return 0
    starts = bool(_ATTRIBUTION_START.match(line)) or "@" in line
    if not starts:
        return 0
    joined = ""
    for span in range(3):
        if index + span >= len(lines) or not lines[index + span].strip():
            return 0
        joined = f"{joined} {lines[index + span].strip()}"
        if _ATTRIBUTION_END.search(joined):
            return span + 1
    return 0


def _is_header_block(lines: Sequence[str], index: int) -> bool:
    if not _HEADER_FROM.match(lines[index]):
        return False
    return any(_HEADER_NEXT.match(line) for line in lines[index + 1 : index + 5])


def _history_start(lines: Sequence[str]) -> int | None:
    for index, line in enumerate(lines):
        if (
            _SEPARATOR.match(line)
            or _attribution_length(lines, index)
            or _is_header_block(lines, index)
        ):
            return index
    return None


def _cut_signature(lines: list[str]) -> list[str]:
    for index, line in enumerate(lines):
        if _SIGNATURE.match(line) or _SENT_FROM.match(line):
            return lines[:index]
    return lines


def _tidy(lines: Iterable[str]) -> str:
    text = "\n".join(line.rstrip() for line in lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip("\n")


def strip_reply(text: str) -> str:
    """The new part of a reply: quoted history, attributions and signatures removed.

    Top-posted replies keep what precedes the history; bottom-posted ones (history first)
    keep the unquoted lines that follow it.
    """
    lines = _clean(text).split("\n")
    start = _history_start(lines)
    head = lines if start is None else lines[:start]
    reply = _tidy(line for line in _cut_signature(head) if not _is_quoted(line))
    if reply.strip() or start is None:
        return reply
    kept: list[str] = []
    index = 0
    while index < len(lines):
        span = _attribution_length(lines, index)
        if span:
            index += span
            continue
        if not _is_quoted(lines[index]) and not _SEPARATOR.match(lines[index]):
            kept.append(lines[index])
        index += 1
    return _tidy(_cut_signature(kept))


# --- folios ------------------------------------------------------------------------------

_FOLIO = rf"(?<![A-Za-z0-9])({'|'.join(PREFIXES)})-(\d{{4}})-(\d{{6,}})(?![0-9])"
_FOLIO_ANYWHERE = re.compile(_FOLIO, re.IGNORECASE)
_FOLIO_BRACKETED = re.compile(rf"\[\s*{_FOLIO}\s*\]", re.IGNORECASE)


def find_folio(subject: str, body: str = "") -> str | None:
    """The folio a message refers to: "[AYU-2026-004567]" in the subject, else any folio in
    the subject, else the first one in the body (clients keep it in the quoted history)."""
    for pattern, text in (
        (_FOLIO_BRACKETED, subject),
        (_FOLIO_ANYWHERE, subject),
        (_FOLIO_ANYWHERE, body),
    ):
        match = pattern.search(text or "")
        if match:
            prefix, year, number = match.groups()
            return f"{prefix.upper()}-{year}-{number}"
    return None


# --- auto-replies and loops --------------------------------------------------------------

_BULK_PRECEDENCE = frozenset({"bulk", "junk", "list", "auto_reply"})
_AUTOMATED_HEADERS = (
    "x-autoreply",
    "x-autorespond",
    "x-autogenerated",
    "x-mail-autoreply",
    "x-autoreply-from",
    "x-fc-machinegenerated",
)
_LIST_HEADERS = ("list-id", "list-unsubscribe")
_ROBOT_SENDERS = re.compile(
    r"^(?:mailer-daemon|postmaster|no[-_.]?reply|do[-_.]?not[-_.]?reply|bounces?)(?:[-+_.].*)?$"
)
_AUTO_SUBJECT = re.compile(
    r"^(?:\W*\b(?:re|rv|fw|fwd|tr|aw|sv)\s*:)*\W*(?:"
    r"respuesta automatica|auto[- ]?reply|automatic reply|auto[- ]?response|autoresponder|"
    r"out of (?:the )?office|fuera de (?:la )?oficina|reponse automatique|absence du bureau|"
    r"repons otomatik|undeliver(?:able|ed)|delivery status notification|"
    r"mail delivery (?:failed|failure|subsystem|system)|returned mail|"
    r"no se puede entregar|no entregado|non remis|notificacion de estado de entrega"
    r")\b"
)


def _ascii_fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


def _token(value: str | None) -> str:
    """A header's keyword, without parameters or comments: "auto-replied; x=y" -> "auto-replied"."""
    return (value or "").split(";", 1)[0].split("(", 1)[0].strip().lower()


def is_auto_reply(message: InboundMessage, *, envelope_from: str | None = None) -> bool:
    """Whether a message was sent by a machine and must not get an automatic answer.

    ``envelope_from`` is the SMTP MAIL FROM when the listener knows it; "" is the null sender
    that RFC 3834 asks auto-responders and bounces to use.
    """
    auto_submitted = message.header("auto-submitted")
    if auto_submitted is not None and _token(auto_submitted) not in ("", "no"):
        return True
    if any(
        _token(message.header(name)) not in ("no", "false")
        for name in _AUTOMATED_HEADERS
        if message.header(name) is not None
    ):
        return True
    precedences = (_token(message.header(name)) for name in ("precedence", "x-precedence"))
    if any(value in _BULK_PRECEDENCE for value in precedences):
        return True
    if any(message.header(name) is not None for name in _LIST_HEADERS):
        return True
    if (message.header("x-auto-response-suppress") or "").strip():
        return True
    return_paths = message.header_values("return-path")
    if envelope_from is not None:
        return_paths.append(envelope_from)
    if any(path.strip().strip("<>").strip() == "" for path in return_paths):
        return True
    if message.content_type == "multipart/report":
        return True
    local_part = message.from_address.rpartition("@")[0] or message.from_address
    if _ROBOT_SENDERS.match(local_part):
        return True
    return bool(_AUTO_SUBJECT.match(_ascii_fold(message.subject)))


def _id_domain(message_id: str | None) -> str:
    return (message_id or "").strip().strip("<>").rpartition("@")[2].strip().lower()


def is_loop(
    message: InboundMessage,
    our_addresses: Iterable[str],
    our_message_id_domain: str,
    *,
    max_received: int = 25,
) -> bool:
    """Whether the message is our own mail come back: our Message-ID domain, one of our
    addresses as sender or in X-Loop, or more Received hops than any real path takes
    (sendmail's limit is 25)."""
    ours = {address.strip().lower() for address in our_addresses if address.strip()}
    domain = our_message_id_domain.strip().strip("@").lower()
    if domain and _id_domain(message.message_id) == domain:
        return True
    if message.from_address and message.from_address in ours:
        return True
    for value in message.header_values("x-loop"):
        if any(addr in ours for _, addr in getaddresses([value])):
            return True
    return len(message.header_values("received")) > max_received
