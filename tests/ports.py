"""Free local ports, so every server a test or benchmark starts has its own and two runs on
one machine (or two xdist workers) never meet on a fixed one."""

import socket


def free_port() -> int:
    """A port of 127.0.0.1 nothing listens on now (bound, then released): for a server about to
    start, or one a test wants nobody to answer on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
