"""Kill-and-resume: `citeqa ingest` SIGKILLed at random points never leaves a store the next run can't complete.

Ten cycles on one store over 13 articles (the corpus plus 8 copies under new ids).
Before each cycle some articles are edited (every chunk id of an edited article
changes) and now and then a file is deleted or restored, so every run has work.
Each run is a real `citeqa ingest` subprocess, killed with SIGKILL after the model
runtime has loaded plus a seeded random delay drawn over the length of a whole run. After each kill the store
must be consistent (every chunk belongs to a recorded article; finished articles
hold exactly their chunks), and a following unkilled ingest must leave exactly the
chunk ids an independent chunking of the folder gives. A last unkilled CLI run
ends the test. Where the kills landed is printed (`pytest -s`) and recorded in
`tests/output/kill_resume.json`.
"""

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from citeqa.ingest.pipeline import ingest, versioned_hash
from citeqa.store.chroma import open_store

from tests.corpus_copies import copy_corpus
from tests.model_fixtures import ARTICLES, assert_store_complete, corpus_files, expected_chunk_ids, reopen, stored_chunks


ROOT = Path(__file__).resolve().parent.parent
CITEQA = [sys.executable, "-c", "from citeqa.cli import run; run()"]
SEED = 20250617
CYCLES = 10
EXTRA_COPIES = 8


def make_corpus(folder: Path) -> None:
    """The five articles plus copies under new ids, each copy with a changed first line."""
    copy_corpus(ARTICLES, folder, EXTRA_COPIES)


def edit(path: Path, cycle: int) -> None:
    """Insert a paragraph after the title: every offset, hence every chunk id, of the article moves."""
    title, rest = path.read_text(encoding="utf-8").split("\n", 1)
    path.write_text(f"{title}\n\nEditor's note {cycle}: this copy was revised.\n{rest}", encoding="utf-8")


MODEL_LOADING = ("onnxruntime_pybind11_state", "model.safetensors")  # the int8 runner's library; torch's weights


def model_mapped(pid: int) -> bool:
    try:
        maps = Path(f"/proc/{pid}/maps").read_text()
    except OSError:
        return False
    return any(marker in maps for marker in MODEL_LOADING)


def killed_run(folder: Path, store: Path, delay: float) -> tuple[str, float, float]:
    """Start `citeqa ingest`, SIGKILL it `delay` s after its model loads; ("killed"|"finished", s to model, s alive)."""
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    started = time.monotonic()
    proc = subprocess.Popen(
        [*CITEQA, "ingest", str(folder), "--store", str(store), "--json"],
        env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    try:
        while proc.poll() is None and not model_mapped(proc.pid) and time.monotonic() - started < 120:
            time.sleep(0.02)
        loaded = time.monotonic() - started
        deadline = time.monotonic() + delay
        while proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.01)
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            return "killed", loaded, time.monotonic() - started
        stderr = proc.stderr.read().decode()
        assert proc.returncode == 0, stderr
        return "finished", loaded, time.monotonic() - started
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stderr.close()


def check_consistent(store_dir: Path, folder: Path, before: dict, now: dict, todo: set[str]) -> Counter:
    """Invariants that hold at every instant of an ingest; returns counts of the to-do articles' states."""
    store = reopen(store_dir)
    chunks = stored_chunks(store)
    manifest = store.manifest()
    assert store.count() == len(chunks)  # no id stored twice
    by_article: dict[str, set[str]] = {}
    for chunk_id, article_id in chunks.items():
        by_article.setdefault(article_id, set()).add(chunk_id)
    assert set(by_article) <= set(manifest), "chunks without an article record (orphans)"
    hashes = {p.stem: versioned_hash(p) for p in corpus_files(folder)}
    states: Counter = Counter()
    for article_id, record in manifest.items():
        have = by_article.get(article_id, set())
        if record.content_hash == "pending":
            # Killed inside replace_articles: before the old chunks were deleted (old ones only),
            # or after (new ones only, maybe not all yet). Never a mix.
            assert have <= before.get(article_id, set()) or have <= now.get(article_id, set())
            state = "pending"
        elif record.content_hash == hashes.get(article_id):
            assert have == now[article_id], article_id
            state = "done"
        else:  # not reached yet (or removed from the folder): exactly its old chunks
            assert have == before[article_id], article_id
            state = "waiting"
        states[state] += article_id in todo
    states["waiting"] += sum(a not in manifest for a in todo if a in now)  # new articles not reached yet
    states["removed"] = sum(a not in manifest for a in todo if a not in now)
    return states


def landing(outcome: str, states: Counter, todo: int) -> str:
    """Where in the run the kill landed, read from the store it left."""
    if outcome == "finished":
        return "finished before the kill"
    if states["pending"]:
        return "mid-embedding: inside an article's write"
    finished = states["done"] + states["removed"]
    if finished < todo:
        return "mid-embedding: before the first write" if not states["done"] else "mid-embedding: between writes"
    return "after the last write (lexical index)"


def test_sigkill_at_random_points_then_resume(tmp_path, embedder) -> None:
    rng = random.Random(SEED)
    folder, store_dir, parked = tmp_path / "articles", tmp_path / "store", tmp_path / "parked"
    make_corpus(folder)
    parked.mkdir()
    # How long a whole run lasts here and now once its model loads (other work may share the CPU), from
    # one unkilled run on a scratch copy: kill delays are drawn over that, so kills land anywhere from
    # start-up through embedding and writes to the lexical index. Updated from every finished run.
    shutil.copytree(folder, tmp_path / "scratch")
    outcome, loaded, alive = killed_run(tmp_path / "scratch", tmp_path / "scratch-store", delay=float("inf"))
    assert outcome == "finished"
    run_seconds = alive - loaded

    expected = {}  # the last complete state: article_id -> chunk ids
    log = []
    for cycle in range(CYCLES):
        if cycle:
            for path in rng.sample(corpus_files(folder), 3):
                edit(path, cycle)
            if cycle % 3 == 0:  # delete a file (its article must be pruned) or bring one back
                back = sorted(parked.iterdir())
                if back and rng.random() < 0.5:
                    shutil.move(back[0], folder / back[0].name)
                else:
                    gone = rng.choice([p for p in corpus_files(folder) if p.stem.startswith("9")])
                    shutil.move(gone, parked / gone.name)
        now = expected_chunk_ids(folder, embedder)
        todo = {a for a in now if now[a] != expected.get(a)} | (set(expected) - set(now))
        work = sum(len(now[a]) for a in todo if a in now)
        delay = rng.uniform(0.0, run_seconds)
        outcome, loaded, alive = killed_run(folder, store_dir, delay)
        if outcome == "finished":
            run_seconds = 0.5 * run_seconds + 0.5 * (alive - loaded)
        checked = time.monotonic()
        before = {**{a: set() for a in now}, **expected}
        states = check_consistent(store_dir, folder, before, now, todo)
        where = landing(outcome, states, len(todo))
        entry = {"cycle": cycle, "articles_to_do": len(todo), "chunks_to_do": work, "delay_s": round(delay, 2),
                 "model_loaded_s": round(loaded, 2), "alive_s": round(alive, 2), "landed": where, **states}

        # The next unkilled run completes what the killed one left.
        events = list(ingest([folder], open_store(store_dir, create=True), embedder))
        report = events[-1].report
        assert report.skipped == []
        expected = assert_store_complete(store_dir, folder, embedder)
        assert expected == now
        log.append({**entry, "resume_and_checks_s": round(time.monotonic() - checked, 2)})
        print(log[-1])

    # Last: a clean, unkilled `citeqa ingest` after one more edit.
    edit(sorted(corpus_files(folder))[0], CYCLES)
    done = subprocess.run(
        [*CITEQA, "ingest", str(folder), "--store", str(store_dir), "--json"],
        env={**os.environ, "HF_HUB_OFFLINE": "1"}, cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert (report["changed"], report["new"], report["removed"]) == (1, 0, 0)
    assert_store_complete(store_dir, folder, embedder)

    summary = Counter(entry["landed"] for entry in log)
    print("kill landings:", dict(summary))
    out = ROOT / "tests" / "output"
    out.mkdir(exist_ok=True)
    (out / "kill_resume.json").write_text(json.dumps({"seed": SEED, "landings": summary, "cycles": log}, indent=1))
    # Delays are drawn over the expected embedding time, so kills must have hit the embedding (not only its edges).
    assert sum(n for where, n in summary.items() if where.startswith("mid-embedding")) >= 2, summary
