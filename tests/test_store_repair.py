"""`citeqa ingest --verify` and `--rebuild` on a real store whose real HNSW file is cut short.

The store holds 1,500 chunks (Chroma writes its HNSW files from 1,000 on; smaller stores
live in its SQLite log), written by `eval.bench.synthetic.fill_store` from the sentences and
vectors of two real articles, so no model call is needed to build it; the rebuild
re-embeds the unreadable half with the real model.
"""

import json
import os
import subprocess
from pathlib import Path

import numpy as np
import pytest

from citeqa.eval.bench.synthetic import SentencePool, fill_store, sentence_pool
from citeqa.store.chroma import StoreSettings, open_store
from citeqa.store.records import ChunkSettings
from citeqa.store.reader import SnapshotStore, open_reader
from tests.conftest import CITEQA, ROOT, _env

from tests.model_fixtures import ARTICLES, reopen


def ingest_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*CITEQA, "ingest", *args], cwd=ROOT, env=_env(), capture_output=True, text=True, timeout=600)


def one_line(result: subprocess.CompletedProcess) -> str:
    lines = [line for line in result.stdout.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in result.stderr, (result.stdout, result.stderr)
    return lines[0]


@pytest.fixture(scope="module")
def pool(tmp_path_factory, embedder) -> SentencePool:
    """The sentences and stored sentence vectors of two real articles, ingested by the real pipeline."""
    from citeqa.ingest.pipeline import ingest

    source = tmp_path_factory.mktemp("pool") / "store"
    for _ in ingest([ARTICLES / "003_1166b264bf1f7c06.txt", ARTICLES / "004_43fe3f8e97f79a18.txt"], open_store(source, create=True), embedder):
        pass
    return sentence_pool(open_store(source), lambda text: len(text.split()))


def filled(location: Path, pool: SentencePool, embedder, chunks: int) -> Path:
    settings = StoreSettings(embedder.model_id, embedder.dimension, ChunkSettings())
    fill_store(open_store(location, create=True), pool, settings, chunks, sentences_per_chunk=2)
    return location


@pytest.fixture
def big_store(tmp_path, pool, embedder) -> Path:
    return filled(tmp_path / "big", pool, embedder, 1500)


def hnsw_file(location: Path) -> Path:
    """The chunks collection's HNSW vector file (the biggest data_level0.bin in the store)."""
    return max(location.glob("*/data_level0.bin"), key=lambda p: p.stat().st_size)


def test_verify_finds_a_cut_index_and_rebuild_repairs_it(big_store) -> None:
    healthy = ingest_cli("--verify", "--store", str(big_store))
    assert healthy.returncode == 0 and one_line(healthy).startswith(f"store {big_store} is sound: 1500 chunks")
    before = reopen(big_store)
    ids = [chunk_id for batch, _ in before.iter_chunk_texts() for chunk_id in batch]
    chunks = {hit.chunk.chunk_id: hit.chunk for hit in before.get_hits(ids)}
    with before.writing():  # the read snapshot of the store before the damage
        before.refresh_lexical(force=True)

    index = hnsw_file(big_store)
    os.truncate(index, index.stat().st_size // 2)
    damaged = ingest_cli("--verify", "--store", str(big_store))
    line = one_line(damaged)
    assert damaged.returncode == 1 and "is damaged" in line and "chunk vectors unreadable" in line and "--rebuild" in line
    report = json.loads(ingest_cli("--verify", "--json", "--store", str(big_store)).stdout)
    assert report["ok"] is False and report["chunks"] == 1500 and 0 < report["unreadable"] < 1500

    rebuilt = ingest_cli("--rebuild", "--store", str(big_store))
    assert rebuilt.returncode == 0 and one_line(rebuilt) == (
        f"rebuilt the vector index of {big_store}: 1500 chunks, {report['unreadable']} re-embedded"
    )
    assert ingest_cli("--verify", "--store", str(big_store)).returncode == 0
    after = reopen(big_store)
    assert {hit.chunk.chunk_id: hit.chunk for hit in after.get_hits(ids)} == chunks  # texts and metadata kept
    vector = after._chunks.get(ids=ids[:1], include=["embeddings"])["embeddings"][0]
    assert after.nearest(np.asarray(vector), 1)[0][0] == ids[0]
    assert {i for batch, _ in after.iter_chunk_texts() for i in batch} == set(ids)
    assert set(after.refresh_lexical().chunk_ids) == set(ids)
    reader = open_reader(big_store)  # written again by the rebuild, with the re-embedded vectors, not the old ones
    assert isinstance(reader, SnapshotStore)
    got = after._chunks.get(ids=ids, include=["embeddings"])
    for chunk_id, vector in zip(got["ids"], got["embeddings"]):  # its own vector, or an equal one (synthetic chunks repeat)
        assert chunk_id in {found for found, similarity in reader.nearest(np.asarray(vector), 10) if similarity > 0.9999}


def test_a_rebuild_cut_short_after_the_old_index_went_is_finished_on_open(tmp_path, pool, embedder) -> None:
    from citeqa.store.chroma import CHUNKS, REBUILDING

    location = filled(tmp_path / "small", pool, embedder, 200)
    store = open_store(location)
    client = store._client
    target = client.create_collection(REBUILDING, configuration={"hnsw": {"space": "cosine"}}, metadata=store._chunks.metadata, embedding_function=None)
    got = store._chunks.get(include=["embeddings", "documents", "metadatas"], limit=100)
    target.add(ids=got["ids"], embeddings=got["embeddings"], documents=got["documents"], metadatas=got["metadatas"])
    client.delete_collection(CHUNKS)  # the process dies here, before the rename
    reopened = reopen(location)
    assert reopened.count() == 100 and reopened.settings == store.settings
