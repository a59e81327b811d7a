"""A read view of a store whose searches never return some articles' chunks.

Asking an answerable question with its own articles hidden turns it into a natural
unanswerable one ("about something no article covers"): the evaluation reports
abstention on such questions, and the scorer's training uses them as negatives.
"""

from collections.abc import Collection, Iterable, Sequence

import numpy as np

from citeqa.store.chroma import Store
from citeqa.store.records import ArticleRecord, Hit


class HiddenArticles:
    """`store`, minus the articles in `hidden`: in search results and in the article list."""

    def __init__(self, store: Store, stored: Sequence[ArticleRecord], hidden: Iterable[str]) -> None:
        self.store = store
        self.hidden = frozenset(hidden)
        self._articles = [a for a in stored if a.article_id not in self.hidden]
        self._visible = frozenset(a.article_id for a in self._articles)

    @property
    def location(self):
        return self.store.location

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
