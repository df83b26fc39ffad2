"""The OpenAPI document, built from operations that route modules register.

Later domains add their endpoints with ``@operation(...)``; request and response bodies are
pydantic models, so validation and the published schema cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import BaseModel

F = TypeVar("F", bound=Callable[..., Any])
API_VERSION = "1.0.0"


@dataclass(frozen=True)
class Operation:
    path: str
    method: str
    summary: str
    operation_id: str
    tag: str
    request_model: type[BaseModel] | None
    response_model: type[BaseModel] | None
    auth: bool
    parameters: tuple[dict[str, Any], ...] = ()


_operations: list[Operation] = []


def operation(
    path: str, method: str, summary: str, tag: str,
    request_model: type[BaseModel] | None = None, response_model: type[BaseModel] | None = None,
    auth: bool = False, parameters: tuple[dict[str, Any], ...] = (),
) -> Callable[[F], F]:  # fmt: skip
    def register(handler: F) -> F:
        op = Operation(
            path,
            method.lower(),
            summary,
            handler.__name__,
            tag,
            request_model,
            response_model,
            auth,
            parameters,
        )
        if op not in _operations:
            _operations.append(op)
        return handler

    return register


class ErrorDetail(BaseModel):
    code: str
    message: str
    details: list[dict[str, Any]] | None = None


class ErrorBody(BaseModel):
    error: ErrorDetail


def _ref(model: type[BaseModel], schemas: dict[str, Any]) -> dict[str, str]:
    schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
    for name, definition in schema.pop("$defs", {}).items():
        schemas[name] = definition
    schemas[model.__name__] = schema
    return {"$ref": f"#/components/schemas/{model.__name__}"}


def document(prefix: str) -> dict[str, Any]:
    """The OpenAPI document of every ``operation``, their paths under ``prefix``."""
    schemas: dict[str, Any] = {}
    error_ref = _ref(ErrorBody, schemas)
    error_response = {"content": {"application/json": {"schema": error_ref}}}
    paths: dict[str, Any] = {}
    for op in _operations:
        entry: dict[str, Any] = {
            "summary": op.summary,
            "operationId": op.operation_id,
            "tags": [op.tag],
            "responses": {"default": {"description": "Error", **error_response}},
        }
        if op.parameters:
            entry["parameters"] = list(op.parameters)
        if op.response_model is not None:
            # What a POST returns it created (both POSTs with a body answer 201).
            entry["responses"]["201" if op.method == "post" else "200"] = {
                "description": "OK",
                "content": {"application/json": {"schema": _ref(op.response_model, schemas)}},
            }
        else:
            entry["responses"]["204"] = {"description": "No content"}
        if op.request_model is not None:
            entry["requestBody"] = {
                "required": True,
                "content": {"application/json": {"schema": _ref(op.request_model, schemas)}},
            }
            entry["responses"]["422"] = {"description": "Invalid input", **error_response}
        if op.auth:
            entry["security"] = [{"sessionCookie": [], "csrfHeader": []}, {"apiToken": []}]
            entry["responses"]["401"] = {"description": "Not signed in", **error_response}
        paths.setdefault(prefix + op.path, {})[op.method] = entry
    return {
        "openapi": "3.1.0",
        "info": {"title": "Portal de Ayuda API", "version": API_VERSION},
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "sessionCookie": {"type": "apiKey", "in": "cookie", "name": "session"},
                "csrfHeader": {"type": "apiKey", "in": "header", "name": "X-CSRF-Token"},
                "apiToken": {"type": "http", "scheme": "bearer"},
            },
        },
    }
