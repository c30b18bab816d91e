"""The search filters' widgets are written in Python for speed: they must render what Django's
templates render, markup in a file name escaped the same way."""

import datetime as dt

import pytest
from django import forms
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from workspaces.retrieval.widgets import DateInput, Select

CHOICES = [("", "Any document"), ("a1", 'notes <b>"bold"</b> & more.txt'), ("b2", "plan.pdf")]
GROUPED = [("", "Anyone"), ("Team", [("3", "noor"), ("4", "<script>")]), ("5", "sam")]
# Labels that are already safe, or translated lazily, or not text, as Django's escaping meets them.
SPECIAL = [("", gettext_lazy("Any kind")), ("s", mark_safe("<i>kept</i>")), (6, 6), ("'q'", "it's & <that>")]


@pytest.mark.parametrize("choices", [CHOICES, GROUPED, SPECIAL])
@pytest.mark.parametrize("value", [None, "", "b2", "4", "not offered"])
@pytest.mark.parametrize(
    "attrs",
    [
        None,
        {"id": "id_document"},
        {"id": "id_x", "aria-invalid": "true", "aria-describedby": "id_x-error"},
        {"id": "id_y", "disabled": True, "hidden": False},
    ],
)
def test_the_python_select_renders_what_djangos_template_renders(choices, value, attrs):
    assert Select(choices=choices).render("document", value, attrs) == forms.Select(choices=choices).render(
        "document", value, attrs
    )


@pytest.mark.parametrize("value", [None, "", dt.date(2026, 3, 9), '2026-"13"-<1>'])
@pytest.mark.parametrize("attrs", [None, {"id": "id_since"}, {"id": "id_until", "aria-invalid": "true"}])
def test_the_python_date_input_renders_what_djangos_template_renders(value, attrs):
    class TemplateDateInput(forms.DateInput):
        input_type = "date"

    expected = TemplateDateInput(format="%Y-%m-%d").render("since", value, attrs)
    assert DateInput(format="%Y-%m-%d").render("since", value, attrs) == expected


def test_the_search_form_uses_them_with_its_choices():
    from workspaces.retrieval.forms import SearchForm

    form = SearchForm({"document": "x"}, documents=[("d1", "plan.pdf")], uploaders=[(7, "noor")])
    assert not form.is_valid()
    rendered = str(form["document"])
    assert '<option value="d1">plan.pdf</option>' in rendered and 'aria-invalid="true"' in rendered
    assert '<option value="7">noor</option>' in str(form["uploader"])
