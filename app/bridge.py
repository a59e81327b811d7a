"""Bridging answers: "Who/which … reported by both X and Y" -> the name every named source's evidence shares.

Candidate names are the capitalised names in each source's best sentences (names the
question already gives, outlets, months and days aside). A name scores by how many of
the named sources mention it, then by how high in each source's evidence it appears;
"Bankman-Fried" and "Sam Bankman-Fried" count as one name, written in its fullest form.
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


def _key(name: str) -> str:
    """Names that end in the same word are one name. Example: "Sam Bankman-Fried" -> "bankman-fried"."""
    return name.split()[-1].casefold().strip("'’s")


def _names(sentence: Sentence) -> list[str]:
    """Names in a sentence; a single word that opens the sentence is only a capitalised common word."""
    found = []
    for name in entities(sentence.text):
        if " " not in name and sentence.text.lstrip().startswith(name):
            continue
        found.append(re.sub(r"['’]s$", "", name))
    return found


def shared_names(question: Question, evidence: Sequence[tuple[SourceMention, list[Sentence]]]) -> list[tuple[str, int]]:
    """(name, how many sources mention it), best first."""
    asked = set(question.terms)
    outlet_words = {t for mention, _ in evidence for outlet in mention.outlets for t in terms(outlet)}
    coverage: Counter[str] = Counter()
    weight: Counter[str] = Counter()
    forms: dict[str, Counter[str]] = {}
    for _, sentences in evidence:
        seen: set[str] = set()
        for rank, sentence in enumerate(sentences[:EVIDENCE_DEPTH]):
            for name in _names(sentence):
                name_terms = terms(name)
                if not name_terms or set(name_terms) <= asked | outlet_words or _key(name) in _CALENDAR:
                    continue
                key = _key(name)
                forms.setdefault(key, Counter())[name] += 1
                weight[key] += 1.0 / (rank + 1)
                if key not in seen:
                    coverage[key] += 1
                    seen.add(key)
    ordered = sorted(weight, key=lambda k: (coverage[k], weight[k]), reverse=True)
    return [(max(forms[k], key=lambda f: (len(f.split()) > 1, forms[k][f], len(f))), coverage[k]) for k in ordered]


def bridge_name(question: Question, evidence: Sequence[tuple[SourceMention, list[Sentence]]]) -> str | None:
    """The answer name (two joined by "and" when the question asks for two), or None when no source has one."""
    found = shared_names(question, evidence)
    if not found:
        return None
    if _TWO.search(question.text) and len(found) > 1:
        return f"{found[0][0]} and {found[1][0]}"
    return found[0][0]
