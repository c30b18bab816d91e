"""Setting up the language model: the rules every door (the admin's Language model page,
the system settings admin, the workspace admin) goes through.

- A base URL is an http(s) address with a host and no credentials in it.
- The server's models are listed from `GET <base>/models` (the OpenAI protocol).
- Choosing the openai-compatible provider needs a base URL whose server lists the
  chosen model: otherwise the choice is refused with the reason, never saved silently.
- Test connection sends a tiny completion and reports its latency or what failed.
- The stored key (LLM_API_KEY) goes only to the origin of the saved `llm_base_url`: a list or
  test against another address sends the key the admin typed for it, or none. Failures name
  the status and its standard reason, never the other server's body.
- Saving records who changed what (from -> to) in the audit trail; no key is ever part of it.
"""

import hashlib
import json
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.core.cache import cache
from django.db import transaction
from django.views.decorators.debug import sensitive_variables

from accounts.audit import audit_record
from accounts.base import DocentError
from accounts.models import AuditAction
from settings_app.choices import ChatProvider
from settings_app.services import setting_get, setting_set
from workspaces import outgoing
from workspaces.chats import llm
from workspaces.outgoing import Failure, OutgoingError, ServerKey

URL_NO_SCHEME = "Start the address with http:// or https://, e.g. http://127.0.0.1:11434/v1."
URL_NO_HOST = "The address has no host name."
URL_CREDENTIALS = "Put no user name or password in the address: the key goes in the LLM_API_KEY environment variable."
URL_REQUIRED = "The OpenAI-compatible provider needs the server's address."
MODEL_REQUIRED = "Choose a model: the OpenAI-compatible provider cannot answer without one."
MODEL_NOT_LISTED = "The server does not offer a model named “{model}”. It offers: {models}."
NO_MODELS_HINT = " OpenAI-compatible servers usually answer under /v1: try {suggestion}."
LIST_FAILED = "Could not list the server's models at {url}: {detail}."
TEST_FAILED = "The connection test to {url} failed: {detail}."
KEY_NOT_SENT_HINT = (
    " The stored key (LLM_API_KEY) is sent only to {origin}, the saved server address: to try another"
    " address that needs a key, type it in “API key for this test”."
)
NOT_JSON = "its answer is not JSON"
NOT_AN_OBJECT = "its answer is not a JSON object"
NO_MODEL_LIST = "its answer has no list of models"
NOT_A_COMPLETION = "The server answered, but not with a chat completion."
SETTING_LABELS = ("chat_provider", "llm_base_url", "llm_model")
SETUP_TIMEOUT_SECONDS = 10.0
MAX_ANSWER_BYTES = 1024 * 1024
MAX_MODELS = 1000
MODEL_NAME_CHARS = 120
# How long a form trusts the saved server's model list (Admin → Language model always asks anew).
MODELS_CACHE_SECONDS = 300
MODELS_FAILURE_CACHE_SECONDS = 60
REPLY_CHARS = 60


class ModelSetupError(DocentError):
    """A model setup refused; `message` says exactly why, for the admin."""

    default_code = "invalid"


@dataclass(frozen=True)
class ConnectionReport:
    model: str
    latency_ms: int
    reply: str


def base_url_check(base_url: str) -> str:
    """The base URL stripped of spaces and a trailing slash, or ModelSetupError."""
    base_url = (base_url or "").strip().rstrip("/")
    try:
        parts = urlsplit(base_url)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        raise ModelSetupError(URL_NO_HOST) from None
    if parts.scheme.lower() not in outgoing.ALLOWED_SCHEMES:
        raise ModelSetupError(URL_NO_SCHEME)
    if parts.username or parts.password:
        raise ModelSetupError(URL_CREDENTIALS)
    if not parts.hostname:
        raise ModelSetupError(URL_NO_HOST)
    return base_url


@sensitive_variables("typed_key")
def key_for_test(*, base_url: str, typed_key: str = "") -> ServerKey | None:
    """The key a list or test of `base_url` sends: the one the admin typed for it, else the stored
    key when `base_url` has the saved address's origin, else none."""
    if (typed_key or "").strip():
        return ServerKey.for_address(secret=typed_key, address=base_url)
    stored = llm.stored_key()
    return stored if stored is not None and stored.sent_to(base_url) else None


@sensitive_variables("typed_key")
def models_list(*, base_url: str, typed_key: str = "", timeout: float = SETUP_TIMEOUT_SECONDS) -> list[str]:
    """The model ids the server at `base_url` offers, sorted; ModelSetupError with the reason otherwise."""
    base_url = base_url_check(base_url)
    url = f"{base_url}/models"
    try:
        data = _request("GET", url, None, key_for_test(base_url=base_url, typed_key=typed_key), timeout)
        offered = {str(item["id"])[:MODEL_NAME_CHARS] for item in data["data"]
                   if isinstance(item, dict) and item.get("id")}
    except _Refused as refusal:
        hint = _key_hint(refusal, base_url=base_url, typed_key=typed_key)
        if not hint and not urlsplit(base_url).path.rstrip("/").endswith("/v1"):
            hint = NO_MODELS_HINT.format(suggestion=f"{base_url}/v1")
        raise ModelSetupError(LIST_FAILED.format(url=url, detail=refusal.detail) + hint) from None
    except (KeyError, TypeError):
        raise ModelSetupError(LIST_FAILED.format(url=url, detail=NO_MODEL_LIST)) from None
    return sorted(offered)[:MAX_MODELS]


def models_offered(*, base_url: str) -> list[str] | None:
    """The model ids of the saved server, as a form offers them: from the cache, asked at most once
    per MODELS_CACHE_SECONDS (a failure: None, remembered for MODELS_FAILURE_CACHE_SECONDS), so a
    page is not held up to the server's timeout each time it is built."""
    key = f"model_setup:models:{hashlib.sha256(base_url.encode()).hexdigest()[:16]}"
    cached = cache.get(key)
    if cached is not None:
        return cached or None
    try:
        offered = models_list(base_url=base_url)
    except ModelSetupError:
        cache.set(key, [], MODELS_FAILURE_CACHE_SECONDS)
        return None
    cache.set(key, offered, MODELS_CACHE_SECONDS)
    return offered


@sensitive_variables("typed_key")
def connection_test(*, base_url: str, model: str, typed_key: str = "",
                    timeout: float = SETUP_TIMEOUT_SECONDS) -> ConnectionReport:
    """Send a tiny completion; the latency and the start of the reply, or ModelSetupError with the reason."""
    base_url = base_url_check(base_url)
    if not (model or "").strip():
        raise ModelSetupError(MODEL_REQUIRED)
    body = {"model": model.strip(), "messages": [{"role": "user", "content": "Reply with the word OK."}],
            "max_tokens": 5, "stream": False}
    url = f"{base_url}/chat/completions"
    started = time.monotonic()
    try:
        data = _request("POST", url, body, key_for_test(base_url=base_url, typed_key=typed_key), timeout)
    except _Refused as refusal:
        hint = _key_hint(refusal, base_url=base_url, typed_key=typed_key)
        raise ModelSetupError(TEST_FAILED.format(url=url, detail=refusal.detail) + hint) from None
    latency = round((time.monotonic() - started) * 1000)
    try:
        reply = str(data["choices"][0]["message"]["content"] or "").strip()
    except (KeyError, IndexError, TypeError):
        raise ModelSetupError(NOT_A_COMPLETION) from None
    return ConnectionReport(model=str(data.get("model") or model)[:MODEL_NAME_CHARS], latency_ms=latency,
                            reply=reply[:REPLY_CHARS])


@sensitive_variables("typed_key")
def provider_check(*, provider: str, base_url: str, model: str, typed_key: str = "") -> str:
    """Refuse a provider and model that cannot answer; the cleaned base URL otherwise."""
    base_url = (base_url or "").strip()
    if provider != ChatProvider.OPENAI_COMPATIBLE:
        return base_url_check(base_url) if base_url else ""
    if not base_url:
        raise ModelSetupError(URL_REQUIRED)
    if not (model or "").strip():
        raise ModelSetupError(MODEL_REQUIRED)
    offered = models_list(base_url=base_url, typed_key=typed_key)
    if model.strip() not in offered:
        raise ModelSetupError(MODEL_NOT_LISTED.format(model=model.strip(), models=", ".join(offered) or "none"))
    return base_url_check(base_url)


@sensitive_variables("typed_key")
@transaction.atomic
def llm_setup_save(*, provider: str, base_url: str, model: str, typed_key: str = "", request=None) -> None:
    """Store `chat_provider`, `llm_base_url` and `llm_model` together, once they are consistent, and
    audit what changed (checked with `typed_key` when the admin gave one; it is never stored)."""
    base_url = provider_check(provider=provider, base_url=base_url, model=model, typed_key=typed_key)
    before = {label: setting_get(label) for label in SETTING_LABELS}
    after = {"chat_provider": provider, "llm_base_url": base_url, "llm_model": (model or "").strip()}
    for label in SETTING_LABELS:
        setting_set(label=label, value=after[label])
    changes = [f"{label}: {_shown(before[label])} -> {_shown(after[label])}" for label in SETTING_LABELS
               if str(before[label] or "") != after[label]]
    if changes:
        audit_record(AuditAction.MODEL_CHANGED, request=request, detail="; ".join(changes))


def setting_change_check(*, label: str, value) -> None:
    """The system settings admin's door: a change to one of the three model settings is
    checked together with the other two as they are stored."""
    current = {name: setting_get(name) for name in SETTING_LABELS}
    if label not in current:
        return
    current[label] = value
    provider_check(provider=current["chat_provider"], base_url=current["llm_base_url"], model=current["llm_model"])


def workspace_model_check(*, provider: str, model: str) -> None:
    """A workspace's own provider and model, against the server of the system settings."""
    effective = provider or setting_get("chat_provider")
    if effective == ChatProvider.OPENAI_COMPATIBLE:
        provider_check(provider=effective, base_url=setting_get("llm_base_url"),
                       model=(model or "").strip() or setting_get("llm_model"))


class _Refused(Exception):
    """A request that failed, `detail` saying how in a few words; `status` when the server answered one."""

    def __init__(self, detail: str, status: int | None = None):
        super().__init__(detail)
        self.detail, self.status = detail, status


def _request(method: str, url: str, body: dict | None, key: ServerKey | None, timeout: float) -> dict:
    try:
        raw = outgoing.request_send(method, url, key=key, json=body, timeout=timeout, max_bytes=MAX_ANSWER_BYTES,
                                    deadline=time.monotonic() + timeout)
    except OutgoingError as failure:
        raise _Refused(failure.message, failure.status if failure.failure == Failure.STATUS else None) from None
    try:
        data = json.loads(raw)
    except ValueError:
        raise _Refused(NOT_JSON) from None
    if not isinstance(data, dict):
        raise _Refused(NOT_AN_OBJECT)
    return data


def _key_hint(refusal: _Refused, *, base_url: str, typed_key: str) -> str:
    """Why a server that wants a key may have got none: the stored one is for another address."""
    stored = llm.stored_key()
    if refusal.status in (401, 403) and not (typed_key or "").strip() and stored and not stored.sent_to(base_url):
        return KEY_NOT_SENT_HINT.format(origin=stored.origin)
    return ""


def _shown(value) -> str:
    return f"“{value}”" if value not in (None, "") else "(empty)"
