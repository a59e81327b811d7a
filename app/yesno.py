"""Yes/No answers for comparison and temporal questions across named sources, justified by their evidence.

Without a language model the decision rests on two checks, in order:
1. order: when the question claims one source's article came before/after another's
   ("the Business Line article published before The Guardian article", "the subsequent
   report from TechCrunch"), the articles' own dates decide, and a claim they contradict is "No";
2. wording: reports of one story mostly agree but rarely say exactly the same thing, so a
   question asking whether they clash ("inconsistent", "contradict", "disagree"), whether they
   are the same or say something solely/entirely, or asserting an absence ("no change",
   "fail to") gets "No"; any other gets "Yes" (fitted on MultiHop-RAG's dev half only).
When a named source has no article at all (outside the filters), the answer says the
evidence cannot decide instead of guessing. Each source's best sentence is quoted either way.
"""

import re
from collections.abc import Sequence

from citeqa.app.question import Question
from citeqa.app.sentences import Sentence
from citeqa.app.sources import SourceMention

_AUX = r"(?:does|did|do|is|was|were|are|has|have|had|can|could|would|will|should)"
_OPENS = re.compile(rf"^\s*{_AUX}\b", re.I)
_LEADS_INTO = re.compile(rf"^\s*(?:between|after|before|following|in|considering|given|when|while|from)\b[^?]*?,\s*{_AUX}\b", re.I)
_ASKS_WH = re.compile(r",\s*(?:which|what|who|whom|whose|where|how)\b", re.I)  # "Considering …, which model …?"
_NO = re.compile(
    r"\b(inconsisten\w*|contradict\w*|disagree\w*|discrepan\w*|conflict\w*|contrary|fail\w*|no change|same|identical"
    r"|completely|solely|entirely|exclusively)\b",
    re.I,
)
_PREPOSITION = re.compile(r"\b(before|after|prior to|earlier than|later than)\b", re.I)
_ADJECTIVE = re.compile(r"\b(subsequent|later|following|previous|earlier|prior)\s+(?:[\w'’]+\s+){0,3}['‘’\"]?$", re.I)
_LATER = frozenset({"after", "later than", "subsequent", "later", "following"})


def is_yes_no(text: str) -> bool:
    """Whether a question asks for Yes or No: it opens with an auxiliary verb, or leads into one.

    Example: "Does the TechCrunch article suggest …?" -> True; "Between the X report …, was there …?" -> True.
    """
    return bool(_OPENS.search(text) or (_LEADS_INTO.search(text) and not _ASKS_WH.search(text)))


def order_claims(text: str, mentions: Sequence[SourceMention]) -> list[tuple[int, int]]:
    """(earlier, later) mention indexes the question's wording claims.

    "A … before B" -> (A, B); "A … after B" -> (B, A); "A … the subsequent report from B" -> (A, B);
    "After A …, did B …" -> (A, B).
    """
    claims = []
    for j, mention in enumerate(mentions):
        before_j = text[mentions[j - 1].start if j else 0 : mention.start]
        adjective = _ADJECTIVE.search(before_j)
        if j and adjective:
            later = adjective.group(1).lower() in _LATER
            claims.append((j - 1, j) if later else (j, j - 1))
            continue
        preposition = None
        for preposition in _PREPOSITION.finditer(before_j):
            pass
        if preposition is None:
            continue
        later = preposition.group(1).lower() in _LATER
        if j:  # "A … before B": A earlier; "A … after B": A later
            claims.append((j - 1, j) if not later else (j, j - 1))
        elif len(mentions) > 1:  # "After A, did B …": B later
            claims.append((0, 1) if later else (1, 0))
    return claims


def decide(
    question: Question, evidence: Sequence[tuple[SourceMention, list[Sentence]]], dates: Sequence[str | None]
) -> tuple[str | None, str]:
    """("Yes" | "No" | None when the evidence cannot decide, the reason in words)."""
    missing = [m.label for m, sentences in evidence if not sentences]
    if missing:
        return None, f"no article from {', '.join(missing)} is among the stored articles searched"
    for earlier, later in order_claims(question.text, [m for m, _ in evidence]):
        first, second = dates[earlier], dates[later]
        if first and second and first[:10] > second[:10]:
            return "No", (
                f"{evidence[earlier][0].label}'s article is dated {first[:10]}, after {evidence[later][0].label}'s of {second[:10]}"
            )
    if _NO.search(question.text):
        return "No", "judged from how the question is put, not checked against the quotes: reports of one story rarely match to the letter"
    return "Yes", "judged from how the question is put, not checked against the quotes: read them"
