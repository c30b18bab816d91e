"""Docent's REST API v1: django-ninja (OpenAPI 3.1 generated from the typed code below, pydantic
validation), a thin door over the site's services and permission module.

Every operation needs an API key (`workspaces.api.auth.ApiKeyAuth`); every refusal is an
RFC 9457 problem detail (`workspaces.api.errors`) with the code of Docent's error family.
No session cookie is read, so no CSRF token is asked for.
"""

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, RequestDataTooBig
from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from accounts.base import DocentError, ErrorCode
from workspaces.api import chats, documents, manage, threads
from workspaces.api.auth import ApiKeyAuth
from workspaces.api.errors import PROBLEM_CONTENT_TYPE, problem_response
from workspaces.api.schemas import Problem

NOT_FOUND = "Nothing here: check the address (see /api/v1/docs/)."
FORBIDDEN = "You may not do that."
UNAUTHORIZED = "Send an API key: Authorization: Bearer dct_…"
BODY_TOO_LARGE = "The request body is larger than this server accepts (files go in a multipart upload)."

DESCRIPTION = """Documents, search and answers of the Docent workspaces your key reaches.

Authenticate with a personal API key (your account page, *API keys*): `Authorization: Bearer dct_…`.
A key acts as you, never beyond what you may do at the moment of the request, and only within
its scopes (`read`, `ask`, `write`, `manage`) and the workspaces it is limited to.
Refusals are RFC 9457 problem details (`application/problem+json`) with a `code`.
Lists are paged with `cursor` (from `next_cursor`) and `limit`."""

PROBLEM_STATUSES_READ = ("400", "401", "403", "404", "429")
PROBLEM_STATUSES_WRITE = (*PROBLEM_STATUSES_READ, "409", "413", "502", "503")


class DocentApi(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        """Each operation also lists the problem details it may answer with."""
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        problem = {"$ref": "#/components/schemas/Problem"}
        schema["components"]["schemas"]["Problem"] = Problem.model_json_schema()
        for operations in schema["paths"].values():
            for method, operation in operations.items():
                operation["responses"] = {str(status): answer for status, answer in operation["responses"].items()}
                statuses = PROBLEM_STATUSES_READ if method == "get" else PROBLEM_STATUSES_WRITE
                for status in statuses:
                    operation["responses"].setdefault(status, {
                        "description": "A problem detail (RFC 9457)",
                        "content": {PROBLEM_CONTENT_TYPE: {"schema": problem}},
                    })
        return schema


api = DocentApi(
    title="Docent API", version="1", description=DESCRIPTION, auth=ApiKeyAuth(), urls_namespace="api-v1",
    openapi_url="/schema/", docs_url=None,
)
api.add_router("", documents.router)
api.add_router("", chats.router)
api.add_router("", threads.router)
api.add_router("", manage.router)


def _problem(request, message: str, code: ErrorCode, status=None):
    return problem_response(request, DocentError(message, code=code), status=status)


@api.exception_handler(DocentError)
def docent_error(request, error: DocentError):
    return problem_response(request, error)


@api.exception_handler(PermissionDenied)
def permission_denied(request, error):
    return _problem(request, str(error) or FORBIDDEN, ErrorCode.FORBIDDEN)


@api.exception_handler(Http404)
def not_found(request, error):
    return _problem(request, str(error) or NOT_FOUND, ErrorCode.NOT_FOUND)


@api.exception_handler(ObjectDoesNotExist)
def object_not_found(request, error):
    return _problem(request, NOT_FOUND, ErrorCode.NOT_FOUND)


@api.exception_handler(RequestDataTooBig)
def body_too_large(request, error):
    return _problem(request, BODY_TOO_LARGE, ErrorCode.TOO_LARGE)


@api.exception_handler(ValidationError)
def invalid(request, error: ValidationError):
    parts = []
    for item in error.errors[:5]:
        where = ".".join(str(part) for part in item.get("loc", ()) if part not in ("body", "query", "path"))
        parts.append(f"{where}: {item.get('msg', 'invalid')}" if where else str(item.get("msg", "invalid")))
    return _problem(request, "; ".join(parts) or "The request is not valid.", ErrorCode.INVALID)


@api.exception_handler(AuthenticationError)
def unauthorized(request, error):
    return _problem(request, UNAUTHORIZED, ErrorCode.UNAUTHORIZED)


@api.exception_handler(HttpError)
def http_error(request, error: HttpError):
    code = ErrorCode.NOT_FOUND if error.status_code == 404 else ErrorCode.INVALID
    return _problem(request, str(error), code, status=error.status_code)
