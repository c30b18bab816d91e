"""A slow SMTP server: a real socket server speaking just enough SMTP for smtplib, not a mock.

Each reply waits `delay` seconds, like the server in the attack review that took 0.3 s a
reply (a mail then costs about 2 s: greeting, EHLO, MAIL, RCPT, DATA, the message, QUIT).
`connections` counts the sessions opened; `messages` holds each message's raw text.
A test module enables the `smtp_server` fixture with
`from tests.smtp_server import fake_smtp_server  # noqa: F401`.
"""

import socketserver
import threading
import time
from dataclasses import dataclass, field

import pytest

MAX_LINE_BYTES = 64 * 1024


@dataclass
class SlowSMTPServer:
    host: str
    port: int
    delay: float
    connections: int = 0
    messages: list[str] = field(default_factory=list)


class _Handler(socketserver.StreamRequestHandler):
    def reply(self, line: str) -> None:
        time.sleep(self.server.state.delay)
        self.wfile.write(f"{line}\r\n".encode())

    def handle(self):
        state = self.server.state
        state.connections += 1
        self.reply("220 slow-smtp ready")
        while line := self.rfile.readline(MAX_LINE_BYTES):
            verb = line.decode(errors="replace").strip().split(" ")[0].upper()
            if verb == "EHLO":
                self.reply("250 slow-smtp")
            elif verb == "DATA":
                self.reply("354 end with <CRLF>.<CRLF>")
                body = []
                while (data := self.rfile.readline(MAX_LINE_BYTES)) not in (b".\r\n", b""):
                    body.append(data.decode(errors="replace"))
                state.messages.append("".join(body))
                self.reply("250 queued")
            elif verb == "QUIT":
                self.reply("221 bye")
                return
            else:
                self.reply("250 ok")


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


@pytest.fixture(name="smtp_server")
def fake_smtp_server():
    """A SlowSMTPServer on a free port of 127.0.0.1, answering each command after 0.3 s."""
    server = _Server(("127.0.0.1", 0), _Handler)
    server.state = SlowSMTPServer(host="127.0.0.1", port=server.server_address[1], delay=0.3)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield server.state
    server.shutdown()
    server.server_close()
