"""The chat page's turns as HTML, each rendered by `_turn.html` alone (as streamed answers are) and
kept in the cache under everything it shows: a page of 20 answered turns renders only the turns that
changed since the asker last saw them (Markdown, citations and their links, forms)."""

import hashlib

from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import get_current_timezone_name
from django.utils.translation import get_language

from accounts.release import release_fingerprint
from workspaces.chats.answer import StoredAnswer
from workspaces.chats.choices import ChatState

TEMPLATE = "workspaces/chats/_turn.html"
TIMEOUT = 60 * 60  # seconds; a key never outlives what it names (this release included), the timeout frees memory


def page_key(request, workspace) -> str | None:
    """What every turn of a page shares in its cache key (`turn_key`): where and to whom it is shown.
    None before the visitor has a CSRF secret (the turn's forms carry a token made from it)."""
    secret = request.META.get("CSRF_COOKIE")
    if not secret:
        return None
    return repr([workspace.slug, request.GET.urlencode(), get_language(), get_current_timezone_name(), secret,
                 release_fingerprint()])


def turn_key(page: str | None, turn, live_doc_ids) -> str | None:
    """The cache key of a turn's HTML: what `_turn.html` shows of it and around it (`page`: `page_key`).
    None for an answer still being written (its state changes by the second) and without a page key."""
    chat = turn.shown
    if page is None or chat.shown_state == ChatState.ANSWERING:
        return None
    shown = {
        "chat": [chat.pk, chat.thread_id, chat.prompt, chat.shown_state, chat.response, chat.rating, chat.feedback,
                 chat.created_at.isoformat()],
        "versions": [version.pk for version in turn.versions],
        "live": sorted(StoredAnswer.cited_doc_ids_in(chat.response) & live_doc_ids),
        "where": page,
    }
    # repr, not json.dumps: the same for the same content (JSON-like values, read back in their stored
    # order), at a third of the cost; content stored in another order only misses the cache.
    return f"chat-turn:{hashlib.sha256(repr(shown).encode()).hexdigest()[:40]}"


def turns_html(request, workspace, turns, live_doc_ids) -> list[SafeString]:
    """Each of `turns` as `_turn.html` renders it, from the cache when unchanged (one cache round trip)."""
    page = page_key(request, workspace)
    keys = [turn_key(page, turn, live_doc_ids) for turn in turns]
    cached = cache.get_many([key for key in keys if key])
    html, missed = [], {}
    for turn, key in zip(turns, keys, strict=True):
        if key in cached:
            html.append(mark_safe(cached[key]))  # noqa: S308 - _turn.html's own output, stored as rendered
            continue
        rendered = render_to_string(
            TEMPLATE, {"chat": turn.shown, "turn": turn, "workspace": workspace, "live_doc_ids": live_doc_ids},
            request=request,
        )
        html.append(mark_safe(rendered))  # noqa: S308 - the template's autoescaped output
        if key:
            missed[key] = rendered
    if missed:
        cache.set_many(missed, TIMEOUT)
    return html
