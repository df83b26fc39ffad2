"""Parsing and validating account forms: pure functions returning (data, errors)."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from helpdesk.accounts.models import STAFF_ROLES
from helpdesk.accounts.staff import NewStaff
from helpdesk.core import email_address
from helpdesk.core.countries import ISO_CODES
from helpdesk.core.i18n import SUPPORTED_LOCALES
from helpdesk.core.i18n import gettext as _
from helpdesk.people.identity import normalize_document_number
from helpdesk.people.models import DOCUMENT_TYPES, SEX_GENDER_VALUES
from helpdesk.people.service import PortalIdentity

Errors = dict[str, str]
MIN_PASSWORD = 10
COUNTRY_CODES = ISO_CODES


def text(form: Any, name: str, max_length: int = 200) -> str:
    value = form.get(name)
    return value.strip()[:max_length] if isinstance(value, str) else ""


def check_email(value: str, errors: Errors, field: str = "email") -> str:
    """The normalized address, or the text as typed (for the form) with an error."""
    value = value.strip()
    address = email_address.normalized(value)
    if not value:
        errors[field] = _("Ingrese su correo electrónico.")
    elif address is None:
        errors[field] = _("El correo electrónico no es válido. Ejemplo: nombre@ejemplo.cl")
    return address or value.lower()


def check_new_password(password: str, confirm: str, errors: Errors) -> None:
    if len(password) < MIN_PASSWORD:
        errors["password"] = _(
            "La contraseña debe tener al menos %(n)s caracteres.", n=MIN_PASSWORD
        )
    elif password != confirm:
        errors["password_confirm"] = _("Las contraseñas no coinciden.")


def parse_signin(form: Any) -> tuple[tuple[str, str], Errors]:
    errors: Errors = {}
    email = check_email(text(form, "email", 254), errors)
    password = form.get("password") if isinstance(form.get("password"), str) else ""
    if not password:
        errors["password"] = _("Ingrese su contraseña.")
    return (email, password or ""), errors


def parse_birth_date(value: str, errors: Errors) -> date | None:
    try:
        born = date.fromisoformat(value)
    except ValueError:
        errors["birth_date"] = _("Ingrese su fecha de nacimiento (día, mes y año).")
        return None
    if born > date.today() or born.year < 1900:
        errors["birth_date"] = _("La fecha de nacimiento no es válida.")
        return None
    return born


def parse_registration(form: Any) -> tuple[dict[str, Any], Errors]:
    errors: Errors = {}
    given = text(form, "given_names", 120)
    surnames = text(form, "surnames", 120)
    if not given:
        errors["given_names"] = _("Ingrese su nombre.")
    if not surnames:
        errors["surnames"] = _("Ingrese sus apellidos.")
    born = parse_birth_date(text(form, "birth_date", 10), errors)
    country_of_birth = text(form, "country_of_birth", 2).upper()
    if country_of_birth not in COUNTRY_CODES:
        errors["country_of_birth"] = _("Elija su país de nacimiento.")
    document_type = text(form, "document_type", 20)
    if document_type not in DOCUMENT_TYPES:
        errors["document_type"] = _("Elija el tipo de documento.")
    document_number = normalize_document_number(text(form, "document_number", 40))
    if not 4 <= len(document_number) <= 30:
        errors["document_number"] = _("Ingrese el número de su documento, tal como aparece en él.")
    document_country = text(form, "document_country", 2).upper()
    if document_country not in COUNTRY_CODES:
        errors["document_country"] = _("Elija el país que emitió el documento.")
    email = check_email(text(form, "email", 254), errors)
    password = form.get("password") if isinstance(form.get("password"), str) else ""
    confirm = form.get("password_confirm") if isinstance(form.get("password_confirm"), str) else ""
    check_new_password(password or "", confirm or "", errors)
    data: dict[str, Any] = {"email": email, "password": password}
    if not errors and born is not None:
        data["identity"] = PortalIdentity(
            given_names=given,
            surnames=surnames,
            birth_date=born,
            country_of_birth=country_of_birth,
            document_type=document_type,
            document_number=document_number,
            document_country=document_country,
        )
    return data, errors


def parse_profile(form: Any, region_codes: set[str]) -> tuple[dict[str, Any], Errors]:
    errors: Errors = {}
    phone = text(form, "phone", 30)
    if phone and not re.fullmatch(r"\+?[0-9 ()-]{6,20}", phone):
        errors["phone"] = _("El teléfono solo puede tener números, espacios y el signo +.")
    locale = text(form, "preferred_locale", 5)
    if locale not in SUPPORTED_LOCALES:
        errors["preferred_locale"] = _("Elija un idioma de la lista.")
    sex_gender = text(form, "sex_gender", 20) or "not_declared"
    if sex_gender not in SEX_GENDER_VALUES:
        errors["sex_gender"] = _("Elija una opción de la lista.")
    region = text(form, "region_code", 2) or None
    if region is not None and region not in region_codes:
        errors["region_code"] = _("Elija una región de la lista.")
    return {"phone": phone or None, "preferred_locale": locale, "sex_gender": sex_gender,
            "region_code": region}, errors  # fmt: skip


def parse_new_staff(form: Any) -> tuple[NewStaff | None, Errors]:
    errors: Errors = {}
    email = check_email(text(form, "email", 254), errors)
    full_name = text(form, "full_name", 160)
    if not full_name:
        errors["full_name"] = _("Ingrese el nombre completo.")
    role = text(form, "role", 20)
    if role not in STAFF_ROLES:
        errors["role"] = _("Elija un rol.")
    office = text(form, "office_slug", 60) or None
    if role == "regional_agent" and not office:
        errors["office_slug"] = _("Un agente regional necesita una oficina.")
    password = form.get("password") if isinstance(form.get("password"), str) else ""
    if password and len(password) < 12:
        errors["password"] = _("La contraseña del personal debe tener al menos 12 caracteres.")
    if errors:
        return None, errors
    return NewStaff(email, full_name, role, office, password or None), errors
