import pytest

from settings_app.services import setting_set
from tests.factories import DocumentPassageFactory, WorkspaceDocumentFactory
from tests.llm_server import fake_llm_server  # noqa: F401  (the llm_server fixture)
from tests.workspaces.chats.asking import ANSWER_SENTENCE


@pytest.fixture
def manual(workspace):
    document = WorkspaceDocumentFactory(workspace=workspace, filename="manual.pdf")
    DocumentPassageFactory(
        document=document, position=1, text="Unpack the device and charge it fully before the first use."
    )
    DocumentPassageFactory(
        document=document,
        position=2,
        text=f"Keep the receipt. {ANSWER_SENTENCE} Accidental drops are not covered.",
    )
    return document


@pytest.fixture
def configured(llm_server, workspace, settings):
    """The workspace answers through the fake OpenAI-compatible server, from one passage about the warranty."""
    setting_set(label="chat_provider", value="openai-compatible")
    setting_set(label="llm_base_url", value=llm_server.base_url)
    setting_set(label="llm_model", value="local-model")
    settings.LLM_API_KEY = "sk-test-secret-key"
    settings.LLM_TIMEOUT_SECONDS = 1.0
    document = WorkspaceDocumentFactory(workspace=workspace, filename="manual.pdf")
    DocumentPassageFactory(document=document, position=4, text="The warranty covers water damage for three years.")
    return llm_server
