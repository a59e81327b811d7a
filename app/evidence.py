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

from app.answer_type import STRICT_TYPES, expected_type, has_type, has_typed_phrase
from app.required import required_terms
from app.terms import contains_term, terms
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

    coverage: float = 0.25
    answer_type: float = 0.12  # bonus when the sentence holds the kind of answer asked for (a date for "when")
    missing_required: float = 0.5  # cost when the passage lacks a number, ordinal or focus term asked about
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


def _neighbourhoods(sentences: Sequence[Sentence]) -> list[set[str]]:
    """Terms of each sentence together with its neighbours in the same chunk."""
    result = []
    for sentence in sentences:
        spans = sentence.hit.chunk.sentences
        at = spans.index(sentence.span)
        text = " ".join(sentence.hit.chunk.sentence_text(span) for span in spans[max(0, at - 1) : at + 2])
        result.append(set(terms(text)))
    return result


def term_weights(
    question: str, sentences: Sequence[Sentence], previous: str = "", previous_weight: float = ScoringWeights.previous_turn
) -> dict[str, float]:
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
        weights[term] = previous_weight * math.log(1 + total / (1 + frequency[term]))
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
    term_weight = term_weights(question, sentences, previous, weights.previous_turn)
    total_weight = sum(term_weight.values()) or 1.0
    required = required_terms(question)
    kind = expected_type(question) or expected_type(previous)  # "What about Uzbekistan?" asks what the last turn did
    around = _neighbourhoods(sentences)
    dense = np.stack([s.vector for s in sentences]) @ query_vector
    scored = []
    for index, (sentence, cosine) in enumerate(zip(sentences, dense)):
        present = set(terms(sentence.text))
        coverage = sum(w for term, w in term_weight.items() if contains_term(present, term)) / total_weight
        lacking = not all(contains_term(around[index], term) for term in required)
        score = (
            float(cosine)
            + weights.coverage * coverage
            + weights.answer_type * (1 if has_type(sentence.text, question, kind) else -1 if kind in STRICT_TYPES else 0)
            + weights.answer_type * has_typed_phrase(sentence.text, question, kind)
            - weights.missing_required * lacking
        )
        scored.append(Sentence(**{**sentence.__dict__, "dense": float(cosine), "coverage": coverage, "score": score}))
    return sorted(scored, key=lambda s: s.score, reverse=True)

