"""Refusals as RFC 9457 problem details (`application/problem+json`), for every API door.

The status is the one the site gives the same refusal (`accounts.http.STATUS_BY_CODE`), except
a model server's failure: the page shows it on a 200 with the question kept, the API says 502.
"""

from http import HTTPStatus

from django.http import JsonResponse

from accounts.base import DocentError, ErrorCode
from accounts.http import status_for

PROBLEM_CONTENT_TYPE = "application/problem+json"
PROBLEM_TYPE_BASE = "https://docent.invalid/problems/"
API_STATUS_OVERRIDES = {ErrorCode.PROVIDER_FAILED: HTTPStatus.BAD_GATEWAY}


def problem_status(error: DocentError) -> int:
    return API_STATUS_OVERRIDES.get(error.code, status_for(error))


def problem_body(error: DocentError, status: int) -> dict:
    return {
        "type": PROBLEM_TYPE_BASE + str(error.code),
        "title": HTTPStatus(status).phrase,
        "status": int(status),
        "detail": error.message,
        "code": str(error.code),
    }


def problem_response(request, error: DocentError, status: int | None = None) -> JsonResponse:
    status = int(status or problem_status(error))
    response = JsonResponse(problem_body(error, status), status=status, content_type=PROBLEM_CONTENT_TYPE)
    if status == HTTPStatus.UNAUTHORIZED:
        response["WWW-Authenticate"] = 'Bearer realm="docent"'
    return response
