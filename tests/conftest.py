"""Shared fixtures: a real `citeqa serve` process over the default corpus plus one hostile article.

The server is started once per test session (model load and ingest take seconds)
and shared by the browser test and the API test. Everything is real: the packaged
embedding model, Chroma in a temporary folder, the CLI as a subprocess.
"""

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.processes import stop

# Session fixtures, registered once for the whole run (so each loads its model or builds its store once):
# `embedder` (the packaged model) and `default_store` / `qa` (data/articles ingested by the real pipeline).
pytest_plugins = ["tests.model_fixtures", "tests.store_fixtures"]

ROOT = Path(__file__).resolve().parent.parent
CITEQA = [sys.executable, "-c", "from citeqa.cli import run; run()"]  # the console script, whichever venv runs pytest
XSS_TITLE = "Hostile <script>alert(1)</script> title"
XSS_BODY = (
    "This article tests the page: <img src=x onerror=alert(1)> must show as text.\n"
    "The Quillon river report mentions <script>alert(1)</script> and template syntax {{7*7}} ${7*7} [x](javascript:alert(1)).\n"
)


@dataclass(frozen=True)
class Server:
    """A running `citeqa serve`: its URL, port, store folder, log file and how long it took to be ready."""

    url: str
    port: int
    store: Path
    log: Path
    ready_seconds: float


def _env() -> dict:
    return {**os.environ, "GRADIO_ANALYTICS_ENABLED": "False", "HF_HUB_OFFLINE": "1", "PYTHONUNBUFFERED": "1"}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def ui_store(tmp_path_factory) -> Path:
    """A store built by `citeqa ingest` from data/articles plus 999_xss.txt."""
    base = tmp_path_factory.mktemp("ui")
    corpus = base / "articles"
    shutil.copytree(ROOT / "data" / "articles", corpus)
    (corpus / "999_xss.txt").write_text(f"{XSS_TITLE}\n{XSS_BODY}", encoding="utf-8")
    store = base / "store"
    subprocess.run([*CITEQA, "ingest", str(corpus), "--store", str(store)], check=True, env=_env(), cwd=ROOT, capture_output=True)
    return store


@contextmanager
def serving(store: Path, log: Path, *args: str, env: dict | None = None) -> Iterator[Server]:
    """`citeqa serve --store STORE ARGS` on a free loopback port, output to `log`; stopped on exit."""
    port = _free_port()
    started = time.perf_counter()
    with log.open("w") as out:
        proc = subprocess.Popen(
            [*CITEQA, "serve", "--store", str(store), "--port", str(port), *args],
            stdout=out, stderr=subprocess.STDOUT, env={**_env(), **(env or {})}, cwd=ROOT,
        )
        url = f"http://127.0.0.1:{port}/"
        try:
            while "page ready" not in log.read_text():
                if proc.poll() is not None:
                    raise RuntimeError(f"citeqa serve exited: {log.read_text()[-2000:]}")
                if time.perf_counter() - started > 120:
                    raise RuntimeError("citeqa serve did not come up within 120 s")
                time.sleep(0.2)
            yield Server(url, port, store, log, time.perf_counter() - started)
        finally:
            stop(proc)


@pytest.fixture(scope="session")
def ui_server(ui_store) -> Iterator[Server]:
    """`citeqa serve` on a free loopback port, without a login; stopped at the end of the session."""
    with serving(ui_store, ui_store.parent / "serve.log") as server:
        urllib.request.urlopen(server.url, timeout=5).read()
        yield server
