"""The feature table: small named functions of (question, candidate sentence) -> number.

Each feature reads the parsed `Question`, the `Sentence` and a `Context` computed
once per question (term weights, neighbourhoods, acronyms, retrieval ranks). A
`gate` is a feature that marks a sentence unable to answer (it lacks what the
question requires); the rest are signals. `app.scorer` turns a row into a score
with weights fitted on public train splits (`citeqa train scorer`); the reports
show each feature's contribution. The reranker's score is added by `app.evidence`
for the top candidates only, since it costs a model call per sentence.
"""

import math
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from citeqa.app.answer_type import STRICT_TYPES, has_type, has_typed_phrase
from citeqa.app.binding import ordinals_elsewhere, owned_elsewhere, said_first
from citeqa.app.question import Question
from citeqa.app.required import ORDINALS
from citeqa.app.sentences import (
    Sentence, acronyms, antecedents, in_author_bio, names_author, neighbourhoods, passage_terms, sentence_neighbours, with_aliases,
)
from citeqa.app.terms import compound_terms, contains_term, terms

IN_COMPOUND = 0.25  # share of a term's weight when named only inside "China–Kyrgyzstan–Uzbekistan" or a list of names
PREVIOUS_TURN = 0.4  # weight of terms that only the previous question had
ANTECEDENT = 0.5  # share of a term's weight when only the sentence a pronoun points back to names it


@dataclass(frozen=True)
class Context:
    """What every feature of one question shares: computed once, read many times."""

    question: Question
    term_weight: dict[str, float]
    around: dict[int, frozenset[str]]  # sentence index -> terms it and its neighbours name in their own right
    antecedent: dict[int, frozenset[str]]  # sentence index -> terms of the sentence its opening pronoun stands for
    elsewhere: dict[int, frozenset[str]]  # sentence index -> focus terms it gives to another name ("Kazakhstan's capital"), ordinals it puts on another noun
    defined: dict[tuple[str, str], str]  # (article id, acronym) -> the names it stands for
    article_text: dict[str, set[str]]  # article id -> terms of all its retrieved sentences, its title and author
    article_rank: dict[str, int]  # article id -> rank of its best candidate (1 = best)
    hit_rank: dict[int, int]  # id(hit) -> rank among the retrieved passages (1 = best)
    best_dense: float
    best_lexical: float
    unseen: frozenset[str]  # required terms no retrieved passage names for the question (bios aside, "its GDP" of another)


@dataclass(frozen=True)
class Feature:
    """One column of the table."""

    name: str
    gate: bool
    compute: Callable[[Context, int, Sentence], float]
    doc: str


def term_weights(question: Question, sentences: Sequence[Sentence]) -> dict[str, float]:
    """Question term -> inverse document frequency over the candidate sentences; previous-turn terms count less."""
    frequency: Counter[str] = Counter()
    for sentence in sentences:
        frequency.update(set(terms(sentence.text)))
    total = len(sentences) + 1
    # In the question's word order (dicts, not sets): sums over the weights come out the same in every process.
    current = dict.fromkeys(question.terms)
    weights = {term: math.log(1 + total / (1 + frequency[term])) for term in current}
    for term in dict.fromkeys(question.previous_terms):
        if term not in current:
            weights[term] = PREVIOUS_TURN * math.log(1 + total / (1 + frequency[term]))
    return weights


def context(question: Question, sentences: Sequence[Sentence]) -> Context:
    """The per-question state the features read."""
    focus = [term for term in question.required if not _countable(term)]
    elsewhere = [
        (owned_elsewhere(s.text, focus, question.entity_terms) if focus else frozenset()) | ordinals_elsewhere(s.text, question.text)
        for s in sentences
    ]
    neighbours = sentence_neighbours(sentences)
    around = [
        frozenset(with_aliases(terms_near, question.aliases) | said_first(s.text)) - owned
        for s, terms_near, owned in zip(sentences, neighbourhoods(neighbours, question.asked_inside), elsewhere)
    ]
    article_terms: dict[str, set[str]] = {}
    for sentence in sentences:
        article_terms.setdefault(sentence.article_id, set()).update(with_aliases(set(terms(sentence.text)), question.aliases))
    for hit in {id(s.hit): s.hit for s in sentences}.values():  # what the article says of itself: "Alyssa Chen" wrote it
        article_terms[hit.article_id].update(terms(hit.chunk.title), terms(hit.chunk.author or ""))
    hits = list({id(s.hit): s.hit for s in sentences}.values())
    article_rank: dict[str, int] = {}
    for hit in hits:
        article_rank.setdefault(hit.article_id, len(article_rank) + 1)
    lexical = [h.lexical for h in hits if h.lexical]
    seen = passage_terms(hits, question.text)  # an author's bio names nothing the question asks, unless it names her
    given_away = set()  # focus terms that every candidate sentence naming them gives to another name
    for term in focus:
        holders = [i for i, s in enumerate(sentences) if contains_term(terms(s.text), term)]
        if holders and all(term in elsewhere[i] for i in holders):
            given_away.add(term)
    return Context(
        question=question,
        term_weight=term_weights(question, sentences),
        around=dict(enumerate(around)),
        antecedent=dict(enumerate(with_aliases(set(found), question.aliases) for found in antecedents(neighbours))),
        elsewhere=dict(enumerate(elsewhere)),
        defined=acronyms(sentences),
        article_text=article_terms,
        article_rank=article_rank,
        hit_rank={id(h): rank for rank, h in enumerate(hits, 1)},
        best_dense=max((s.dense for s in sentences), default=0.0),
        best_lexical=max(lexical, default=0.0),
        unseen=frozenset(term for term in question.required if not contains_term(seen, term) or term in given_away),
    )


def _standalone_and_inside(ctx: Context, sentence: Sentence) -> tuple[set[str], frozenset[str]]:
    standalone, inside = compound_terms(sentence.text)
    standalone = set(standalone) | said_first(sentence.text)
    for (article_id, acronym), names in ctx.defined.items():  # "the CKU" names China, Kyrgyzstan and Uzbekistan
        if article_id == sentence.article_id and re.search(rf"(?<![\w(]){acronym}\b(?!\))", sentence.text):
            standalone |= set(terms(names))
    return with_aliases(standalone, ctx.question.aliases), inside


def dense(ctx: Context, index: int, sentence: Sentence) -> float:
    """Cosine of the sentence's late-chunked vector with the question's vector."""
    return sentence.dense


def dense_gap(ctx: Context, index: int, sentence: Sentence) -> float:
    """How far the sentence's cosine lies below the best candidate's (0 for the best)."""
    return sentence.dense - ctx.best_dense


def coverage(ctx: Context, index: int, sentence: Sentence) -> float:
    """Share of the question's terms (weighted by rarity) the sentence names; a term only inside a name compound, or only
    in the sentence an opening pronoun stands for ("But *it* also renews concerns…"), counts partly, a focus noun the
    sentence gives to another name ("Kazakhstan's capital" for Turkmenistan's) not at all."""
    total = sum(ctx.term_weight.values()) or 1.0
    standalone, inside = _standalone_and_inside(ctx, sentence)
    standalone -= ctx.elsewhere[index]
    asked_inside = ctx.question.asked_inside
    held = 0.0
    antecedent = ctx.antecedent[index]
    for term, weight in ctx.term_weight.items():
        if contains_term(standalone, term) or (term in asked_inside and contains_term(inside, term)):
            held += weight
        elif contains_term(inside, term):
            held += IN_COMPOUND * weight
        elif antecedent and contains_term(antecedent, term):
            held += ANTECEDENT * weight
    return held / total


def missing_rarest(ctx: Context, index: int, sentence: Sentence) -> float:
    """Rarity of the rarest question term that neither the sentence nor its neighbours name, relative to the
    rarest term overall (0 when every term is there): one specific missing word often means "not this"."""
    if not ctx.term_weight:
        return 0.0
    around = ctx.around[index]
    missing = [w for term, w in ctx.term_weight.items() if not contains_term(around, term)]
    return max(missing, default=0.0) / max(ctx.term_weight.values())


def answer_type(ctx: Context, index: int, sentence: Sentence) -> float:
    """+1 when the sentence holds the kind of answer asked for (a date for "when"), -1 when a strict kind is missing, else 0."""
    kind = ctx.question.answer_type
    if has_type(sentence.text, ctx.question.text, kind):
        return 1.0
    return -1.0 if kind in STRICT_TYPES else 0.0


def typed_phrase(ctx: Context, index: int, sentence: Sentence) -> float:
    """1 when the typed answer stands where the question's words put it: after its leading preposition ("Since what
    year…" and "…since 1997"), or a name under the title asked about ("President of Kazakhstan Kassym-Jomart Tokayev")."""
    return float(has_typed_phrase(sentence.text, ctx.question.text, ctx.question.answer_type))


def missing_required(ctx: Context, index: int, sentence: Sentence) -> float:
    """1 when the sentence and its neighbours lack a number, ordinal or focus noun the question names,
    or a follow-up's own new words (else it re-answers the previous question)."""
    around = ctx.around[index]
    lacking = not all(contains_term(around, term) for term in ctx.question.required)
    asked_anew = ctx.question.new_terms
    lacking |= bool(asked_anew) and not any(contains_term(around, term) for term in asked_anew)
    return float(lacking)


def missing_typed(ctx: Context, index: int, sentence: Sentence) -> float:
    """1 when a question asking for a number or date meets a sentence lacking what it requires ("How many
    *troops*…" and a sentence with other numbers): the figure asked for is not the one given."""
    return missing_required(ctx, index, sentence) if ctx.question.answer_type in STRICT_TYPES else 0.0


def author_bio(ctx: Context, index: int, sentence: Sentence) -> float:
    """1 for a sentence of the author's bio when the question does not name the author."""
    return float(in_author_bio(sentence) and not names_author(ctx.question.text, sentence))


def entities_near(ctx: Context, index: int, sentence: Sentence) -> float:
    """Share of the question's named entities that the sentence or its neighbours name (1 when it names none)."""
    wanted = ctx.question.entity_terms
    if not wanted:
        return 1.0
    around = ctx.around[index]
    return sum(all(contains_term(around, t) for t in entity) for entity in wanted) / len(wanted)


def entities_in_article(ctx: Context, index: int, sentence: Sentence) -> float:
    """Share of the question's named entities found anywhere in the retrieved text of the sentence's article, its
    title or its author's name."""
    wanted = ctx.question.entity_terms
    if not wanted:
        return 1.0
    present = ctx.article_text.get(sentence.article_id, set())
    return sum(all(contains_term(present, t) for t in entity) for entity in wanted) / len(wanted)


_ORDINAL_TERMS = frozenset(term for word in ORDINALS for term in terms(word))


def _countable(term: str) -> bool:
    return term[0].isdigit() or term in _ORDINAL_TERMS


def number_unseen(ctx: Context, index: int, sentence: Sentence) -> float:
    """1 when a number or ordinal the question requires ("the *fourth* summit", "in *2023*") is in no retrieved
    passage. The same for every candidate of a question: it moves the abstain decision, not the ranking."""
    return float(any(_countable(term) for term in ctx.unseen))


def focus_unseen(ctx: Context, index: int, sentence: Sentence) -> float:
    """1 when the focus noun the question requires ("How many *troops*…") is in no retrieved passage. Apart from
    numbers because it is noisier: crowd-written questions often name the answer's kind ("what *portion*…")."""
    return float(any(not _countable(term) for term in ctx.unseen))


def passage_rank(ctx: Context, index: int, sentence: Sentence) -> float:
    """1 / rank of the retrieved passage the sentence comes from."""
    return 1.0 / ctx.hit_rank.get(id(sentence.hit), 100)


def article_rank(ctx: Context, index: int, sentence: Sentence) -> float:
    """1 / rank of the sentence's article among the retrieved articles."""
    return 1.0 / ctx.article_rank.get(sentence.article_id, 100)


def lexical(ctx: Context, index: int, sentence: Sentence) -> float:
    """The passage's BM25 score relative to the best retrieved passage's (0 when BM25 did not find it)."""
    return (sentence.hit.lexical or 0.0) / ctx.best_lexical if ctx.best_lexical else 0.0


def length(ctx: Context, index: int, sentence: Sentence) -> float:
    """log of the sentence's word count: very short lines (captions, headings) rarely answer."""
    return math.log(1 + len(sentence.text.split()))


FEATURES: tuple[Feature, ...] = tuple(
    Feature(f.__name__, gate, f, (f.__doc__ or "").split("\n")[0])
    for f, gate in (
        (dense, False), (dense_gap, False), (coverage, False), (missing_rarest, False), (answer_type, False), (typed_phrase, False),
        (missing_required, True), (missing_typed, True), (author_bio, True), (entities_near, False), (entities_in_article, False),
        (number_unseen, False), (focus_unseen, False), (passage_rank, False), (article_rank, False), (lexical, False), (length, False),
    )
)
NAMES: tuple[str, ...] = tuple(f.name for f in FEATURES)


def rows(question: Question, sentences: Sequence[Sentence]) -> np.ndarray:
    """The feature matrix: one row per sentence, one column per FEATURES entry."""
    ctx = context(question, sentences)
    return np.array([[f.compute(ctx, i, s) for f in FEATURES] for i, s in enumerate(sentences)], dtype=float).reshape(
        len(sentences), len(FEATURES)
    )
