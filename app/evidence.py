"""Score every candidate sentence of the retrieved passages against the parsed question.

Scores come from the feature table (`app.features`) through the fitted linear
scorer (`app.scorer`); when a reranker (`app.rerank`, a cross-encoder fine-tuned
from the packaged MiniLM) is available, it reads the best few candidates and its
weighted logit joins their scores. Vectors were computed at ingest: apart from the
reranker, a question costs dot products. This module picks nothing; `app.compose`
decides what to say.
"""

from collections.abc import Sequence
from dataclasses import replace
from typing import Protocol

import numpy as np

from app.features import NAMES, rows
from app.question import Question
from app.scorer import Scorer
from app.sentences import Sentence

_UNREAD = -10.0  # a candidate the reranker did not read ranks after every one it did


class Reranker(Protocol):
    def score(self, question: str, sentences: Sequence[str]) -> np.ndarray: ...


def score_sentences(
    query_vector: np.ndarray,
    question: Question,
    sentences: Sequence[Sentence],
    scorer: Scorer = Scorer(),
    reranker: Reranker | None = None,
) -> list[Sentence]:
    """The sentences with dense cosine, features and score filled in, best first."""
    if not sentences:
        return []
    cosines = np.stack([s.vector for s in sentences]) @ query_vector
    with_dense = [replace(s, dense=float(c)) for s, c in zip(sentences, cosines)]
    table = rows(question, with_dense)
    scores = scorer.score(table)
    scored = [
        replace(s, score=float(score), features=dict(zip(NAMES, map(float, row))))
        for s, score, row in zip(with_dense, scores, table)
    ]
    ranked = sorted(scored, key=lambda s: s.score, reverse=True)
    if reranker is None or scorer.rerank_weight == 0.0:
        return ranked
    top, rest = ranked[: scorer.rerank_top], ranked[scorer.rerank_top :]
    probabilities = reranker.score(question.text, [s.text for s in top])
    extra = scorer.rerank_term(probabilities)
    reread = [
        replace(s, score=s.score + float(e), features={**s.features, "reranker": float(p)})
        for s, e, p in zip(top, extra, probabilities)
    ]
    return sorted(reread, key=lambda s: s.score, reverse=True) + [replace(s, score=s.score + _UNREAD) for s in rest]
