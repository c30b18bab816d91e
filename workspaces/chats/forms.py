from django import forms


class AskForm(forms.Form):
    """The question; Django's CharField refuses NUL characters, the service checks the rest."""

    prompt = forms.CharField(required=False)
