"""A real model in the loop (`make test-llm`): llama.cpp's server with SmolLM2, and the browser of tests/e2e."""

import pytest

from tests.e2e.conftest import _plain_http_cookies, browser, new_page  # noqa: F401  (fixtures)
from tests.llama_server import llama_server_start


@pytest.fixture(scope="session")
def llama_server():
    """llama.cpp's OpenAI-compatible server on a free port, for the whole run."""
    server = llama_server_start()
    yield server
    server.stop()
