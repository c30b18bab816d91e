"""The web layer's side of the error family: each refusal's code as one HTTP status."""

from http import HTTPStatus

from accounts.base import DocentError, ErrorCode

STATUS_BY_CODE = {
    ErrorCode.INVALID: HTTPStatus.BAD_REQUEST,
    ErrorCode.UNAUTHORIZED: HTTPStatus.UNAUTHORIZED,
    ErrorCode.NOT_FOUND: HTTPStatus.NOT_FOUND,
    ErrorCode.GONE: HTTPStatus.GONE,
    ErrorCode.CONFLICT: HTTPStatus.CONFLICT,
    ErrorCode.FORBIDDEN: HTTPStatus.FORBIDDEN,
    ErrorCode.RATE_LIMITED: HTTPStatus.TOO_MANY_REQUESTS,
    ErrorCode.QUOTA: HTTPStatus.TOO_MANY_REQUESTS,
    ErrorCode.LOCKED_OUT: HTTPStatus.TOO_MANY_REQUESTS,
    ErrorCode.SUSPENDED: HTTPStatus.FORBIDDEN,
    ErrorCode.TOO_LARGE: HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
    # The question was fine; the model server failed. The page shows why and keeps the prompt.
    ErrorCode.PROVIDER_FAILED: HTTPStatus.OK,
    ErrorCode.EMBEDDING_FAILED: HTTPStatus.SERVICE_UNAVAILABLE,
    ErrorCode.RERANK_FAILED: HTTPStatus.SERVICE_UNAVAILABLE,
    ErrorCode.EMBEDDING_MODEL_UNAVAILABLE: HTTPStatus.SERVICE_UNAVAILABLE,
    # A file refused for what it holds: the upload form shows why, as for any bad input.
    ErrorCode.EMPTY: HTTPStatus.BAD_REQUEST,
    ErrorCode.DUPLICATE: HTTPStatus.BAD_REQUEST,
    ErrorCode.UNSUPPORTED: HTTPStatus.BAD_REQUEST,
    ErrorCode.MISMATCH: HTTPStatus.BAD_REQUEST,
    ErrorCode.BINARY: HTTPStatus.BAD_REQUEST,
    ErrorCode.ENCODING: HTTPStatus.BAD_REQUEST,
    ErrorCode.CORRUPT: HTTPStatus.BAD_REQUEST,
    ErrorCode.ENCRYPTED: HTTPStatus.BAD_REQUEST,
    ErrorCode.NO_TEXT: HTTPStatus.BAD_REQUEST,
    ErrorCode.MISSING: HTTPStatus.BAD_REQUEST,
    ErrorCode.OCR_MISSING: HTTPStatus.BAD_REQUEST,
}


def content_length(request) -> int:
    """The body size the request declares (0 when it declares none or nonsense)."""
    try:
        return max(0, int(request.META.get("CONTENT_LENGTH") or 0))
    except ValueError:
        return 0


def status_for(error: DocentError) -> int:
    return STATUS_BY_CODE[error.code]
