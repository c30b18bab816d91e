"""schemathesis fuzzes /api/v1/ from its own OpenAPI schema, in process (WSGI), on every run:
no 5xx, and every response matches the schema (status, content type, body)."""

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings

from tests.factories import (
    DocumentPassageFactory,
    UserFactory,
    WorkspaceChatFactory,
    WorkspaceDocumentFactory,
    WorkspaceFactory,
    WorkspaceUserFactory,
    make_api_key,
)

# A request the schema allows may still be refused for what it means (an unknown cursor, a
# duplicate or empty file, a question of blanks): a 400 problem there is the right answer.
# And every request here carries the key (so "no Authorization header" cannot be tried: the
# 401s are tests of their own), and unknown query parameters are ignored, as most APIs do:
# schemathesis would count both as "a schema-violating request accepted".
NOT_CHECKED = [schemathesis.checks.positive_data_acceptance, schemathesis.checks.negative_data_rejection]

# The schema is read once, when the tests are collected (its page touches no database).
schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", get_wsgi_application())


@pytest.fixture(autouse=True)
def _connection_kept_across_requests(db):
    """The real WSGI application, minus the end-of-request close of the database connection
    (the test's transaction must live on, as Django's test client arranges for itself)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def owner_secret(db):
    """An owner of a workspace with a document, a chat and every scope: most requests reach something."""
    owner = UserFactory(username="fuzz-owner")
    workspace = WorkspaceFactory(name="Fuzz")
    WorkspaceUserFactory(user=owner, workspace=workspace, role="owner")
    document = WorkspaceDocumentFactory(workspace=workspace, filename="fuzz.txt")
    DocumentPassageFactory(document=document, text="Fuzzing finds what examples miss.")
    WorkspaceChatFactory(workspace=workspace, user=owner)
    return make_api_key(owner, scopes=["read", "ask", "write", "manage"])[1]


@schema.parametrize()
@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
def test_the_api_never_fails_and_answers_as_its_schema_says(case, owner_secret, settings):
    settings.CHAT_RATE_LIMIT_PER_MINUTE = 0
    case.call_and_validate(headers={"Authorization": f"Bearer {owner_secret}"}, excluded_checks=NOT_CHECKED)
