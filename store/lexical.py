"""BM25 over chunk texts: built with bm25s, saved beside the Chroma store, searched from memory-mapped arrays.

The index is derived data: Chroma's documents are the source of truth, and a
`stamp` (chunk count + revision token) says which state of the store the index
was built from. A stale or missing index is rebuilt rather than patched, which
keeps it correct after crashes and lets several server replicas each build their
own. This module does no fusion or ranking beyond BM25 itself.

bm25s builds the index (its "lucene" BM25 precomputes every document-term score
into a sparse matrix, one column per term). Searching only sums a query's columns,
so a search reads the saved arrays with numpy (memory-mapped) and never imports
bm25s, whose package import pulls scipy (and numba where installed): that keeps
`citeqa ask` from paying for them on every process start.
"""

import json
import logging
import re
from collections.abc import Collection, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import Stemmer

from citeqa.store import generations
from citeqa.store.records import article_of

log = logging.getLogger(__name__)

# bm25s's `stopwords="en"` (Lucene's English stop set), spelled out so searching needs no bm25s import;
# a test checks that it equals bm25s.stopwords.STOPWORDS_EN.
STOPWORDS_EN = (
    "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "if", "in", "into", "is", "it", "no", "not",
    "of", "on", "or", "such", "that", "the", "their", "then", "there", "these", "they", "this", "to", "was",
    "will", "with",
)
_TOKEN = re.compile(r"(?u)\b\w\w+\b")  # bm25s's (and scikit-learn's) default token pattern
_STOPWORDS = frozenset(STOPWORDS_EN)
_STEMMER = Stemmer.Stemmer("english")
_FORMAT = 2  # bump when the saved layout changes: older folders then read as stale and are rebuilt
_ARRAYS = ("data", "indices", "indptr")


@dataclass(frozen=True)
class Bm25Params:
    """BM25's term-frequency saturation (k1) and length normalisation (b)."""

    # Fitted on BEIR SciFact train (`python -m citeqa.eval.fit`) together with app.retrieve's fusion; bm25s's own
    # defaults are k1 = 1.5, b = 0.75.
    k1: float = 0.9
    b: float = 0.4


def tokenize(text: str) -> list[str]:
    """Stemmed terms as bm25s indexes them. Example: "The grants were promised" -> ["grant", "were", "promis"]."""
    return _STEMMER.stemWords([t for t in _TOKEN.findall(text.lower()) if t not in _STOPWORDS])


class LexicalIndex:
    """BM25 over a fixed list of chunk ids and texts."""

    def __init__(
        self, chunk_ids: Sequence[str], stamp: str, arrays: dict[str, np.ndarray] | None = None,
        vocab: dict[str, int] | None = None, params: Bm25Params = Bm25Params(),
    ) -> None:
        self.chunk_ids = list(chunk_ids)
        self.stamp = stamp
        self.params = params
        self._arrays = arrays or {}
        self._vocab = vocab or {}

    @classmethod
    def build(cls, chunk_ids: Sequence[str], texts: Sequence[str], stamp: str, params: Bm25Params = Bm25Params()) -> "LexicalIndex":
        """Index `texts` (parallel to `chunk_ids`) with bm25s."""
        if not chunk_ids:
            return cls([], stamp, params=params)
        import bm25s  # only building needs it (see the module docstring)

        logging.getLogger("bm25s").setLevel(logging.WARNING)  # it prints DEBUG lines otherwise
        tokens = bm25s.tokenize(list(texts), stopwords=list(STOPWORDS_EN), stemmer=_STEMMER, show_progress=False)
        retriever = bm25s.BM25(k1=params.k1, b=params.b, method="lucene")
        retriever.index(tokens, show_progress=False)
        arrays = {name: np.asarray(retriever.scores[name]) for name in _ARRAYS}
        return cls(chunk_ids, stamp, arrays, {str(t): int(i) for t, i in retriever.vocab_dict.items()}, params)

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every chunk (parallel to `chunk_ids`) for `query`."""
        ids = [self._vocab[t] for t in tokenize(query) if t in self._vocab]
        if not ids or not self.chunk_ids:
            return np.zeros(len(self.chunk_ids), dtype=np.float32)
        indptr = self._arrays["indptr"]
        spans = [(int(indptr[i]), int(indptr[i + 1])) for i in ids]
        rows = np.concatenate([self._arrays["indices"][a:b] for a, b in spans])
        values = np.concatenate([self._arrays["data"][a:b] for a, b in spans])
        return np.bincount(rows, weights=values, minlength=len(self.chunk_ids)).astype(np.float32)

    def search(self, query: str, n: int) -> list[tuple[str, float]]:
        """Up to `n` (chunk_id, bm25 score) pairs with a positive score, best first (ties: index order)."""
        if n <= 0 or not self.chunk_ids:
            return []
        scores = self.scores(query)
        top = np.flatnonzero(scores > 0)
        if len(top) > n:
            top = top[np.argpartition(-scores[top], n - 1)[:n]]
        top = top[np.lexsort((top, -scores[top]))]
        return [(self.chunk_ids[int(r)], float(scores[r])) for r in top]

    def search_in(self, query: str, n: int, article_ids: Collection[str] | None) -> list[tuple[str, float]]:
        """`search` kept to the chunks of `article_ids` (all chunks when None)."""
        if article_ids is None:
            return self.search(query, n)
        wanted = set(article_ids)
        scores = self.scores(query)
        rows = [int(r) for r in np.flatnonzero(scores > 0) if article_of(self.chunk_ids[int(r)]) in wanted]
        rows.sort(key=lambda r: (-scores[r], r))
        return [(self.chunk_ids[r], float(scores[r])) for r in rows[: max(n, 0)]]

    def save(self, directory: Path) -> None:
        """Write the index to `directory`, replacing what was there (atomically: see `store.generations`)."""

        def fill(folder: Path) -> None:
            for name, array in self._arrays.items():
                np.save(folder / f"{name}.npy", array)
            (folder / "vocab.json").write_text(json.dumps(self._vocab))

        meta = {"format": _FORMAT, "stamp": self.stamp, "params": asdict(self.params), "chunk_ids": self.chunk_ids}
        generations.publish(directory, meta, fill, key="arrays")

    @classmethod
    def load(cls, directory: Path, params: Bm25Params = Bm25Params()) -> "LexicalIndex | None":
        """The index saved in `directory` (arrays memory-mapped), or None when absent, unreadable or built
        with other BM25 parameters."""
        try:
            meta = generations.read_pointer(directory)
            if meta.get("format") != _FORMAT or Bm25Params(**meta["params"]) != params:
                log.info("lexical index at %s has another format or BM25 parameters; it will be rebuilt", directory)
                return None
            arrays, vocab, folder = None, None, directory / meta["arrays"]
            if meta["chunk_ids"]:
                arrays = {name: np.load(folder / f"{name}.npy", mmap_mode="r") for name in _ARRAYS}
                vocab = json.loads((folder / "vocab.json").read_text())
        except (OSError, ValueError, KeyError, TypeError) as err:
            log.info("lexical index at %s not usable (%s); it will be rebuilt", directory, err)
            return None
        return cls(meta["chunk_ids"], meta["stamp"], arrays, vocab, params)

