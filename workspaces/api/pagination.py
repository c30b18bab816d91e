"""Cursor pagination: a page of rows after an opaque cursor (the last row's sort key), so a
page costs one query however deep it is, and rows added meanwhile never shift a page."""

import base64
import binascii
import json

from django.db.models import Q

from accounts.base import DocentError

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 100
BAD_CURSOR = "That cursor is not one this API gave: start again without it."


def _encode(values: list) -> str:
    return base64.urlsafe_b64encode(json.dumps(values, separators=(",", ":")).encode()).decode().rstrip("=")


def _decode(cursor: str, count: int) -> list:
    try:
        values = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise DocentError(BAD_CURSOR) from None
    if not isinstance(values, list) or len(values) != count or type(values[-1]) is not int:
        raise DocentError(BAD_CURSOR)
    if not 0 < values[-1] < 2**63:
        raise DocentError(BAD_CURSOR)
    if count == 2 and (not isinstance(values[0], str) or "\x00" in values[0]):
        raise DocentError(BAD_CURSOR)
    return values


def page_by_id(queryset, *, cursor: str | None, limit: int):
    """Newest first (descending id). Returns (rows, next cursor or None)."""
    if cursor:
        queryset = queryset.filter(pk__lt=_decode(cursor, 1)[0])
    rows = list(queryset.order_by("-pk")[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, _encode([rows[-1].pk]) if more else None


def page_by_name(queryset, *, cursor: str | None, limit: int, field: str = "name"):
    """Ascending `field`, ties by id. Returns (rows, next cursor or None)."""
    if cursor:
        name, pk = _decode(cursor, 2)
        queryset = queryset.filter(Q(**{f"{field}__gt": name}) | Q(**{field: name, "pk__gt": pk}))
    rows = list(queryset.order_by(field, "pk")[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, _encode([getattr(rows[-1], field), rows[-1].pk]) if more else None
