"""Hybrid retrieval: dense (Chroma) + BM25, fused (weighted reciprocal ranks or scores), with a per-article cap.

`search` ranks candidates by id and score only (no chunk text or sentence vectors read);
`combine` is its fusion step on given rankings (what `eval.fit` replays for each setting);
`cap_per_article` picks the few that answering reads and `read_hits` fetches just those.
`rank_articles` turns any ranking into the unique article ids the evaluation scores.
Dense-only and BM25-only modes exist so the benchmarks can compare them side by side.
Sentence scoring and answer composition are `app.evidence`'s and `app.compose`'s job.
"""

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Literal, Protocol, TypeVar

import numpy as np

from citeqa.errors import SettingsError
from citeqa.store.chroma import Store
from citeqa.store.records import Hit, article_of

Mode = Literal["hybrid", "dense", "bm25"]
Fusion = Literal["rrf", "scores"]
FUSIONS: tuple[Fusion, ...] = ("rrf", "scores")


@dataclass(frozen=True)
class RetrievalSettings:
    """Knobs of hybrid retrieval. The fusion defaults were fitted on BEIR SciFact train (`python -m citeqa.eval.fit`)."""

    k: int = 8  # chunks handed to answer composition
    candidates: int = 40  # taken from each retriever before fusion
    fusion: Fusion = "scores"  # "scores": weighted sum of each side's scores over its top score; "rrf": weighted RRF
    rrf_k: int = 60  # reciprocal rank fusion constant (Cormack et al. 2009), for fusion="rrf"
    dense_weight: float = 0.7  # the dense retriever's share of the fused score; BM25 gets the rest
    per_article: int = 3  # at most this many of the k chunks from one article

    def __post_init__(self) -> None:
        for name in ("k", "candidates", "per_article", "rrf_k"):
            if getattr(self, name) < 1:
                raise SettingsError(f"{name} must be greater than 0. Currently, {name} is {getattr(self, name)}")
        if self.fusion not in FUSIONS:
            raise SettingsError(f"fusion must be one of {', '.join(FUSIONS)}. Currently, it is {self.fusion!r}")
        if not 0.0 <= self.dense_weight <= 1.0:
            raise SettingsError(f"dense_weight must be between 0 and 1. Currently, it is {self.dense_weight}")


@dataclass(frozen=True)
class Candidate:
    """A retrieved chunk before its text is read: id, article and scores."""

    chunk_id: str
    article_id: str
    fused: float
    dense: float | None = None
    lexical: float | None = None


class _FromArticle(Protocol):
    @property
    def article_id(self) -> str: ...


Ranked = TypeVar("Ranked", bound=_FromArticle)


def fuse(dense: Sequence[tuple[str, float]], lexical: Sequence[tuple[str, float]], settings: RetrievalSettings) -> dict[str, float]:
    """Fused scores by chunk id from two (chunk id, score) rankings, best first; a chunk missing from one adds 0 there.

    "rrf": w / (rrf_k + dense rank) + (1 - w) / (rrf_k + BM25 rank), w = `dense_weight`.
    Example, w = 0.5, rrf_k = 60: dense [a, b], lexical [b] -> b: 0.5/62 + 0.5/61, a: 0.5/61.
    "scores": w * cosine / top cosine + (1 - w) * bm25 / top bm25 (each side's own top score is 1; the
    theoretical minimum 0 stays 0, so how deep the lists go changes nothing).
    """
    weights = (settings.dense_weight, 1.0 - settings.dense_weight)
    scores: dict[str, float] = {}
    for weight, ranking in zip(weights, (dense, lexical)):
        top = max((score for _, score in ranking), default=0.0)
        for rank, (chunk_id, score) in enumerate(ranking, 1):
            share = 1.0 / (settings.rrf_k + rank) if settings.fusion == "rrf" else (score / top if top > 0 else 0.0)
            scores[chunk_id] = scores.get(chunk_id, 0.0) + weight * share
    return scores


def cap_per_article(ranked: Sequence[Ranked], k: int, per_article: int) -> list[Ranked]:
    """The first `k`, at most `per_article` from one article, topped up when too few articles exist."""
    taken: list[Ranked] = []
    counts: dict[str, int] = {}
    overflow: list[Ranked] = []
    for item in ranked:
        if counts.get(item.article_id, 0) < per_article:
            taken.append(item)
            counts[item.article_id] = counts.get(item.article_id, 0) + 1
        else:
            overflow.append(item)
        if len(taken) == k:
            return taken
    return taken + overflow[: k - len(taken)]


def rank_articles(ranked: Sequence[_FromArticle]) -> list[str]:
    """Unique article ids in order of their best candidate. Example: [a1, a2, a1] -> [a1, a2]."""
    return list(dict.fromkeys(item.article_id for item in ranked))


def search(
    store: Store,
    query: str,
    query_vector: np.ndarray,
    settings: RetrievalSettings = RetrievalSettings(),
    mode: Mode = "hybrid",
) -> list[Candidate]:
    """All candidates, best first, with dense/lexical/fused scores (not yet capped)."""
    dense = store.nearest(query_vector, settings.candidates) if mode != "bm25" else []
    lexical = store.lexical_search(query, settings.candidates) if mode != "dense" else []
    return combine(dense, lexical, settings, mode)


def combine(
    dense: Sequence[tuple[str, float]], lexical: Sequence[tuple[str, float]], settings: RetrievalSettings, mode: Mode = "hybrid"
) -> list[Candidate]:
    """Candidates from each retriever's (chunk id, score) ranking (at most `settings.candidates` of each), best first."""
    dense, lexical = dense[: settings.candidates], lexical[: settings.candidates]
    if mode == "dense":
        return [Candidate(i, article_of(i), score, dense=score) for i, score in dense]
    if mode == "bm25":
        return [Candidate(i, article_of(i), score, lexical=score) for i, score in lexical]
    dense_scores, lexical_scores = dict(dense), dict(lexical)
    fused = fuse(dense, lexical, settings)
    order = sorted(fused, key=lambda i: fused[i], reverse=True)
    return [Candidate(i, article_of(i), fused[i], dense_scores.get(i), lexical_scores.get(i)) for i in order]


def read_hits(store: Store, candidates: Sequence[Candidate]) -> list[Hit]:
    """The candidates' chunks and sentence vectors, read from the store, with their scores; in order."""
    by_id = {hit.chunk.chunk_id: hit for hit in store.get_hits([c.chunk_id for c in candidates])}
    return [
        replace(by_id[c.chunk_id], fused=c.fused, dense=c.dense, lexical=c.lexical)
        for c in candidates
        if c.chunk_id in by_id
    ]
