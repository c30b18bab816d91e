"""Addresses a page gives by the dozen (its passages, its conversations), filled in from their URL
pattern reversed once per process (issue 30).

`reverse` costs tens of microseconds; a page of search results or citations links dozens of
passages. The pattern is reversed once per URLconf, script prefix and language with a marker in
each argument's place, and each address is its text around the markers with the values put in:
the same string `reverse` gives, for the slug, integer and UUID arguments these views take (the
values their converters accept, which `reverse` writes as they are)."""

import functools
import uuid

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.translation import get_language


def _marker(kind, number: int):
    """The `number`th argument's stand-in: text no slug, number or UUID of a real address is made of."""
    if kind is int:
        return 918273645 + number
    if kind is uuid.UUID:
        return uuid.UUID(int=0x5EED + number)
    return f"s1ug{number}"


def filled_address(view_name: str, **kwargs) -> str:
    """`reverse(view_name, kwargs=kwargs)` for slug (str), int and UUID values."""
    kinds = tuple((name, next(kind for kind in (int, uuid.UUID, str) if isinstance(value, kind)))
                  for name, value in kwargs.items())
    head, parts = _parts(view_name, kinds, get_urlconf() or settings.ROOT_URLCONF, get_script_prefix(), get_language())
    return head + "".join(f"{kwargs[name]}{after}" for name, after in parts)


@functools.lru_cache(maxsize=64)
def _parts(view_name, kinds, urlconf, script_prefix, language) -> tuple[str, tuple[tuple[str, str], ...]]:
    """The address's text before its first argument, then (argument, text after it) in their order.
    (The script prefix and language are in the key because `reverse` reads them itself.)"""
    markers = {name: str(_marker(kind, number)) for number, (name, kind) in enumerate(kinds)}
    url = reverse(view_name, urlconf=urlconf, kwargs=markers)
    placed = sorted(markers, key=lambda name: url.index(markers[name]))
    head, rest = url.split(markers[placed[0]], 1)
    parts = []
    for name, following in zip(placed, [*placed[1:], None], strict=True):
        after, rest = rest.split(markers[following], 1) if following else (rest, "")
        parts.append((name, after))
    return head, tuple(parts)
