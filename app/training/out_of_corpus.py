"""Out-of-corpus questions: answerable questions asked of the store with their own articles hidden.

SQuAD 2.0's unanswerable questions are adversarial: written against one paragraph,
they share its words. What users ask that the articles cannot answer is mostly
different: a question about something no article covers ("What is the population
of …?" of a corpus without it). Hiding a question's gold articles from retrieval
turns any answerable train question into such a natural unanswerable one, so the
scorer learns what "nothing here answers this" looks like.
"""

from collections.abc import Iterable, Sequence

import numpy as np

from citeqa.app.compose import absent_entities
from citeqa.app.qa import QA
from citeqa.app.training.scorer_fit import QuestionRows, question_rows
from citeqa.eval.dataset import Example
from citeqa.store.chroma import Store
from citeqa.store.records import Hit, article_of


class HiddenArticles:
    """A read view of a store whose searches never return the chunks of some articles."""

    def __init__(self, store: Store, hidden: Iterable[str]) -> None:
        self.store = store
        self.hidden = frozenset(hidden)

    def _visible(self, found: list[tuple[str, float]], n: int) -> list[tuple[str, float]]:
        return [(chunk_id, score) for chunk_id, score in found if article_of(chunk_id) not in self.hidden][:n]

    def nearest(self, query_vector: np.ndarray, n: int) -> list[tuple[str, float]]:
        return self._visible(self.store.nearest(query_vector, n + self._spare(n)), n)

    def lexical_search(self, query: str, n: int) -> list[tuple[str, float]]:
        return self._visible(self.store.lexical_search(query, n + self._spare(n)), n)

    def get_hits(self, chunk_ids: Sequence[str]) -> list[Hit]:
        return self.store.get_hits(chunk_ids)

    def _spare(self, n: int) -> int:
        """Extra results to ask for, so that `n` remain once the hidden articles' chunks are dropped."""
        return n * len(self.hidden)


def out_of_corpus(example: Example) -> Example:
    """The same question, now unanswerable (its sources are hidden)."""
    return Example(f"{example.id}-ooc", example.question, (), (), type="out_of_corpus")


def collect_out_of_corpus(qa: QA, examples: Iterable[Example], source: str) -> list[QuestionRows]:
    """Feature rows of each example asked with its gold articles hidden; all negatives.

    Questions that name something no retrieved text mentions are left out: answering abstains on
    those before any scoring, so they teach the scorer nothing it is ever asked.
    """
    names = [name for a in qa.articles() for name in (a.source, a.author) if name]
    found = []
    for example in examples:
        hidden = QA(HiddenArticles(qa.store, example.sources), qa.embedder, qa.settings, scorer=qa.scorer, reranker=qa.reranker)
        unanswerable = out_of_corpus(example)
        evidence = hidden.evidence(unanswerable.question)
        if absent_entities(evidence.question, evidence.hits, names):
            continue
        rows = question_rows(unanswerable, evidence, source)
        if rows is not None:
            found.append(rows)
    return found
