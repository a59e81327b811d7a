"""Answers to questions across named sources: a Yes/No verdict or a bridging name, each source's evidence cited.

`answer_across` returns None for every question that names no stored outlet, or that
is neither a Yes/No question nor a who/which/what question; those go to ordinary
extractive answering, unchanged. The answer reads
`Sam Bankman-Fried — The Verge [1]: "…"; TechCrunch [2]: "…"` or `Yes — TechCrunch (2023-10-31) [1]: "…"; …`.
"""

import re
from collections.abc import Sequence

from citeqa.app.answer import Answer, Citation, Evidence
from citeqa.app.bridge import bridge_name
from citeqa.app.compose import abstention, one_line
from citeqa.app.crossarticle import per_source
from citeqa.app.question import Question
from citeqa.app.sentences import Sentence
from citeqa.app.sources import SourceFilter, SourceMention
from citeqa.app.yesno import decide, is_yes_no
from citeqa.store.records import ArticleRecord

_WH = re.compile(r"^\W*(who|whom|whose|which|what)\b", re.I)
# A bridging answer needs some named source's best sentence to score at least this (the scorer's scale).
# Lower than single-fact answering's threshold: these questions are long descriptions, not one fact.
# Fitted on MultiHop-RAG's dev half: null queries stay abstained while ~10% of inference questions abstain.
BRIDGE_ABSTAIN_BELOW = -0.7


def _quote(picks: Sequence[tuple[SourceMention, Sentence]], dated: bool, dates: dict[str, str]) -> tuple[str, tuple[Citation, ...]]:
    """'TechCrunch [1]: “…”; The Verge [2]: “…”' and the citations behind the markers (one per article)."""
    markers: dict[str, int] = {}
    evidence: dict[str, list[Sentence]] = {}
    parts = []
    for mention, sentence in picks:
        marker = markers.setdefault(sentence.article_id, len(markers) + 1)
        if sentence not in evidence.setdefault(sentence.article_id, []):
            evidence[sentence.article_id].append(sentence)
        when = f" ({dates[sentence.article_id]})" if dated and dates.get(sentence.article_id) else ""
        parts.append(f"{mention.label}{when} [{marker}]: “{one_line(sentence.text)}”")
    citations = tuple(
        Citation.quoting(markers[a], found[0].hit.chunk, [Evidence(s.text, s.span[0], s.span[1]) for s in found])
        for a, found in evidence.items()
    )
    return "; ".join(parts) + ".", citations


def answer_across(
    question: Question, ranked: Sequence[Sentence], records: Sequence[ArticleRecord], source_filter: SourceFilter,
    retrieved: Sequence[str], absent: Sequence[str] = (),
) -> Answer | None:
    """The cross-article answer, or None when the question is not one (see the module doc).

    `absent`: the question's names that no retrieved passage mentions. A bridging question
    with one is left to the ordinary abstention; a Yes/No verdict still stands (the names
    are the claim's details, which the passages read may not repeat).
    """
    if not question.sources:
        return None
    yes_no = is_yes_no(question.text)
    if not yes_no and (absent or not _WH.search(question.text)):
        return None
    evidence = per_source(question, ranked, records, source_filter)
    dates = {r.article_id: (r.date or "")[:10] for r in records if r.date}
    if yes_no:
        chosen = [sentences[0].article_id if sentences else None for _, sentences in evidence]
        verdict, reason = decide(question, evidence, [dates.get(a) if a else None for a in chosen])
        if verdict is None:
            return Answer(text=f"The evidence cannot decide this: {reason}.", abstained=True, retrieved=tuple(retrieved))
        text, citations = _quote([(m, s[0]) for m, s in evidence], True, dates)
        return Answer(text=f"{verdict} ({reason}) — {text}", citations=citations, retrieved=tuple(retrieved))
    found = [(m, s) for m, s in evidence if s]
    if not found or max(s[0].score for _, s in found) < BRIDGE_ABSTAIN_BELOW:
        return abstention(retrieved)
    name = bridge_name(question, found)
    if name is None:
        return abstention(retrieved)
    key = name.split(" and ")[0].split()[-1].casefold()
    picks = [(m, next((x for x in s if key in x.text.casefold()), s[0])) for m, s in found]
    text, citations = _quote(picks, False, dates)
    return Answer(text=f"{name} — {text}", citations=citations, retrieved=tuple(retrieved))
