"""Score every sentence of the retrieved chunks against the question.

A sentence's score mixes its late-chunked vector's cosine with the question and
how much of the question's content it covers, each term weighted by its rarity
among the candidate sentences (so "China" counts for little in a corpus about
China). Vectors were computed at ingest; a query costs dot products only. This
module picks nothing; `app.compose` decides what to say.
"""

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from app.terms import terms
from store.records import Hit, Span


@dataclass(frozen=True)
class Sentence:
    """One candidate evidence sentence with its scores."""

    article_id: str
    span: Span  # offsets in the article's clean text
    text: str
    vector: np.ndarray
    hit: Hit
    dense: float = 0.0
    coverage: float = 0.0  # weighted share of the question's terms found in the sentence
    score: float = 0.0


@dataclass(frozen=True)
class ScoringWeights:
    """How dense similarity and term coverage combine into a sentence score."""

    coverage: float = 0.35
    previous_turn: float = 0.4  # weight of terms that only the previous question had


def candidate_sentences(hits: Sequence[Hit]) -> list[Sentence]:
    """Unique sentences of the hits (overlapping chunks repeat sentences), in hit order."""
    seen: set[tuple[str, Span]] = set()
    sentences = []
    for hit in hits:
        for index, span in enumerate(hit.chunk.sentences):
            key = (hit.chunk.article_id, span)
            if key in seen or hit.sentence_vectors is None:
                continue
            seen.add(key)
            sentences.append(
                Sentence(hit.chunk.article_id, span, hit.chunk.sentence_text(span), hit.sentence_vectors[index], hit)
            )
    return sentences


def term_weights(question: str, sentences: Sequence[Sentence], previous: str = "") -> dict[str, float]:
    """Question term -> weight: inverse document frequency over the candidate sentences.

    Terms only present in the previous turn (follow-ups) count at a reduced weight.
    """
    frequency: Counter[str] = Counter()
    for sentence in sentences:
        frequency.update(set(terms(sentence.text)))
    total = len(sentences) + 1
    current = set(terms(question))
    weights = {term: math.log(1 + total / (1 + frequency[term])) for term in current}
    for term in set(terms(previous)) - current:
        weights[term] = ScoringWeights.previous_turn * math.log(1 + total / (1 + frequency[term]))
    return weights


def score_sentences(
    query_vector: np.ndarray,
    question: str,
    sentences: Sequence[Sentence],
    previous: str = "",
    weights: ScoringWeights = ScoringWeights(),
) -> list[Sentence]:
    """The sentences with scores filled in, best first."""
    if not sentences:
        return []
    term_weight = term_weights(question, sentences, previous)
    total_weight = sum(term_weight.values()) or 1.0
    dense = np.stack([s.vector for s in sentences]) @ query_vector
    scored = []
    for sentence, cosine in zip(sentences, dense):
        present = set(terms(sentence.text))
        coverage = sum(w for term, w in term_weight.items() if term in present) / total_weight
        score = float(cosine) + weights.coverage * coverage
        scored.append(Sentence(**{**sentence.__dict__, "dense": float(cosine), "coverage": coverage, "score": score}))
    return sorted(scored, key=lambda s: s.score, reverse=True)
