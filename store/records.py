"""The records the store keeps and returns: article records, chunks, embedded articles and search hits.

Plain frozen dataclasses with no behaviour beyond small derived properties; how
they are laid out inside Chroma is `store.chroma`'s business.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from citeqa.errors import SettingsError

if TYPE_CHECKING:  # numpy only types the vectors: importing the records (e.g. for ChunkSettings) stays light
    import numpy as np

Span = tuple[int, int]
PENDING = "pending"  # an article record's content hash while its chunks are being written


def article_of(chunk_id: str) -> str:
    """The article a chunk id belongs to: chunk ids are "<article_id>-<suffix>". Example: "a-1-9f3c" -> "a-1"."""
    return chunk_id.rsplit("-", 1)[0]


@dataclass(frozen=True)
class ChunkSettings:
    """How articles are cut into chunks; a store is built with exactly one setting."""

    max_tokens: int = 200
    overlap_tokens: int = 40

    def __post_init__(self) -> None:
        if self.max_tokens < 16:
            raise SettingsError(f"max_tokens must be at least 16. Currently, max_tokens is {self.max_tokens}")
        if not 0 <= self.overlap_tokens < self.max_tokens:
            raise SettingsError(
                f"overlap_tokens must be between 0 and max_tokens - 1. Currently, overlap_tokens is {self.overlap_tokens}"
            )


@dataclass(frozen=True)
class ArticleRecord:
    """One stored article's metadata (its text is fetched separately, on demand)."""

    article_id: str
    title: str
    content_hash: str
    author: str | None = None
    date: str | None = None
    source: str | None = None
    path: str = ""
    chunks: int = 0
    tokens: int = 0


@dataclass(frozen=True)
class Chunk:
    """A token-bounded window of whole sentences from one article.

    `char_start`/`char_end` index into the article's clean text, so
    `article.text[chunk.char_start:chunk.char_end] == chunk.text`; `sentences`
    holds each sentence's span in the same coordinates.
    """

    chunk_id: str
    article_id: str
    text: str
    position: int
    char_start: int
    char_end: int
    tokens: int
    sentences: tuple[Span, ...]
    title: str = ""
    author: str | None = None
    date: str | None = None

    def sentence_text(self, span: Span) -> str:
        """The text of one of this chunk's sentences, given its article span."""
        return self.text[span[0] - self.char_start : span[1] - self.char_start]


@dataclass(frozen=True)
class Hit:
    """A retrieved chunk with its scores; `sentence_vectors` row i embeds `chunk.sentences[i]`."""

    chunk: Chunk
    fused: float
    dense: float | None = None
    lexical: float | None = None
    sentence_vectors: np.ndarray | None = field(default=None, compare=False, repr=False)

    @property
    def article_id(self) -> str:
        return self.chunk.article_id


@dataclass(frozen=True)
class EmbeddedArticle:
    """An article ready to store: its record, clean text, chunks, chunk vectors and per-chunk sentence vectors."""

    record: ArticleRecord
    text: str
    chunks: Sequence[Chunk]
    vectors: np.ndarray
    sentence_vectors: Sequence[np.ndarray]
