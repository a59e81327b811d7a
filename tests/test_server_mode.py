"""Server mode: ingest, ask and serve against a real `chroma run` process (issue 7, item 3).

One Chroma server per module, started on a free loopback port and stopped at the end.
The ingest, ask and eval processes run in an empty folder that must stay empty: with a
URL store nothing is written locally, and the BM25 index is rebuilt from Chroma's documents.
Two `citeqa serve` replicas share the server and pick up an article ingested by a third
process within the stamp-check interval.
"""

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from gradio_client import Client

from citeqa.store.chroma import StoreError, open_store
from tests.chroma_server import ChromaServer, chroma_server, free_port  # noqa: F401  (chroma_server is a fixture)

ROOT = Path(__file__).resolve().parent.parent
ARTICLES = ROOT / "data" / "articles"
CITEQA = [sys.executable, "-c", "from citeqa.cli import run; run()"]  # the console script, whichever venv runs pytest
GRANT_QUESTION = "How much grant money did Xi promise?"
NEW_ID = "005_osh_solar_roof"
NEW_ARTICLE = """Solar roof opens at the Osh wool mill

Engineers from Kyrgyzstan and China finished installing 4,812 solar panels on the roof of the Osh wool mill in March, the mill's director said on Tuesday.
The panels are expected to cover about a third of the mill's electricity use and were paid for by a regional development loan.
Workers at the mill said the new roof also keeps the spinning hall cooler in summer.
"""
NEW_QUESTION = "How many solar panels were installed on the Osh wool mill?"
NEW_FACT = "4,812"


def _env(**extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "CITEQA_STORE"}
    return {**env, "HF_HUB_OFFLINE": "1", "GRADIO_ANALYTICS_ENABLED": "False", "PYTHONUNBUFFERED": "1", **extra}


def citeqa(*args: str, cwd: Path, timeout: float = 300, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([*CITEQA, *args], cwd=cwd, env=_env(**env), capture_output=True, text=True, timeout=timeout)


def _json(proc: subprocess.CompletedProcess) -> dict:
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads(proc.stdout)


@pytest.fixture(scope="module")
def workdir(tmp_path_factory) -> Path:
    """The empty working folder of every citeqa CLI process that uses the URL store."""
    return tmp_path_factory.mktemp("cwd")


@pytest.fixture(scope="module")
def first_ingest(chroma_server, workdir) -> dict:
    return _json(citeqa("ingest", str(ARTICLES), "--store", chroma_server.url, "--json", cwd=workdir))


@pytest.fixture(scope="module")
def answers(first_ingest, chroma_server, workdir, tmp_path_factory) -> dict[str, subprocess.CompletedProcess]:
    """Side by side: `citeqa ask` with --store URL, with CITEQA_STORE=URL, and `citeqa eval` on three questions."""
    evaldir = tmp_path_factory.mktemp("eval")
    dataset = evaldir / "three.jsonl"
    dataset.write_text("".join((ROOT / "eval" / "default_corpus.jsonl").read_text(encoding="utf-8").splitlines(True)[:3]))
    commands = {
        "flag": (["ask", GRANT_QUESTION, "--store", chroma_server.url, "--json"], {}),
        "env": (["ask", GRANT_QUESTION, "--json"], {"CITEQA_STORE": chroma_server.url}),
        "eval": (["eval", "--store", chroma_server.url, "--dataset", str(dataset), "--out", str(evaldir / "run"), "--json"], {}),
    }
    procs = {
        name: subprocess.Popen([*CITEQA, *args], cwd=workdir, env=_env(**env), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for name, (args, env) in commands.items()
    }
    done = {}
    for name, proc in procs.items():
        out, err = proc.communicate(timeout=300)
        done[name] = subprocess.CompletedProcess(proc.args, proc.returncode, out, err)
    return done


def test_ingest_into_server_is_incremental_and_lists_articles(first_ingest, chroma_server, workdir):
    assert (first_ingest["new"], first_ingest["articles"], first_ingest["skipped"]) == (5, 5, [])
    assert first_ingest["chunks"] > 0

    again = _json(citeqa("ingest", str(ARTICLES), "--store", chroma_server.url, "--json", cwd=workdir))
    assert (again["new"], again["changed"], again["unchanged"], again["chunks"]) == (0, 0, 5, 0)

    listed = _json(citeqa("ingest", "--list", "--store", chroma_server.url, "--json", cwd=workdir))["articles"]
    assert [row["article_id"] for row in listed] == sorted(path.stem for path in ARTICLES.glob("*.txt"))
    assert all(row["title"] and row["chunks"] > 0 for row in listed)
    assert sum(row["chunks"] for row in listed) == first_ingest["chunks"]
    by_id = {row["article_id"]: row for row in listed}
    assert (by_id["004_43fe3f8e97f79a18"]["author"], by_id["004_43fe3f8e97f79a18"]["date"]) == ("Alyssa Chen", "2025-06-17")


@pytest.mark.parametrize("how", ["flag", "env"])
def test_ask_over_server_cites_articles(answers, first_ingest, how):
    answer = _json(answers[how])
    assert not answer["abstained"] and "1.5 billion yuan" in answer["answer"]
    markers = {int(n) for n in re.findall(r"\[(\d+)\]", answer["answer"])}
    assert markers and markers == {c["marker"] for c in answer["citations"]}
    stored = {path.stem for path in ARTICLES.glob("*.txt")}
    assert {c["article_id"] for c in answer["citations"]} <= set(answer["retrieved"]) <= stored
    assert any("1.5 billion" in sentence for c in answer["citations"] for sentence in c["evidence"])


def test_eval_over_server(answers):
    result = _json(answers["eval"])
    assert result["items"] == 3 and result["Recall@5"] == 1.0 and result["answer_accuracy"] > 0


def test_url_store_writes_nothing_locally_and_builds_bm25_from_chroma(answers, chroma_server, workdir):
    assert all(proc.returncode == 0 for proc in answers.values())
    assert list(workdir.iterdir()) == []  # ingest, list, ask and eval (its --out aside) left no files behind
    assert not list(chroma_server.path.rglob("lexical"))

    store = open_store(chroma_server.url)
    assert store._lexical_dir() is None
    index = store.refresh_lexical()
    every_id = [chunk_id for ids, _ in store.iter_chunk_texts() for chunk_id in ids]
    assert sorted(index.chunk_ids) == sorted(every_id) and len(every_id) == store.count()
    best = store.get_hits([chunk_id for chunk_id, _ in store.lexical_search("grant assistance yuan livelihood", 3)])
    assert best and "1.5 billion yuan" in " ".join(hit.chunk.text for hit in best)


@pytest.fixture(scope="module")
def replicas(first_ingest, chroma_server, tmp_path_factory) -> list[str]:
    """Two `citeqa serve` processes on the same Chroma server, each in its own folder."""
    started = []
    for n in range(2):
        home = tmp_path_factory.mktemp(f"replica{n}")
        port = free_port()
        log = home / "serve.log"
        with log.open("w") as out:
            proc = subprocess.Popen([*CITEQA, "serve", "--store", chroma_server.url, "--port", str(port)], cwd=home,
                                    env=_env(), stdout=out, stderr=subprocess.STDOUT)
        started.append((proc, log, f"http://127.0.0.1:{port}/"))
    try:
        deadline = time.monotonic() + 180
        for proc, log, _ in started:
            while "page ready" not in log.read_text():
                assert proc.poll() is None, f"citeqa serve exited: {log.read_text()[-2000:]}"
                assert time.monotonic() < deadline, f"citeqa serve not ready: {log.read_text()[-2000:]}"
                time.sleep(0.2)
        yield [url for _, _, url in started]
    finally:
        for proc, _, _ in started:
            proc.terminate()
        for proc, _, _ in started:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()


def _covers_new_article(data: dict) -> bool:
    return NEW_FACT in data["answer"] and NEW_ID in {c["article_id"] for c in data["citations"]}


def _new_article_chunks(store, query: str) -> set[str]:
    found = store.get_hits([chunk_id for chunk_id, _ in store.lexical_search(query, 5)])
    return {hit.chunk.chunk_id for hit in found if hit.chunk.article_id == NEW_ID}


def test_replicas_pick_up_an_article_ingested_by_another_process(replicas, chroma_server, tmp_path):
    clients = [Client(url, verbose=False) for url in replicas]
    for client in clients:  # before: the fact is unknown, and each replica has built its BM25 index
        assert not _covers_new_article(client.predict(NEW_QUESTION, api_name="/chat"))
    # Two more readers in this process, to watch the lexical index itself (no model needed).
    readers = [open_store(chroma_server.url), open_store(chroma_server.url)]
    for reader in readers:
        assert not _new_article_chunks(reader, "Osh wool mill solar panels")

    (tmp_path / "new").mkdir()
    (tmp_path / "new" / f"{NEW_ID}.txt").write_text(NEW_ARTICLE, encoding="utf-8")
    report = _json(citeqa("ingest", str(tmp_path / "new"), "--store", chroma_server.url, "--no-prune", "--json", cwd=tmp_path))
    assert (report["new"], report["changed"], report["removed"], report["articles"]) == (1, 0, 0, 6)
    # The very next question sees it: every search reads the store's revision token first.
    for n, client in enumerate(clients):
        assert _covers_new_article(client.predict(NEW_QUESTION, api_name="/chat")), f"replica{n} misses the new article"
    for n, reader in enumerate(readers):
        assert _new_article_chunks(reader, "Osh wool mill solar panels"), f"reader{n} misses the new article"


def test_unreachable_server_is_one_readable_line(tmp_path):
    url = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    with pytest.raises(StoreError, match=r"^Cannot reach the Chroma server at http://127\.0\.0\.1:\d+ .*chroma run") as err:
        open_store(url)
    assert "\n" not in str(err.value)

    proc = citeqa("ask", GRANT_QUESTION, "--store", url, cwd=tmp_path)
    assert proc.returncode == 1 and proc.stdout == ""
    assert proc.stderr.startswith(f"error: Cannot reach the Chroma server at {url}")
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr
    assert list(tmp_path.iterdir()) == []


def test_server_lost_after_open_is_a_store_error(tmp_path):
    server = ChromaServer.start(tmp_path / "data")
    store = open_store(server.url, create=True)
    server.stop()
    for call in (store.articles, store.count, lambda: store.lexical_search("grant", 3)):
        with pytest.raises(StoreError, match=r"^Lost the Chroma server at http://127\.0\.0\.1:\d+ .*chroma run"):
            call()
