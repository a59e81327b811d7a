"""Several processes on one local store: a reader sees another process's writes, and writers take turns.

Real processes: this test process holds a long-lived `Store` (as `citeqa serve` does) while
`citeqa ingest` and a second Python process write into the same folder.
"""

import shutil
import subprocess
import sys

import pytest

from citeqa.app.qa import QA
from citeqa.store.chroma import open_store
from tests.conftest import CITEQA, ROOT, _env

from tests.model_fixtures import ARTICLES


def run_python(code: str) -> None:
    """Run `code` in a new Python process with the repository on its path."""
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT, env=_env(), capture_output=True, timeout=300)


def ingest_cli(folder, store, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*CITEQA, "ingest", str(folder), "--store", str(store), *extra],
        cwd=ROOT, env=_env(), capture_output=True, text=True, timeout=300,
    )


@pytest.fixture
def two_folders(tmp_path):
    """(folder with one article, folder with another) copied from data/articles."""
    first, second = tmp_path / "first", tmp_path / "second"
    for folder, path in zip((first, second), sorted(ARTICLES.glob("*.txt"))[:2]):
        folder.mkdir()
        shutil.copy(path, folder)
    return first, second


def test_a_long_running_reader_sees_chunks_another_process_adds_and_deletes(tmp_path, two_folders, embedder) -> None:
    first, second = two_folders
    store_dir = tmp_path / "store"
    assert ingest_cli(first, store_dir).returncode == 0
    reader = open_store(store_dir)
    before = {chunk_id for ids, _ in reader.iter_chunk_texts() for chunk_id in ids}
    probe = embedder.embed_queries(["Xi Jinping Central Asia summit"])[0]
    reader.nearest(probe, 5)  # the reader's vector index is loaded now, as in a serving process

    assert ingest_cli(second, store_dir, "--no-prune").returncode == 0  # another process adds an article
    added = {chunk_id for ids, _ in open_store(store_dir).iter_chunk_texts() for chunk_id in ids} - before
    assert added
    found = {chunk_id for chunk_id, _ in reader.nearest(probe, 200)}
    assert added <= found  # the new chunks are in dense retrieval at once

    gone = next(iter(added)).rsplit("-", 1)[0]
    hits = reader.get_hits(sorted(added))
    assert len(hits) == len(added)  # cached now
    saved = (store_dir / "lexical" / "citeqa.json").read_text()  # the BM25 index the last ingest saved
    run_python(f"from store.chroma import open_store; open_store({str(store_dir)!r}).remove_article({gone!r})")
    found = {chunk_id for chunk_id, _ in reader.nearest(probe, 200)}
    assert not found & added, "a deleted chunk came back from dense retrieval"
    assert reader.get_hits(sorted(added)) == []  # nor from the reader's cache
    answer = QA(reader, embedder).ask("What did the leaders agree at the Central Asia summit?")
    assert answer.hits and not {hit.chunk.chunk_id for hit in answer.hits} & added and gone not in answer.retrieved
    assert {chunk_id for chunk_id, _ in reader.lexical_search("Central Asia", 200)}.isdisjoint(added)
    assert found == before  # and the chunks that stayed are all still found
    # The reader rebuilt its BM25 index in memory: only a writer (holding the lock) saves it beside the store.
    assert (store_dir / "lexical" / "citeqa.json").read_text() == saved


def test_a_second_writer_is_refused_with_one_line(tmp_path, two_folders) -> None:
    first, _ = two_folders
    store_dir = tmp_path / "store"
    holder = open_store(store_dir, create=True)
    with holder.writing():  # this process is mid-ingest
        refused = ingest_cli(first, store_dir)
        assert refused.returncode == 1
        lines = [line for line in refused.stderr.splitlines() if line.strip()]
        assert len(lines) == 1 and lines[0].startswith("error: Another citeqa ingest is writing to the store"), refused.stderr
        assert "Traceback" not in refused.stderr
        assert open_store(store_dir, create=True).count() == 0  # it embedded and wrote nothing
        with holder.writing():  # threads of the writing process may enter (the page's uploads)
            pass
    done = ingest_cli(first, store_dir)
    assert done.returncode == 0, done.stderr
    assert open_store(store_dir).count() > 0

