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

from citeqa.app.features import NAMES, rows
from citeqa.app.question import Question
from citeqa.app.scorer import Scorer
from citeqa.app.sentences import Sentence

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
    read: dict[int, float] = {}
    if reranker is not None and scorer.rerank_weight != 0.0:
        top = scorer.reread(scores)
        # the standalone question: a follow-up ("And the fourth?") is read with the question it follows
        probabilities = reranker.score(question.query, [with_dense[i].text for i in top])
        read = dict(zip(top.tolist(), map(float, probabilities)))
        scores = scorer.with_reranker(scores, probabilities)
    scored = [
        replace(s, score=float(score), features=dict(zip(NAMES, map(float, row))) | ({"reranker": read[i]} if i in read else {}))
        for i, (s, score, row) in enumerate(zip(with_dense, scores, table))
    ]
    return sorted(scored, key=lambda s: s.score, reverse=True)
