"""Reply text as mail clients write it: quoted history, attributions and signatures cut off;
HTML reduced to its visible text."""

from __future__ import annotations

import pytest

from helpdesk.tickets.inbound.reply_text import html_to_text, strip_reply


@pytest.mark.parametrize(
    ("text", "reply"),
    [
        ("Sí, gracias.\n\n-----Original Message-----\nFrom: OIRS\nEstimado:", "Sí, gracias."),
        ("Listo.\n\n-----Mensaje original-----\nDe: OIRS\nEnviado: lunes", "Listo."),
        ("Adjunto la cédula.\n\nEnviado desde mi iPhone\n\n> El lun...", "Adjunto la cédula."),
        ("Got it.\n\nSent from my Galaxy\n", "Got it."),
        ("Mèsi anpil.\n\nVoye depi iPhone mwen", "Mèsi anpil."),
        (
            "Mwen voye dokiman an.\n\nNan dat 2 mas 2026, OIRS <oirs@x.cl> te ekri:\n> Bonjou",
            ("Mwen voye dokiman an."),
        ),
        ("Ok.\n\nOn Mon, Mar 2, 2026 at 10:15 AM OIRS <oirs@x.cl> wrote:\n> Dear", "Ok."),
        ("Gracias.\n\nAna Rojas <ana@x.cl> escribió:\n> Hola", "Gracias."),
        ("Ya pagué.\n\nDe: OIRS <oirs@x.cl>\nEnviado: lunes, 2 de marzo\nPara: Ana", "Ya pagué."),
        ("Merci.\n\nDe : OIRS\nEnvoyé : lundi 2 mars 2026\nÀ : Marie\nObjet : Demande", "Merci."),
        ("Saludos\n--\nAna Rojas\nAbogada", "Saludos"),
        ("> ¿Cuál es su RUN?\n12.345.678-5\n> ¿Región?\nÑuble", "12.345.678-5\nÑuble"),
        (
            "On Mon, Mar 2, 2026, OIRS <o@x.cl> wrote:\n> Which office?\n\nValparaíso.\n-- \nAna",
            "Valparaíso.",
        ),
        (
            "Texto sin historial.\n\nDe nada sirve esperar.",
            "Texto sin historial.\n\nDe nada sirve esperar.",
        ),
        (
            "El trámite sigue pendiente.\nEl lunes fui a la oficina.",
            ("El trámite sigue pendiente.\nEl lunes fui a la oficina."),
        ),
        ("", ""),
    ],
)
def test_strip_reply_markers(text: str, reply: str) -> None:
    assert strip_reply(text) == reply


@pytest.mark.parametrize(
    "html",
    ["<script>never closed", "<p>texto <b>sin cerrar", "</div></p>&#xFFFFFFFF;&bogus; <", "<!--"],
)
def test_html_to_text_survives_broken_markup(html: str) -> None:
    text = html_to_text(html)
    assert "never closed" not in text
    assert isinstance(text, str)
