"""Who is calling the API: the key in `Authorization: Bearer dct_…` (accounts.api_keys decides)."""

from ninja.security import HttpBearer

from accounts.api_keys import ApiKey, api_key_authenticate_request


def api_key_from_request(request) -> ApiKey:
    """The usable key the request carries; DocentError(UNAUTHORIZED) when there is none."""
    return api_key_authenticate_request(request)


class ApiKeyAuth(HttpBearer):
    """django-ninja's door: `request.auth` is the key, `request.user` its user (no session is read)."""

    def __call__(self, request):
        key = api_key_from_request(request)
        request.user = key.user
        return key

    def authenticate(self, request, token):  # the header is read whole in __call__
        raise NotImplementedError
