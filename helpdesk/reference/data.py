"""Reference data shipped with the portal: regions, offices, trámites (see shared DOMAIN.md)."""

from __future__ import annotations

from typing import NamedTuple

SANTIAGO = "America/Santiago"
PUNTA_ARENAS = "America/Punta_Arenas"  # Magallanes keeps summer time all year
COYHAIQUE = "America/Coyhaique"  # Aysén: UTC−3 all year since 2025 (tzdata 2025b)


class RegionRow(NamedTuple):
    code: str
    name: str


# North to south, as Chile lists them.
REGIONS = (
    RegionRow("AP", "Arica y Parinacota"),
    RegionRow("TA", "Tarapacá"),
    RegionRow("AN", "Antofagasta"),
    RegionRow("AT", "Atacama"),
    RegionRow("CO", "Coquimbo"),
    RegionRow("VS", "Valparaíso"),
    RegionRow("RM", "Metropolitana de Santiago"),
    RegionRow("LI", "Libertador General Bernardo O'Higgins"),
    RegionRow("ML", "Maule"),
    RegionRow("NB", "Ñuble"),
    RegionRow("BI", "Biobío"),
    RegionRow("AR", "La Araucanía"),
    RegionRow("LR", "Los Ríos"),
    RegionRow("LL", "Los Lagos"),
    RegionRow("AI", "Aysén del General Carlos Ibáñez del Campo"),
    RegionRow("MA", "Magallanes y de la Antártica Chilena"),
)


class OfficeRow(NamedTuple):
    slug: str
    region_code: str
    kind: str
    name: str
    city: str
    address: str | None
    timezone: str = SANTIAGO
    attention_note: str | None = None


# The service names its directorates by region; the city goes in the address.
DIRECTORATE_NAMES = {
    "AP": "Dirección Regional de Arica y Parinacota",
    "TA": "Dirección Regional de Tarapacá",
    "AN": "Dirección Regional de Antofagasta",
    "AT": "Dirección Regional de Atacama",
    "CO": "Dirección Regional de Coquimbo",
    "VS": "Dirección Regional de Valparaíso",
    "RM": "Dirección Regional Metropolitana",
    "LI": "Dirección Regional de O'Higgins",
    "ML": "Dirección Regional del Maule",
    "NB": "Dirección Regional de Ñuble",
    "BI": "Dirección Regional del Biobío",
    "AR": "Dirección Regional de La Araucanía",
    "LR": "Dirección Regional de Los Ríos",
    "LL": "Dirección Regional de Los Lagos",
    "AI": "Dirección Regional de Aysén",
    "MA": "Dirección Regional de Magallanes",
}


def _dr(slug: str, region: str, city: str, address: str | None, **kw: str) -> OfficeRow:
    name = DIRECTORATE_NAMES[region]
    return OfficeRow(slug, region, "direccion_regional", name, city, address, **kw)


# Addresses marked None are regional capitals whose address the service has to fill in.
OFFICES = (
    _dr("arica", "AP", "Arica", "Emilio Castro s/n"),
    _dr("iquique", "TA", "Iquique", "Obispo Labbé 492"),
    _dr("antofagasta", "AN", "Antofagasta", "Jorge Washington 2534"),
    OfficeRow("calama", "AN", "branch", "Oficina Calama (El Loa)", "Calama", "Granaderos 2262"),
    _dr("copiapo", "AT", "Copiapó", "Los Carrera 645"),
    _dr("coquimbo", "CO", "Coquimbo", "Aldunate 950"),
    _dr("valparaiso", "VS", "Valparaíso", "Melgarejo 669"),
    OfficeRow("san-felipe", "VS", "branch", "Oficina San Felipe", "San Felipe", "Salinas 1231, piso 4"),
    _dr("santiago", "RM", "Santiago", "San Antonio 580"),
    _dr("rancagua", "LI", "Rancagua", "Germán Riesco 350"),
    _dr("talca", "ML", "Talca", "1 Poniente 865", attention_note="Atención presencial lunes, miércoles y viernes"),
    _dr("chillan", "NB", "Chillán", "Palermo 45"),
    _dr("concepcion", "BI", "Concepción", None),
    _dr("temuco", "AR", "Temuco", None),
    _dr("valdivia", "LR", "Valdivia", None),
    _dr("puerto-montt", "LL", "Puerto Montt", None),
    _dr("coyhaique", "AI", "Coyhaique", None, timezone=COYHAIQUE),
    _dr("punta-arenas", "MA", "Punta Arenas", None, timezone=PUNTA_ARENAS),
)  # fmt: skip


class TramiteRow(NamedTuple):
    code: str
    topic: str
    name: str


TOPICS = (
    "permanencia_transitoria",
    "regularizacion",
    "estampado_electronico",
    "residencia_temporal",
    "residencia_definitiva",
    "nacionalizacion",
    "refugio",
    "multas",
    "registro_civil",
    "beneficio_migratorio",
    "otros",
)

TRAMITES = (
    TramiteRow("pt-prorroga", "permanencia_transitoria", "Prórroga de permanencia transitoria"),
    TramiteRow("pt-autorizacion-trabajo", "permanencia_transitoria", "Autorización para trabajar como titular de permanencia transitoria"),
    TramiteRow("pt-artistas", "permanencia_transitoria", "Permanencia transitoria de artistas y deportistas"),
    TramiteRow("pt-tripulantes", "permanencia_transitoria", "Prórroga de la tarjeta de tripulante"),
    TramiteRow("pt-reimpresion-orden-pago", "permanencia_transitoria", "Reimpresión de orden de pago"),
    TramiteRow("regularizacion-nna", "regularizacion", "Regularización de niños, niñas y adolescentes"),
    TramiteRow("estampado-descarga", "estampado_electronico", "Descarga del estampado electrónico"),
    TramiteRow("rt-reunificacion-familiar", "residencia_temporal", "Residencia temporal: reunificación familiar"),
    TramiteRow("rt-actividades-remuneradas", "residencia_temporal", "Residencia temporal: actividades lícitas remuneradas"),
    TramiteRow("rt-estudiantes", "residencia_temporal", "Residencia temporal: estudiantes"),
    TramiteRow("rt-trabajadores-temporada", "residencia_temporal", "Residencia temporal: trabajadores de temporada"),
    TramiteRow("rt-oportunidades-laborales", "residencia_temporal", "Residencia temporal: búsqueda de oportunidades laborales"),
    TramiteRow("rt-razones-humanitarias", "residencia_temporal", "Residencia temporal: razones humanitarias"),
    TramiteRow("rt-tratamiento-medico", "residencia_temporal", "Residencia temporal: tratamiento médico"),
    TramiteRow("rt-jubilados-rentistas", "residencia_temporal", "Residencia temporal: jubilados y rentistas"),
    TramiteRow("rt-ex-residentes-definitivos", "residencia_temporal", "Residencia temporal: ex residentes definitivos"),
    TramiteRow("rt-inversionistas", "residencia_temporal", "Residencia temporal: inversionistas"),
    TramiteRow("rt-otras-subcategorias", "residencia_temporal", "Residencia temporal: otras subcategorías (Decreto 177)"),
    TramiteRow("rd-solicitud", "residencia_definitiva", "Solicitud de residencia definitiva"),
    TramiteRow("rd-certificado-en-tramite", "residencia_definitiva", "Certificado de residencia definitiva en trámite"),
    TramiteRow("rd-ampliacion-certificado-menores", "residencia_definitiva", "Ampliación del certificado de residencia definitiva de menores de edad"),
    TramiteRow("nacionalizacion-carta", "nacionalizacion", "Carta de nacionalización"),
    TramiteRow("refugio-solicitud", "refugio", "Solicitud de reconocimiento de la condición de refugiado"),
    TramiteRow("multas-calculo-pago", "multas", "Cálculo y pago de multas"),
    TramiteRow("multas-descargos", "multas", "Descargos ante una multa"),
    TramiteRow("registro-civil-cedula", "registro_civil", "Cédula de identidad para extranjeros"),
    TramiteRow("beneficio-consulta", "beneficio_migratorio", "Consulta de beneficio migratorio"),
    TramiteRow("antecedentes-adicionales", "otros", "Solicitud de más antecedentes"),
    TramiteRow("recurso-administrativo", "otros", "Recurso administrativo"),
    TramiteRow("recuperacion-cuenta", "otros", "Recuperación de cuenta"),
)  # fmt: skip
