"""Terms a passage must contain to answer a question: its numbers, ordinals and focus noun.

"How many troops..." is not answered by a passage without troops, however close
its topic, nor "How many kilometres long is the pipeline?" by one about a railway;
"Who will host the fourth summit?" is not answered by one about the third. Generic
answer-type nouns ("which country", "what year", "how much money") are not required:
they name the kind of answer, not its subject. This module only finds the terms;
`app.evidence` decides what a missing one costs.
"""

import re
from functools import lru_cache

from citeqa.app.terms import numbers, terms
from citeqa.app.words import verb_forms

ORDINALS = "first second third fourth fifth sixth seventh eighth ninth tenth".split()
_FOCUS = re.compile(
    r"\b(?:what|how) about (?:in |for |with )?(?:the )?(?P<h>[a-z][\w'’-]*)"
    r"|\bhow (?:many|much) (?P<a>[a-z][\w-]*)(?: (?P<b>[a-z][\w-]*))?"
    r"|\b(?:what|which)(?: (?:is|was|are|were))?(?: the)?(?:(?: (?!of\b)[\w-]+){1,3}['’]s| (?-i:[A-Z])[\w-]*(?: (?-i:[A-Z])[\w-]*)*)?"  # "Alyssa Chen's interests", "Central Asian nation"
    r" (?P<c>(?!(?:of|in|on|at|by|for|to|with|and|or|from|about)\b)(?-i:[a-z])[\w-]*|(?-i:[A-Z]{2,6})(?![\w-]))(?: (?P<d>(?-i:[a-z])[\w-]*))?(?: of (?:the )?(?P<e>[a-z][\w-]*))?"
    r"|\bwho (?:is|was|are|were) the (?P<f>[a-z][\w-]*)(?: (?P<g>[a-z][\w-]*))?",
    re.IGNORECASE,
)
# "How many kilometres long is the gas pipeline…": the thing measured is as required as the unit.
_MEASURED = re.compile(
    r"\bhow (?:many|much|long|far|big|large|high|deep|wide)\b[^?]*?\b(?:is|are|was|were) the (?P<a>(?-i:[a-z])[\w-]*)(?: (?P<b>(?-i:[a-z])[\w-]*))?",
    re.IGNORECASE,
)
_AUXILIARIES = frozenset(
    """did does do is was are were will would has have had can could should may might
    happen happens happened cause causes caused make makes made mean means meant lead leads led
    become becomes became say says said""".split()
)
# Words that name the type of the answer, or are function words, rather than its subject.
_GENERIC = frozenset(
    """country countries city cities place places year years date day days month months time times amount
    amounts money sum value share percentage percent number figure total person people man woman company
    companies firm organisation organization group bloc body office lender creditor leader leaders official
    name names area areas field fields sector sectors topic topics issue issues language languages currency title word term route method
    it they them he she there then now so also exactly really back else additional further treaty agreement document kind type way case role part thing things
    the a an this that
    these those it its their his her regional main new other big largest biggest first last""".split()
)
_GENERIC_TERMS = frozenset(term for word in _GENERIC for term in terms(word))
_VERB_FORMS = verb_forms()  # "gave", "won", "held": never nouns
_AUXILIARY_TERMS = frozenset(term for word in _AUXILIARIES for term in terms(word))


def focus_terms(question: str) -> set[str]:
    """Stems of the head nouns a question asks about. Example: "How many troops were sent?" -> {"troop"}."""
    found: set[str] = set()
    match = _FOCUS.search(question)
    if match:
        groups = match.groupdict()
        of_noun = (groups["e"] or "").lower()
        found |= set(terms(of_noun) if of_noun and of_noun not in _GENERIC else _head([groups[name] for name in "habcdfg"]))
    measured = _MEASURED.search(question)
    if measured:
        found |= set(_head([measured["a"], measured["b"]]))
    return found


def _head(words: list[str | None]) -> tuple[str, ...]:
    """Stem of the last content word of a phrase, stopping at a verb; none when that word is generic.

    Words are compared by stem, so "types" is as generic as "type" and "happening" as auxiliary as "happen".
    Examples: ["gas", "pipeline"] -> ("pipelin",); ["derogatory", "term"] -> () (the answer is a term);
    ["leader", "gave"] -> () ("gave" is a verb, the leader is the answer's kind).
    """
    head: tuple[str, ...] = ()
    for word in ((w or "").lower() for w in words):
        stems = terms(word)
        if word in _AUXILIARIES or word.endswith("ed") or word in _VERB_FORMS or (stems and set(stems) <= _AUXILIARY_TERMS):
            break  # "how much did Kazakhstan spend": what follows is the sentence's subject, not its focus
        if stems:
            head = () if word in _GENERIC or set(stems) <= _GENERIC_TERMS else stems
    return head


_HAPPEN = re.compile(r"\b(?:take|takes|took|taken|taking) place\b", re.IGNORECASE)  # says "happen", as "happen" does


def new_terms(question: str, previous: str) -> set[str]:
    """What a follow-up asks that the previous question did not: its own terms, generic words aside.

    Example: ("And which article names its depositary?", "Which article bans alliances?") -> {"depositari"};
    ("When did that one take place?", "Where was the first summit held?") -> set().
    """
    return set(terms(_HAPPEN.sub(" ", question))) - set(terms(previous)) - _GENERIC_TERMS - numbers(question)


_ORDINAL_WORD = re.compile(rf"\b(?:{'|'.join(ORDINALS)})\b", re.IGNORECASE)


@lru_cache(maxsize=256)
def asked_ordinals(question: str) -> frozenset[str]:
    """The ordinals a question names, lowercase. Example: "Who hosts the Fourth summit?" -> {"fourth"}."""
    return frozenset(m.group().lower() for m in _ORDINAL_WORD.finditer(question))


def required_terms(question: str) -> set[str]:
    """Numbers, ordinals and focus terms of a question. Example: "Who hosts the fourth summit in 2027?" -> {"fourth", "2027"}."""
    return numbers(question) | asked_ordinals(question) | focus_terms(question)
