"""The Chroma store on disk: model guard, cosine scores, article records, removal, bad locations.

Real Chroma in `tmp_path`, real chunks of a corpus article embedded by the real model.
"""

import os
from dataclasses import replace

import numpy as np
import pytest

from citeqa.ingest.chunk import chunk_document
from citeqa.ingest.load import load_document
from citeqa.store.chroma import SEARCH_EF, StoreError, StoreSettings, open_store
from citeqa.store.connection import forget_client
from citeqa.store.records import ArticleRecord, ChunkSettings, EmbeddedArticle

from tests.model_fixtures import ARTICLES


MODEL = "sentence-transformers/all-MiniLM-L6-v2"
SETTINGS = StoreSettings(MODEL, 384, ChunkSettings())


@pytest.fixture(scope="module")
def embedded(embedder):
    """Two real articles, chunked and embedded: [(doc, chunks, vectors, sentence_vectors)]."""
    out = []
    for path in sorted(ARTICLES.glob("*.txt"))[2:4]:
        doc = load_document(path)
        chunks = chunk_document(doc, ChunkSettings(), embedder.fits)
        spans = [[(a - c.char_start, b - c.char_start) for a, b in c.sentences] for c in chunks]
        vectors, sentence_vectors = embedder.embed_passages([c.text for c in chunks], spans)
        out.append((doc, chunks, vectors, sentence_vectors))
    return out


def fresh_open(location, create=False):
    """Open as a new process would: forget Chroma's per-path client cache first."""
    forget_client(location)
    return open_store(location, create=create)


def put(store, item) -> None:
    doc, chunks, vectors, sentence_vectors = item
    record = ArticleRecord(
        doc.article_id, doc.title, f"v1:{doc.content_hash}", doc.author, doc.date, doc.source, doc.path,
        chunks=len(chunks), tokens=sum(c.tokens for c in chunks),
    )
    store.replace_articles([EmbeddedArticle(record, doc.text, chunks, vectors, sentence_vectors)])


def chroma_ids(store) -> set[str]:
    return {i for ids, _ in store.iter_chunk_texts() for i in ids}


def test_settings_are_recorded_and_another_model_is_refused(tmp_path) -> None:
    store = open_store(tmp_path / "s", create=True)
    assert store.settings is None
    store.check_model("any/model", ChunkSettings())  # a new store takes any model
    store.record_settings(SETTINGS)
    reopened = fresh_open(tmp_path / "s")
    assert reopened.settings == SETTINGS
    reopened.check_model(MODEL, ChunkSettings())
    with pytest.raises(StoreError, match="built with the embedding model") as err:
        reopened.check_model("intfloat/e5-small-v2", ChunkSettings())
    message = str(err.value)
    assert MODEL in message and "--model" in message and "\n" not in message
    with pytest.raises(StoreError, match="built with the embedding model"):
        reopened.record_settings(StoreSettings(MODEL, 768, ChunkSettings()))
    with pytest.raises(StoreError, match="chunks of 200 tokens .*new --store"):
        reopened.check_model(MODEL, ChunkSettings(max_tokens=300, overlap_tokens=40))
    assert fresh_open(tmp_path / "s").settings == SETTINGS  # refusals wrote nothing


def test_scores_are_cosine_similarities(tmp_path, embedded) -> None:
    store = open_store(tmp_path / "s", create=True)
    store.record_settings(SETTINGS)
    put(store, embedded[0])
    _, chunks, vectors, _ = embedded[0]
    # A scaled query: cosine ignores length (l2 or inner product would not give 1 back).
    nearest = store.nearest(3.0 * vectors[1], n=len(chunks))
    assert nearest[0][0] == chunks[1].chunk_id
    assert nearest[0][1] == pytest.approx(1.0, abs=1e-4)
    by_id = {c.chunk_id: v for c, v in zip(chunks, vectors)}
    for chunk_id, similarity in nearest:
        assert similarity == pytest.approx(float(by_id[chunk_id] @ vectors[1]), abs=1e-3)
    assert [s for _, s in nearest] == sorted((s for _, s in nearest), reverse=True)
    assert store.nearest(vectors[0], n=0) == []


def test_a_new_store_and_a_rebuilt_one_search_wider_than_chromas_default(tmp_path, embedded) -> None:
    store = open_store(tmp_path / "s", create=True)
    assert store._chunks.configuration["hnsw"]["ef_search"] == SEARCH_EF > 100  # Chroma's default misses near neighbours
    store.record_settings(SETTINGS)
    put(store, embedded[0])
    store._chunks.modify(configuration={"hnsw": {"ef_search": 100}})  # as a store made before the change
    with store.writing():
        store.rebuild(lambda texts: None)
    assert store._chunks.configuration["hnsw"]["ef_search"] == SEARCH_EF


def test_replace_articles_round_trips_records_text_and_chunks(tmp_path, embedded) -> None:
    store = open_store(tmp_path / "s", create=True)
    store.record_settings(SETTINGS)
    for item in reversed(embedded):
        put(store, item)
    store = fresh_open(tmp_path / "s")
    docs = [doc for doc, *_ in embedded]
    assert [r.article_id for r in store.articles()] == sorted(d.article_id for d in docs)
    manifest = store.manifest()
    for doc, chunks, vectors, sentence_vectors in embedded:
        record = manifest[doc.article_id]
        assert (record.title, record.author, record.date, record.path) == (doc.title, doc.author, doc.date, doc.path)
        assert record.content_hash.endswith(doc.content_hash) and record.chunks == len(chunks)
        assert store.article_text(doc.article_id) == doc.text
        hits = store.get_hits([c.chunk_id for c in chunks])
        assert [h.chunk for h in hits] == list(chunks)  # every field, sentence spans included
        for hit, rows in zip(hits, sentence_vectors):
            assert np.abs(hit.sentence_vectors - rows).max() < 0.01  # int8-packed, close to the originals
    assert store.count() == sum(len(c) for _, c, _, _ in embedded)
    assert store.article_text("nope") is None
    assert store.get_hits(["nope-0"]) == []


def test_replacing_an_article_leaves_none_of_its_old_chunks(tmp_path, embedder, embedded) -> None:
    store = open_store(tmp_path / "s", create=True)
    store.record_settings(SETTINGS)
    for item in embedded:
        put(store, item)
    doc, old_chunks, _, _ = embedded[0]
    edited = replace(doc, text="A new opening sentence about the treaty.\n\n" + doc.text, content_hash="edited")
    chunks = chunk_document(edited, ChunkSettings(), embedder.fits)
    spans = [[(a - c.char_start, b - c.char_start) for a, b in c.sentences] for c in chunks]
    put(store, (edited, chunks, *embedder.embed_passages([c.text for c in chunks], spans)))
    ids = chroma_ids(fresh_open(tmp_path / "s"))
    assert not ids & {c.chunk_id for c in old_chunks}
    assert ids == {c.chunk_id for c in chunks} | {c.chunk_id for c in embedded[1][1]}
    assert store.manifest()[doc.article_id].content_hash.endswith("edited")


def test_remove_article_deletes_its_chunks_and_record(tmp_path, embedded) -> None:
    store = open_store(tmp_path / "s", create=True)
    store.record_settings(SETTINGS)
    for item in embedded:
        put(store, item)
    gone, kept = embedded[0][0].article_id, embedded[1]
    store.remove_article(gone)
    store.remove_article("never-stored")  # removing nothing is not an error
    store = fresh_open(tmp_path / "s")
    assert [r.article_id for r in store.articles()] == [kept[0].article_id]
    assert store.article_text(gone) is None
    assert chroma_ids(store) == {c.chunk_id for c in kept[1]}


def test_lexical_index_matches_chroma_and_follows_changes(tmp_path, embedded) -> None:
    store = open_store(tmp_path / "s", create=True)
    store.record_settings(SETTINGS)
    assert store.lexical_search("grant", 5) == []
    for item in embedded:
        put(store, item)
    index = store.refresh_lexical(force=True)
    assert set(index.chunk_ids) == chroma_ids(store) and len(index.chunk_ids) == store.count()
    top_id, score = store.lexical_search("grant assistance yuan", 3)[0]
    assert score > 0 and "grant" in store.get_hits([top_id])[0].chunk.text
    store.remove_article(embedded[0][0].article_id)
    assert set(store.refresh_lexical(force=True).chunk_ids) == chroma_ids(store)
    # A new process loads the saved index rather than a stale one.
    assert set(fresh_open(tmp_path / "s").refresh_lexical().chunk_ids) == chroma_ids(store)


def test_missing_store_says_how_to_make_one(tmp_path) -> None:
    for location in (tmp_path / "nowhere", tmp_path):
        with pytest.raises(StoreError, match="No store at .*citeqa ingest"):
            open_store(location)
    assert not (tmp_path / "nowhere").exists()  # opening for reading creates nothing


@pytest.mark.parametrize("create", [False, True])
def test_corrupt_store_is_one_line_store_error(tmp_path, embedded, create) -> None:
    location = tmp_path / "s"
    store = open_store(location, create=True)
    store.record_settings(SETTINGS)
    put(store, embedded[0])
    forget_client(location)
    database = location / "chroma.sqlite3"
    size = database.stat().st_size
    database.write_bytes(os.urandom(4096) + b"garbage" * (size // 7))
    with pytest.raises(StoreError) as err:
        open_store(location, create=create).articles()
    assert "\n" not in str(err.value) and str(location) in str(err.value)


def test_store_under_a_regular_file_is_store_error(tmp_path) -> None:
    # Tests run as root, where chmod does not stop writes: a path under a plain file cannot be a store for anyone.
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file")
    with pytest.raises(StoreError, match="Cannot open the store") as err:
        open_store(blocker / "store", create=True)
    assert "\n" not in str(err.value)


def test_unwritable_store_dir_is_store_error(tmp_path) -> None:
    parent = tmp_path / "locked"
    parent.mkdir()
    parent.chmod(0o500)
    try:
        if os.access(parent, os.W_OK):  # root: permissions are not enforced, use a read-only location instead
            parent.chmod(0o700)
            parent = tmp_path / "locked" / "file"
            parent.write_text("x")
        with pytest.raises(StoreError, match="Cannot open the store"):
            open_store(parent / "store", create=True)
    finally:
        (tmp_path / "locked").chmod(0o700)


def test_a_re_ingested_article_loses_metadata_it_no_longer_has(tmp_path, embedded) -> None:
    store = open_store(tmp_path / "s", create=True)
    store.record_settings(SETTINGS)
    doc, chunks, vectors, sentence_vectors = embedded[0]
    record = ArticleRecord(doc.article_id, doc.title, "v1:a", author="Former Author", date="2020-01-01", source="Old Post")
    store.replace_articles([EmbeddedArticle(record, doc.text, chunks, vectors, sentence_vectors)])
    bare = replace(record, content_hash="v1:b", author=None, date=None, source=None)
    store.replace_articles([EmbeddedArticle(bare, doc.text, chunks, vectors, sentence_vectors)])
    got = fresh_open(tmp_path / "s").manifest()[doc.article_id]
    assert (got.content_hash, got.author, got.date, got.source) == ("v1:b", None, None, None)


def test_chroma_and_file_failures_become_one_line_store_errors(tmp_path) -> None:
    import sqlite3

    from chromadb.errors import InternalError

    from citeqa.store.connection import as_store_error

    for err in (sqlite3.OperationalError("no such table: collections"), InternalError("Error getting embedding\nmore"), OSError(5, "I/O error")):
        failure = as_store_error(err, tmp_path)
        assert isinstance(failure, StoreError) and str(tmp_path) in str(failure) and "\n" not in str(failure)
    same = StoreError("already one line")
    assert as_store_error(same, tmp_path) is same
    assert as_store_error(ValueError("a bug, not the store"), tmp_path) is None  # stays a traceback


def test_every_write_changes_the_stamp_other_readers_see(tmp_path, embedded) -> None:
    writer = open_store(tmp_path / "s", create=True)
    writer.record_settings(SETTINGS)
    put(writer, embedded[0])
    reader = open_store(tmp_path / "s")  # another Store on the same folder, as a second replica holds
    before = reader.stamp()
    assert before == writer.stamp()
    put(writer, embedded[0])  # rewritten with the same chunks: the chunk count alone would not show it
    assert reader.stamp() != before
    after = reader.stamp()
    writer.remove_article(embedded[0][0].article_id)
    assert reader.stamp() != after
    assert writer.settings == SETTINGS  # the revision token does not disturb the recorded settings
