"""Out-of-corpus questions: answerable questions asked of the store with their own articles hidden.

SQuAD 2.0's unanswerable questions are adversarial: written against one paragraph,
they share its words. What users ask that the articles cannot answer is mostly
different: a question about something no article covers ("What is the population
of …?" of a corpus without it). Hiding a question's gold articles from retrieval
turns any answerable train question into such a natural unanswerable one, so the
scorer learns what "nothing here answers this" looks like.
"""

from collections.abc import Collection, Iterable, Sequence

import numpy as np

from citeqa.app.qa import QA
from citeqa.app.training.scorer_fit import QuestionRows, question_rows
from citeqa.eval.dataset import Example
from citeqa.store.chroma import Store
from citeqa.store.records import ArticleRecord, Hit


class HiddenArticles:
    """A read view of a store whose searches never return the chunks of some articles."""

    def __init__(self, store: Store, stored: Sequence[ArticleRecord], hidden: Iterable[str]) -> None:
        self.store = store
        self.hidden = frozenset(hidden)
        self._articles = [a for a in stored if a.article_id not in self.hidden]
        self._visible = frozenset(a.article_id for a in self._articles)

    def articles(self) -> list[ArticleRecord]:
        return list(self._articles)

    def nearest(self, query_vector: np.ndarray, n: int, article_ids: Collection[str] | None = None) -> list[tuple[str, float]]:
        return self.store.nearest(query_vector, n, self._keep(article_ids))

    def lexical_search(self, query: str, n: int, article_ids: Collection[str] | None = None) -> list[tuple[str, float]]:
        return self.store.lexical_search(query, n, self._keep(article_ids))

    def get_hits(self, chunk_ids: Sequence[str]) -> list[Hit]:
        return self.store.get_hits(chunk_ids)

    def _keep(self, article_ids: Collection[str] | None) -> frozenset[str]:
        return self._visible if article_ids is None else self._visible & frozenset(article_ids)


def out_of_corpus(example: Example) -> Example:
    """The same question, now unanswerable (its sources are hidden)."""
    return Example(f"{example.id}-ooc", example.question, (), (), type="out_of_corpus")


def collect_out_of_corpus(qa: QA, examples: Iterable[Example], source: str) -> list[QuestionRows]:
    """Feature rows of each example asked with its gold articles hidden; all negatives.

    Questions that name something no retrieved text mentions are left out: answering abstains on
    those before any scoring, so they teach the scorer nothing it is ever asked.
    """
    stored = qa.articles()
    found = []
    for example in examples:
        hidden = QA(HiddenArticles(qa.store, stored, example.sources), qa.embedder, qa.settings, scorer=qa.scorer, reranker=qa.reranker)
        unanswerable = out_of_corpus(example)
        evidence = hidden.evidence(unanswerable.question)
        if hidden.absent_names(evidence):
            continue
        rows = question_rows(unanswerable, evidence, source)
        if rows is not None:
            found.append(rows)
    return found
