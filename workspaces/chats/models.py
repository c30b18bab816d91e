from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone

from accounts.base import TimestampedModel
from workspaces.chats.answer import StoredAnswer
from workspaces.chats.choices import ChatRating, ChatState

STALE_GRACE_SECONDS = 120
TITLE_CHARS = 80


class ChatThreadQuerySet(models.QuerySet):
    def listed_for(self, *, user, workspace):
        """A member's own visible conversations in a workspace, the latest asked in first."""
        return self.filter(user=user, workspace=workspace, include=True).order_by("-last_asked_at", "-id")


class ChatThread(TimestampedModel):
    """One conversation: its chats are answered with the earlier ones of the same thread as
    history. Deleting it hides it (and its chats) from the member; the admin chat log keeps them."""

    workspace = models.ForeignKey("workspaces.Workspace", on_delete=models.CASCADE, related_name="threads")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="chat_threads",
    )
    title = models.CharField(max_length=TITLE_CHARS, help_text="The first question, unless the member renamed it.")
    include = models.BooleanField(default=True, help_text="False once the member deleted the conversation.")
    last_asked_at = models.DateTimeField(default=timezone.now, help_text="When its latest question was asked.")

    objects = ChatThreadQuerySet.as_manager()

    class Meta:
        app_label = "workspaces"
        db_table = "workspace_chat_threads"
        verbose_name = "conversation"
        ordering = ("-last_asked_at", "-id")
        indexes = [models.Index(fields=("workspace", "user", "include", "-last_asked_at"), name="threads_listed")]

    def __str__(self):
        # Never the title: it is the first question, private in a private workspace.
        return f"Conversation {self.pk}"


class WorkspaceChatQuerySet(models.QuerySet):
    def history_for(self, *, user, workspace):
        """A member's visible chats in a workspace: always filtered by both."""
        return self.filter(user=user, workspace=workspace, include=True)


class WorkspaceChat(TimestampedModel):
    workspace = models.ForeignKey(
        "workspaces.Workspace", on_delete=models.CASCADE, db_column="workspaceId", related_name="chats"
    )
    prompt = models.TextField()
    response = models.JSONField(default=dict, help_text="The answer text, its sources, provider, model, timings.")
    include = models.BooleanField(default=True, help_text="False once the member cleared the chat.")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, db_column="user_id",
        related_name="chats",
    )
    # Copies of the stored answer's state and token usage, as columns so the admin can filter and sum them.
    # Decided when the chat is asked, from the workspace's `private_chats`, and never changed:
    # switching the setting off later does not reveal what was asked while it was on.
    private = models.BooleanField(
        default=False, help_text="Asked while the workspace's chats were private: its text is the asker's alone."
    )
    state = models.CharField(max_length=16, choices=ChatState.choices, default=ChatState.COMPLETE)
    prompt_tokens = models.PositiveIntegerField(null=True, blank=True)
    completion_tokens = models.PositiveIntegerField(null=True, blank=True)
    # What Insights counts, set when the answer ends: no passage was relevant enough (the answer
    # cites no document), the best passage's relevance (0–1), and how long the answer took.
    refused = models.BooleanField(
        default=False, help_text="No passage was relevant enough: the answer cites no document."
    )
    relevance = models.FloatField(
        null=True, blank=True, help_text="The best passage's relevance (0–1); empty: none found, or asked earlier."
    )
    answer_ms = models.PositiveIntegerField(
        null=True, blank=True, db_column="answerMs", help_text="Milliseconds from question to complete answer."
    )
    thread = models.ForeignKey(
        ChatThread, null=True, blank=True, on_delete=models.SET_NULL, related_name="chats",
        help_text="The conversation; empty for a question asked through the OpenAI-compatible API.",
    )
    version_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="versions",
        help_text="The first answer of this turn, when this one regenerated it or answered its edited question.",
    )
    rating = models.SmallIntegerField(choices=ChatRating.choices, null=True, blank=True)
    feedback = models.TextField(blank=True, help_text="The member's comment on the answer.")
    # The answer's Markdown rendered and sanitised once, when the answer ended (workspaces.chats.rendering),
    # so a page shows it without rendering it again; the citation chips are added as it is shown.
    text_html = models.TextField(
        null=True, blank=True, editable=False,
        help_text="The answer's text as sanitised HTML, stored when the answer ended; empty while it is written.",
    )

    objects = WorkspaceChatQuerySet.as_manager()

    class Meta:
        app_label = "workspaces"
        db_table = "workspace_chats"
        verbose_name = "chat"
        ordering = ("-created_at", "-id")
        indexes = [
            models.Index(fields=("workspace", "user", "include", "id"), name="chats_history"),
            models.Index(fields=("workspace", "created_at"), name="chats_ws_created"),
            models.Index(fields=("-created_at", "-id"), name="chats_created"),  # the admin chat log's order
        ]

    def __str__(self):
        # Never the prompt: titles, breadcrumbs and checkbox labels of the chat log use this,
        # and a private workspace's text must not show there.
        return f"Chat {self.pk}"

    @property
    def shown_state(self) -> str:
        """The state to show: an answer still `answering` long after any stream could have
        ended was cut off (a worker stopped mid-answer) and shows as failed."""
        if self.state == ChatState.ANSWERING and self.created_at:
            limit = timedelta(seconds=settings.LLM_STREAM_MAX_SECONDS + STALE_GRACE_SECONDS)
            if timezone.now() - self.created_at > limit:
                return ChatState.FAILED
        return self.state

    @property
    def answer(self) -> StoredAnswer:
        """The stored answer, typed (see workspaces.chats.answer): read once per `response` object
        (a chat page asked for it about five times an answer), again when `response` is replaced.
        Replace `response` with a new dict to change an answer, never change it in place."""
        read = self.__dict__.get("_answer_read")
        if read is None or read[0] is not self.response:
            read = self.__dict__["_answer_read"] = (self.response, StoredAnswer.from_json(self.response))
        return read[1]
