"""Single sign-on against a real OpenID Connect provider (oidc-provider-mock in its own process):
who gets in, as what, and what the audit trail and the lockout see."""

import pytest
from django.urls import reverse

from accounts.models import AuditAction, AuditEvent, Invite, User
from accounts.sso import NO_ACCOUNT
from settings_app.services import setting_set
from tests.factories import (
    DEFAULT_PASSWORD,
    AdminFactory,
    GroupRoleFactory,
    GroupWorkspaceFactory,
    InviteFactory,
    WorkspaceFactory,
    WorkspaceUserFactory,
)
from tests.oidc_server import (
    PROVIDER_ID,
    PROVIDER_LABEL,
    authorize,
    callback_path,
    oidc_provider,
    provider_settings,
    set_claims,
)
from workspaces.models import WorkspaceUser

pytestmark = pytest.mark.slow  # a provider process per test module


@pytest.fixture(scope="module")
def issuer():
    with oidc_provider() as url:
        yield url


@pytest.fixture(autouse=True)
def _provider(settings, issuer):
    settings.SOCIALACCOUNT_PROVIDERS = provider_settings(issuer)


def sso_sign_in(client, subject, *, invite=None, next_url=""):
    """Press the provider's button, sign in there as `subject`, come back; the last answer."""
    data = {"next": next_url, **({"invite": invite} if invite else {})}
    start = client.post(reverse("accounts:sso_start", args=[PROVIDER_ID]), data)
    assert start.status_code == 302 and start["Location"].startswith("http"), (start.status_code, start.get("Location"))
    return client.get(callback_path(authorize(start["Location"], subject)))


def signed_in_as(client):
    return client.get(reverse("accounts:account")).context["user"]


def test_the_sign_in_page_has_a_button_for_each_provider_and_keeps_the_password_form(client, db, user, issuer):
    answer = client.get(reverse("accounts:login"))
    assert f"form-action 'self' {issuer};" in answer["Content-Security-Policy"]  # the button's post goes there
    page = answer.content.decode()
    assert f"Sign in with {PROVIDER_LABEL}" in page
    assert reverse("accounts:sso_start", args=[PROVIDER_ID]) in page
    assert 'name="password"' in page


def test_an_unknown_identity_with_nothing_that_admits_it_gets_a_refusal_page_and_an_audit_row(client, db, issuer, user):
    set_claims(issuer, "stranger", email="stranger@elsewhere.org", email_verified=True, groups=["nobody"])
    answer = sso_sign_in(client, "stranger")
    assert answer.status_code == 403
    assert NO_ACCOUNT in answer.content.decode()
    assert not User.objects.filter(email="stranger@elsewhere.org").exists()
    assert AuditEvent.objects.filter(action=AuditAction.SSO_REFUSED, username="stranger@elsewhere.org").exists()
    assert AuditEvent.objects.filter(action=AuditAction.SIGN_IN_FAILED, username="stranger@elsewhere.org").exists()
    assert "_auth_user_id" not in client.session


def test_a_verified_address_in_an_allowed_domain_gets_a_member_account(client, db, issuer, user):
    setting_set(label="sso_allowed_email_domains", value="example.com, acme.test")
    set_claims(issuer, "s-1", email="Nora@Acme.test", email_verified=True, preferred_username="nora")
    answer = sso_sign_in(client, "s-1")
    assert answer.status_code == 302 and answer["Location"] == "/"
    nora = signed_in_as(client)
    assert (nora.username, nora.role, nora.has_usable_password()) == ("nora", "default", False)
    event = AuditEvent.objects.filter(action=AuditAction.SIGN_IN, user=nora).get()
    assert event.detail == f"oidc:{PROVIDER_ID}"


def test_an_unverified_address_does_not_count_for_the_domain(client, db, issuer, user):
    setting_set(label="sso_allowed_email_domains", value="acme.test")
    set_claims(issuer, "s-2", email="eve@acme.test", email_verified=False)
    assert sso_sign_in(client, "s-2").status_code == 403
    assert not User.objects.filter(email="eve@acme.test").exists()


def test_groups_give_roles_and_workspaces_at_every_sign_in_and_take_them_back(client, db, issuer, admin_user):
    research, legal, hand_added = (WorkspaceFactory(name=name) for name in ("Research", "Legal", "Handbook"))
    GroupRoleFactory(group="docent-managers", role="manager")
    GroupWorkspaceFactory(group="researchers", workspace=research, role="editor")
    GroupWorkspaceFactory(group="lawyers", workspace=legal, role="viewer")
    set_claims(issuer, "s-3", email="kim@acme.test", email_verified=True, preferred_username="kim",
               groups=["/staff/researchers", "docent-managers"])
    assert sso_sign_in(client, "s-3").status_code == 302
    kim = User.objects.get(username="kim")
    assert kim.role == "manager"
    assert dict(WorkspaceUser.objects.filter(user=kim).values_list("workspace__name", "role")) == {"Research": "editor"}
    WorkspaceUserFactory(user=kim, workspace=hand_added, role="owner")  # an admin adds Kim by hand

    client.post(reverse("accounts:logout"))
    set_claims(issuer, "s-3", email="kim@acme.test", email_verified=True, preferred_username="kim", groups=["lawyers"])
    assert sso_sign_in(client, "s-3").status_code == 302
    kim.refresh_from_db()
    assert kim.role == "default"
    assert dict(WorkspaceUser.objects.filter(user=kim).values_list("workspace__name", "role")) == {
        "Legal": "viewer", "Handbook": "owner",
    }
    assert AuditEvent.objects.filter(action=AuditAction.ROLE_CHANGED, user=kim, detail__contains="manager -> default")
    assert AuditEvent.objects.filter(action=AuditAction.MEMBER_REMOVED, user=kim, detail__startswith="Research")


def test_a_group_that_is_not_mapped_admits_nobody_and_a_mapped_one_does(client, db, issuer, admin_user):
    GroupWorkspaceFactory(group="researchers", workspace=WorkspaceFactory(name="Research"))
    set_claims(issuer, "s-4", email="out@acme.test", email_verified=True, groups=["marketing"])
    assert sso_sign_in(client, "s-4").status_code == 403
    set_claims(issuer, "s-5", email="in@acme.test", email_verified=True, groups=["researchers"])
    assert sso_sign_in(client, "s-5").status_code == 302
    assert [w.name for w in signed_in_as(client).workspaces.all()] == ["Research"]


def test_an_existing_account_is_linked_only_by_a_verified_address(client, db, issuer, user):
    user.email = "mia@acme.test"
    user.save()
    set_claims(issuer, "s-6", email="mia@acme.test", email_verified=False)
    assert sso_sign_in(client, "s-6").status_code == 403
    set_claims(issuer, "s-6", email="mia@acme.test", email_verified=True)
    assert sso_sign_in(client, "s-6").status_code == 302
    assert signed_in_as(client) == user
    assert AuditEvent.objects.filter(action=AuditAction.SSO_LINKED, user=user).exists()
    client.post(reverse("accounts:logout"))
    set_claims(issuer, "s-6", email="changed@else.where", email_verified=True)  # linked: the subject decides now
    assert sso_sign_in(client, "s-6").status_code == 302
    assert signed_in_as(client) == user


def test_a_suspended_user_stays_out_whatever_the_provider_says(client, db, issuer, user):
    user.email, user.suspended = "mia@acme.test", True
    user.save()
    set_claims(issuer, "s-7", email="mia@acme.test", email_verified=True)
    answer = sso_sign_in(client, "s-7")
    assert answer.status_code == 403
    assert "suspended" in answer.content.decode()
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action=AuditAction.SIGN_IN_FAILED, username="mia").exists()


def test_an_invite_opened_first_gives_an_account_with_its_workspaces_and_is_used(client, db, issuer, admin_user):
    research = WorkspaceFactory(name="Research")
    invite = InviteFactory(created_by=admin_user, workspaces=[research], role="editor")
    set_claims(issuer, "s-8", email="ola@partner.org", email_verified=False, preferred_username="ola")
    assert sso_sign_in(client, "s-8", invite=invite.code).status_code == 302
    ola = signed_in_as(client)
    assert ola.username == "ola" and ola.invite == invite
    assert WorkspaceUser.objects.get(user=ola).role == "editor"
    invite.refresh_from_db()
    assert invite.use_count == 1 and invite.status == "claimed"


def test_the_invite_page_offers_the_provider_and_a_used_invite_is_refused_there(client, db, admin_user):
    invite = InviteFactory(created_by=admin_user)
    page = client.get(invite.get_absolute_url()).content.decode()
    assert f"Sign up with {PROVIDER_LABEL}" in page and invite.code in page
    Invite.objects.filter(pk=invite.pk).update(status="disabled")
    answer = client.post(reverse("accounts:sso_start", args=[PROVIDER_ID]), {"invite": invite.code})
    assert answer.status_code == 410


def test_a_locked_out_username_cannot_sign_in_through_the_provider_either(client, db, issuer, user, settings):
    user.email = "mia@acme.test"
    user.save()
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        client.post(reverse("accounts:login"), {"username": "mia", "password": "wrong"})
    set_claims(issuer, "s-9", email="mia@acme.test", email_verified=True)
    answer = sso_sign_in(client, "s-9")
    assert answer.status_code == 429
    assert "_auth_user_id" not in client.session


def test_with_single_sign_on_required_only_the_break_glass_admin_uses_a_password(client, db, user):
    admin = AdminFactory(username="root")
    setting_set(label="sso_required", value=True)
    setting_set(label="sso_break_glass_username", value="root")
    refused = client.post(reverse("accounts:login"), {"username": "mia", "password": DEFAULT_PASSWORD})
    assert "single sign-on" in refused.content.decode()
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action=AuditAction.SIGN_IN_FAILED, username="mia").exists()
    assert client.post(reverse("accounts:login"), {"username": "root", "password": DEFAULT_PASSWORD}).status_code == 302
    assert signed_in_as(client) == admin


def test_a_provider_that_does_not_answer_gives_a_clear_page_not_an_error(client, db, settings, user):
    settings.SOCIALACCOUNT_PROVIDERS = provider_settings("http://127.0.0.1:9")
    answer = client.post(reverse("accounts:sso_start", args=[PROVIDER_ID]))
    assert answer.status_code == 502
    assert "did not answer" in answer.content.decode()


def test_an_unknown_provider_is_not_found_and_the_button_only_posts(client, db, user):
    assert client.post(reverse("accounts:sso_start", args=["nope"])).status_code == 404
    assert client.get(reverse("accounts:sso_start", args=[PROVIDER_ID])).status_code == 405
    assert client.post(reverse("accounts:sso_start", args=[PROVIDER_ID]), {"invite": "x/../y"}).status_code == 404


def test_a_group_that_makes_admins_is_only_mapped_by_an_admin(db, manager_user, admin_user):
    from django.core.exceptions import PermissionDenied

    from accounts.group_sync import group_role_save
    from accounts.models import GroupRole

    with pytest.raises(PermissionDenied):
        group_role_save(actor=manager_user, mapping=GroupRole(group="x", role="admin"))
    group_role_save(actor=admin_user, mapping=GroupRole(group="x", role="admin"))
    assert AuditEvent.objects.filter(action=AuditAction.GROUP_MAPPING_CHANGED, user=admin_user).exists()


def test_allauths_pages_that_can_be_reached_are_the_sites_own(client, db, user):
    confirm = client.get(f"/oidc/{PROVIDER_ID}/login/")
    assert confirm.status_code == 200 and f"Continue to {PROVIDER_LABEL}" in confirm.content.decode()
    assert "base.html" in [template.name for template in confirm.templates]
    forged = client.get(f"/oidc/{PROVIDER_ID}/login/callback/", {"code": "made-up", "state": "made-up"})
    assert forged.status_code < 500
    assert "Sign-in with your organisation failed" in forged.content.decode()
    assert "_auth_user_id" not in client.session
    for unmounted in ("/accounts/signup/", "/accounts/password/reset/", "/accounts/2fa/"):
        assert client.get(unmounted).status_code == 404


def test_an_address_alone_never_takes_over_an_admins_account(client, db, issuer, admin_user):
    admin_user.email = "ada@acme.test"
    admin_user.save()
    set_claims(issuer, "s-admin", email="ada@acme.test", email_verified=True)
    answer = sso_sign_in(client, "s-admin")
    assert answer.status_code == 403 and "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action=AuditAction.SSO_REFUSED, username=admin_user.username).exists()
