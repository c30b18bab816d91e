from django import forms
from django.utils.translation import gettext_lazy as _

from workspaces.documents.kinds import ACCEPTED_EXTENSIONS
from workspaces.documents.refusals import DocumentRefused
from workspaces.documents.services import NO_FILES, upload_batch_check


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Django's documented pattern for one field holding several files; cleans to a list."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ",".join(f".{e}" for e in ACCEPTED_EXTENSIONS)}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        clean_one = super().clean
        if isinstance(data, list | tuple) and data:
            return [clean_one(item, initial) for item in data]
        # No file at all: cleaning None raises "required" (a bare empty list would slip through).
        cleaned = clean_one(data or None, initial)
        return [cleaned] if cleaned else []


class DocumentUploadForm(forms.Form):
    # Empty files pass here: document_ingest refuses them with a message naming the file.
    documents = MultipleFileField(label=_("Files"), allow_empty_file=True, error_messages={"required": NO_FILES})

    def clean_documents(self):
        files = self.cleaned_data["documents"]
        try:
            upload_batch_check(files=files)
        except DocumentRefused as refusal:
            raise forms.ValidationError(refusal.message) from None
        return files
