from django import forms
from django.template.defaultfilters import filesizeformat

from workspaces.documents.kinds import ACCEPTED_EXTENSIONS
from workspaces.documents.services import MB

MAX_FILES_PER_UPLOAD = 20
NO_FILES = "Choose at least one file to upload."
TOO_MANY_FILES = f"Upload at most {MAX_FILES_PER_UPLOAD} files at once."
UPLOAD_TOO_LARGE = "These files add up to {size}; one upload may carry at most {limit} MB. Upload fewer at a time."


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
    documents = MultipleFileField(label="Files", allow_empty_file=True, error_messages={"required": NO_FILES})

    def __init__(self, *args, limit_bytes: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.limit_bytes = limit_bytes

    def clean_documents(self):
        files = self.cleaned_data["documents"]
        if len(files) > MAX_FILES_PER_UPLOAD:
            raise forms.ValidationError(TOO_MANY_FILES)
        total = sum(uploaded.size for uploaded in files)
        if len(files) > 1 and total > self.limit_bytes:
            raise forms.ValidationError(
                UPLOAD_TOO_LARGE.format(size=filesizeformat(total), limit=self.limit_bytes // MB)
            )
        return files
