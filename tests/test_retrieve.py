"""Fusion and the per-article cap (pure), BM25 searched from its saved arrays, and hybrid search on the default corpus (real store)."""

import pytest

from citeqa.app.retrieve import Candidate, RetrievalSettings, cap_per_article, combine, fuse, rank_articles, read_hits, search
from citeqa.store.lexical import STOPWORDS_EN, Bm25Params, LexicalIndex
from citeqa.store.records import Chunk, Hit


def hit(chunk_id: str, article_id: str, score: float = 0.0) -> Hit:
    chunk = Chunk(chunk_id, article_id, "text.", 0, 0, 5, 1, ((0, 5),))
    return Hit(chunk=chunk, fused=score, dense=score)


def test_reciprocal_rank_fusion_adds_weighted_reciprocal_ranks() -> None:
    scores = fuse([("a", 0.9), ("b", 0.8)], [("b", 3.0)], RetrievalSettings(fusion="rrf", rrf_k=60, dense_weight=0.5))
    assert scores["a"] == 0.5 / 61
    assert scores["b"] == 0.5 / 62 + 0.5 / 61
    assert max(scores, key=scores.get) == "b"
    dense_heavy = fuse([("a", 0.9), ("b", 0.8)], [("b", 3.0)], RetrievalSettings(fusion="rrf", rrf_k=60, dense_weight=0.9))
    assert dense_heavy["a"] == pytest.approx(0.9 / 61) and dense_heavy["b"] == pytest.approx(0.9 / 62 + 0.1 / 61)


def test_score_fusion_divides_each_side_by_its_top_score() -> None:
    settings = RetrievalSettings(fusion="scores", dense_weight=0.25)
    scores = fuse([("a", 0.8), ("b", 0.4)], [("b", 6.0), ("c", 3.0)], settings)
    assert scores == pytest.approx({"a": 0.25, "b": 0.25 * 0.5 + 0.75, "c": 0.75 * 0.5})
    # Depth changes nothing: a longer list only adds chunks below the others.
    deeper = fuse([("a", 0.8), ("b", 0.4), ("d", 0.1)], [("b", 6.0), ("c", 3.0)], settings)
    assert {k: deeper[k] for k in scores} == pytest.approx(scores)


def test_combine_takes_at_most_candidates_from_each_side() -> None:
    dense = [("a-1", 0.9), ("b-1", 0.8), ("c-1", 0.7)]
    lexical = [("c-1", 5.0), ("d-1", 4.0), ("a-1", 1.0)]
    two = combine(dense, lexical, RetrievalSettings(candidates=2))
    assert {c.chunk_id for c in two} == {"a-1", "b-1", "c-1", "d-1"}
    assert next(c for c in two if c.chunk_id == "a-1").lexical is None  # third in BM25: not taken
    assert [c.chunk_id for c in combine(dense, lexical, RetrievalSettings(candidates=2), mode="dense")] == ["a-1", "b-1"]


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
    with pytest.raises(ValueError, match="fusion must be one of rrf, scores"):
        RetrievalSettings(fusion="max")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="dense_weight must be between 0 and 1"):
        RetrievalSettings(dense_weight=1.5)


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


TEXTS = [
    "China pledged 1.5 billion yuan in grant assistance to Central Asian countries.",
    "The summit in Astana ended with a treaty of permanent good-neighbourliness.",
    "Grant money for livelihood projects was announced by Xi Jinping.",
    "Kazakhstan hosted the second China-Central Asia summit in June.",
    "Nothing in this sentence matches.",
]


def test_bm25_search_from_saved_arrays_matches_bm25s(tmp_path) -> None:
    import bm25s
    import Stemmer
    from bm25s.stopwords import STOPWORDS_EN as library_stopwords

    assert STOPWORDS_EN == tuple(library_stopwords)  # searching tokenizes without importing bm25s
    ids = [f"a{i}-c" for i in range(len(TEXTS))]
    for params in (Bm25Params(), Bm25Params(k1=0.9, b=0.4)):
        reference = bm25s.BM25(k1=params.k1, b=params.b, method="lucene")
        stem = Stemmer.Stemmer("english")
        reference.index(bm25s.tokenize(TEXTS, stopwords="en", stemmer=stem, show_progress=False), show_progress=False)
        built = LexicalIndex.build(ids, TEXTS, "s1", params)
        built.save(tmp_path / "lexical")
        loaded = LexicalIndex.load(tmp_path / "lexical", params)
        assert loaded is not None and loaded.stamp == "s1"
        for query in ("How much grant money did China promise?", "summit treaty Astana", "Kazakhstan June summit"):
            rows, scores = reference.retrieve(bm25s.tokenize([query], stopwords="en", stemmer=stem, show_progress=False),
                                              k=len(TEXTS), show_progress=False)
            expected = [(ids[r], s) for r, s in zip(rows[0], scores[0]) if s > 0]
            for index in (built, loaded):
                found = index.search(query, len(TEXTS))
                assert [i for i, _ in found] == [i for i, _ in expected]
                assert [s for _, s in found] == pytest.approx([float(s) for _, s in expected], rel=1e-5)
        assert loaded.search("grant", 1) == built.search("grant", 1) and len(loaded.search("grant", 1)) == 1


def test_a_saved_bm25_index_with_other_parameters_reads_as_stale(tmp_path) -> None:
    LexicalIndex.build(["a1-c"], TEXTS[:1], "s1", Bm25Params(k1=1.2, b=0.75)).save(tmp_path)
    assert LexicalIndex.load(tmp_path, Bm25Params(k1=1.2, b=0.75)) is not None
    assert LexicalIndex.load(tmp_path, Bm25Params(k1=0.9, b=0.75)) is None
    LexicalIndex.build(["a1-c", "a2-c"], TEXTS[:2], "s2", Bm25Params(k1=1.2, b=0.75)).save(tmp_path)  # replaces it
    assert len(list(tmp_path.glob("gen-*"))) == 1  # the older generation is gone
    assert LexicalIndex.load(tmp_path, Bm25Params(k1=1.2, b=0.75)).chunk_ids == ["a1-c", "a2-c"]
