import openai as openai_package
import pytest

from accounts.api_keys import SCOPE_ASK
from settings_app.services import setting_set
from tests.factories import DocumentPassageFactory, WorkspaceDocumentFactory, make_api_key
from tests.llm_server import fake_llm_server  # noqa: F401  (the llm_server fixture)

ANSWER_SENTENCE = "The warranty covers water damage for three years after purchase."
PROMPT = "How long does the warranty cover water damage?"


def key_for(user, *, scopes=(SCOPE_ASK,), workspaces=None) -> str:
    """A new key's secret, as the account page shows it once."""
    return make_api_key(user, scopes=scopes, workspaces=workspaces)[1]


def client_for(live_server, secret: str) -> openai_package.OpenAI:
    """The official client, pointed at the running app; no retries, so each call is one request."""
    return openai_package.OpenAI(base_url=f"{live_server.url}/api/openai/v1", api_key=secret, max_retries=0)


@pytest.fixture
def manual(workspace):
    document = WorkspaceDocumentFactory(workspace=workspace, filename="manual.pdf")
    DocumentPassageFactory(document=document, position=1, text="Unpack the device and charge it fully first.",
                           page_start=1, page_end=1, heading_path="Getting started")
    DocumentPassageFactory(document=document, position=2, page_start=4, page_end=5, heading_path="Manual › Warranty",
                           text=f"Keep the receipt. {ANSWER_SENTENCE} Accidental drops are not covered.")
    return document


@pytest.fixture
def model_server(llm_server, workspace, settings):
    """The workspace answers through the fake OpenAI-compatible server, from a passage on page 2."""
    setting_set(label="chat_provider", value="openai-compatible")
    setting_set(label="llm_base_url", value=llm_server.base_url)
    setting_set(label="llm_model", value="local-model")
    settings.LLM_TIMEOUT_SECONDS = 2.0
    document = WorkspaceDocumentFactory(workspace=workspace, filename="terms.pdf")
    DocumentPassageFactory(document=document, position=3, page_start=2, page_end=2,
                           text="The warranty covers water damage for three years.")
    return llm_server
