"""Every admin changelist accepts only the filters it declares (issue 22, must-have 1).

The attack: `?prompt__startswith=<guess>` answers 2 rows or 0, so counting rows recovers a
private chat's text a character at a time; the same with a password hash, an invite code, a
reset token's hash or an audit row's detail. Django's default lets any lookup on a model's own
fields through; Docent's admin site refuses every lookup no filter of the page declares."""

import pytest
from django.contrib import admin
from django.db import models
from django.urls import reverse

from tests.factories import InviteFactory, WorkspaceChatFactory, WorkspaceFactory

TEXT_FIELDS = (models.CharField, models.TextField, models.JSONField)


def _free_text_lookups():
    """(model, lookup) for every text field of every registered model that no filter declares."""
    for model, model_admin in admin.site._registry.items():
        declared = {item if isinstance(item, str) else item[0] for item in model_admin.list_filter
                    if isinstance(item, str | tuple | list)}
        for field in model._meta.concrete_fields:
            if isinstance(field, TEXT_FIELDS) and field.name not in declared:
                yield model, f"{field.name}__startswith" if not isinstance(field, models.JSONField) else field.name


FREE_LOOKUPS = sorted(_free_text_lookups(), key=lambda pair: (pair[0]._meta.label, pair[1]))


def _changelist(model) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


@pytest.mark.parametrize(
    ("model", "lookup"), FREE_LOOKUPS, ids=[f"{model._meta.label}.{lookup}" for model, lookup in FREE_LOOKUPS]
)
def test_no_changelist_accepts_a_lookup_on_a_text_field_it_does_not_declare(admin_client, model, lookup):
    response = admin_client.get(_changelist(model), {lookup: "a"})
    assert response.status_code == 400


def test_the_free_lookups_checked_cover_the_secrets_named_in_the_attack():
    checked = {(model._meta.model_name, lookup.split("__")[0]) for model, lookup in FREE_LOOKUPS}
    assert {("workspacechat", "prompt"), ("workspacechat", "response"), ("user", "password"),
            ("invite", "code"), ("auditevent", "detail")} <= checked


@pytest.mark.django_db
@pytest.mark.parametrize("client_fixture", ["admin_client", "manager_client"])
def test_counting_rows_by_prompt_prefix_recovers_nothing_of_a_private_chat(request, client_fixture):
    client = request.getfixturevalue(client_fixture)
    workspace = WorkspaceFactory(private_chats=True)
    WorkspaceChatFactory.create_batch(2, workspace=workspace, prompt="salary of the CEO", private=True)
    url = _changelist(WorkspaceChatFactory._meta.model)
    for guess in ("s", "x"):
        for lookup in ("prompt__startswith", "response__icontains", "prompt__gte"):
            assert client.get(url, {"workspace__id__exact": workspace.pk, lookup: guess}).status_code == 400


@pytest.mark.django_db
def test_declared_filters_and_the_date_drill_down_still_work(admin_client):
    chat = WorkspaceChatFactory(prompt="where is the office?")
    url = _changelist(chat._meta.model)
    on = {"workspace__id__exact": chat.workspace_id, "state__exact": chat.state, "include__exact": 1,
          "created_at__year": chat.created_at.year, "created_at__month": chat.created_at.month}
    response = admin_client.get(url, on)
    assert response.status_code == 200
    assert response.context["cl"].result_count == 1


@pytest.mark.django_db
def test_the_invite_list_after_issuing_still_opens_by_ids(admin_client):
    invites = InviteFactory.create_batch(2)
    response = admin_client.get(_changelist(invites[0]._meta.model),
                                {"id__in": ",".join(str(invite.pk) for invite in invites)})
    assert response.status_code == 200
    assert response.context["cl"].result_count == 2


@pytest.mark.django_db
def test_searching_invites_needs_the_whole_code(admin_client):
    invite = InviteFactory()
    url = _changelist(invite._meta.model)
    assert admin_client.get(url, {"q": invite.code[:6]}).context["cl"].result_count == 0
    assert admin_client.get(url, {"q": invite.code}).context["cl"].result_count == 1
