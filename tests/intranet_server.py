"""A small intranet for the web sources' tests: a real HTTP server on a free port of 127.0.0.1.

`site.pages` maps a path to its answer: a body (HTML unless the path says otherwise), or
`Redirect(location)`, or `Gone()` (404); change it between syncs. `site.requested` lists the
paths asked for, in order, and `site.hosts` the Host headers sent. A test module enables the
fixture with `from tests.intranet_server import intranet_fixture  # noqa: F401` (named `intranet`).
"""

import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

TYPES = {".xml": "application/xml", ".txt": "text/plain", ".md": "text/markdown", ".png": "image/png"}


@dataclass(frozen=True)
class Redirect:
    location: str


@dataclass
class Intranet:
    server: ThreadingHTTPServer
    pages: dict
    requested: list
    hosts: list

    @property
    def root(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"


def page(title: str, *paragraphs: str, links=()) -> str:
    """An HTML page with a menu and a footer around its main text (which is what Docent keeps)."""
    menu = "".join(f'<li><a href="{href}">{text}</a></li>' for href, text in links)
    body = "".join(f"<p>{text}</p>" for text in paragraphs)
    return (
        f"<!DOCTYPE html><html><head><title>{title}</title></head><body>"
        f"<nav><ul>{menu}</ul></nav><main><article><h1>{title}</h1>{body}</article></main>"
        "<footer>Intranet footer: cookies, imprint and the canteen menu.</footer></body></html>"
    )


class _Handler(BaseHTTPRequestHandler):
    site: Intranet

    def do_GET(self):  # noqa: N802
        path = self.path.split("?", 1)[0]
        self.site.requested.append(path)
        self.site.hosts.append(self.headers.get("Host"))
        answer = self.site.pages.get(path)
        if isinstance(answer, Redirect):
            self.send_response(302)
            self.send_header("Location", answer.location)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if answer is None:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body = answer.encode() if isinstance(answer, str) else answer
        suffix = path[path.rfind("."):] if "." in path.rsplit("/", 1)[-1] else ""
        self.send_response(200)
        self.send_header("Content-Type", TYPES.get(suffix, "text/html; charset=utf-8"))
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture(name="intranet")
def intranet_fixture():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    site = Intranet(server=server, pages={}, requested=[], hosts=[])
    server.RequestHandlerClass = type("Handler", (_Handler,), {"site": site})
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield site
    server.shutdown()
    server.server_close()
    thread.join(5)
