"""A model publisher on 127.0.0.1 (a real HTTP server), for the model download tests."""

import hashlib
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from workspaces.retrieval.model_files import ModelFile


class _Files(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 - http.server's name
        self.server.requests.append(self.path)
        body = self.server.served.get(self.path)
        self.send_response(200 if body is not None else 404)
        self.send_header("Content-Length", str(len(body or b"")))
        self.end_headers()
        self.wfile.write(body or b"")

    def log_message(self, *args):
        pass


@pytest.fixture(name="model_publisher")
def model_publisher_server():
    """`served` maps paths (under `base_url`, which ends in /rev) to file bodies; `requests` lists the paths asked."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Files)
    server.requests, server.served = [], {}
    server.base_url = f"http://127.0.0.1:{server.server_port}/rev"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def published(body: bytes, remote: str) -> ModelFile:
    """The published-files entry of `body` at `remote`."""
    return ModelFile(remote, len(body), hashlib.sha256(body).hexdigest())
