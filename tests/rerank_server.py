"""A fake reranking server: `POST /rerank` in the Cohere/Jina shape, or the TEI one. A real HTTP
server on a free port of 127.0.0.1, not a mock.

Its "model" scores a document by how often it holds `favourite` (a word chosen by the test),
so a test can make it disagree with BM25. `shape` "tei" answers a bare list with `score`;
`status` other than 200 answers that error; `requests` records each body and Authorization.
A test module enables it with `from tests.rerank_server import fake_rerank_server  # noqa: F401`.
"""

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


class _Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        fake = self.server.fake
        length = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(length) or b"null")
        fake.requests.append({"path": self.path, "body": body, "authorization": self.headers.get("Authorization")})
        if self.path != "/rerank":
            self._send(404, {"error": "not found"})
            return
        if fake.status != 200:
            self._send(fake.status, {"error": "the reranker is having a bad day"})
            return
        documents = body.get("documents") if fake.shape == "cohere" else body.get("texts")
        scores = [text.lower().split().count(fake.favourite) + 0.01 * i for i, text in enumerate(documents)]
        if fake.shape == "tei":
            self._send(200, [{"index": i, "score": score} for i, score in enumerate(scores)])
        else:
            results = sorted(({"index": i, "relevance_score": s} for i, s in enumerate(scores)),
                             key=lambda item: -item["relevance_score"])
            self._send(200, {"results": results, "model": body.get("model", "")})

    def _send(self, status, payload):
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format, *args):
        pass


@dataclass
class FakeRerankServer:
    favourite: str = ""
    shape: str = "cohere"
    status: int = 200
    requests: list = field(default_factory=list)

    def start(self) -> "FakeRerankServer":
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._httpd.daemon_threads = True
        self._httpd.fake = self
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        return self

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._httpd.server_address[1]}"

    def stop(self):
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)


@pytest.fixture(name="rerank_server")
def fake_rerank_server():
    server = FakeRerankServer().start()
    yield server
    server.stop()
