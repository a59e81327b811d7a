"""Bridging answers: "Who/which … reported by both X and Y" -> the name every named source's evidence shares.

Candidate names are the capitalised names in each source's best sentences (names the
question already gives, outlets, months and days aside). A name scores by how many of
the named sources mention it, then by how high in each source's evidence it appears (a
who-question wants a person: no acronym, and a full name ranks before any single word); "Bankman-Fried" and "Sam Bankman-Fried"
count as one name, written in the fullest form any evidence sentence uses.
"""

import re
from collections import Counter
from collections.abc import Sequence

from citeqa.app.question import Question, entities
from citeqa.app.sentences import Sentence
from citeqa.app.sources import SourceMention
from citeqa.app.terms import terms

EVIDENCE_DEPTH = 8  # sentences read from each source, best first
_CALENDAR = frozenset(
    """january february march april may june july august september october november december
    monday tuesday wednesday thursday friday saturday sunday""".split()
)
_TWO = re.compile(r"\b(which|what|who are the) two\b", re.I)
_WHO = re.compile(r"^\W*who\b", re.I)
_JOINERS = re.compile(r"\s+(?:of|the|de|and)\s+")


def _key(name: str) -> str:
    """Names that end in the same word are one name. Example: "Sam Bankman-Fried" -> "bankman-fried"."""
    return re.sub(r"['’]s$", "", name.split()[-1].casefold())


def _names(sentence: Sentence) -> list[str]:
    """Names in a sentence, split where the name pattern joins two ("CEO of FTX" -> "CEO", "FTX"); a title
    before a name goes ("CTO Gary Wang" -> "Gary Wang"), and so does a sentence's capitalised first word."""
    found = []
    opening = sentence.text.lstrip()
    for name in entities(sentence.text):
        for part in _JOINERS.split(re.sub(r"['’]s\b", "", name)):
            words = part.split()
            if opening.startswith(part):
                words = words[1:]  # "Using Caroline Ellison" -> "Caroline Ellison"; "Before" -> nothing
            while len(words) > 1 and words[0].isupper():
                words = words[1:]
            if words:
                found.append(" ".join(words))
    return found


def shared_names(question: Question, evidence: Sequence[tuple[SourceMention, list[Sentence]]]) -> list[tuple[str, int]]:
    """(name, how many sources mention it), best first; a who-question prefers full names (two words or more)."""
    asked = set(question.terms)
    outlet_words = {t for mention, _ in evidence for outlet in mention.outlets for t in terms(outlet)}
    coverage: Counter[str] = Counter()
    weight: Counter[str] = Counter()
    forms: dict[str, Counter[str]] = {}
    for _, sentences in evidence:
        seen: set[str] = set()
        for rank, sentence in enumerate(sentences):
            for name in _names(sentence):
                name_terms = terms(name)
                if not name_terms or set(name_terms) <= asked | outlet_words or _key(name) in _CALENDAR:
                    continue
                key = _key(name)
                forms.setdefault(key, Counter())[name] += 1  # every sentence read: the fullest form of a name
                if rank >= EVIDENCE_DEPTH:
                    continue
                weight[key] += 1.0 / (rank + 1)
                if key not in seen:
                    coverage[key] += 1
                    seen.add(key)
    full = {k: max(forms[k], key=lambda f: (len(f.split()) > 1, forms[k][f], len(f))) for k in weight}
    if _WHO.search(question.text):  # a person: not an acronym ("FTX", "NBA"); a full name before a surname alone
        keys = [k for k in weight if not full[k].isupper()]
        ordered = sorted(keys, key=lambda k: (len(full[k].split()) > 1, coverage[k], weight[k]), reverse=True)
    else:
        ordered = sorted(weight, key=lambda k: (coverage[k], weight[k]), reverse=True)
    return [(full[k], coverage[k]) for k in ordered]


def bridge_name(question: Question, evidence: Sequence[tuple[SourceMention, list[Sentence]]]) -> str | None:
    """The answer name (two joined by "and" when the question asks for two), or None when no source has one."""
    found = shared_names(question, evidence)
    if not found:
        return None
    if _TWO.search(question.text) and len(found) > 1:
        return f"{found[0][0]} and {found[1][0]}"
    return found[0][0]
