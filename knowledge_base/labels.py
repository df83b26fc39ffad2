"""Names of topics and article types in the reader's language."""

from __future__ import annotations

from helpdesk.core.i18n import gettext as _


def topic_names() -> dict[str, str]:
    return {
        "permanencia_transitoria": _("Permanencia transitoria"),
        "regularizacion": _("Regularización"),
        "estampado_electronico": _("Estampado electrónico"),
        "residencia_temporal": _("Residencia temporal"),
        "residencia_definitiva": _("Residencia definitiva"),
        "nacionalizacion": _("Nacionalización"),
        "refugio": _("Refugio"),
        "multas": _("Multas"),
        "registro_civil": _("Registro Civil"),
        "beneficio_migratorio": _("Consulta de beneficio migratorio"),
        "otros": _("Otros temas"),
    }


def type_names() -> dict[str, str]:
    return {
        "ficha": _("Ficha informativa"),
        "guia": _("Guía paso a paso"),
        "tip": _("Consejo"),
        "video": _("Material audiovisual"),
    }
