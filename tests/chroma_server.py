"""A real Chroma server for tests: `chroma run` as a subprocess on a free loopback port.

`ChromaServer.start(path)` launches the `chroma` CLI that sits beside the running
Python (the project's venv), waits for its heartbeat and returns; `stop()` ends that
one process. The `chroma_server` fixture wraps both for one test module. Nothing
here talks to Chroma beyond the heartbeat: the tests do that through citeqa.
"""

import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

_HEARTBEAT = "/api/v2/heartbeat"


def free_port() -> int:
    """A loopback port nothing listens on right now (the OS picks it)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def chroma_cli() -> str:
    """The `chroma` executable of the venv running the tests, else the one on PATH."""
    beside = Path(sys.executable).parent / "chroma"
    found = str(beside) if beside.exists() else shutil.which("chroma")
    if found is None:
        raise RuntimeError("the `chroma` CLI is not installed (pip install chromadb)")
    return found


@dataclass
class ChromaServer:
    """One running `chroma run`: its URL, data folder and log file."""

    url: str
    path: Path
    log: Path
    process: subprocess.Popen

    @classmethod
    def start(cls, path: Path, timeout: float = 60.0) -> "ChromaServer":
        """Start `chroma run --path PATH` on a free loopback port and wait until it answers."""
        port = free_port()
        log = path.parent / f"{path.name}-chroma.log"
        with log.open("w") as out:
            process = subprocess.Popen(
                [chroma_cli(), "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
                stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            )
        server = cls(f"http://127.0.0.1:{port}", path, log, process)
        deadline = time.monotonic() + timeout
        while not server.alive():
            if process.poll() is not None or time.monotonic() > deadline:
                server.stop()
                raise RuntimeError(f"chroma run did not come up on port {port}: {log.read_text()[-2000:]}")
            time.sleep(0.1)
        return server

    def alive(self) -> bool:
        """True when the server answers its heartbeat."""
        try:
            with urllib.request.urlopen(self.url + _HEARTBEAT, timeout=2) as response:
                return response.status == 200
        except OSError:
            return False

    def stop(self) -> None:
        """Terminate the server process (kill it if it lingers)."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory) -> ChromaServer:
    """A fresh, empty Chroma server for one test module; stopped afterwards."""
    server = ChromaServer.start(tmp_path_factory.mktemp("chroma") / "data")
    try:
        yield server
    finally:
        server.stop()
