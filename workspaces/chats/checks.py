"""System check: a model server key that is not pinned to its origin follows whatever address an
admin saves (Admin → Language model, or the llm_base_url / embedding_base_url settings)."""

from django.conf import settings
from django.core.checks import Warning as CheckWarning

KEY_NOT_PINNED = "{key} is set but {origin} is not: the key goes to whatever server address an admin saves."
KEY_NOT_PINNED_HINT = "Set {origin} to the server's origin (e.g. https://models.internal:443) to bind the key to it."


def key_origin_check(app_configs=None, **kwargs):
    warnings = []
    for key, origin, check_id in (("LLM_API_KEY", "LLM_API_KEY_ORIGIN", "chats.W001"),
                                  ("EMBEDDING_API_KEY", "EMBEDDING_API_KEY_ORIGIN", "chats.W002")):
        if getattr(settings, key, "") and not getattr(settings, origin, ""):
            warnings.append(CheckWarning(KEY_NOT_PINNED.format(key=key, origin=origin),
                                         hint=KEY_NOT_PINNED_HINT.format(origin=origin), id=check_id))
    return warnings
