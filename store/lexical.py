"""BM25 over chunk texts (bm25s), saved beside the Chroma store and rebuilt from it.

The index is derived data: Chroma's documents are the source of truth, and a
`stamp` (chunk count + manifest digest) says which state of the store the index
was built from. A stale or missing index is rebuilt rather than patched, which
keeps it correct after crashes and lets several server replicas each build their
own. This module does no fusion or ranking beyond BM25 itself.
"""

import json
import logging
from collections.abc import Sequence
from pathlib import Path

import bm25s
import Stemmer

log = logging.getLogger(__name__)
# bm25s configures its logger to print DEBUG lines on import; keep library output quiet.
logging.getLogger("bm25s").setLevel(logging.WARNING)

_STEMMER = Stemmer.Stemmer("english")


def _tokenize(texts: Sequence[str]) -> list[list[str]]:
    return bm25s.tokenize(list(texts), stopwords="en", stemmer=_STEMMER, return_ids=False, show_progress=False)


class LexicalIndex:
    """BM25 over a fixed list of chunk ids and texts."""

    def __init__(self, chunk_ids: Sequence[str], stamp: str, retriever: bm25s.BM25 | None) -> None:
        self.chunk_ids = list(chunk_ids)
        self.stamp = stamp
        self._retriever = retriever

    @classmethod
    def build(cls, chunk_ids: Sequence[str], texts: Sequence[str], stamp: str) -> "LexicalIndex":
        """Index `texts` (parallel to `chunk_ids`)."""
        if not chunk_ids:
            return cls([], stamp, None)
        retriever = bm25s.BM25()
        retriever.index(_tokenize(texts), show_progress=False)
        return cls(chunk_ids, stamp, retriever)

    def search(self, query: str, n: int) -> list[tuple[str, float]]:
        """Up to `n` (chunk_id, bm25 score) pairs with a positive score, best first."""
        if self._retriever is None or n <= 0:
            return []
        tokens = _tokenize([query])
        if not tokens[0]:
            return []
        k = min(n, len(self.chunk_ids))
        rows, scores = self._retriever.retrieve(tokens, k=k, show_progress=False, n_threads=0)  # 0: inline, no thread pool
        return [(self.chunk_ids[int(r)], float(s)) for r, s in zip(rows[0], scores[0]) if s > 0]

    def save(self, directory: Path) -> None:
        """Write the index to `directory` (replacing what was there)."""
        directory.mkdir(parents=True, exist_ok=True)
        if self._retriever is not None:
            self._retriever.save(str(directory), show_progress=False)
        # The stamp goes last: a crash before this line leaves an index that reads as stale.
        meta = {"stamp": self.stamp, "chunk_ids": self.chunk_ids}
        partial = directory / "citeqa.json.tmp"
        partial.write_text(json.dumps(meta))
        partial.replace(directory / "citeqa.json")

    @classmethod
    def load(cls, directory: Path) -> "LexicalIndex | None":
        """The index saved in `directory`, or None when absent or unreadable."""
        try:
            meta = json.loads((directory / "citeqa.json").read_text())
            retriever = bm25s.BM25.load(str(directory), mmap=False, show_progress=False) if meta["chunk_ids"] else None
        except (OSError, ValueError, KeyError) as err:
            log.info("lexical index at %s not usable (%s); it will be rebuilt", directory, err)
            return None
        return cls(meta["chunk_ids"], meta["stamp"], retriever)

