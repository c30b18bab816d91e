"""`{% load urls_once %}` gives what Django's `{% url %}` gives, reversing each address once."""

from unittest import mock

import pytest
from django.template import Context, Template
from django.urls import NoReverseMatch

from workspaces.templatetags import urls_once

CASES = [
    "{% url 'home' %}",
    "{% url 'workspaces:detail' slug %}",
    "{% url 'workspaces:chat_thread' slug 12 %}",
    "{% url 'workspaces:chat_thread' slug=slug thread=12 %}",
    "{% url 'workspaces:chat_export' slug 'csv' %}?x=1",
    "{% url 'workspaces:detail' odd %}",
    "{% url 'workspaces:detail' slug as there %}[{{ there }}]",
    "{% url 'no-such-view' as nowhere %}[{{ nowhere }}]",
    "{% url name slug %}",
]


@pytest.mark.parametrize("source", CASES)
def test_the_tag_renders_what_djangos_renders(source):
    context = {"slug": "research", "odd": "research-2", "name": "workspaces:search"}
    ours = Template("{% load urls_once %}" + source).render(Context(context))
    assert ours == Template(source).render(Context(context))


def test_a_view_that_does_not_reverse_fails_as_with_djangos_tag():
    with pytest.raises(NoReverseMatch):
        Template("{% load urls_once %}{% url 'no-such-view' %}").render(Context({}))


def test_each_address_is_reversed_once():
    urls_once.reversed_once.cache_clear()
    template = Template("{% load urls_once %}{% url 'workspaces:detail' 'research' %}{% url 'home' %}")
    with mock.patch.object(urls_once, "reverse", wraps=urls_once.reverse) as reverse:
        first = template.render(Context({}))
        assert template.render(Context({})) == first and reverse.call_count == 2


def test_true_and_one_are_different_arguments():
    from django.template import Context, Template

    template = Template("{% load urls_once %}{% url 'workspaces:detail' slug %}")
    assert Template("{% load urls_once %}{% url 'workspaces:detail' 1 %}").render(Context()) == "/w/1/"
    assert template.render(Context({"slug": True})) == "/w/True/"
