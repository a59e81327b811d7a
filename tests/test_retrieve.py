"""Fusion and the per-article cap (pure), and hybrid search on the default corpus (real store)."""

import pytest

from app.retrieve import Candidate, RetrievalSettings, cap_per_article, fuse, rank_articles, read_hits, search
from store.records import Chunk, Hit
from tests.store_fixtures import default_store, qa  # noqa: F401  (fixtures)


def hit(chunk_id: str, article_id: str, score: float = 0.0) -> Hit:
    chunk = Chunk(chunk_id, article_id, "text.", 0, 0, 5, 1, ((0, 5),))
    return Hit(chunk=chunk, fused=score, dense=score)


def test_reciprocal_rank_fusion_adds_reciprocal_ranks() -> None:
    scores = fuse([("a", 0.9), ("b", 0.8)], [("b", 3.0)], rrf_k=60)
    assert scores["a"] == 1 / 61
    assert scores["b"] == 1 / 62 + 1 / 61
    assert max(scores, key=scores.get) == "b"


def test_cap_keeps_at_most_n_chunks_per_article_and_tops_up() -> None:
    hits = [hit("a1", "a"), hit("a2", "a"), hit("a3", "a"), hit("b1", "b")]
    assert [h.chunk.chunk_id for h in cap_per_article(hits, k=3, per_article=2)] == ["a1", "a2", "b1"]
    # With too few articles to fill k, capped chunks come back rather than returning fewer.
    assert [h.chunk.chunk_id for h in cap_per_article(hits, k=4, per_article=1)] == ["a1", "b1", "a2", "a3"]


def test_rank_articles_is_unique_in_order_of_best_hit() -> None:
    assert rank_articles([hit("1", "a"), hit("2", "b"), hit("3", "a")]) == ["a", "b"]
    assert rank_articles([Candidate("a-1", "a", 0.3), Candidate("b-1", "b", 0.2), Candidate("a-2", "a", 0.1)]) == ["a", "b"]


def test_settings_are_checked_up_front() -> None:
    with pytest.raises(ValueError, match="k must be greater than 0. Currently, k is 0"):
        RetrievalSettings(k=0)


def test_hybrid_finds_what_each_side_finds_and_reports_both_scores(qa) -> None:
    query = "Turkmenistan trade surplus with China"
    vector = qa.embedder.embed_queries([query])[0]
    dense = search(qa.store, query, vector, mode="dense")
    lexical = search(qa.store, query, vector, mode="bm25")
    hybrid = search(qa.store, query, vector, mode="hybrid")
    assert dense and lexical and hybrid
    assert {c.chunk_id for c in dense[:3]} | {c.chunk_id for c in lexical[:3]} <= {c.chunk_id for c in hybrid}
    assert [c.fused for c in hybrid] == sorted((c.fused for c in hybrid), reverse=True)
    best = read_hits(qa.store, hybrid[:1])[0]
    assert best.dense is not None and best.lexical is not None and best.fused == hybrid[0].fused > 0
    assert "trade surplus" in best.chunk.text


def test_candidates_name_their_article_without_reading_the_chunk(qa) -> None:
    query = "railway between China and Uzbekistan"
    candidates = search(qa.store, query, qa.embedder.embed_queries([query])[0])
    read = read_hits(qa.store, candidates)
    assert [h.chunk.chunk_id for h in read] == [c.chunk_id for c in candidates]  # every candidate, in order
    assert [h.chunk.article_id for h in read] == [c.article_id for c in candidates]
