"""The form of a source (add and change): it only translates; the rules are sources.services."""

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from workspaces.sources.folders import allowed_roots
from workspaces.sources.models import SourceKind, WorkspaceSource


class SourceForm(forms.ModelForm):
    class Meta:
        model = WorkspaceSource
        fields = ("name", "kind", "location", "on_removal", "max_pages", "max_depth", "interval_minutes")
        labels = {
            "name": _("Name"),
            "kind": _("What to watch"),
            "location": _("Folder path or web address"),
            "on_removal": _("When a file or page disappears"),
            "max_pages": _("Most pages per sync"),
            "max_depth": _("Link depth"),
            "interval_minutes": _("Sync every (minutes)"),
        }
        widgets = {
            "kind": forms.RadioSelect,
            "on_removal": forms.RadioSelect,
            "location": forms.TextInput(attrs={"autocapitalize": "none", "spellcheck": "false"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        roots = allowed_roots()
        # Without allowed roots a folder can never be accepted: it is not offered (an existing folder
        # source keeps its choice, so its form still shows what it is).
        offered = [(value, label) for value, label in SourceKind.choices
                   if roots or value != SourceKind.FOLDER or self.instance.kind == SourceKind.FOLDER]
        self.fields["kind"].choices = offered
        self.fields["kind"].initial = self.fields["kind"].initial or (SourceKind.FOLDER if roots else SourceKind.SITE)
        where = ", ".join(str(root) for root in roots)
        self.fields["location"].help_text = (
            gettext("A folder's full path inside %(roots)s, or an http(s) address.") % {"roots": where} if roots
            else gettext("An http(s) address (this server allows no folders).")
        )

    def _post_clean(self):
        """Leave model validation to the service (it reports by field)."""


class SourceDeleteForm(forms.Form):
    delete_documents = forms.BooleanField(
        required=False, label=_("Also delete the documents this source brought in"),
        help_text=_("Unticked, they stay in the workspace as ordinary documents."),
    )
