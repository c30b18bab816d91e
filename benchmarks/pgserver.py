"""A throwaway PostgreSQL 16 with pgvector, from the binaries of the `pgserver` wheel.

For the vector tests and the evaluation: this machine's PostgreSQL has no pgvector.
As root, the server runs as the `postgres` system user (initdb refuses root).
Usage: python -m benchmarks.pgserver start <folder> [port] (prints the port: a free one unless given),
python -m benchmarks.pgserver stop <folder>.
Server settings can be added with PGSERVER_OPTIONS, e.g. "-c shared_buffers=1GB".
"""

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from tests.ports import free_port


def _bin(name: str) -> str:
    import pgserver

    return str(Path(pgserver.__file__).parent / "pginstall" / "bin" / name)


class PgServer:
    def __init__(self, folder: Path, *, port: int = 0, options: str = ""):
        """`port` 0: a free one."""
        self.folder, self.port, self.options = Path(folder).resolve(), port or free_port(), options

    def _run(self, *args):
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        subprocess.run([*prefix, *args], check=True, capture_output=True)

    def start(self) -> "PgServer":
        data = self.folder / "data"
        if not data.exists():
            self.folder.mkdir(parents=True, exist_ok=True)
            if os.geteuid() == 0:
                shutil.chown(self.folder, "postgres")
                for parent in self.folder.parents:  # the server user must reach its folder
                    if str(parent).startswith(("/tmp/", "/var/tmp/")) and parent.stat().st_uid == 0:
                        parent.chmod(parent.stat().st_mode | 0o711)
            self._run(_bin("initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8")
        self._run(
            _bin("pg_ctl"), "-D", str(data), "-l", str(self.folder / "log"), "-w", "start",
            "-o", f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off {self.options}",
        )
        for _ in range(50):
            if subprocess.run([_bin("pg_isready"), "-h", "127.0.0.1", "-p", str(self.port)],
                              capture_output=True).returncode == 0:
                break
            time.sleep(0.2)
        return self

    def url(self, database: str) -> str:
        subprocess.run([_bin("createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", database],
                       capture_output=True)
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def stop(self):
        self._run(_bin("pg_ctl"), "-D", str(self.folder / "data"), "-m", "fast", "stop")


if __name__ == "__main__":
    action, folder, port = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3]) if len(sys.argv) > 3 else 0
    server = PgServer(folder, port=port, options=os.environ.get("PGSERVER_OPTIONS", ""))
    if action == "start":
        print(server.start().port)
    else:
        server.stop()
