"""The embedding server's key (EMBEDDING_API_KEY) goes only to the origin of `embedding_base_url`,
never along a redirect: against the fake model server and a second one on another port."""

import pytest

from tests.llm_server import Behaviour, FakeLLMServer, fake_llm_server  # noqa: F401  (the llm_server fixture)
from tests.llm_server_embeddings import embeddings_served_by
from workspaces.outgoing import status_text
from workspaces.retrieval.embeddings import MESSAGE_BAD_STATUS, EmbeddingError, embed

pytestmark = pytest.mark.django_db

EMBEDDING_KEY = "sk-embedding-0123456789abcdef"


@pytest.fixture
def semantic(llm_server, settings):
    settings.EMBEDDING_API_KEY = EMBEDDING_KEY
    embeddings_served_by(llm_server.base_url)
    return llm_server


@pytest.fixture
def elsewhere():
    server = FakeLLMServer().start()
    yield server
    server.stop()


def test_the_key_goes_to_the_configured_embedding_server(semantic):
    semantic.api_key = EMBEDDING_KEY
    assert embed(["annual leave"]).shape[0] == 1
    assert semantic.requests[-1].authorization == f"Bearer {EMBEDDING_KEY}"


@pytest.mark.parametrize("status", [301, 302, 307, 308])
def test_a_redirect_to_another_host_does_not_take_the_key_there(semantic, elsewhere, status):
    semantic.behaviour = Behaviour.REDIRECT
    semantic.redirect_status = status
    semantic.redirect_to = elsewhere.base_url + "/embeddings"
    with pytest.raises(EmbeddingError) as failure:
        embed(["annual leave"])
    assert [request.authorization for request in elsewhere.requests if request.authorization] == []
    assert elsewhere.requests == []  # a request carrying a key follows no redirect at all
    assert failure.value.message == MESSAGE_BAD_STATUS.format(status=status_text(status))


def test_an_error_names_the_status_not_the_servers_body(semantic):
    semantic.behaviour = Behaviour.SERVER_ERROR
    semantic.error_message = "stack trace with sk-internal-token"
    with pytest.raises(EmbeddingError) as failure:
        embed(["annual leave"])
    assert failure.value.message == "The embedding server answered 500 Internal Server Error."
