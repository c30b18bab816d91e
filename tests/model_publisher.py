"""A model publisher on 127.0.0.1 (a real HTTP server), for the model download tests."""

import contextlib
import hashlib
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from workspaces.retrieval import model_files
from workspaces.retrieval.model_files import ModelFile


class _Files(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 - http.server's name
        self.server.requests.append(self.path)
        self.server.headers.append({name.lower(): value for name, value in self.headers.items()})
        if self.path in self.server.redirects:
            self.send_response(302)
            self.send_header("Location", self.server.redirects[self.path])
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body = self.server.served.get(self.path)
        self.send_response(200 if body is not None else 404)
        self.send_header("Content-Length", str(len(body or b"")))
        self.end_headers()
        self.wfile.write(body or b"")

    def log_message(self, *args):
        pass


@contextlib.contextmanager
def publisher_running():
    """`served` maps paths (under `base_url`, which ends in /rev) to file bodies, `redirects` paths to the
    address they are redirected to (302); `requests` lists the paths asked, `headers` the headers of each."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Files)
    server.requests, server.headers, server.served, server.redirects = [], [], {}, {}
    server.base_url = f"http://127.0.0.1:{server.server_port}/rev"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(name="model_publisher")
def model_publisher_server():
    """A running publisher (see `publisher_running`)."""
    with publisher_running() as server:
        yield server


def publish(server, monkeypatch, bodies: dict[str, bytes]) -> None:
    """Serve `bodies` ({"model.onnx": b"…", …}) at the published paths under `server.base_url`, and
    make them the published files (their sizes and SHA-256s in place of the real ones)."""
    table = {}
    for name, body in bodies.items():
        remote = model_files.MODEL_FILES[name].remote
        server.served[f"/rev/{remote}"] = body
        table[name] = ModelFile(remote, len(body), hashlib.sha256(body).hexdigest())
    monkeypatch.setattr(model_files, "MODEL_FILES", table)
