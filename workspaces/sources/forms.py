"""The form of a source (add and change): it only translates; the rules are sources.services."""

from django import forms

from workspaces.sources.models import WorkspaceSource


class SourceForm(forms.ModelForm):
    class Meta:
        model = WorkspaceSource
        fields = ("name", "kind", "location", "on_removal", "max_pages", "max_depth", "interval_minutes")
        labels = {
            "kind": "What to watch",
            "location": "Folder path or web address",
            "on_removal": "When a file or page disappears",
            "max_pages": "Most pages per sync",
            "max_depth": "Link depth",
            "interval_minutes": "Sync every (minutes)",
        }
        widgets = {
            "kind": forms.RadioSelect,
            "on_removal": forms.RadioSelect,
            "location": forms.TextInput(attrs={"autocapitalize": "none", "spellcheck": "false"}),
        }

    def _post_clean(self):
        """Leave model validation to the service (it reports by field)."""


class SourceDeleteForm(forms.Form):
    delete_documents = forms.BooleanField(
        required=False, label="Also delete the documents this source brought in",
        help_text="Unticked, they stay in the workspace as ordinary documents.",
    )
