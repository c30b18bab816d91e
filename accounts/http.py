"""The web layer's side of the error family: a refusal's code as an HTTP status."""

from accounts.base import DocentError

STATUS_BY_CODE = {
    "rate_limited": 429,
    "quota": 429,
    "gone": 410,
    "conflict": 409,
    "forbidden": 403,
    "not_found": 404,
    "too_large": 413,
    # The question was fine; the model server failed. The page shows why and keeps the prompt.
    "provider_failed": 200,
}


def status_for(error: DocentError) -> int:
    return STATUS_BY_CODE.get(error.code, 400)
