"""The search form: a query and the filters that steer it, read from the page's GET parameters.

Values outside the choices offered (a document of another workspace, an unknown kind,
someone who uploaded nothing here) and dates that are not dates are form errors shown
beside the field; the page answers 400 and searches nothing.
"""

import uuid

from django import forms
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from workspaces.documents.kinds import KINDS
from workspaces.retrieval.filters import SearchFilters
from workspaces.retrieval.query import MAX_QUERY_CHARS
from workspaces.retrieval.widgets import DateInput, Select

DATES_REVERSED = gettext_noop("The “from” date must not be after the “to” date.")
UNKNOWN_CHOICE = gettext_noop("Choose one of the listed values; “%(value)s” is not one of them.")
NOT_A_DATE = gettext_noop("Enter a date as YYYY-MM-DD.")


class SearchForm(forms.Form):
    q = forms.CharField(required=False, strip=True)
    document = forms.ChoiceField(
        required=False, label=_("Document"), error_messages={"invalid_choice": _(UNKNOWN_CHOICE)}
    )
    kind = forms.ChoiceField(required=False, label=_("Kind"), error_messages={"invalid_choice": _(UNKNOWN_CHOICE)})
    uploader = forms.ChoiceField(
        required=False, label=_("Uploaded by"), error_messages={"invalid_choice": _(UNKNOWN_CHOICE)}
    )
    since = forms.DateField(
        required=False, label=_("Uploaded from"), widget=DateInput(format="%Y-%m-%d"), input_formats=["%Y-%m-%d"],
        error_messages={"invalid": _(NOT_A_DATE)},
    )
    until = forms.DateField(
        required=False, label=_("Uploaded to"), widget=DateInput(format="%Y-%m-%d"), input_formats=["%Y-%m-%d"],
        error_messages={"invalid": _(NOT_A_DATE)},
    )

    def __init__(self, data, *, documents=None, uploaders=()):
        """`documents`: (doc_id, filename) pairs to choose from (None: no document filter, as in
        the search across workspaces); `uploaders`: (user id, username) pairs."""
        super().__init__(data)
        for name in ("document", "kind", "uploader"):  # before the choices: they go to the widget
            self.fields[name].widget = Select()
        if documents is None:
            del self.fields["document"]
        else:
            documents = ((str(doc_id), name) for doc_id, name in documents)
            self.fields["document"].choices = [("", gettext("Any document")), *documents]
        kinds = ((ext, kind.display_label) for ext, kind in KINDS.items())
        self.fields["kind"].choices = [("", gettext("Any kind")), *kinds]
        self.fields["uploader"].choices = [("", gettext("Anyone")), *((str(pk), name) for pk, name in uploaders)]

    def clean_q(self):
        return self.cleaned_data["q"][:MAX_QUERY_CHARS]

    def clean(self):
        cleaned = super().clean()
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and since > until:
            self.add_error("until", gettext(DATES_REVERSED))
        return cleaned

    @property
    def filter_fields(self):
        return [self[name] for name in ("document", "kind", "uploader", "since", "until") if name in self.fields]

    def filters(self) -> SearchFilters:
        data = self.cleaned_data
        return SearchFilters(
            document=uuid.UUID(data["document"]) if data.get("document") else None,
            kind=data.get("kind") or "",
            uploader=int(data["uploader"]) if data.get("uploader") else None,
            since=data.get("since"),
            until=data.get("until"),
        )
