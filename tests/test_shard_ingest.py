"""Sharded ingest (issue 13, item 4): `citeqa ingest --shard I/N` processes filling one Chroma server.

Everything is real: a `chroma run` server, `citeqa ingest` subprocesses (two at once), the packaged
model. The oracle is a single unsharded `citeqa ingest` of the same folder into a local store: the
union of the shards must hold exactly its chunks (ids, texts, offsets, metadata) and article records.
Then: re-running a shard is a no-op; an edit and a deletion are each redone or pruned only by the
shard that owns the file; a shard SIGKILLed mid-write resumes; a bad --shard costs one line.
"""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from citeqa.ingest.shard import Shard
from citeqa.store.chroma import open_store, reopen_store
from tests.chroma_server import chroma_server  # noqa: F401  (a fixture)
from tests.corpus_copies import copy_corpus

ROOT = Path(__file__).resolve().parent.parent
ARTICLES = ROOT / "data" / "articles"
CITEQA = [sys.executable, "-c", "from citeqa.cli import run; run()"]
COPIES = 8


def _env() -> dict:
    env = {k: v for k, v in os.environ.items() if k != "CITEQA_STORE"}
    return {**env, "HF_HUB_OFFLINE": "1", "PYTHONUNBUFFERED": "1"}


def start(*args: str) -> subprocess.Popen:
    return subprocess.Popen([*CITEQA, *args], cwd=ROOT, env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def finish(proc: subprocess.Popen, timeout: float = 600) -> dict:
    out, err = proc.communicate(timeout=timeout)
    assert proc.returncode == 0, err[-2000:]
    return json.loads(out)


def ingest(folder: Path, store: str | Path, *extra: str) -> dict:
    return finish(start("ingest", str(folder), "--store", str(store), "--json", *extra))


def snapshot(location) -> tuple[dict, dict, dict, dict]:
    """What a store holds, as citeqa reads it back: chunks, article records, article texts, sentence vectors."""
    store = reopen_store(location)  # as a new process would see it
    ids = [chunk_id for batch, _ in store.iter_chunk_texts() for chunk_id in batch]
    hits = store.get_hits(ids)
    records = {record.article_id: record for record in store.articles()}
    texts = {article_id: store.article_text(article_id) for article_id in records}
    return ({hit.chunk.chunk_id: hit.chunk for hit in hits}, records, texts,
            {hit.chunk.chunk_id: hit.sentence_vectors for hit in hits})


def assert_same_store(sharded, single) -> None:
    chunks, records, texts, vectors = snapshot(sharded)
    want_chunks, want_records, want_texts, want_vectors = snapshot(single)
    assert set(chunks) == set(want_chunks) and len(chunks) == len(want_chunks)
    assert chunks == want_chunks  # same ids, texts, offsets, sentence spans, titles, authors, dates
    assert records == want_records  # same hashes, paths, metadata, chunk and token counts
    assert texts == want_texts
    # The same model on the same text, in other batches: int8 dynamic quantization scales activations per batch,
    # so vectors differ a little with batch company (measured: sentence cosines >= 0.985), never more.
    for chunk_id, rows in vectors.items():
        assert rows.shape == want_vectors[chunk_id].shape
        assert float(np.min(np.sum(rows * want_vectors[chunk_id], axis=1))) > 0.97


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    """The five articles plus copies under new ids (changed first lines): 13 articles over both shards."""
    folder = tmp_path_factory.mktemp("corpus") / "articles"
    copy_corpus(ARTICLES, folder, COPIES)
    return folder


def share(folder: Path, shard: Shard) -> list[Path]:
    return sorted(p for p in folder.glob("*.txt") if shard.owns(p.stem))


def test_shards_partition_every_id_stably():
    ids = [f"article-{n}" for n in range(500)]
    for count in (1, 2, 3, 7):
        owners = [[i for i in range(1, count + 1) if Shard(i, count).owns(article_id)] for article_id in ids]
        assert all(len(found) == 1 for found in owners)  # every article in exactly one share
        sizes = np.bincount([found[0] for found in owners], minlength=count + 1)[1:]
        assert sizes.min() > len(ids) / count * 0.7  # and the shares are near even
    # The hash is part of the contract (a file's shard never changes, across versions too): the values it gives.
    assert [next(i for i in (1, 2, 3) if Shard(i, 3).owns(f"article-{n}")) for n in range(10)] == [3, 3, 1, 1, 1, 1, 1, 3, 2, 1]


@pytest.mark.parametrize("text", ["0/2", "3/2", "1/0", "2", "a/b", "1/2/3", "-1/2", ""])
def test_bad_shard_values_are_refused(text):
    with pytest.raises(ValueError, match=r"^--shard must be I/N|^A shard is I/N") as err:
        Shard.parse(text)
    assert "\n" not in str(err.value)


def test_bad_shard_on_the_command_line_is_one_line(corpus, tmp_path):
    for value in ("3/2", "one/two"):
        proc = subprocess.run([*CITEQA, "ingest", str(corpus), "--store", str(tmp_path / "s"), "--shard", value],
                              cwd=ROOT, env=_env(), capture_output=True, text=True, timeout=120)
        assert proc.returncode == 1 and proc.stdout == ""
        assert proc.stderr.startswith("error: ") and proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr
        assert "1/2" in proc.stderr  # says what a good value looks like
    assert not (tmp_path / "s").exists()  # refused before opening any store


@pytest.fixture(scope="module")
def reference(corpus, tmp_path_factory) -> Path:
    """A single unsharded ingest of the corpus into a local store: the oracle."""
    store = tmp_path_factory.mktemp("reference") / "store"
    report = ingest(corpus, store)
    assert report["new"] == 13 and report["articles"] == 13
    return store


@pytest.fixture(scope="module")
def sharded(corpus, chroma_server, reference) -> dict:
    """Both shards of the corpus ingested into the server by two processes running at once."""
    assert share(corpus, Shard(1, 2)) and share(corpus, Shard(2, 2))
    procs = {i: start("ingest", str(corpus), "--store", chroma_server.url, "--shard", f"{i}/2", "--json") for i in (1, 2)}
    return {i: finish(proc) for i, proc in procs.items()}


def test_two_concurrent_shards_equal_one_ingest(sharded, corpus, chroma_server, reference):
    for i, report in sharded.items():
        owned = len(share(corpus, Shard(i, 2)))
        assert (report["new"], report["changed"], report["unchanged"], report["removed"]) == (owned, 0, 0, 0)
        assert report["articles"] == owned
    assert sum(report["chunks"] for report in sharded.values()) == open_store(chroma_server.url).count()
    assert_same_store(chroma_server.url, reference)
    settings = open_store(chroma_server.url).settings
    assert settings is not None and settings == reopen_store(reference).settings  # neither shard's write lost them


def test_rerunning_a_shard_does_nothing(sharded, corpus, chroma_server):
    before = open_store(chroma_server.url).stamp()
    for i in (1, 2):
        report = ingest(corpus, chroma_server.url, "--shard", f"{i}/2")
        owned = len(share(corpus, Shard(i, 2)))
        assert (report["new"], report["changed"], report["removed"], report["chunks"], report["unchanged"]) == (0, 0, 0, 0, owned)
    assert open_store(chroma_server.url).stamp() == before  # not one write


def test_changes_are_redone_and_pruned_only_by_the_owning_shard(sharded, corpus, chroma_server, reference):
    edited, deleted = share(corpus, Shard(1, 2))[0], share(corpus, Shard(2, 2))[0]
    backup = {path: path.read_bytes() for path in (edited, deleted)}
    try:
        edited.write_text(edited.read_text(encoding="utf-8").replace("\n", "\n\nEditor's note: revised.\n", 1), encoding="utf-8")
        deleted.unlink()
        first = ingest(corpus, chroma_server.url, "--shard", "1/2")
        assert (first["changed"], first["removed"], first["new"]) == (1, 0, 0)
        assert deleted.stem in open_store(chroma_server.url).manifest()  # shard 1 never prunes shard 2's article
        second = ingest(corpus, chroma_server.url, "--shard", "2/2")
        assert (second["changed"], second["removed"], second["new"], second["chunks"]) == (0, 1, 0, 0)
        single = ingest(corpus, reference)
        assert (single["changed"], single["removed"]) == (1, 1)
        assert_same_store(chroma_server.url, reference)
    finally:
        for path, data in backup.items():
            path.write_bytes(data)
    for store in (chroma_server.url, reference):  # both back to the whole corpus
        ingest(corpus, store)


def _pending(url: str, store=None) -> int:
    return sum(record.content_hash == "pending" for record in (store or open_store(url)).articles())


def killed_mid_write(corpus: Path, url: str) -> bool:
    """Run shard 2/2 and SIGKILL it as soon as the server holds a pending record; True when one is left.

    False when the run finished before a poll saw its write (one handle polls, a few ms apart).
    """
    watcher = open_store(url)
    proc = start("ingest", str(corpus), "--store", url, "--shard", "2/2", "--json")
    deadline = time.monotonic() + 300
    try:
        while not _pending(url, watcher):
            if proc.poll() is not None:
                assert proc.returncode == 0, proc.stderr.read()
                return False
            assert time.monotonic() < deadline
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stdout.close(), proc.stderr.close()
    return bool(_pending(url))


def test_a_killed_shard_resumes(sharded, corpus, chroma_server, reference):
    owned = share(corpus, Shard(2, 2))
    backup = {path: path.read_bytes() for path in owned}
    try:
        for attempt in range(8):  # on a quiet machine the one write may finish before the kill lands: edit again
            for path in owned:  # every article of shard 2 has new chunks to write
                path.write_text(path.read_text(encoding="utf-8").replace("\n", f"\n\nEditor's note {attempt}: killed run.\n", 1), encoding="utf-8")
            if killed_mid_write(corpus, chroma_server.url):
                break
        assert _pending(chroma_server.url)  # it was cut short inside a write
        resumed = ingest(corpus, chroma_server.url, "--shard", "2/2")
        assert resumed["changed"] > 0 and resumed["new"] == 0 and resumed["removed"] == 0
        assert not _pending(chroma_server.url)
        ingest(corpus, reference)
        assert_same_store(chroma_server.url, reference)
        assert ingest(corpus, chroma_server.url, "--shard", "2/2")["chunks"] == 0
    finally:
        for path, data in backup.items():
            path.write_bytes(data)
    for store in (chroma_server.url, reference):  # both back to the whole corpus
        ingest(corpus, store)


def test_shards_into_a_local_store_run_one_after_another(corpus, reference, tmp_path):
    store = tmp_path / "store"
    reports = [ingest(corpus, store, "--shard", f"{i}/2") for i in (1, 2)]
    assert [r["new"] for r in reports] == [len(share(corpus, Shard(i, 2))) for i in (1, 2)]
    assert_same_store(store, reference)


def test_shards_starting_together_keep_one_set_of_settings(tmp_path):
    """Two writers that both opened the store while it was empty: the second to record other settings is refused,
    and a revision renewal by a writer that read the metadata before the settings existed keeps them."""
    from citeqa.store.chroma import StoreError, StoreSettings
    from citeqa.store.records import ChunkSettings

    first, second, late = (open_store(tmp_path / "store", create=True) for _ in range(3))
    assert first.settings is None and second.settings is None
    wanted = StoreSettings("model-a", 4, ChunkSettings())
    first.record_settings(wanted)
    with pytest.raises(StoreError, match="chunks of 200 tokens"):
        second.record_settings(StoreSettings("model-a", 4, ChunkSettings(120, 24)))
    late.record_settings(wanted)  # same settings: accepted
    late.remove_article("nothing")  # a write: renews the revision token with a read-modify-write
    assert reopen_store(tmp_path / "store").settings == wanted
