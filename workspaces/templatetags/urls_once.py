"""`{% load urls_once %}`: Django's `{% url %}`, each address reversed once per process (issue 30).

A page of Docent reverses twenty-odd addresses (the layout, the tabs, the forms), the same ones on
every view. An address depends only on the URLconf, the script prefix, the language, the current
application namespace, the view name and its arguments: with all of those the same, `reverse` gives the
same text, so it is kept (for arguments that are plain text or numbers; anything else is reversed
each time, as by Django's tag). Same output, same errors (a failed reversal is not kept)."""

import functools

from django import template
from django.conf import settings
from django.core.signals import setting_changed
from django.template.defaulttags import URLNode
from django.template.defaulttags import url as django_url
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.html import conditional_escape
from django.utils.translation import get_language

register = template.Library()


@functools.lru_cache(maxsize=4096)
def reversed_once(urlconf, script_prefix, language, current_app, view_name, args, kwargs) -> str:
    """`reverse(...)`; the prefix and language are in the key because reverse reads them itself."""
    return reverse(view_name, urlconf=urlconf, args=args, kwargs=dict(kwargs), current_app=current_app)


def _forget(*, setting, **kwargs):
    if setting == "ROOT_URLCONF":
        reversed_once.cache_clear()


setting_changed.connect(_forget, dispatch_uid="urls_once.forget")


class URLOnceNode(URLNode):
    def render(self, context):
        args = tuple(arg.resolve(context) for arg in self.args)
        kwargs = {name: value.resolve(context) for name, value in self.kwargs.items()}
        view_name = self.view_name.resolve(context)
        try:
            current_app = context.request.current_app
        except AttributeError:
            try:
                current_app = context.request.resolver_match.namespace
            except AttributeError:
                current_app = None
        url = ""
        try:
            plain = all(isinstance(value, str) or type(value) is int for value in (*args, *kwargs.values()))  # not True
            if isinstance(view_name, str) and plain:
                url = reversed_once(get_urlconf() or settings.ROOT_URLCONF, get_script_prefix(), get_language(),
                                    current_app, view_name, args, tuple(sorted(kwargs.items())))
            else:
                url = reverse(view_name, args=args, kwargs=kwargs, current_app=current_app)
        except NoReverseMatch:
            if self.asvar is None:
                raise
        if self.asvar:
            context[self.asvar] = url
            return ""
        return conditional_escape(url) if context.autoescape else url


@register.tag
def url(parser, token):
    """`{% url 'name' arg … [as var] %}` as Django's, reversed once per process."""
    node = django_url(parser, token)
    return URLOnceNode(node.view_name, node.args, node.kwargs, node.asvar)
