"""API keys (issue 24, must-have 1): hash only, shown once, revoked at once, expiry, the user's
rights at the moment of use, the cap and the audit trail."""

import hashlib
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.utils import timezone

from accounts import api_keys
from accounts.api_keys import (
    SCOPE_ASK,
    SCOPE_MANAGE,
    SCOPE_READ,
    SCOPE_WRITE,
    ApiKey,
    api_key_authenticate,
    api_key_create,
    api_key_revoke,
)
from accounts.base import DocentError, ErrorCode
from accounts.models import AuditAction, AuditEvent
from accounts.services import user_delete, user_set_suspended
from tests.factories import WorkspaceFactory, WorkspaceUserFactory, make_api_key
from workspaces import permissions
from workspaces.models import WorkspaceUser
from workspaces.services import membership_remove, membership_set_role

pytestmark = pytest.mark.django_db


def refused(secret, ip="203.0.113.5"):
    with pytest.raises(DocentError) as refusal:
        api_key_authenticate(secret=secret, ip=ip)
    return refusal.value.code == ErrorCode.UNAUTHORIZED


def test_the_secret_is_prefixed_high_entropy_and_stored_only_as_its_sha256(user):
    key, secret = make_api_key(user)
    assert secret.startswith(f"dct_{key.public_id}_") and len(secret) == len("dct_") + 12 + 1 + 43
    assert key.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM api_keys")
        stored = " ".join(str(value) for row in cursor.fetchall() for value in row)
    assert secret not in stored and secret.rsplit("_", 1)[1] not in stored
    assert api_key_authenticate(secret=secret, ip=None).pk == key.pk


def test_a_wrong_secret_with_a_real_public_id_is_refused(user):
    key, secret = make_api_key(user)
    forged = secret[:-4] + ("AAAA" if not secret.endswith("AAAA") else "BBBB")
    assert refused(forged)
    assert refused("dct_nothing") and refused("") and refused(secret.upper())


def test_a_revoked_key_is_refused_at_the_next_request(user):
    key, secret = make_api_key(user)
    api_key_authenticate(secret=secret, ip=None)
    api_key_revoke(key=key, actor=user)
    assert refused(secret)
    assert AuditEvent.objects.filter(action=AuditAction.API_KEY_REVOKED, user=user).count() == 1
    api_key_revoke(key=key, actor=user)
    assert AuditEvent.objects.filter(action=AuditAction.API_KEY_REVOKED, user=user).count() == 1


def test_an_expired_key_is_refused(user):
    key, secret = make_api_key(user, expires_at=timezone.now() + timedelta(minutes=5))
    api_key_authenticate(secret=secret, ip=None)
    ApiKey.objects.filter(pk=key.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert refused(secret)


def test_an_expiry_in_the_past_is_refused_at_creation(user):
    with pytest.raises(DocentError, match=api_keys.EXPIRY_PAST):
        make_api_key(user, expires_at=timezone.now() - timedelta(days=1))


def test_suspending_the_user_stops_their_keys_and_restoring_brings_them_back(user, admin_user):
    key, secret = make_api_key(user)
    user_set_suspended(actor=admin_user, user=user, suspended=True)
    assert refused(secret)
    user_set_suspended(actor=admin_user, user=user, suspended=False)
    assert api_key_authenticate(secret=secret, ip=None).pk == key.pk


def test_deleting_the_user_deletes_their_keys(user, admin_user):
    key, secret = make_api_key(user)
    user_delete(actor=admin_user, user=user)
    assert not ApiKey.objects.filter(pk=key.pk).exists()
    assert refused(secret)


def test_a_key_never_grants_more_than_its_user_has_now(user, workspace, admin_user):
    membership = WorkspaceUser.objects.get(user=user, workspace=workspace)
    membership_set_role(actor=admin_user, membership=membership, role="editor")
    key, secret = make_api_key(user, scopes=[SCOPE_READ, SCOPE_WRITE])
    assert permissions.may_with_key(api_key_authenticate(secret=secret, ip=None), permissions.UPLOAD, workspace)
    membership_set_role(actor=admin_user, membership=membership, role="viewer")
    key = api_key_authenticate(secret=secret, ip=None)
    assert not permissions.may_with_key(key, permissions.UPLOAD, workspace)
    assert permissions.may_with_key(key, permissions.SEE, workspace)
    membership_remove(actor=admin_user, membership=membership)
    key = api_key_authenticate(secret=secret, ip=None)
    assert not permissions.may_with_key(key, permissions.SEE, workspace)
    assert not permissions.workspaces_for_key(key, permissions.SEE, workspace.__class__.objects.all()).exists()


def test_scopes_limit_what_the_user_could_do(user, workspace):
    read_only, _ = make_api_key(user, scopes=[SCOPE_READ])
    assert permissions.may_with_key(read_only, permissions.SEARCH, workspace)
    assert not permissions.may_with_key(read_only, permissions.ASK, workspace)
    ask_only, _ = make_api_key(user, scopes=[SCOPE_ASK])
    assert permissions.may_with_key(ask_only, permissions.ASK, workspace)
    assert not permissions.may_with_key(ask_only, permissions.SEE, workspace)


def test_an_admins_manage_key_manages_but_a_read_key_does_not(admin_user, workspace):
    manage, _ = make_api_key(admin_user, scopes=[SCOPE_MANAGE])
    read, _ = make_api_key(admin_user, scopes=[SCOPE_READ])
    assert permissions.may_with_key(manage, permissions.MANAGE_MEMBERS, workspace)
    assert not permissions.may_with_key(read, permissions.MANAGE_MEMBERS, workspace)


def test_a_key_limited_to_workspaces_reaches_only_those(user, workspace):
    second = WorkspaceFactory(name="Second")
    WorkspaceUserFactory(user=user, workspace=second)
    key, _ = make_api_key(user, workspaces=[second])
    assert permissions.may_with_key(key, permissions.SEE, second)
    assert not permissions.may_with_key(key, permissions.SEE, workspace)
    listed = permissions.workspaces_for_key(key, permissions.SEE, workspace.__class__.objects.all())
    assert list(listed) == [second]


def test_a_member_cannot_limit_a_key_to_a_workspace_they_are_not_in(user):
    with pytest.raises(DocentError, match=api_keys.WORKSPACE_NOT_VISIBLE):
        make_api_key(user, workspaces=[WorkspaceFactory(name="Not mine")])


def test_unknown_or_no_scopes_are_refused(user):
    with pytest.raises(DocentError, match="Unknown scope"):
        make_api_key(user, scopes=["admin"])
    with pytest.raises(DocentError, match=api_keys.NO_SCOPES):
        make_api_key(user, scopes=[])


def test_a_user_may_hold_only_so_many_active_keys(user):
    keys = [make_api_key(user, name=f"key {n}")[0] for n in range(api_keys.MAX_KEYS_PER_USER)]
    with pytest.raises(DocentError, match="revoke one") as refusal:
        make_api_key(user)
    assert refusal.value.code == ErrorCode.CONFLICT
    api_key_revoke(key=keys[0], actor=user)
    make_api_key(user)


def test_a_member_cannot_make_or_revoke_keys_for_someone_else(user, other_user):
    key, _ = make_api_key(other_user)
    with pytest.raises(PermissionDenied):
        api_key_revoke(key=key, actor=user)
    with pytest.raises(PermissionDenied):
        api_key_create(user=other_user, name="mine now", scopes=[SCOPE_READ], actor=user)


def test_creation_revocation_and_first_use_from_a_new_address_are_audited(user):
    key, secret = api_key_create(user=user, name="bot", scopes=[SCOPE_READ], actor=user)
    created = AuditEvent.objects.get(action=AuditAction.API_KEY_CREATED)
    assert created.user == user and key.prefix in created.detail and secret not in created.detail
    for ip in ("203.0.113.5", "203.0.113.5", "198.51.100.7", "203.0.113.5"):
        api_key_authenticate(secret=secret, ip=ip)
    new_addresses = AuditEvent.objects.filter(action=AuditAction.API_KEY_NEW_ADDRESS).order_by("id")
    assert [event.ip_address for event in new_addresses] == ["203.0.113.5", "198.51.100.7"]
    key.refresh_from_db()
    assert key.last_used_ip == "203.0.113.5" and key.last_used_at is not None


def test_last_use_is_written_at_most_once_a_minute_from_one_address(user, django_assert_num_queries):
    _, secret = make_api_key(user)
    api_key_authenticate(secret=secret, ip="203.0.113.5")
    with django_assert_num_queries(1):  # the key and its user: no write
        api_key_authenticate(secret=secret, ip="203.0.113.5")


def test_a_service_account_cannot_sign_in_but_its_admin_made_key_works(client, admin_user, workspace):
    from accounts.signin import SERVICE_ACCOUNT_MESSAGE
    from tests.factories import DEFAULT_PASSWORD, UserFactory

    bot = UserFactory(username="ingest-bot", is_service_account=True)
    WorkspaceUserFactory(user=bot, workspace=workspace, role="editor")
    response = client.post("/login/", {"username": "ingest-bot", "password": DEFAULT_PASSWORD})
    assert SERVICE_ACCOUNT_MESSAGE in response.content.decode() and "_auth_user_id" not in client.session
    with pytest.raises(PermissionDenied):
        api_key_create(user=bot, name="self-made", scopes=[SCOPE_READ], actor=bot)
    key, secret = api_key_create(user=bot, name="uploader", scopes=[SCOPE_WRITE], actor=admin_user)
    assert key.created_by == admin_user
    assert permissions.may_with_key(api_key_authenticate(secret=secret, ip=None), permissions.UPLOAD, workspace)


def test_a_service_account_given_a_staff_role_has_its_keys_refused(admin_user):
    from tests.factories import UserFactory

    bot = UserFactory(username="bot", is_service_account=True)
    _, secret = api_key_create(user=bot, name="bot", scopes=[SCOPE_READ], actor=admin_user)
    bot.role = "admin"
    bot.save(update_fields=["role"])
    assert refused(secret)
