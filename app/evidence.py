"""Score every sentence of the retrieved chunks against the question.

A sentence's score mixes its late-chunked vector's cosine with the question and
how much of the question's content it covers, each term weighted by its rarity
among the candidate sentences (so "China" counts for little in a corpus about
China); an acronym counts as the names it stands for in its article, and a name
seen only inside "China–Kyrgyzstan–Uzbekistan" counts partly. Vectors were
computed at ingest; a query costs dot products only. This module picks nothing;
`app.compose` decides what to say.
"""

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from app.answer_type import STRICT_TYPES, expected_type, has_type, has_typed_phrase
from app.required import new_terms, required_terms
from app.terms import compound_terms, contains_term, terms
from store.records import Chunk, Hit, Span

_ADJACENT = 3  # spans at most this many characters apart (a space or a line break) are neighbouring sentences
_HEADING_WORDS = 5  # a line of at most this many words without closing punctuation heads the sentence after it


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
    in_compound: float = 0.25  # share of a term's weight when named only inside "China–Kyrgyzstan–Uzbekistan" or a list of names
    author_bio: float = 0.3  # cost of a sentence from the author's bio when the question does not name the author


def candidate_sentences(hits: Sequence[Hit]) -> list[Sentence]:
    """Unique sentences of the hits (overlapping chunks repeat sentences), in hit order; a heading joins the sentence it heads."""
    seen: set[tuple[str, Span]] = set()
    sentences = []
    for hit in hits:
        spans = hit.chunk.sentences
        for index, span in enumerate(spans):
            if is_heading(hit.chunk, index):
                continue  # quoted together with the sentence it heads
            if index > 0 and is_heading(hit.chunk, index - 1):
                span = (spans[index - 1][0], span[1])
            key = (hit.chunk.article_id, span)
            if key in seen or hit.sentence_vectors is None:
                continue
            seen.add(key)
            sentences.append(
                Sentence(hit.chunk.article_id, span, hit.chunk.sentence_text(span), hit.sentence_vectors[index], hit)
            )
    return sentences


def is_heading(chunk: Chunk, index: int) -> bool:
    """True when sentence `index` is a short line of its own without closing punctuation ("Article 14")
    and the next line starts a sentence of the chunk: that sentence belongs under it.
    """
    spans = chunk.sentences
    if index + 1 >= len(spans):
        return False
    start, end = (at - chunk.char_start for at in spans[index])
    text = chunk.text[start:end].strip()
    between = chunk.text[end : spans[index + 1][0] - chunk.char_start]
    own_line = not chunk.text[:start].strip(" \t") or chunk.text[:start].rstrip(" \t").endswith("\n")
    short = len(text.split()) <= _HEADING_WORDS and not re.search(r"[.!?:;,…]$", text)
    return own_line and short and not between.strip() and "\n" in between


def _neighbourhoods(sentences: Sequence[Sentence], asked_inside: set[str]) -> list[set[str]]:
    """Terms each sentence and the sentences either side of it name in their own right.

    Neighbours come from any retrieved chunk of the same article, so a sentence that opens one
    chunk still sees the sentence before it in another. A name seen only inside a compound or
    list of names ("the China–Kyrgyzstan–Uzbekistan railway") does not count, unless the
    question names it that way too.
    """
    known: dict[str, dict[Span, str]] = {}
    for hit in {id(s.hit): s.hit for s in sentences}.values():
        known.setdefault(hit.chunk.article_id, {}).update((span, hit.chunk.sentence_text(span)) for span in hit.chunk.sentences)
    ordered = {article_id: sorted(texts) for article_id, texts in known.items()}
    position: dict[str, dict[int, int]] = {}  # article -> sentence end -> index in `ordered`
    for article_id, spans in ordered.items():
        ends = position.setdefault(article_id, {})
        for i, span in enumerate(spans):
            ends.setdefault(span[1], i)
    result = []
    for sentence in sentences:
        spans, texts = ordered[sentence.article_id], known[sentence.article_id]
        at = position[sentence.article_id][sentence.span[1]]
        around = [spans[at]]
        if at > 0 and spans[at][0] - spans[at - 1][1] <= _ADJACENT:
            around.insert(0, spans[at - 1])
        if at + 1 < len(spans) and spans[at + 1][0] - spans[at][1] <= _ADJACENT:
            around.append(spans[at + 1])
        # Per sentence (cached) and united: names never form a compound or list across a sentence end.
        parts = [compound_terms(texts[span]) for span in around]
        standalone = frozenset().union(*(own for own, _ in parts))
        inside = frozenset().union(*(within for _, within in parts)) - standalone
        result.append(standalone | (inside & asked_inside))
    return result


_DEFINED = re.compile(r"((?:[A-Z][\w'’]*[-–\s]+(?:(?:of|and|for|the)\s+)?){2,8})\(([A-Z]{2,8})\)")


def acronyms(sentences: Sequence[Sentence]) -> dict[tuple[str, str], str]:
    """(article id, acronym) -> the names it stands for, from definitions like "Shanghai Cooperation Organisation (SCO)"."""
    found = {}
    for sentence in sentences:
        for match in _DEFINED.finditer(sentence.text):
            words = [w for w in re.split(r"[-–\s]+", match.group(1).strip()) if w[:1].isupper()]
            letters = match.group(2)
            if len(words) >= len(letters) and "".join(w[0] for w in words[-len(letters) :]) == letters:
                found[(sentence.article_id, letters)] = " ".join(words[-len(letters) :])
    return found


def in_author_bio(sentence: Sentence) -> bool:
    """True when the sentence's paragraph opens with the article author's name ("Hao Nan is a fellow at…")."""
    author = (sentence.hit.chunk.author or "").strip()
    if not author:
        return False
    text = sentence.hit.chunk.text
    at = sentence.span[0] - sentence.hit.chunk.char_start
    paragraph = text[text.rfind("\n", 0, at) + 1 :].lstrip()
    return paragraph.startswith(author) or bool(re.match(rf"{re.escape(author.split()[0])}\b", paragraph))


def names_author(question: str, sentence: Sentence) -> bool:
    """True when the question names the sentence's article author, wholly or in part."""
    names = (sentence.hit.chunk.author or "").split()
    return any(re.search(rf"\b{re.escape(name)}\b", question, re.IGNORECASE) for name in names)


def _share(term: str, standalone: set[str], inside: set[str], asked_inside: set[str], in_compound: float) -> float:
    """How much of a question term a sentence holds: all of it, or `in_compound` when only inside a name compound."""
    if contains_term(standalone, term) or (term in asked_inside and contains_term(inside, term)):
        return 1.0
    return in_compound if contains_term(inside, term) else 0.0


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
    asked_anew = new_terms(question, previous) if previous else set()
    kind = expected_type(question) or expected_type(previous)  # "What about Uzbekistan?" asks what the last turn did
    asked_inside = compound_terms(question + " " + previous)[1]  # a compound the question names counts in full
    around = _neighbourhoods(sentences, asked_inside)
    defined = acronyms(sentences)
    dense = np.stack([s.vector for s in sentences]) @ query_vector
    scored = []
    for index, (sentence, cosine) in enumerate(zip(sentences, dense)):
        standalone, inside = compound_terms(sentence.text)
        for (article_id, acronym), names in defined.items():  # "the CKU" names China, Kyrgyzstan and Uzbekistan
            if article_id == sentence.article_id and re.search(rf"(?<![\w(]){acronym}\b(?!\))", sentence.text):
                standalone |= set(terms(names))
        coverage = sum(
            w * _share(term, standalone, inside, asked_inside, weights.in_compound) for term, w in term_weight.items()
        ) / total_weight
        lacking = not all(contains_term(around[index], term) for term in required)
        # A follow-up answered by a passage with none of its new words re-answers the previous question.
        lacking |= bool(asked_anew) and not any(contains_term(around[index], term) for term in asked_anew)
        score = (
            float(cosine)
            + weights.coverage * coverage
            + weights.answer_type * (1 if has_type(sentence.text, question, kind) else -1 if kind in STRICT_TYPES else 0)
            + weights.answer_type * has_typed_phrase(sentence.text, question, kind)
            - weights.missing_required * lacking
            - weights.author_bio * (in_author_bio(sentence) and not names_author(question, sentence))
        )
        scored.append(Sentence(**{**sentence.__dict__, "dense": float(cosine), "coverage": coverage, "score": score}))
    return sorted(scored, key=lambda s: s.score, reverse=True)

