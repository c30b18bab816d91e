"""What turns a staff member's bad input or lost race into a message instead of a 500,
for every model admin (the admin site mixes this in when a model is registered).

- A refusal raised while saving or deleting (a service's ValidationError, PermissionDenied
  or DocentError, e.g. when another admin's change landed between the form's check and the
  save) rolls the whole change back and comes back as an error message on the same page.
- Filters that cannot be turned into SQL (a year past 9999, say) are a bad lookup: Django's
  own "?e=1" answer, not a 500.
- Action POSTs whose selected ids are not ids answer with a message.
- A changelist accepts only the filters its page declares (`DeclaredLookupsOnlyMixin`): a
  free lookup such as `?prompt__startswith=` would let whoever counts rows read a private chat,
  a password hash or an invite code one character at a time.
"""

from django.contrib import messages
from django.contrib.admin import helpers
from django.contrib.admin.filters import SimpleListFilter
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.utils import get_fields_from_path
from django.contrib.admin.views.main import ChangeList
from django.contrib.admin.widgets import url_params_from_lookup_dict
from django.core.exceptions import EmptyResultSet, FullResultSet, PermissionDenied, ValidationError
from django.db import models
from django.http import HttpResponseRedirect

from accounts.base import DocentError

REFUSED_EXCEPTIONS = (ValidationError, PermissionDenied, DocentError)
BAD_SELECTION = "The selection was not understood (not a list of ids). Select the rows again."


class AdminRefusal(Exception):
    """A service refused a save or delete; carries the message for the page."""


def refusal_message(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    if isinstance(error, DocentError):
        return error.message
    return str(error) or "You may not do that."


class CheckedChangeList(ChangeList):
    def get_queryset(self, request, exclude_parameters=None):
        queryset = super().get_queryset(request, exclude_parameters)
        try:  # compile the query now: some filter values only fail when turned into SQL
            queryset.query.get_compiler(using=queryset.db).as_sql()
        except (EmptyResultSet, FullResultSet):
            pass
        except (ValueError, OverflowError, TypeError) as error:
            raise IncorrectLookupParameters(error) from error
        return queryset


class DeclaredLookupsOnlyMixin:
    """The query string may hold only what the page's own filters, date drill-down and the
    "select these rows" links write; anything else is Django's 400 (DisallowedModelAdminLookup)."""

    def lookup_allowed(self, lookup, value, request=None):
        return lookup in self.declared_lookups(request) or (lookup, value) in self._popup_lookups()

    def declared_lookups(self, request) -> set[str]:
        pk = self.model._meta.pk.name
        declared = {f"{pk}__exact", f"{pk}__in", "pk__in"}
        if self.date_hierarchy:
            declared |= {f"{self.date_hierarchy}__{part}" for part in ("year", "month", "day")}
        list_filter = self.get_list_filter(request) if request is not None else self.list_filter
        for item in list_filter:
            if isinstance(item, type) and issubclass(item, SimpleListFilter):
                declared.add(item.parameter_name)
                continue
            path = item[0] if isinstance(item, list | tuple) else item
            field = get_fields_from_path(self.model, path)[-1]
            declared |= {f"{path}__exact", f"{path}__isnull", f"{path}__isempty"}
            if field.is_relation:
                declared.add(f"{path}__{field.target_field.name}__exact")
            elif isinstance(field, models.DateField):  # DateTimeField too: "past 7 days" and the like
                declared |= {f"{path}__gte", f"{path}__lt"}
        return declared

    def _popup_lookups(self) -> set:
        """The `limit_choices_to` lookups of raw-id popups (Django allows these too)."""
        allowed = set()
        for fk_lookup in self.model._meta.related_fkey_lookups:
            allowed |= set(url_params_from_lookup_dict(fk_lookup() if callable(fk_lookup) else fk_lookup).items())
        return allowed


class RefusalsAsMessagesMixin:
    def get_changelist(self, request, **kwargs):
        return CheckedChangeList

    def save_model(self, request, obj, form, change):
        try:
            return super().save_model(request, obj, form, change)
        except REFUSED_EXCEPTIONS as error:
            raise AdminRefusal(refusal_message(error)) from error

    def save_related(self, request, form, formsets, change):
        try:
            return super().save_related(request, form, formsets, change)
        except REFUSED_EXCEPTIONS as error:
            raise AdminRefusal(refusal_message(error)) from error

    def delete_model(self, request, obj):
        try:
            return super().delete_model(request, obj)
        except REFUSED_EXCEPTIONS as error:
            raise AdminRefusal(refusal_message(error)) from error

    def delete_queryset(self, request, queryset):
        try:
            return super().delete_queryset(request, queryset)
        except REFUSED_EXCEPTIONS as error:
            raise AdminRefusal(refusal_message(error)) from error

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except AdminRefusal as refusal:  # the change (with its inlines) was rolled back
            self.message_user(request, str(refusal), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def delete_view(self, request, object_id, extra_context=None):
        try:
            return super().delete_view(request, object_id, extra_context)
        except AdminRefusal as refusal:
            self.message_user(request, str(refusal), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def response_action(self, request, queryset):
        selected = request.POST.getlist(helpers.ACTION_CHECKBOX_NAME)
        pk_field = self.model._meta.pk
        try:
            for value in selected:
                pk_field.to_python(value)
        except ValidationError:
            self.message_user(request, BAD_SELECTION, messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())
        try:
            return super().response_action(request, queryset)
        except AdminRefusal as refusal:
            self.message_user(request, str(refusal), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())
