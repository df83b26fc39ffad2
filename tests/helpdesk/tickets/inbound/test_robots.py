"""Mail that must not be answered: auto-replies, bounces, lists and our own mail come back."""

from __future__ import annotations

import pytest

from helpdesk.tickets.inbound.parse import parse_inbound
from helpdesk.tickets.inbound.robots import is_auto_reply, is_loop
from tests.helpdesk.tickets.inbound.test_parse import (
    NOTIFICATION_ID,
    OIRS,
    OUR_DOMAIN,
    citizen_mail,
    parsed,
)


def test_outlook_out_of_office_is_an_auto_reply() -> None:
    raw = (
        b"From: Ana Rojas <ana.rojas@empresa.cl>\r\n"
        b"To: oirs@migraciones.gob.cl\r\n"
        b"Subject: =?utf-8?q?Respuesta_autom=C3=A1tica=3A_Re=3A_=5BAYU-2026-004567=5D?=\r\n"
        b"Auto-Submitted: auto-replied\r\n"
        b"X-Auto-Response-Suppress: All\r\n"
        b"Content-Type: text/plain; charset=utf-8\r\n"
        b"\r\n"
        b"Estoy fuera de la oficina hasta el 9 de marzo.\r\n"
    )

    message = parse_inbound(raw)

    assert message.subject == "Respuesta automática: Re: [AYU-2026-004567]"
    assert is_auto_reply(message)


def test_mailer_daemon_bounce_is_an_auto_reply_and_keeps_the_returned_message() -> None:
    raw = (
        b"Return-Path: <>\r\n"
        b"From: Mail Delivery System <MAILER-DAEMON@mx.migraciones.gob.cl>\r\n"
        b"To: oirs@migraciones.gob.cl\r\n"
        b"Subject: Undelivered Mail Returned to Sender\r\n"
        b"MIME-Version: 1.0\r\n"
        b'Content-Type: multipart/report; report-type=delivery-status; boundary="B1"\r\n'
        b"\r\n"
        b"--B1\r\n"
        b"Content-Type: text/plain; charset=us-ascii\r\n"
        b"\r\n"
        b"I'm sorry to have to inform you that your message could not be delivered.\r\n"
        b"--B1\r\n"
        b"Content-Type: message/delivery-status\r\n"
        b"\r\n"
        b"Reporting-MTA: dns; mx.migraciones.gob.cl\r\n"
        b"\r\n"
        b"Final-Recipient: rfc822; nadie@example.cl\r\n"
        b"Action: failed\r\n"
        b"Status: 5.1.1\r\n"
        b"--B1\r\n"
        b"Content-Type: message/rfc822\r\n"
        b"\r\n"
        b"From: oirs@migraciones.gob.cl\r\n"
        b"Subject: [AYU-2026-004567] Respuesta\r\n"
        b"Message-ID: <ayu-2026-004567.3@ayuda.migraciones.gob.cl>\r\n"
        b"\r\n"
        b"Estimado:\r\n"
        b"--B1--\r\n"
    )

    message = parse_inbound(raw)

    assert message.from_address == "mailer-daemon@mx.migraciones.gob.cl"
    assert message.content_type == "multipart/report"
    assert message.text.startswith("I'm sorry")
    assert [a.content_type for a in message.attachments] == [
        "message/delivery-status",
        "message/rfc822",
    ]
    assert b"Status: 5.1.1" in message.attachments[0].content
    assert message.attachments[1].filename == "adjunto-2.eml"
    assert b"[AYU-2026-004567]" in message.attachments[1].content
    assert is_auto_reply(message)


@pytest.mark.parametrize(
    "headers",
    [
        {"Auto-Submitted": "auto-generated"},
        {"Auto-Submitted": "auto-replied; owner-email=ana@x.cl"},
        {"X-Autoreply": "yes"},
        {"X-Autorespond": "Out of office"},
        {"Precedence": "bulk"},
        {"Precedence": "junk"},
        {"Precedence": "list"},
        {"List-Id": "Novedades <novedades.lists.example.cl>"},
        {"List-Unsubscribe": "<mailto:unsubscribe@example.cl>"},
        {"X-Auto-Response-Suppress": "DR, RN, NRN, OOF, AutoReply"},
        {"Return-Path": "<>"},
        {"From": "MAILER-DAEMON@mx.example.cl"},
        {"From": "postmaster@example.cl"},
        {"From": "No-Reply <noreply@banco.example>"},
        {"From": "do-not-reply@sistema.example"},
        {"Subject": "Auto-Reply: Consulta"},
        {"Subject": "Automatic reply: [AYU-2026-004567]"},
        {"Subject": "Out of Office: Re: Consulta"},
        {"Subject": "Réponse automatique : Demande"},
        {"Subject": "Fuera de la oficina: Re: Multa"},
        {"Subject": "[Respuesta Automatica] Re: Multa"},
    ],
)
def test_auto_reply_signals(headers: dict[str, str]) -> None:
    extra = dict(headers)
    sender = extra.pop("From", "Ana <ana@example.cl>")
    msg = citizen_mail(sender=sender, subject=extra.pop("Subject", "Re: Consulta"))
    for name, value in extra.items():
        msg[name] = value

    assert is_auto_reply(parsed(msg))


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Auto-Submitted": "no"},
        {"Precedence": "first-class"},
        {"Return-Path": "<ana@example.cl>"},
        {"Subject": "Re: mi oficina está fuera de la ciudad"},
        {"Subject": "Respuesta a la resolución"},
    ],
)
def test_people_writing_are_not_auto_replies(headers: dict[str, str]) -> None:
    extra = dict(headers)
    subject = extra.pop("Subject", "Re: [AYU-2026-004567] Consulta")
    msg = citizen_mail(subject=subject, sender="Ana <ana@example.cl>")
    for name, value in extra.items():
        msg[name] = value

    assert not is_auto_reply(parsed(msg))


def test_null_envelope_sender_marks_an_auto_reply() -> None:
    message = parsed(citizen_mail())

    assert not is_auto_reply(message, envelope_from="jose.perez@gmail.com")
    assert is_auto_reply(message, envelope_from="")


@pytest.mark.parametrize(
    ("sender", "headers", "received", "loop"),
    [
        ("Ana <ana@example.cl>", {"In-Reply-To": NOTIFICATION_ID}, 6, False),
        ("OIRS <OIRS@Migraciones.gob.cl>", {}, 1, True),
        ("Ana <ana@example.cl>", {"X-Loop": OIRS}, 1, True),
        ("Ana <ana@example.cl>", {}, 26, True),
        ("Ana <ana@example.cl>", {}, 25, False),
    ],
)
def test_is_loop(sender: str, headers: dict[str, str], received: int, loop: bool) -> None:
    msg = citizen_mail(sender=sender, **{k.replace("-", "_"): v for k, v in headers.items()})
    for hop in range(received):
        msg["Received"] = f"from mx{hop}.example.cl by mx{hop + 1}.example.cl; Mon, 2 Mar 2026"

    assert is_loop(parsed(msg), [OIRS, "ayuda@migraciones.gob.cl"], OUR_DOMAIN) is loop


def test_our_own_message_id_is_a_loop() -> None:
    msg = citizen_mail()
    msg.replace_header("Message-ID", f"<ayu-2026-004567.9@{OUR_DOMAIN.upper()}>")

    assert is_loop(parsed(msg), [OIRS], OUR_DOMAIN)
    assert not is_loop(parsed(msg), [OIRS], "otro.gob.cl")
