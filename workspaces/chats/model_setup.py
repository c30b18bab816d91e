"""Setting up the language model: the rules every door (the admin's Language model page,
the system settings admin, the workspace admin) goes through.

- A base URL is an http(s) address with a host and no credentials in it.
- The server's models are listed from `GET <base>/models` (the OpenAI protocol).
- Choosing the openai-compatible provider needs a base URL whose server lists the
  chosen model: otherwise the choice is refused with the server's own error, never
  saved silently.
- Test connection sends a tiny completion and reports its latency or the exact error.
"""

import contextlib
import json
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from http.client import HTTPException
from urllib.parse import urlsplit

from django.conf import settings

from accounts.base import DocentError
from settings_app.services import setting_get, setting_set
from workspaces.chats import llm
from workspaces.chats.choices import ChatProvider

URL_NO_SCHEME = "Start the address with http:// or https://, e.g. http://127.0.0.1:11434/v1."
URL_NO_HOST = "The address has no host name."
URL_CREDENTIALS = "Put no user name or password in the address: the key goes in the LLM_API_KEY environment variable."
URL_REQUIRED = "The OpenAI-compatible provider needs the server's address."
MODEL_REQUIRED = "Choose a model: the OpenAI-compatible provider cannot answer without one."
MODEL_NOT_LISTED = "The server does not offer a model named “{model}”. It offers: {models}."
NO_MODELS_HINT = " OpenAI-compatible servers usually answer under /v1: try {suggestion}."
LIST_FAILED = "Could not list the server's models at {url}: {detail}."
SETUP_TIMEOUT_SECONDS = 10.0
DETAIL_CHARS = 300
MAX_MODELS_BYTES = 1024 * 1024


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
    if parts.scheme.lower() not in llm.ALLOWED_SCHEMES:
        raise ModelSetupError(URL_NO_SCHEME)
    if parts.username or parts.password:
        raise ModelSetupError(URL_CREDENTIALS)
    if not parts.hostname:
        raise ModelSetupError(URL_NO_HOST)
    return base_url


def models_list(*, base_url: str, api_key: str | None = None, timeout: float = SETUP_TIMEOUT_SECONDS) -> list[str]:
    """The model ids the server at `base_url` offers, sorted; ModelSetupError with the exact reason otherwise."""
    base_url = base_url_check(base_url)
    url = f"{base_url}/models"
    try:
        data = _request("GET", url, None, api_key, timeout)
        models = sorted({str(item["id"]) for item in data["data"] if isinstance(item, dict) and item.get("id")})
    except ModelSetupError as error:
        hint = ""
        if not urlsplit(base_url).path.rstrip("/").endswith("/v1"):
            hint = NO_MODELS_HINT.format(suggestion=f"{base_url}/v1")
        raise ModelSetupError(LIST_FAILED.format(url=url, detail=error.message) + hint) from None
    except (KeyError, TypeError):
        raise ModelSetupError(LIST_FAILED.format(url=url, detail="the answer has no list of models")) from None
    return models


def connection_test(*, base_url: str, model: str, api_key: str | None = None,
                    timeout: float = SETUP_TIMEOUT_SECONDS) -> ConnectionReport:
    """Send a tiny completion; the latency and the reply, or ModelSetupError with the exact error."""
    base_url = base_url_check(base_url)
    if not (model or "").strip():
        raise ModelSetupError(MODEL_REQUIRED)
    body = {"model": model.strip(), "messages": [{"role": "user", "content": "Reply with the word OK."}],
            "max_tokens": 5, "stream": False}
    started = time.monotonic()
    data = _request("POST", f"{base_url}/chat/completions", body, api_key, timeout)
    latency = round((time.monotonic() - started) * 1000)
    try:
        reply = str(data["choices"][0]["message"]["content"] or "").strip()
    except (KeyError, IndexError, TypeError):
        raise ModelSetupError("The server answered, but not with a chat completion.") from None
    return ConnectionReport(model=str(data.get("model") or model), latency_ms=latency, reply=reply[:200])


def provider_check(*, provider: str, base_url: str, model: str, api_key: str | None = None) -> str:
    """Refuse a provider and model that cannot answer; the cleaned base URL otherwise."""
    base_url = (base_url or "").strip()
    if provider != ChatProvider.OPENAI_COMPATIBLE:
        return base_url_check(base_url) if base_url else ""
    if not base_url:
        raise ModelSetupError(URL_REQUIRED)
    if not (model or "").strip():
        raise ModelSetupError(MODEL_REQUIRED)
    offered = models_list(base_url=base_url, api_key=api_key)
    if model.strip() not in offered:
        raise ModelSetupError(MODEL_NOT_LISTED.format(model=model.strip(), models=", ".join(offered) or "none"))
    return base_url_check(base_url)


def llm_setup_save(*, provider: str, base_url: str, model: str) -> None:
    """Store `chat_provider`, `llm_base_url` and `llm_model` together, once they are consistent."""
    base_url = provider_check(provider=provider, base_url=base_url, model=model)
    setting_set(label="llm_base_url", value=base_url)
    setting_set(label="llm_model", value=(model or "").strip())
    setting_set(label="chat_provider", value=provider)


def setting_change_check(*, label: str, value) -> None:
    """The system settings admin's door: a change to one of the three model settings is
    checked together with the other two as they are stored."""
    current = {name: setting_get(name) for name in ("chat_provider", "llm_base_url", "llm_model")}
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


def _request(method: str, url: str, body: dict | None, api_key: str | None, timeout: float) -> dict:
    api_key = settings.LLM_API_KEY if api_key is None else api_key
    request = urllib.request.Request(  # noqa: S310 - the scheme was checked by base_url_check
        url, method=method, data=json.dumps(body).encode() if body is not None else None,
        headers={"Accept": "application/json", "Content-Type": "application/json", "User-Agent": "Docent"},
    )
    if api_key and api_key.isprintable():
        request.add_header("Authorization", f"Bearer {api_key}")
    try:
        with llm._opener.open(request, timeout=timeout) as response:
            raw = response.read(MAX_MODELS_BYTES)
    except urllib.error.HTTPError as exc:
        detail = llm._error_excerpt(exc, api_key or "")
        with contextlib.suppress(ValueError, KeyError, TypeError):
            detail = json.loads(detail)["error"]["message"]
        raise ModelSetupError(f"HTTP {exc.code}" + (f": {str(detail)[:DETAIL_CHARS]}" if detail else "")) from None
    except urllib.error.URLError as exc:
        reason = "timed out" if isinstance(exc.reason, TimeoutError) else str(exc.reason)
        raise ModelSetupError(f"could not connect ({reason})") from None
    except TimeoutError:
        raise ModelSetupError(f"no answer within {timeout:.0f} s") from None
    except (OSError, HTTPException, ValueError) as exc:
        raise ModelSetupError(f"the connection failed ({type(exc).__name__})") from None
    try:
        data = json.loads(raw)
    except ValueError:
        raise ModelSetupError("the server's answer is not JSON") from None
    if not isinstance(data, dict):
        raise ModelSetupError("the server's answer is not a JSON object")
    return data
