"""Addresses filled in from a pattern reversed once (workspaces.addresses) are the ones `reverse` gives."""

import uuid

import pytest
from django.urls import reverse, set_script_prefix
from django.utils import translation

from workspaces.addresses import filled_address


@pytest.mark.parametrize("prefix", ["/", "/docent/"])
@pytest.mark.parametrize("slug", ["handbook", "team-918273645", "s1ug0", "s1ug1-5eed"])
def test_a_filled_address_is_the_one_reverse_gives(prefix, slug):
    doc_id = uuid.uuid4()
    cases = [
        ("workspaces:passage", {"slug": slug, "doc_id": doc_id, "position": 918273646}),
        ("workspaces:chat_thread", {"slug": slug, "thread": 7}),
        ("workspaces:chat_new", {"slug": slug}),
        ("workspaces:chat_source", {"slug": slug, "pk": 918273645, "number": 918273646}),
    ]
    set_script_prefix(prefix)
    try:
        with translation.override("de"):
            for view_name, kwargs in cases:
                expected = reverse(view_name, kwargs=kwargs)
                assert expected.startswith(prefix)
                assert filled_address(view_name, **kwargs) == expected
    finally:
        set_script_prefix("/")
