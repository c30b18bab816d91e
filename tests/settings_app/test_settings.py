import pytest

from settings_app.models import SystemSetting
from settings_app.registry import REGISTRY
from settings_app.services import setting_get, setting_set

pytestmark = pytest.mark.django_db


def row(label):
    return SystemSetting.objects.get(label=label)


def test_every_registry_label_has_a_row_and_its_default():
    assert set(SystemSetting.objects.values_list("label", flat=True)) >= set(REGISTRY)
    assert setting_get("custom_app_name") == "Docent"
    assert setting_get("max_upload_mb") == 25
    assert setting_get("members_can_upload") is False


def test_admin_edits_an_int_setting_with_a_number_field_and_range_check(admin_client):
    url = f"/admin/settings_app/systemsetting/{row('max_upload_mb').pk}/change/"
    assert 'type="number"' in admin_client.get(url).content.decode()
    response = admin_client.post(url, {"value": "9999"})
    assert response.status_code == 200
    assert "less than or equal to 512" in response.content.decode()
    assert setting_get("max_upload_mb") == 25
    assert admin_client.post(url, {"value": "40"}).status_code == 302
    assert setting_get("max_upload_mb") == 40


def test_admin_edits_a_bool_setting_with_a_checkbox(admin_client):
    url = f"/admin/settings_app/systemsetting/{row('members_can_upload').pk}/change/"
    assert 'type="checkbox"' in admin_client.get(url).content.decode()
    admin_client.post(url, {"value": "on"})
    assert setting_get("members_can_upload") is True


def test_footer_links_must_be_http_links(admin_client):
    url = f"/admin/settings_app/systemsetting/{row('footer_links').pk}/change/"
    response = admin_client.post(url, {"value": "Evil | javascript:alert(1)"})
    assert "is not an http or https address" in response.content.decode()
    admin_client.post(url, {"value": "Handbook | https://example.com/handbook"})
    assert setting_get("footer_links") == [{"title": "Handbook", "url": "https://example.com/handbook"}]
    assert 'href="https://example.com/handbook"' in admin_client.get("/").content.decode()


def test_unknown_labels_cannot_be_added(admin_client):
    response = admin_client.post("/admin/settings_app/systemsetting/add/", {"label": "evil", "value": "1"})
    assert response.status_code == 403
    assert not SystemSetting.objects.filter(label="evil").exists()


def test_managers_cannot_read_or_change_system_settings(manager_client):
    url = f"/admin/settings_app/systemsetting/{row('members_can_upload').pk}/change/"
    assert manager_client.get(url).status_code == 403
    assert manager_client.post(url, {"value": "on"}).status_code == 403
    assert setting_get("members_can_upload") is False


def test_app_name_setting_brands_the_site_and_the_admin(admin_client):
    setting_set(label="custom_app_name", value="Acme Docs")
    assert "Acme Docs" in admin_client.get("/").content.decode()
    assert "Acme Docs admin" in admin_client.get("/admin/").content.decode()


def test_setting_set_rejects_unknown_labels_and_bad_values():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        setting_set(label="nope", value="1")
    with pytest.raises(ValidationError):
        setting_set(label="support_email", value="not-an-email")


def test_every_setting_has_a_name_a_purpose_and_help_in_plain_words():
    from settings_app.registry import REGISTRY, Purpose

    for spec in REGISTRY.values():
        assert spec.title and spec.title != spec.label, spec.label
        assert spec.purpose in Purpose.ORDER and spec.purpose != Purpose.OTHER, spec.label
        assert len(spec.help_text.split()) >= 6 and "idf" not in spec.help_text, spec.label


def test_the_admin_lists_system_settings_by_purpose_and_filters_by_one(admin_client, django_assert_max_num_queries):
    with django_assert_max_num_queries(12):
        page = admin_client.get("/admin/settings_app/systemsetting/").content.decode()
    names = ["Site name", "Questions per person per day", "Largest upload (MB)", "Model server address",
             "Search by meaning"]
    assert [page.index(name) for name in names] == sorted(page.index(name) for name in names)
    answers = admin_client.get("/admin/settings_app/systemsetting/", {"purpose": "Documents"}).content.decode()
    assert "Words per passage" in answers and "Site name" not in answers
