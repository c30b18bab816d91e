import dataclasses
import hashlib
import json
import threading
from collections.abc import Callable
from typing import Any

from django.core.cache import cache
from django.core.exceptions import ValidationError

from accounts.audit import audit_record
from accounts.models import AuditAction
from settings_app.models import SystemSetting
from settings_app.registry import REGISTRY

UNKNOWN_LABEL = "“%(label)s” is not a setting Docent knows."
# A value longer than this (a system prompt, say) is audited as "changed", not quoted.
AUDIT_VALUE_CHARS = 80


def _registry_fingerprint() -> str:
    """A digest of every setting's label, type, default and bounds: the shape of the cached values.
    The same in every process of one release (text, not reprs that may hold addresses)."""
    shape = [(label, type(spec).__name__, dataclasses.asdict(spec)) for label, spec in sorted(REGISTRY.items())]
    return hashlib.sha256(json.dumps(shape, default=str, sort_keys=True).encode()).hexdigest()[:16]


# Another release (a `git pull`, or a rolling deploy sharing Redis) caches its own registry's
# values under its own key, so neither reads a dict built for labels it does not know.
CACHE_KEY = f"settings_app:values:{_registry_fingerprint()}"


# Within one request, the values read first are kept (a page asks for settings several times: the
# layout's branding, its own limits); outside a request (tasks, commands) every call reads the cache.
_request = threading.local()


def settings_request_started(**kwargs) -> None:
    _request.values = None
    _request.active = True


def settings_request_finished(**kwargs) -> None:
    _request.values = None
    _request.active = False


def settings_all() -> dict[str, Any]:
    """Every registry value, typed; one query per cache lifetime, shared by all workers, and one
    cache read per request. A cached value of any other shape is read again from the database, never trusted."""
    if getattr(_request, "active", False) and _request.values is not None:
        return _request.values
    values = cache.get(CACHE_KEY)
    if not isinstance(values, dict) or values.keys() != REGISTRY.keys():
        stored = dict(SystemSetting.objects.values_list("label", "value"))
        values = {label: spec.to_python(stored.get(label)) for label, spec in REGISTRY.items()}
        cache.set(CACHE_KEY, values, timeout=300)
    if getattr(_request, "active", False):
        _request.values = values
    return values


def setting_get(label: str) -> Any:
    if label not in REGISTRY:
        raise KeyError(label)
    return settings_all()[label]


def setting_set(*, label: str, value: Any, actor=None, request=None) -> SystemSetting:
    """Validate `value` with the label's form field and store it; a change is audited (from → to)."""
    spec = REGISTRY.get(label)
    if spec is None:
        raise ValidationError(UNKNOWN_LABEL, params={"label": label})
    cleaned = spec.form_field().clean(value)
    before = SystemSetting.objects.filter(label=label).values_list("value", flat=True).first()
    setting, _ = SystemSetting.objects.update_or_create(label=label, defaults={"value": spec.to_text(cleaned)})
    settings_invalidate()
    if (before or None) != (setting.value or None):
        audit_record(AuditAction.SETTING_CHANGED, request=request, user=actor,
                     username=getattr(actor, "username", "") or "system",
                     detail=f"{label}: {_audited(before)} → {_audited(setting.value)}")
    return setting


def _audited(stored: str | None) -> str:
    if not stored:
        return "(default)"
    return stored if len(stored) <= AUDIT_VALUE_CHARS and "\n" not in stored else f"({len(stored)} characters)"


# Checks that apps above this one add (in their AppConfig.ready) for the labels they own: each is
# called as check(label=…, value=…) before the system settings admin saves a value, and raises a
# DocentError (or ValidationError) to refuse it. settings_app itself imports no app above it.
SETTING_CHECKS: list[Callable[..., None]] = []


def setting_check_register(check: Callable[..., None]) -> None:
    if check not in SETTING_CHECKS:
        SETTING_CHECKS.append(check)


def setting_check(*, label: str, value: Any) -> None:
    for check in SETTING_CHECKS:
        check(label=label, value=value)


def settings_invalidate() -> None:
    _request.values = None
    cache.delete(CACHE_KEY)


def settings_create_missing() -> None:
    """One row per registry label, so the admin lists every setting there is."""
    existing = set(SystemSetting.objects.values_list("label", flat=True))
    SystemSetting.objects.bulk_create(
        [SystemSetting(label=label) for label in REGISTRY if label not in existing], ignore_conflicts=True
    )
    settings_invalidate()
