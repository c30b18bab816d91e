import uuid

import factory
from factory.django import DjangoModelFactory

from accounts.api_keys import SCOPE_ASK, SCOPE_READ, SCOPE_WRITE, api_key_create
from accounts.models import Invite, User
from accounts.roles import Role
from settings_app.models import SystemSetting
from workspaces.models import (
    ChatThread,
    DocumentPassage,
    Workspace,
    WorkspaceChat,
    WorkspaceDocument,
    WorkspaceSource,
    WorkspaceUser,
)

DEFAULT_PASSWORD = "correct-horse-battery-staple"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    role = Role.DEFAULT
    suspended = False

    @factory.post_generation
    def password(self, create, extracted, **kwargs):
        self.set_password(extracted or DEFAULT_PASSWORD)
        if create:
            self.save(update_fields=["password"])


class AdminFactory(UserFactory):
    username = factory.Sequence(lambda n: f"admin{n}")
    role = Role.ADMIN


class ManagerFactory(UserFactory):
    username = factory.Sequence(lambda n: f"manager{n}")
    role = Role.MANAGER


class WorkspaceFactory(DjangoModelFactory):
    class Meta:
        model = Workspace

    name = factory.Sequence(lambda n: f"Workspace {n}")


class WorkspaceUserFactory(DjangoModelFactory):
    class Meta:
        model = WorkspaceUser

    user = factory.SubFactory(UserFactory)
    workspace = factory.SubFactory(WorkspaceFactory)
    role = "viewer"


class InviteFactory(DjangoModelFactory):
    class Meta:
        model = Invite
        skip_postgeneration_save = True

    created_by = factory.SubFactory(AdminFactory)

    @factory.post_generation
    def workspaces(self, create, extracted, **kwargs):
        if create and extracted:
            self.workspaces.set(extracted)


class SystemSettingFactory(DjangoModelFactory):
    class Meta:
        model = SystemSetting
        django_get_or_create = ("label",)

    label = "custom_app_name"
    value = None


class WorkspaceDocumentFactory(DjangoModelFactory):
    class Meta:
        model = WorkspaceDocument

    workspace = factory.SubFactory(WorkspaceFactory)
    doc_id = factory.LazyFunction(uuid.uuid4)
    filename = factory.Faker("file_name", extension="txt")
    docpath = factory.LazyAttribute(lambda doc: f"documents/{doc.workspace.pk}/{doc.doc_id}.txt")
    metadata = factory.LazyAttribute(lambda doc: {"title": doc.filename, "size": 10, "content_type": "text/plain"})
    status = "ready"  # a document made with its passages, as if ingestion had run


class DocumentPassageFactory(DjangoModelFactory):
    class Meta:
        model = DocumentPassage

    document = factory.SubFactory(WorkspaceDocumentFactory)
    position = factory.Sequence(lambda n: n + 1)
    text = factory.Faker("paragraph", nb_sentences=6)


class WorkspaceChatFactory(DjangoModelFactory):
    class Meta:
        model = WorkspaceChat

    workspace = factory.SubFactory(WorkspaceFactory)
    user = factory.SubFactory(UserFactory)
    prompt = factory.Faker("sentence")
    response = factory.LazyAttribute(lambda chat: {"text": "An answer.", "sources": [], "provider": "retrieval"})
    include = True
    private = factory.LazyAttribute(lambda chat: chat.workspace.private_chats)
    # The member's latest conversation in the workspace (a new one for their first chat),
    # as chats stored before threads were migrated.
    thread = factory.LazyAttribute(lambda chat: ChatThread.objects.filter(
        workspace=chat.workspace, user=chat.user).order_by("-id").first() or ChatThreadFactory(
        workspace=chat.workspace, user=chat.user, title=chat.prompt[:80]))


class ChatThreadFactory(DjangoModelFactory):
    class Meta:
        model = ChatThread

    workspace = factory.SubFactory(WorkspaceFactory)
    user = factory.SubFactory(UserFactory)
    title = factory.Faker("sentence")


class WorkspaceSourceFactory(DjangoModelFactory):
    """A source as stored (no location check, no sync): use sources.services.source_create for those."""

    class Meta:
        model = WorkspaceSource

    workspace = factory.SubFactory(WorkspaceFactory)
    name = factory.Sequence(lambda n: f"Source {n}")
    kind = "page"
    location = factory.Sequence(lambda n: f"https://intranet.example/page-{n}.html")


def make_api_key(user, *, scopes=(SCOPE_READ, SCOPE_ASK, SCOPE_WRITE), workspaces=None, name="test key", **fields):
    """A key for `user` made as the account page makes it: (ApiKey, its one-time secret)."""
    return api_key_create(user=user, name=name, scopes=scopes, workspaces=workspaces, **fields)


class GroupRoleFactory(DjangoModelFactory):
    class Meta:
        model = "accounts.GroupRole"

    group = factory.Sequence(lambda n: f"group-{n}")
    role = "manager"


class GroupWorkspaceFactory(DjangoModelFactory):
    class Meta:
        model = "workspaces.GroupWorkspace"

    group = factory.Sequence(lambda n: f"group-{n}")
    workspace = factory.SubFactory(WorkspaceFactory)
    role = "viewer"


def document_with_passages(workspace, filename: str, texts: list[str]):
    """A ready document of `workspace` whose passages are `texts`, in order: (document, passages)."""
    document = WorkspaceDocumentFactory(workspace=workspace, filename=filename)
    return document, [
        DocumentPassageFactory(document=document, position=position, text=text)
        for position, text in enumerate(texts, start=1)
    ]
