"""Localized error pages and one JSON error shape for the API. Nothing internal leaks."""

from __future__ import annotations

import logging

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import Receive, Scope, Send

from helpdesk.core import i18n
from helpdesk.core.errors import DomainError
from helpdesk.core.i18n import gettext as _
from helpdesk.core.templating import render

log = logging.getLogger(__name__)
API_PREFIX = "/api/"


def _titles() -> dict[int, str]:
    return {
        400: _("La solicitud no es válida"),
        401: _("Debe identificarse"),
        403: _("No tiene permiso para ver esta página"),
        404: _("No encontramos esta página"),
        405: _("Acción no permitida"),
        413: _("El envío es demasiado grande"),
        422: _("Revise los datos ingresados"),
        429: _("Demasiados intentos"),
        500: _("Ocurrió un error inesperado"),
    }


def _explanations() -> dict[int, str]:
    return {
        400: _("No pudimos entender lo que envió. Vuelva atrás e intente de nuevo."),
        403: _("Si cree que debería tener acceso, consulte a su supervisor o a la mesa de ayuda."),
        404: _("La dirección puede estar mal escrita o la página ya no existe."),
        413: _("Envíe menos texto o archivos más pequeños."),
        429: _("Espere un minuto antes de volver a intentarlo."),
        500: _("Nuestro equipo fue notificado. Intente de nuevo en unos minutos."),
    }


API_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    422: "invalid",
    429: "too_many_requests",
    500: "internal_error",
    503: "unavailable",
}


def api_error(status: int, message: str | None = None, details: object = None) -> JSONResponse:
    body: dict[str, object] = {
        "error": {
            "code": API_CODES.get(status, "error"),
            "message": message or _titles().get(status, _("Ocurrió un error inesperado")),
        }
    }
    if details is not None:
        body["error"]["details"] = details  # type: ignore[index]
    return JSONResponse(body, status_code=status)


def error_response(request: Request, status: int, message: str | None = None) -> Response:
    if request.url.path.startswith(API_PREFIX):
        return api_error(status)
    context = {
        "status": status,
        "title": _titles().get(status, _titles()[500]),
        "explanation": _explanations().get(status, ""),
    }
    return render(request, "errors/error.html", context, status)


async def http_exception(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    response = error_response(request, exc.status_code)
    if exc.headers:
        response.headers.update(exc.headers)
    return response


async def domain_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, DomainError)
    details = getattr(exc, "details", None)
    if request.url.path.startswith(API_PREFIX) and exc.status_code == 422:
        # Validation messages are written for the caller (localized); other messages are internal.
        return api_error(422, exc.message, details)
    return error_response(request, exc.status_code)


async def server_error(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    # Starlette answers unhandled errors outside every middleware: choose the locale again.
    i18n.set_locale(
        i18n.choose_locale(
            request.cookies.get(i18n.LOCALE_COOKIE), request.headers.get("accept-language")
        )
    )
    try:
        return error_response(request, 500)
    except Exception:  # the error page itself failed: plain text, still no internals
        return Response("500", status_code=500, media_type="text/plain")


async def body_refused(scope: Scope, receive: Receive, send: Send, status: int) -> None:
    """A body too large (413) or malformed (400), refused by core/body_limits.py."""
    await error_response(Request(scope, receive), status)(scope, receive, send)


async def csrf_failure(scope: Scope, receive: Receive, send: Send) -> None:
    request = Request(scope, receive)
    if request.url.path.startswith(API_PREFIX):
        response: Response = api_error(403, _("Falta el token CSRF o no es válido."))
    else:
        context = {
            "status": 403,
            "title": _("El formulario expiró"),
            "explanation": _(
                "Por seguridad, vuelva a la página anterior, recárguela "
                "y envíe el formulario otra vez."
            ),
        }
        response = render(request, "errors/error.html", context, 403)
    await response(scope, receive, send)
