import os

import pytest
from django.core.cache import cache

from tests.factories import AdminFactory, ManagerFactory, UserFactory, WorkspaceFactory, WorkspaceUserFactory
from workspaces.chats import page_queries
from workspaces.documents.sandbox import reader_stop


@pytest.fixture(autouse=True)
def _isolated(settings, tmp_path):
    """Fresh cache, temporary media and search index folders, an empty model cache that never
    downloads, plain static storage (no collectstatic manifest) and a fresh extraction child (one
    forked before a test's monkeypatches would not see them) for every test."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.SEARCH_INDEX_DIR = str(tmp_path / "search-index")
    settings.EMBEDDING_MODEL_DIR = ""  # tests that need the model set it (tests/models)
    settings.EMBEDDING_MODEL_CACHE = str(tmp_path / "models")
    settings.EMBEDDING_MODEL_URL = ""  # no test downloads the model from the internet
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    cache.clear()
    page_queries._live_doc_ids.cache_clear()  # kept per process under keys a rolled-back test may repeat
    yield
    cache.clear()
    reader_stop()


@pytest.fixture
def workspace(db):
    return WorkspaceFactory(name="Research")


@pytest.fixture
def user(db, workspace):
    """A member (role default) of `workspace`."""
    member = UserFactory(username="mia")
    WorkspaceUserFactory(user=member, workspace=workspace)
    return member


@pytest.fixture
def owner(db, workspace):
    """An owner (role default) of `workspace`."""
    person = UserFactory(username="olga")
    WorkspaceUserFactory(user=person, workspace=workspace, role="owner")
    return person


@pytest.fixture
def other_user(db):
    """A member of another workspace only."""
    outsider = UserFactory(username="otto")
    WorkspaceUserFactory(user=outsider, workspace=WorkspaceFactory(name="Elsewhere"))
    return outsider


@pytest.fixture
def admin_user(db):
    return AdminFactory(username="ada")


@pytest.fixture
def manager_user(db):
    return ManagerFactory(username="max")


@pytest.fixture
def member_client(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def owner_client(client, owner):
    client.force_login(owner)
    return client


@pytest.fixture
def manager_client(client, manager_user):
    client.force_login(manager_user)
    return client


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


# The two-host test starts servers on PostgreSQL and Redis: only `make test-twohosts` collects it.
collect_ignore = [] if os.environ.get("DOCENT_TWOHOSTS") else ["twohosts"]
