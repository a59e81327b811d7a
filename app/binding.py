"""Whose a focus noun or an ordinal is: "Kazakhstan's capital" is not the capital of Turkmenistan.

A sentence that names the noun a question asks about ("What is the capital of
Turkmenistan?") but gives it to another name ("Astana, Kazakhstan's capital") does
not hold that noun for the question, nor does a sentence whose ordinal ranks another
noun ("the second *time* the summit has been held" for "the second *summit*"):
`app.features` counts them as missing there.
"""

import re
from collections.abc import Iterable
from functools import lru_cache

from citeqa.app.required import ORDINALS, asked_ordinals
from citeqa.app.terms import contains_term, terms
from citeqa.app.words import modifier_words, verb_forms

_NAME = r"[A-Z][\w’'-]*(?:\s+[A-Z][\w’'-]*)*"
_OWNER_BEFORE = re.compile(rf"(?:({_NAME})['’]s|\b(its|their))\s+(?:[a-z][\w-]*\s+)?$")  # "Kazakhstan's (new) capital", "its GDP"
_OWNER_AFTER = re.compile(rf"^\s+of\s+(?:the\s+)?({_NAME})")  # "capital of Kazakhstan"
_WORD = re.compile(r"[A-Za-z][\w-]*")
_ORDINAL = "|".join(ORDINALS)
# An ordinal and the first lowercase word after it, past names and hyphens: "second China-Central Asia summit" -> summit.
_RANKED = re.compile(rf"\b((?i:{_ORDINAL}))\b(?:[-–]|\s+)(?:(?:[A-Z][\w’'-]*|[-–])\s*)*([a-z][\w’'-]*)?")


def owned_elsewhere(sentence: str, focus: Iterable[str], entities: Iterable[Iterable[str]]) -> frozenset[str]:
    """Focus terms that every mention in `sentence` gives to a name sharing no term with the question's `entities`.

    Example: ("The signing took place in Astana, Kazakhstan's capital.", {"capit"}, [("turkmenistan",)]) -> {"capit"}.
    A mention with no owner, or owned by one of the entities, keeps the term.
    """
    wanted = [tuple(entity) for entity in entities]
    if not wanted:
        return frozenset()
    elsewhere = set()
    for term in focus:
        owners = [_owner(sentence, m.start(), m.end()) for m in _WORD.finditer(sentence) if contains_term(terms(m.group()), term)]
        if owners and all(owner is not None and not _is_one_of(owner, wanted) for owner in owners):
            elsewhere.add(term)
    return frozenset(elsewhere)


def _owner(sentence: str, start: int, end: int) -> str | None:
    """The name a mention belongs to ("Kazakhstan's capital", "capital of Kazakhstan"), if the sentence says; "its" and
    "their" stand for the last name before them ("Tajikistan's debt is 27 percent of its GDP")."""
    before, after = _OWNER_BEFORE.search(sentence[:start]), _OWNER_AFTER.match(sentence[end:])
    if before and before.group(2):
        names = [m.group() for m in re.finditer(_NAME, sentence[: before.start()]) if terms(m.group())]
        return names[-1] if names else None
    return (before or after).group(1) if before or after else None


def _is_one_of(owner: str, entities: list[tuple[str, ...]]) -> bool:
    named = set(terms(owner))
    return any(any(contains_term(named, t) for t in entity) for entity in entities)


def ordinals_elsewhere(sentence: str, question: str) -> frozenset[str]:
    """Ordinals the question puts on a noun ("the second summit") that every mention in `sentence` puts on another
    ("It is only the second time the summit has been held") -> {"second"}, and the terms the sentence says only of
    another ordinal ("…, with the first hosted by the Chinese city of Xian") -> {"host", "citi", …}. A mention before
    a verb, a function word, punctuation or the same noun keeps the ordinal ("the second was held in Astana", "the
    second China-Central Asia summit")."""
    if not asked_ordinals(question):
        return frozenset()
    elsewhere = _under_other_ordinals(sentence, question)
    for ordinal, noun_terms in _ranked_nouns(question).items():
        mentions = [m for m in _RANKED.finditer(sentence) if m.group(1).lower() == ordinal]
        if mentions and all(_ranks_another(m.group(2), noun_terms) for m in mentions):
            elsewhere.update(terms(ordinal))
    return frozenset(elsewhere)


@lru_cache(maxsize=256)
def _ranked_nouns(question: str) -> dict[str, tuple[str, ...]]:
    """Ordinal -> the terms of the noun the question puts it on: "the second summit" -> {"second": ("summit",)}."""
    ranked = {}
    for match in _RANKED.finditer(question):
        noun = (match.group(2) or "").lower()
        if noun and not _is_modifier(noun) and terms(noun):
            ranked[match.group(1).lower()] = terms(noun)
    return ranked


def _is_modifier(word: str) -> bool:
    """ "largest", "annual": words that describe the ranked noun rather than name it."""
    return word in modifier_words() or word.endswith("est")


def _ranks_another(word: str | None, noun_terms: tuple[str, ...]) -> bool:
    if word is None:
        return False
    word = word.lower()
    word_terms = terms(word)
    if not word_terms or word in verb_forms() or word.endswith("ed") or _is_modifier(word):
        return False
    return not any(contains_term(word_terms, term) for term in noun_terms)


_FIRST_WORDS = "inaugural|maiden"  # say "first" without the word: "the inaugural summit"
_FIRST_TERMS = frozenset(terms("first"))
_SAYS_FIRST = re.compile(rf"\b(?i:{_FIRST_WORDS})\b")


def said_first(sentence: str) -> frozenset[str]:
    """{"first"}'s term when the sentence says it in other words ("the inaugural summit"), else nothing."""
    return _FIRST_TERMS if _SAYS_FIRST.search(sentence) else frozenset()


_OPENS_RANK = re.compile(rf"\b(?i:{_ORDINAL}|{_FIRST_WORDS})\b")
_CLAUSE_END = re.compile(rf"[,;:.!?()–—]|\b(?i:{_ORDINAL}|{_FIRST_WORDS})\b")


def _under_other_ordinals(sentence: str, question: str) -> set[str]:
    """Terms the sentence names only in clauses opened by an ordinal the question does not ask about."""
    asked = asked_ordinals(question)
    if not asked:
        return set()
    other, rest, at = [], [], 0
    for match in _OPENS_RANK.finditer(sentence):
        rank = match.group().lower()
        if (rank if rank in ORDINALS else "first") in asked or match.start() < at:
            continue
        end = _CLAUSE_END.search(sentence, match.end())
        stop = end.start() if end else len(sentence)
        rest.append(sentence[at : match.start()])
        other.append(sentence[match.end() : stop])
        at = stop
    rest.append(sentence[at:])
    return set(terms(" ".join(other))) - set(terms(" ".join(rest))) if other else set()
