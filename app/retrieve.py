"""Hybrid retrieval: dense (Chroma) + BM25, fused by reciprocal rank fusion, with a per-article cap.

`search` returns fused, capped hits for answering; `rank_articles` turns any hit
list into the ranked unique article ids the evaluation scores. Dense-only and
BM25-only modes exist so the benchmarks can compare them side by side. Sentence
scoring and answer composition are `app.compose`'s job.
"""

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Literal

import numpy as np

from store.chroma import Store
from store.records import Hit

Mode = Literal["hybrid", "dense", "bm25"]


@dataclass(frozen=True)
class RetrievalSettings:
    """Knobs of hybrid retrieval."""

    k: int = 8  # chunks handed to answer composition
    candidates: int = 40  # taken from each retriever before fusion
    rrf_k: int = 60  # reciprocal rank fusion constant (Cormack et al. 2009)
    per_article: int = 3  # at most this many of the k chunks from one article

    def __post_init__(self) -> None:
        for name in ("k", "candidates", "per_article"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be greater than 0. Currently, {name} is {getattr(self, name)}")


def fuse(dense: Sequence[Hit], lexical: Sequence[tuple[str, float]], rrf_k: int) -> dict[str, float]:
    """RRF scores by chunk id. Example: dense [a, b], lexical [b] -> b: 1/62 + 1/61, a: 1/61."""
    scores: dict[str, float] = {}
    for rank, hit in enumerate(dense, 1):
        scores[hit.chunk.chunk_id] = scores.get(hit.chunk.chunk_id, 0.0) + 1.0 / (rrf_k + rank)
    for rank, (chunk_id, _) in enumerate(lexical, 1):
        scores[chunk_id] = scores.get(chunk_id, 0.0) + 1.0 / (rrf_k + rank)
    return scores


def cap_per_article(hits: Sequence[Hit], k: int, per_article: int) -> list[Hit]:
    """The first `k` hits, at most `per_article` from one article, topped up when too few articles exist."""
    taken: list[Hit] = []
    counts: dict[str, int] = {}
    overflow: list[Hit] = []
    for hit in hits:
        if counts.get(hit.chunk.article_id, 0) < per_article:
            taken.append(hit)
            counts[hit.chunk.article_id] = counts.get(hit.chunk.article_id, 0) + 1
        else:
            overflow.append(hit)
        if len(taken) == k:
            return taken
    return taken + overflow[: k - len(taken)]


def rank_articles(hits: Sequence[Hit]) -> list[str]:
    """Unique article ids in order of their best hit. Example: [a1, a2, a1] -> [a1, a2]."""
    return list(dict.fromkeys(hit.chunk.article_id for hit in hits))


def search(
    store: Store,
    query: str,
    query_vector: np.ndarray,
    settings: RetrievalSettings = RetrievalSettings(),
    mode: Mode = "hybrid",
) -> list[Hit]:
    """All candidate hits, best first, with dense/lexical/fused scores (not yet capped)."""
    dense = store.dense_search(query_vector, settings.candidates) if mode != "bm25" else []
    lexical = store.lexical_search(query, settings.candidates) if mode != "dense" else []
    if mode == "dense":
        return [replace(hit, fused=hit.dense or 0.0) for hit in dense]
    lexical_scores = dict(lexical)
    by_id = {hit.chunk.chunk_id: hit for hit in dense}
    missing = [chunk_id for chunk_id, _ in lexical if chunk_id not in by_id]
    for hit in store.get_hits(missing):
        by_id[hit.chunk.chunk_id] = hit
    if mode == "bm25":
        ranked = [(chunk_id, score) for chunk_id, score in lexical if chunk_id in by_id]
        return [replace(by_id[i], lexical=s, fused=s) for i, s in ranked]
    fused = fuse(dense, lexical, settings.rrf_k)
    order = sorted((i for i in fused if i in by_id), key=lambda i: fused[i], reverse=True)
    return [replace(by_id[i], lexical=lexical_scores.get(i), fused=fused[i]) for i in order]
