"""The sentence-transformers embedder against the model's own `encode`, on real corpus chunks.

The oracle is a second, independently loaded SentenceTransformer from the packaged
model folder: chunk vectors must equal its normalized `encode` output, and the
late-chunked sentence vectors must be unit vectors, one per sentence span.
"""

import numpy as np
import pytest
from transformers import AutoTokenizer

from ingest.chunk import chunk_document
from ingest.embed import SentenceTransformerEmbedder, resolve_model
from ingest.load import load_document
from store.records import ChunkSettings

pytest.register_assert_rewrite("tests.model_fixtures")  # before the import: its helpers assert
from tests.model_fixtures import ARTICLES  # noqa: E402

pytest_plugins = ["tests.model_fixtures"]  # the session-wide `embedder` fixture: one model load per run

GRANT_QUESTION = "How much grant money did Xi promise?"


@pytest.fixture(scope="module")
def oracle():
    from sentence_transformers import SentenceTransformer

    _, path = resolve_model("all-MiniLM-L6-v2")
    return SentenceTransformer(path, device="cpu")


@pytest.fixture(scope="module")
def chunks(embedder):
    docs = [load_document(p) for p in sorted(ARTICLES.glob("*.txt"))]
    return [c for d in docs for c in chunk_document(d, ChunkSettings(), embedder.fits)]


def relative_spans(chunk):
    return [(a - chunk.char_start, b - chunk.char_start) for a, b in chunk.sentences]


def test_the_default_model_is_the_packaged_minilm(embedder) -> None:
    assert embedder.model_id == "sentence-transformers/all-MiniLM-L6-v2"
    assert embedder.dimension == 384
    assert embedder.max_wordpieces == 256
    assert SentenceTransformerEmbedder("sentence-transformers/all-MiniLM-L6-v2").model_id == embedder.model_id


def test_passage_vectors_equal_model_encode(embedder, oracle, chunks) -> None:
    sample = chunks[::3]
    vectors, sentence_vectors = embedder.embed_passages([c.text for c in sample], [relative_spans(c) for c in sample])
    expected = oracle.encode([c.text for c in sample], normalize_embeddings=True, batch_size=32, show_progress_bar=False)
    assert vectors.shape == (len(sample), 384)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    cosines = np.sum(vectors * expected, axis=1)
    assert cosines.min() > 0.999
    # Sentence vectors: one unit vector per sentence span, in span order.
    assert len(sentence_vectors) == len(sample)
    for chunk, rows in zip(sample, sentence_vectors):
        assert rows.shape == (len(chunk.sentences), 384)
        np.testing.assert_allclose(np.linalg.norm(rows, axis=1), 1.0, atol=1e-5)


def test_late_chunked_sentence_vectors_follow_their_sentences(embedder, oracle, chunks) -> None:
    chunk = max(chunks, key=lambda c: len(c.sentences))
    _, (rows,) = embedder.embed_passages([chunk.text], [relative_spans(chunk)])
    alone = oracle.encode([chunk.sentence_text(s) for s in chunk.sentences], normalize_embeddings=True, show_progress_bar=False)
    similarity = rows @ alone.T
    # Each sentence's contextual vector is nearest to that same sentence embedded alone, for most sentences.
    hits = int(np.sum(similarity.argmax(axis=1) == np.arange(len(rows))))
    assert hits >= 0.7 * len(rows), similarity.round(2)


def test_query_vectors_are_normalized_model_queries(embedder, oracle) -> None:
    queries = [GRANT_QUESTION, "Where was the summit held?"]
    got = embedder.embed_queries(queries)
    expected = oracle.encode_query(queries, normalize_embeddings=True, show_progress_bar=False)
    assert got.shape == (2, 384)
    np.testing.assert_allclose(np.linalg.norm(got, axis=1), 1.0, atol=1e-5)
    assert np.sum(got * expected, axis=1).min() > 0.999


def test_a_grant_question_ranks_the_grant_sentence_first(embedder, chunks) -> None:
    grant_chunks = [c for c in chunks if "grant" in c.text and c.article_id.startswith(("003", "004"))]
    assert grant_chunks
    question = embedder.embed_queries([GRANT_QUESTION])[0]
    for chunk in grant_chunks:
        _, (rows,) = embedder.embed_passages([chunk.text], [relative_spans(chunk)])
        best = chunk.sentence_text(chunk.sentences[int(np.argmax(rows @ question))])
        assert "grant" in best and "1.5 billion yuan" in best, best


def test_fits_measures_word_pieces_with_special_tokens(embedder) -> None:
    assert embedder.fits("China pledged a grant.")
    tokenizer = AutoTokenizer.from_pretrained(resolve_model("all-MiniLM-L6-v2")[1])
    assert len(tokenizer("x " * 254)["input_ids"]) == 256  # 254 pieces + [CLS] + [SEP]
    assert embedder.fits("x " * 254)
    assert not embedder.fits("x " * 255)
    assert not embedder.fits("wow!!!!!!!! " * 40)  # 40 cl100k tokens' worth of words, ~360 word pieces
