"""Faults while serving: a real `citeqa serve --mode generative` on loopback, its store and its model broken underneath it.

One server (on a copy of the UI test store) talks to a tiny misbehaving
OpenAI-compatible server started here; its behaviour is switched between
requests: it sleeps past the timeout, answers with HTML, streams events that are
not JSON, and finally goes away (a closed port). Each time the page must give the
extractive answer, with citations and a notice, within the timeout. The store is
then damaged in place, moved away and restored: requests get one readable line,
the server stays up, and answers come back once the files are back. SIGKILL during
ingest is covered by tests/test_kill_resume.py.
"""

import http.server
import shutil
import subprocess
import threading
import time

import pytest
from gradio_client import Client

from tests.conftest import CITEQA, ROOT, _env, _free_port
from tests.processes import stop

LLM_TIMEOUT = 2.0
QUESTION = "How much grant money did Xi promise?"
FAULTS: list[str] = []  # what was injected and survived, for the README's figures


class FakeLLM(http.server.BaseHTTPRequestHandler):
    """An OpenAI-compatible endpoint that misbehaves as `server.mode` says."""

    def log_message(self, *args):  # keep pytest output clean
        pass

    def do_GET(self):  # /v1/models: looks healthy, so the page starts in generative mode
        self._send(200, "application/json", b'{"data": [{"id": "fake"}]}')

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        mode = self.server.mode
        if mode == "slow":
            time.sleep(LLM_TIMEOUT * 3)  # bounded: the page must have given up long before
            self._send(200, "text/event-stream", b'data: {"choices": [{"delta": {"content": "late"}}]}\n\n')
        elif mode == "html":
            self._send(200, "text/html", b"<html><body>502 Bad Gateway</body></html>")
        else:  # "not-json": an event stream whose events are garbage
            self._send(200, "text/event-stream", b"data: {this is not json\n\ndata: \x00\xff\n\n")

    def _send(self, status: int, kind: str, body: bytes) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except OSError:  # the client gave up first: that is the point of "slow"
            pass


@pytest.fixture(scope="module")
def llm():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), FakeLLM)
    server.daemon_threads = True
    server.mode = "slow"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def served(ui_store, llm, tmp_path_factory):
    """(url, store folder) of `citeqa serve --mode generative` on a copy of the UI store."""
    store = tmp_path_factory.mktemp("faults") / "store"
    shutil.copytree(ui_store, store)
    port = _free_port()
    log_path = store.parent / "serve.log"
    log = log_path.open("w")
    command = [
        *CITEQA, "serve", "--store", str(store), "--port", str(port), "--mode", "generative",
        "--llm-url", f"http://127.0.0.1:{llm.server_address[1]}/v1", "--llm-timeout", str(LLM_TIMEOUT),
    ]
    proc = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=_env(), cwd=ROOT)
    started = time.perf_counter()
    try:
        while "page ready" not in log_path.read_text():
            assert proc.poll() is None, log_path.read_text()[-2000:]
            assert time.perf_counter() - started < 120, "citeqa serve did not come up within 120 s"
            time.sleep(0.2)
        yield f"http://127.0.0.1:{port}/", store, proc
    finally:
        stop(proc)
        log.close()
        print(f"faults injected and survived: {len(FAULTS)} ({', '.join(FAULTS)})")


def ask(url: str, question: str = QUESTION, mode: str = "generative") -> tuple[dict | None, str | None, float]:
    """(answer, error message, seconds) of one `/chat` request."""
    client = Client(url, verbose=False)
    started = time.perf_counter()
    try:
        return client.predict(question, [], 8, mode, False, api_name="/chat"), None, time.perf_counter() - started
    except Exception as err:  # gradio_client's AppError carries the page's message
        return None, str(err), time.perf_counter() - started
    finally:
        client.close()


def assert_extractive_fallback(data: dict | None, error: str | None, seconds: float, reason: str) -> None:
    assert error is None, error
    assert not data["abstained"] and "1.5 billion yuan" in data["answer"] and data["citations"]
    assert any("showing the extractive answer" in n and reason in n for n in data["notices"]), data["notices"]
    assert seconds < LLM_TIMEOUT + 15  # the timeout, plus extractive answering on a busy 2-core machine


@pytest.mark.parametrize(
    "mode, reason",
    [("slow", f"timeout after {LLM_TIMEOUT:g} s"), ("html", "not an OpenAI-style event stream"), ("not-json", "not JSON")],
)
def test_misbehaving_model_gives_the_extractive_answer_with_a_notice(served, llm, mode, reason):
    llm.mode = mode
    assert_extractive_fallback(*ask(served[0]), reason)
    FAULTS.append(f"model {mode}")


def test_store_damaged_in_place_is_a_readable_error_then_recovers(served):
    url, store, proc = served
    db = store / "chroma.sqlite3"
    saved = db.read_bytes()
    db.write_bytes(b"")  # same inode, emptied: what a full disk or a bad copy leaves behind
    try:
        data, error, _ = ask(url, mode="extractive")
        assert data is None and error and "cannot be read" in error and "\n" not in error.strip(), (data, error)
        assert proc.poll() is None
    finally:
        with db.open("r+b") as fh:  # restore into the same file, as the server holds it open
            fh.write(saved)
    data, error, _ = ask(url, mode="extractive")
    assert error is None and "1.5 billion yuan" in data["answer"], error
    FAULTS.append("store emptied in place")


def test_store_moved_away_is_a_readable_error_then_recovers(served):
    url, store, proc = served
    away = store.with_name("store-away")
    db = store / "chroma.sqlite3"
    saved = db.read_bytes()
    db.write_bytes(b"")  # damaged, so the next question re-opens the store ...
    ask(url, mode="extractive")
    with db.open("r+b") as fh:
        fh.write(saved)
    store.rename(away)  # ... and finds its folder gone
    try:
        for _ in range(2):
            data, error, _ = ask(url, mode="extractive")
            assert data is None and error and str(store) in error and "\n" not in error.strip(), (data, error)
        assert proc.poll() is None
    finally:
        away.rename(store)
    data, error, _ = ask(url, mode="extractive")
    assert error is None and "1.5 billion yuan" in data["answer"], error
    FAULTS.append("store folder moved away")


def test_store_renamed_while_open_answers_or_says_why_then_recovers(served):
    """Renaming the folder under a running server: each question gets a cited answer (files held open) or
    the one-line store error (a new Chroma connection finds no folder), never a crash; once the folder is
    back, questions are answered again."""
    url, store, proc = served
    away = store.with_name("store-away")
    store.rename(away)
    try:
        for _ in range(3):
            data, error, _ = ask(url, mode="extractive")
            one_line = error is not None and ("cannot be read" in error or str(store) in error) and "\n" not in error
            assert (error is None and data["citations"]) or one_line, error
    finally:
        away.rename(store)
    for _ in range(3):  # the first question after a failure re-opens the store
        data, error, _ = ask(url, mode="extractive")
        if error is None:
            break
    assert error is None and data["citations"], error
    assert proc.poll() is None
    FAULTS.append("store folder renamed while open")


def test_model_down_after_shutdown(served, llm):
    """Last in this file: the fake server goes away, so its port is closed."""
    llm.shutdown()
    llm.server_close()
    assert_extractive_fallback(*ask(served[0]), "connection refused")
    assert served[2].poll() is None
    FAULTS.append("model down (closed port)")
