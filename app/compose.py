"""Compose an extractive answer from scored sentences: pick, merge, cite, or abstain.

The answer quotes 1-3 of the best sentences verbatim. A sentence from another
article that states the same fact (same new numbers, or the same content in other
words) adds that article's marker to the claim instead of repeating it. Every
marker is backed by an evidence sentence from its own article, so no citation
points at an article whose text lacks the evidence. When the best sentence scores
under the threshold, the answer says so plainly and cites nothing.
"""

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

import numpy as np

from citeqa.app.answer import Answer, Citation, Evidence
from citeqa.app.answer_type import Phrase, looks_like_person, phrase_spans, typed_answers, without_title
from citeqa.app.question import Question
from citeqa.app.sentences import Sentence, passage_terms, sentence_terms, with_aliases
from citeqa.app.terms import contains_term, numbers, terms
from citeqa.app.words import common_words
from citeqa.store.records import Hit

SHORT_TYPES = ("calendar", "date", "number", "person", "place")  # questions answered by a phrase, then the quote
ABSTAIN_TEXT = "The articles don't say. None of the passages I found answers this question."


@dataclass(frozen=True)
class ComposeSettings:
    """Thresholds of extractive answering (calibrated with `citeqa eval`)."""

    abstain_below: float = 0.5  # best sentence score under which the answer abstains
    extra_margin: float = 0.06  # a further sentence must score within this of the best
    max_sentences: int = 2
    same_fact_cosine: float = 0.8  # sentence vectors this close state the same thing
    support_margin: float = 0.3  # another article's sentence must score within this of the claim to be cited (tuned on the shipped set: recall 0.82 -> 0.84, precision unchanged)


def _new_numbers(sentence: Sentence, question: Question) -> set[str]:
    """Numbers in the sentence that the question does not already contain, years aside."""
    found = numbers(sentence.text) - question.numbers
    return {n for n in found if not (len(n) == 4 and n.isdigit() and 1900 <= int(n) <= 2100)} or found


def same_fact(a: Sentence, b: Sentence, question: Question, settings: ComposeSettings) -> bool:
    """True when `b` states what `a` states (checked on its typed answer, numbers, then words and vectors)."""
    answers = typed_answers(a.text, question.text, question.answer_type)  # "since 1997" for "Since what year…"
    if answers and not any(answer.lower() in b.text.lower() for answer in answers):
        return False
    a_numbers, b_numbers = _new_numbers(a, question), _new_numbers(b, question)
    if a_numbers:
        return bool(a_numbers & b_numbers)
    cosine = float(np.dot(a.vector, b.vector))
    if cosine >= settings.same_fact_cosine:
        return True
    asked = set(question.terms)
    a_terms, b_terms = set(terms(a.text)) - asked, set(terms(b.text)) - asked
    if not a_terms or not b_terms:
        return False
    return len(a_terms & b_terms) / min(len(a_terms), len(b_terms)) >= 0.6 and cosine >= 0.6


def one_line(text: str) -> str:
    """A quote on one line, a heading set off by a colon, and bracketed numbers made unlike our markers.

    Example: "Article 14\nThe depositary…" -> "Article 14: The depositary…"; "cite [5]" -> "cite ［5］"
    (an article's own "[5]" must never read as a citation of ours). The lines a colon introduces are set off by
    semicolons: "…reaffirming that:\nThey will respect X\nThey will not Y" -> "…that: They will respect X; They will not Y".
    """
    lead_in = re.search(r":[ \t]*\n", text)
    cut = lead_in.end() if lead_in else len(text)
    items = re.sub(r"(?<=[^\s.!?:;,…])[ \t]*\n\s*", "; ", text[cut:])
    joined = re.sub(r"\s*\n\s*", " ", re.sub(r"(?<=[^\s.!?:;,…])[ \t]*\n\s*", ": ", text[:cut]) + items)
    return _MARKER_LIKE.sub(lambda m: f"［{m.group(1)}］", joined)


_MARKER_LIKE = re.compile(r"\[\s*(\d+(?:\s*[,;]\s*\d+)*)\s*\]")


def with_markers(sentence: str, markers: Sequence[int]) -> str:
    """Put markers before the closing punctuation. Example: ("It rained.", [1, 2]) -> "It rained [1][2]."."""
    tags = "".join(f"[{m}]" for m in markers)
    match = re.search(r"[.!?…]+[\"'”’)\]]*$", sentence)
    if match and not re.search(r"[\"'”’)\]]", match.group()):
        return f"{sentence[: match.start()].rstrip()} {tags}{match.group()}"
    return f"{sentence} {tags}"


def choose(ranked: Sequence[Sentence], question: Question, settings: ComposeSettings) -> list[list[Sentence]]:
    """Claims to make: each a list whose first sentence is quoted and whose rest support it from other articles."""
    if not ranked or ranked[0].score < settings.abstain_below:
        return []
    best = ranked[0].score
    claims: list[list[Sentence]] = []
    for sentence in ranked:
        if sentence.score < settings.abstain_below:
            break
        claim = next((c for c in claims if same_fact(c[0], sentence, question, settings)), None)
        if claim is not None:
            supports = sentence.score >= claim[0].score - settings.support_margin
            if supports and all(s.article_id != sentence.article_id for s in claim):
                claim.append(sentence)
        elif len(claims) < settings.max_sentences and sentence.score >= best - settings.extra_margin:
            # A further claim may not bring in a new article on a near-tie alone: that is where
            # wrong citations come from. It must extend an article already cited.
            if not claims or any(sentence.article_id == s.article_id for claim in claims for s in claim):
                claims.append([sentence])
    return claims


def absent_entities(question: Question, hits: Sequence[Hit], names: Iterable[str] = ()) -> list[str]:
    """The question's named entities that no retrieved passage (nor its title) and none of `names` mention.

    Example: "Who is the president of Mongolia?" over passages that never name Mongolia -> ["Mongolia"]; "what did
    lavrov say?" -> ["Lavrov"] (a word no lexicon knows is a name).
    A name counts as mentioned when any of its terms is ("President Xi Jinping" by "Xi"), but a name built from
    common words ("Asian Development Bank", "United Nations") only when one sentence, title or name holds all its
    terms: "Central Asian" and "China Development Bank" do not mention the Asian Development Bank.
    """
    names = list(names)
    present = with_aliases(passage_terms(hits, question.text), question.aliases)
    for name in names:
        present.update(terms(name))
    absent = []
    places: list[set[str]] = []  # each sentence's, title's and name's terms: read once, when a name needs them
    for entity in question.entities + question.unknown_names:  # "lavrov", typed in lowercase, is a name too
        entity_terms = terms(entity)
        if not entity_terms:
            continue
        if _built_from_common_words(entity):
            if not places:
                places = [with_aliases(found, question.aliases) for found in sentence_terms(hits, question.text)]
                places += [set(terms(name)) for name in names]
            if not any(all(contains_term(place, term) for term in entity_terms) for place in places):
                absent.append(entity)
        elif not any(contains_term(present, term) for term in entity_terms):
            absent.append(entity)
    return absent


def _built_from_common_words(entity: str) -> bool:
    """True for a name of several words, one of them a common English word, that is no person's name:
    "Asian Development Bank", "United Nations"; not "Mongolia", "President Xi Jinping"."""
    words = entity.split()
    common = common_words()
    return len(words) >= 2 and any(word.lower() in common for word in words) and not looks_like_person(entity)


def abstention(retrieved: Sequence[str], absent: Sequence[str] = ()) -> Answer:
    """The answer that declines: naming what the articles never mention, when that is why."""
    if absent:
        listing = absent[0] if len(absent) == 1 else ", ".join(absent[:-1]) + " or " + absent[-1]
        text = f"The articles don't say: none of them mentions {listing}."
    else:
        text = ABSTAIN_TEXT
    return Answer(text=text, abstained=True, retrieved=tuple(retrieved))


def compose(
    ranked: Sequence[Sentence], question: Question, retrieved: Sequence[str], settings: ComposeSettings
) -> Answer:
    """The extractive Answer for scored sentences (best first)."""
    claims = choose(ranked, question, settings)
    if not claims:
        return abstention(retrieved)
    markers: dict[str, int] = {}
    evidence: dict[str, list[Sentence]] = {}
    parts = []
    for claim in claims:
        claim_markers = []
        for sentence in claim:
            marker = markers.setdefault(sentence.article_id, len(markers) + 1)
            evidence.setdefault(sentence.article_id, []).append(sentence)
            if marker not in claim_markers:
                claim_markers.append(marker)
        parts.append(with_markers(one_line(claim[0].text), claim_markers))
    citations = tuple(_citation(markers[article_id], evidence[article_id]) for article_id in markers)
    text = " ".join(parts)
    lead = short_answer(claims[0], question, markers, "\n".join(s.text for s in ranked))
    return Answer(text=f"{lead} — {text}" if lead else text, citations=citations, retrieved=tuple(retrieved))


def short_answer(claim: Sequence[Sentence], question: Question, markers: dict[str, int], elsewhere: str = "") -> str:
    """The answer phrase a who/where/when/how-many question asks for, with the markers of the articles whose
    evidence contains it verbatim: 'Astana [1][2]'; "" for open questions or when the sentence holds no such phrase.
    Of several, the one nearest the question's own words ("15 million tons of cargo" for "How much cargo…")."""
    if question.answer_type not in SHORT_TYPES:
        return ""
    sentence = claim[0].text
    phrases = phrase_spans(sentence, question.text, question.answer_type, elsewhere)
    if question.answer_type == "person":  # only a person's name leads: "Sadyr Japarov", never "Central Asian"
        phrases = [replace(p, text=without_title(p.text)) for p in phrases if looks_like_person(p.text)]
    if not phrases:
        return ""
    phrase = min(phrases, key=lambda p: _distance(sentence, p, question)).text
    backing = dict.fromkeys(markers[s.article_id] for s in claim if phrase.lower() in s.text.lower())
    return f"{phrase} " + "".join(f"[{m}]" for m in backing)


_WORD_SPAN = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")


def _distance(sentence: str, phrase: Phrase, question: Question) -> tuple[int, int]:
    """(words between the phrase and the nearest term the question requires, the same summed over all the question's
    terms the sentence holds); a term inside the phrase's own match ("*Tajik* President Emomali Rahmon") counts -1."""
    nearest: dict[str, int] = {}
    for word in _WORD_SPAN.finditer(sentence):
        word_terms = terms(word.group())
        if not word_terms:
            continue
        if word.start() >= phrase.start and word.end() <= phrase.end:
            gap = -1
        else:
            between = sentence[phrase.end:word.start()] if word.start() >= phrase.end else sentence[word.end():phrase.start]
            gap = len(_WORD_SPAN.findall(between))
        for term in question.terms:
            if contains_term(word_terms, term):
                nearest[term] = min(nearest.get(term, gap), gap)
    far = len(sentence.split()) + 1
    return min((gap for term, gap in nearest.items() if term in question.required), default=far), sum(nearest.values())


def _citation(marker: int, sentences: Sequence[Sentence]) -> Citation:
    evidence = [Evidence(s.text, s.span[0], s.span[1]) for s in sentences]
    return Citation.quoting(marker, sentences[0].hit.chunk, evidence)
