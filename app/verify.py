"""Check a generated answer's [n] markers against the articles they name; keep only supported ones.

A marker cites the claim it closes: the text between the previous marker (or the
start of its sentence) and the marker itself, or the whole sentence when that
stretch has no content words. The marker is kept only when it names an article
that was given to the model AND one sentence of that article's retrieved passages
supports the claim:

- weighted overlap >= `min_overlap` (0.6): the share of the claim's content terms
  (`app.terms.terms`, stemmed) found in the sentence, each term weighted by its
  rarity among all retrieved sentences, so "China" counts for little and an
  invented "Mars" for a lot; and
- every number in the claim appears in that sentence (a year may appear anywhere in
  the article's passages: "In 2025, ..." often takes its year from another sentence).

This is lexical: it catches citations of the wrong article and invented figures,
not a negation or a swapped subject. Kept markers are renumbered in order of first
use, and each Citation carries the supporting sentence(s) with article offsets.
Dropped markers disappear from the text and are reported in `Verified.dropped`,
one notice per article and claim (the caller shows them with the answer).
"""

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from citeqa.app.answer import Citation, Evidence
from citeqa.app.prompt import Source
from citeqa.app.sentences import candidate_sentences
from citeqa.app.terms import contains_term, numbers, terms
from citeqa.ingest.sentences import split_sentences
from citeqa.store.records import Hit, Span

MIN_OVERLAP = 0.6  # weighted share of the claim's terms; 0.5 let "China signed a treaty on Mars" through
# One marker group: "[1][2]", "[1] [2]" (the lazy space), "[1, 2]", with the space before it.
_GROUP = re.compile(r"\s*(?:\[\s*\d+(?:\s*[,;]\s*\d+)*\s*\]\s*?)+")
_AFTER_STOP = re.compile(r"([.!?])(\s*)((?:\[\s*\d+(?:\s*[,;]\s*\d+)*\s*\]\s*?)+)")
_THINK = re.compile(r"<think>.*?</think>", re.DOTALL)


@dataclass(frozen=True)
class Verified:
    """The answer text with only supported markers (renumbered), their citations, and what was dropped."""

    text: str
    citations: tuple[Citation, ...]
    dropped: tuple[str, ...]


@dataclass(frozen=True)
class _Candidate:
    text: str
    span: Span
    hit: Hit
    terms: frozenset[str]
    numbers: frozenset[str]


def _candidates(source: Source) -> list[_Candidate]:
    """The source's candidate sentences (the same ones extractive answering scores), with their terms."""
    return [
        _Candidate(s.text, s.span, s.hit, frozenset(terms(s.text)), frozenset(numbers(s.text)))
        for s in candidate_sentences(source.hits)
    ]


@dataclass(frozen=True)
class _Rarity:
    """Term weights: inverse frequency over all retrieved sentences; a term none has weighs most."""

    known: dict[str, float]
    unseen: float

    @classmethod
    def of(cls, candidates: Sequence[_Candidate]) -> "_Rarity":
        frequency = Counter(t for candidate in candidates for t in candidate.terms)
        total = len(candidates) + 1
        return cls({t: math.log(1 + total / (1 + n)) for t, n in frequency.items()}, math.log(1 + total))

    def __call__(self, term: str) -> float:
        return self.known.get(term, self.unseen)


def _is_year(number: str) -> bool:
    return len(number) == 4 and number.isdigit() and 1900 <= int(number) <= 2100


def support(claim: str, candidates: Sequence[_Candidate], weight: _Rarity, min_overlap: float) -> _Candidate | None:
    """The candidate sentence that best supports `claim`, or None when none reaches `min_overlap`.

    Every number must be in that sentence, except a year, which may come from elsewhere in the article.
    """
    claim_terms, claim_numbers = set(terms(claim)), numbers(claim)
    if not claim_terms:
        return None
    years = {n for n in claim_numbers if _is_year(n)}
    if not years <= {n for candidate in candidates for n in candidate.numbers}:
        return None
    claim_numbers -= years
    total = sum(weight(t) for t in claim_terms)
    best, best_score = None, 0.0
    for candidate in candidates:
        if not claim_numbers <= candidate.numbers:
            continue  # an invented or altered figure is never supported
        score = sum(weight(t) for t in claim_terms if contains_term(candidate.terms, t)) / total
        if score > best_score:
            best, best_score = candidate, score
    return best if best_score >= min_overlap else None


def _short(text: str, limit: int = 90) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def verify(answer: str, sources: Sequence[Source], min_overlap: float = MIN_OVERLAP) -> Verified:
    """Keep the markers whose article supports their claim. See the module docstring for the rule."""
    # "Claim. [1] Next" -> "Claim [1]. Next": the marker belongs to the sentence it follows.
    text = _AFTER_STOP.sub(lambda m: f" {m.group(3).strip()}{m.group(1)}", _THINK.sub("", answer)).strip()
    by_number = {s.number: s for s in sources}
    candidates = {s.number: _candidates(s) for s in sources}
    weight = _Rarity.of([c for group in candidates.values() for c in group])
    renumber: dict[int, int] = {}
    evidence: dict[int, list[_Candidate]] = {}
    dropped: list[str] = []
    pieces, at = [], 0
    for start, end in split_sentences(text):
        claim_start = start
        for group in _GROUP.finditer(text, start, end):
            claim = _GROUP.sub(" ", text[claim_start : group.start()])
            if not terms(claim):
                claim = _GROUP.sub(" ", text[start:end])
            kept = []
            for number in dict.fromkeys(int(n) for n in re.findall(r"\d+", group.group())):
                source = by_number.get(number)
                found = support(claim, candidates[number], weight, min_overlap) if source else None
                if source is None:
                    dropped.append(f"Removed citation [{number}]: no article [{number}] was given to the model.")
                elif found is None:
                    dropped.append(f"Removed citation of “{_short(source.title, 60)}”: it does not support “{_short(claim)}”.")
                else:
                    new = renumber.setdefault(number, len(renumber) + 1)
                    if found not in evidence.setdefault(number, []):
                        evidence[number].append(found)
                    kept.append(new)
            tags = "".join(f"[{n}]" for n in dict.fromkeys(kept))
            pieces.append(text[at : group.start()] + (f" {tags}" if tags else ""))
            at = claim_start = group.end()
    pieces.append(text[at:])
    final = re.sub(r"[ \t]+([.,;:!?])", r"\1", re.sub(r"[ \t]{2,}", " ", "".join(pieces))).strip()
    citations = tuple(_citation(renumber[n], evidence[n]) for n in renumber)
    return Verified(final, citations, tuple(dict.fromkeys(dropped)))


def _citation(marker: int, found: Sequence[_Candidate]) -> Citation:
    evidence = [Evidence(c.text, c.span[0], c.span[1]) for c in sorted(found, key=lambda c: c.span)]
    return Citation.quoting(marker, found[0].hit.chunk, evidence)
