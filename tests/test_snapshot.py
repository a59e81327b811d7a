"""The read snapshot: `citeqa ask` answers from it without importing chromadb, exactly as through Chroma, while it is fresh.

Real stores on disk built by the real pipeline with the real packaged model: the default corpus (its
shipped dev questions, follow-ups included) and a MultiHop-RAG sample with outlets and dates (the
`--source/--since/--until` filters and questions that name outlets). A stale snapshot (a write since,
by another ingest or a write with no snapshot after it), a damaged or missing one, falls back to Chroma.
"""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from citeqa.app.qa import QA
from citeqa.eval.dataset import DEFAULT_DATASET, read_examples
from citeqa.ingest.pipeline import ingest
from citeqa.store.chroma import Store, open_store
from citeqa.store.reader import SnapshotStore, open_reader
from tests.conftest import ROOT, _env
from tests.model_fixtures import ARTICLES, reopen
from tests.shared_data import copy_multihop_articles, needs_benchmarks

SAMPLE = (  # TechCrunch and The Verge on Sam Bankman-Fried's trial, 2023-09-28 to 2023-10-28
    "009_d06e96f91a22317a", "010_883e01bc82e19cf5", "030_8438207b101080d5", "053_038eabdb237efe3f", "175_65f314cd109de5f0")
# `citeqa ask` as the console script runs it, reporting on stderr whether chromadb was imported.
PROBE = [sys.executable, "-c", (
    "import atexit, sys; atexit.register(lambda: sys.stderr.write(f'chromadb imported: {\"chromadb\" in sys.modules}\\n')); "
    "from citeqa.cli import run; run()"
)]
GRANT = "How much grant money did Xi promise?"


def _answer(qa: QA, question: str, **kwargs) -> dict:
    found = qa.ask(question, **kwargs).as_dict()
    return {key: found[key] for key in ("answer", "abstained", "citations")}


def _ingest(folder: Path, location: Path, embedder) -> None:
    for _ in ingest([folder], open_store(location, create=True), embedder):
        pass


def _ask_cli(store: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*PROBE, "ask", GRANT, "--store", str(store), "--json", *args],
                          capture_output=True, text=True, cwd=ROOT, env=_env(), timeout=300)


@pytest.fixture(scope="module")
def sample_store(tmp_path_factory, embedder) -> Path:
    """Five MultiHop-RAG articles with their outlet/date sidecars."""
    folder = copy_multihop_articles(SAMPLE, tmp_path_factory.mktemp("sample") / "articles")
    _ingest(folder, folder.parent / "store", embedder)
    return folder.parent / "store"


def test_snapshot_answers_equal_chroma_answers_on_the_default_dev_set(default_store, embedder) -> None:
    snapshot, chroma = QA(open_reader(default_store), embedder), QA(reopen(default_store), embedder)
    assert isinstance(snapshot.store, SnapshotStore) and isinstance(chroma.store, Store)
    examples = read_examples(DEFAULT_DATASET)
    assert any(example.history for example in examples)  # follow-ups are among them
    for example in examples:
        assert _answer(snapshot, example.question, history=example.history) == _answer(chroma, example.question, history=example.history), example.id
    vector = embedder.embed_queries([GRANT])[0]
    for n in (1, 8, 1000):
        assert [i for i, _ in snapshot.store.nearest(vector, n)] == [i for i, _ in chroma.store.nearest(vector, n)]
    assert snapshot.store.articles() == chroma.store.articles()


@needs_benchmarks
def test_snapshot_answers_equal_chroma_answers_with_outlet_and_date_filters(sample_store, embedder) -> None:
    snapshot, chroma = QA(open_reader(sample_store), embedder), QA(reopen(sample_store), embedder)
    assert isinstance(snapshot.store, SnapshotStore)
    asks = [
        ("What did Sam Bankman-Fried's lawyers argue?", {}),
        ("What did Sam Bankman-Fried's lawyers argue?", {"source": "TechCrunch"}),
        ("What did Sam Bankman-Fried's lawyers argue?", {"source": "the verge"}),
        ("Who testified at the trial?", {"since": "2023-10-01"}),
        ("Who testified at the trial?", {"until": "2023-10-05", "source": "The Verge"}),
        ("Did both TechCrunch and The Verge report that Caroline Ellison testified?", {}),
    ]
    for question, filters in asks:
        assert _answer(snapshot, question, **filters) == _answer(chroma, question, **filters), (question, filters)
    vector = embedder.embed_queries(["Sam Bankman-Fried trial"])[0]
    for record in chroma.articles():
        one = {record.article_id}
        assert snapshot.store.nearest(vector, 5, one) and all(i.startswith(record.article_id) for i, _ in snapshot.store.nearest(vector, 5, one))
        assert [i for i, _ in snapshot.store.nearest(vector, 5, one)] == [i for i, _ in chroma.store.nearest(vector, 5, one)]
        assert snapshot.store.lexical_search("trial", 5, one) == chroma.store.lexical_search("trial", 5, one)
    assert snapshot.store.nearest(vector, 5, set()) == [] and snapshot.store.nearest(vector, 0) == []


def test_ask_on_a_fresh_store_does_not_import_chromadb_and_a_stale_snapshot_is_not_used(tmp_path, embedder) -> None:
    folder, location = tmp_path / "articles", tmp_path / "store"
    shutil.copytree(ARTICLES, folder)
    _ingest(folder, location, embedder)
    fresh = _ask_cli(location)
    assert fresh.returncode == 0, fresh.stderr
    assert "chromadb imported: False" in fresh.stderr
    answer = json.loads(fresh.stdout)
    assert "1.5 billion yuan" in answer["answer"] and answer["citations"]

    # Another ingest changes one article: the snapshot of the old state is not used, then it is rewritten.
    changed = folder / "003_1166b264bf1f7c06.txt"
    changed.write_text(changed.read_text(encoding="utf-8") + "\nThe Zorblax fund received 7 billion tenge in grants.\n", encoding="utf-8")
    old = open_reader(location)
    assert isinstance(old, SnapshotStore)
    seen = [(event.message, type(open_reader(location))) for event in ingest([folder], reopen(location), embedder)]
    assert seen[0] == ("embedding", SnapshotStore)  # nothing written yet: the old state is still the store's
    assert ("003_1166b264bf1f7c06", Store) in seen  # written, no snapshot yet: the revision is not the snapshot's
    assert seen[-1] == ("done", SnapshotStore)
    new = open_reader(location)
    assert isinstance(new, SnapshotStore) and new.lexical_search("Zorblax", 3) and not old.lexical_search("Zorblax", 3)
    asked = "How many tenge did the Zorblax fund receive?"
    assert "7 billion tenge" in _answer(QA(new, embedder), asked)["answer"]
    assert _answer(QA(new, embedder), asked) == _answer(QA(reopen(location), embedder), asked)

    # A write that saves no snapshot (outside `writing()`): readers go through Chroma, and see the write.
    reopen(location).remove_article("003_1166b264bf1f7c06")
    assert isinstance(open_reader(location), Store)
    stale = _ask_cli(location)
    assert stale.returncode == 0 and "chromadb imported: True" in stale.stderr
    assert all(c["article_id"] != "003_1166b264bf1f7c06" for c in json.loads(stale.stdout)["citations"])


def test_a_missing_or_damaged_snapshot_falls_back_to_chroma_and_the_next_ingest_writes_it(tmp_path, embedder) -> None:
    location = tmp_path / "store"
    _ingest(ARTICLES, location, embedder)
    expected = _answer(QA(reopen(location), embedder), GRANT)
    pointer = location / "snapshot" / "citeqa.json"
    folder = location / "snapshot" / json.loads(pointer.read_text())["files"]

    def damaged(harm) -> None:
        harm()
        reader = open_reader(location)
        assert isinstance(reader, Store)
        assert _answer(QA(reader, embedder), GRANT) == expected
        for _ in ingest([ARTICLES], reopen(location), embedder):  # nothing changed, but the snapshot is written again
            pass
        assert isinstance(open_reader(location), SnapshotStore)

    damaged(lambda: pointer.unlink())
    damaged(lambda: pointer.write_text("{not json"))
    folder = location / "snapshot" / json.loads(pointer.read_text())["files"]
    damaged(lambda: (folder / "vectors.npy").write_bytes(b"\x93NUMPY cut"))
    folder = location / "snapshot" / json.loads(pointer.read_text())["files"]
    damaged(lambda: np.save(folder / "article_rows.npy", np.zeros(3, dtype=np.int32)))  # rows of another length
    damaged(lambda: shutil.rmtree(location / "lexical"))  # the lexical index it was saved with is gone
    damaged(lambda: pointer.write_text(json.dumps({**json.loads(pointer.read_text()), "stamp": "39-another"})))  # an older state


def test_any_text_and_metadata_round_trip_through_the_snapshot_files(tmp_path) -> None:
    from citeqa.store.records import ArticleRecord
    from citeqa.store.snapshot import Snapshot, save

    texts = ["line\nbreak \u2028 separator \u0085 next", "emoji \U0001F600 and CJK \u4e2d\u6587 and a NUL \x00", "\"quoted\" \\ back"]
    rows = [(f"a-{i}", text, {"article_id": "a", "sentences": [0, len(text)], "title": text[::-1]}, np.arange(3.0) + i)
            for i, text in enumerate(texts)]
    record = ArticleRecord("a", "Title \u2014 \u00e9", "v2:hash", author="Zo\u00eb", date="2025-06-17")
    save(tmp_path / "snap", "3-abc", 3, [r[0] for r in rows], lambda ids: iter(rows), [record])
    saved = Snapshot(tmp_path / "snap")
    assert [saved.chunk(i) for i in range(3)] == [(text, meta) for _, text, meta, _ in rows]
    assert saved.articles == [record] and list(saved.article_rows) == [0, 0, 0] and saved.stamp == "3-abc"
    assert np.allclose(np.linalg.norm(saved.vectors, axis=1), 1.0)
