"""Whose a focus noun is: "Kazakhstan's capital" is not the capital of Turkmenistan.

A sentence that names the noun a question asks about ("What is the capital of
Turkmenistan?") but gives it to another name ("Astana, Kazakhstan's capital") does
not hold that noun for the question: `app.features` counts it as missing there.
"""

import re
from collections.abc import Iterable

from citeqa.app.terms import contains_term, terms

_NAME = r"[A-Z][\w’'-]*(?:\s+[A-Z][\w’'-]*)*"
_OWNER_BEFORE = re.compile(rf"(?:({_NAME})['’]s|\b(its|their))\s+(?:[a-z][\w-]*\s+)?$")  # "Kazakhstan's (new) capital", "its GDP"
_OWNER_AFTER = re.compile(rf"^\s+of\s+(?:the\s+)?({_NAME})")  # "capital of Kazakhstan"
_WORD = re.compile(r"[A-Za-z][\w-]*")


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
