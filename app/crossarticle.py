"""Retrieval across articles: explicit outlet/date filters, and the best evidence from each outlet a question names.

`search_sources` runs hybrid retrieval inside the articles a `SourceFilter` admits; when
the question names outlets ("according to TechCrunch … The Verge"), it also searches each
named outlet's articles on its own (those published on the date written beside the name,
when there are any) and interleaves them, so every named source has its best articles in
the top ranks rather than whichever outlet dominates the whole store. `per_source` then
picks, for each mention, the best scored sentence from that outlet's articles.
"""

from collections.abc import Sequence

import numpy as np

from citeqa.app.question import Question
from citeqa.app.retrieve import Candidate, RetrievalSettings, combine
from citeqa.app.sentences import Sentence
from citeqa.app.sources import SourceFilter, SourceMention
from citeqa.store.chroma import Store
from citeqa.store.records import ArticleRecord


def _search(store: Store, query: str, vector: np.ndarray, settings: RetrievalSettings, ids: set[str] | None) -> list[Candidate]:
    dense = store.nearest(vector, settings.candidates, ids)
    lexical = store.lexical_search(query, settings.candidates, ids)
    return combine(dense, lexical, settings)


def mention_articles(mention: SourceMention, records: Sequence[ArticleRecord], allowed: set[str] | None) -> set[str]:
    """The articles a mention can mean: its outlet's (within `allowed`), those of its date when any are."""
    ids = {r.article_id for r in records if r.source in mention.outlets and (allowed is None or r.article_id in allowed)}
    if mention.date:
        dated = {r.article_id for r in records if r.article_id in ids and (r.date or "")[:10] == mention.date}
        return dated or ids
    return ids


def search_sources(
    store: Store, question: Question, vector: np.ndarray, records: Sequence[ArticleRecord],
    source_filter: SourceFilter, settings: RetrievalSettings,
) -> list[Candidate]:
    """Candidates best first: each named source's best articles in turn, then the rest of the (filtered) store."""
    allowed = source_filter.admitted(records)
    general = _search(store, question.query, vector, settings, allowed)
    if not question.sources:
        return general
    per_mention = [
        _search(store, question.query, vector, settings, mention_articles(m, records, allowed)) for m in question.sources
    ]
    return _interleave(per_mention, general)


def _interleave(per_mention: Sequence[list[Candidate]], general: list[Candidate]) -> list[Candidate]:
    """Articles taken in turns, one from each mention's ranking (skipping those already taken), then the
    general ranking's; each article's chunks stay together, best first."""
    chunks: dict[str, list[Candidate]] = {}
    for ranking in (*per_mention, general):
        for candidate in ranking:
            listed = chunks.setdefault(candidate.article_id, [])
            if all(c.chunk_id != candidate.chunk_id for c in listed):
                listed.append(candidate)
    queues = [list(dict.fromkeys(c.article_id for c in ranking)) for ranking in per_mention]
    order: list[str] = []
    while any(queues):
        for queue in queues:
            while queue and queue[0] in order:
                queue.pop(0)
            if queue:
                order.append(queue.pop(0))
    order += [a for a in dict.fromkeys(c.article_id for c in general) if a not in order]
    return [c for article in order for c in sorted(chunks[article], key=lambda c: c.fused, reverse=True)]


def per_source(
    question: Question, ranked: Sequence[Sentence], records: Sequence[ArticleRecord], source_filter: SourceFilter
) -> list[tuple[SourceMention, list[Sentence]]]:
    """For each mention, its outlet's scored sentences best first; a mention named twice prefers articles
    the earlier mention did not take ("The Verge … and The Verge" -> two Verge articles when there are)."""
    allowed = source_filter.admitted(records)
    taken: set[str] = set()
    found = []
    for mention in question.sources:
        ids = mention_articles(mention, records, allowed)
        own = [s for s in ranked if s.article_id in ids]
        fresh = [s for s in own if s.article_id not in taken]
        chosen = fresh or own
        if chosen:
            taken.add(chosen[0].article_id)
        found.append((mention, chosen))
    return found
