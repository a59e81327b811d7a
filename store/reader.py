"""Reading a local store without Chroma: the read snapshot, used while it is fresh, for one-shot readers.

`open_reader(location)` gives a `SnapshotStore` when the store folder's snapshot (`store.snapshot`)
was read at the revision token Chroma's own SQLite file holds now, and the lexical index beside it
has the same stamp; otherwise (a server URL, no or damaged snapshot, a write since, a write under
way) it opens the Chroma `Store`, which is always correct, just slower to start: importing chromadb
alone costs about half a second. The token is read with the standard library's `sqlite3`, read-only.

A `SnapshotStore` answers the read calls answering makes (settings, articles, nearest, lexical
search, hits) from one fixed state; it never follows later writes, so it suits a process that asks
and exits (`citeqa ask`), not `serve`.
"""

import logging
import sqlite3
from collections.abc import Collection, Sequence
from contextlib import closing
from pathlib import Path

import numpy as np

from citeqa.store.chroma import CHUNKS, LEXICAL_FOLDER, REVISION, Store, open_store, revision_in
from citeqa.store.codec import hit_from
from citeqa.store.connection import is_url
from citeqa.store.lexical import LexicalIndex
from citeqa.store.records import ArticleRecord, ChunkSettings, Hit
from citeqa.store.settings import StoreSettings, check_model, settings_in
from citeqa.store.snapshot import FOLDER, Snapshot

log = logging.getLogger(__name__)

_SQLITE_TIMEOUT_S = 1.0  # a writer's lock held longer than this: read through Chroma instead


def chunks_metadata(folder: Path) -> dict:
    """The chunks collection's metadata as stored in the folder's `chroma.sqlite3`, read-only.

    sqlite3.Error or ValueError when the file is missing or unreadable, or holds no single chunks collection.
    """
    uri = (folder / "chroma.sqlite3").resolve().as_uri() + "?mode=ro"
    with closing(sqlite3.connect(uri, uri=True, timeout=_SQLITE_TIMEOUT_S)) as db:
        collections = db.execute("SELECT id FROM collections WHERE name = ?", (CHUNKS,)).fetchall()
        if len(collections) != 1:
            raise ValueError(f"{len(collections)} collections named {CHUNKS}")
        rows = db.execute(
            "SELECT key, str_value, int_value, float_value, bool_value FROM collection_metadata WHERE collection_id = ?",
            collections[0],
        ).fetchall()
    return {key: next((v for v in values if v is not None), None) for key, *values in rows}


class SnapshotStore:
    """The read API of `Store`, answered from a read snapshot and the lexical index saved with it."""

    def __init__(self, location: str | Path, settings: StoreSettings, saved: Snapshot, lexical: LexicalIndex) -> None:
        self.location = location
        self.settings = settings
        self._snapshot = saved
        self._lexical = lexical
        self._rows: dict[str, int] | None = None  # chunk id -> row, built on first use

    def check_model(self, embedding_model: str, chunking: ChunkSettings) -> None:
        """Raise StoreError unless the store was built with this model and chunking."""
        check_model(self.location, self.settings, embedding_model, chunking)

    def articles(self) -> list[ArticleRecord]:
        """Every stored article, sorted by id."""
        return list(self._snapshot.articles)

    def nearest(self, query_vector: np.ndarray, n: int, article_ids: Collection[str] | None = None) -> list[tuple[str, float]]:
        """Up to `n` (chunk_id, cosine similarity) of the nearest chunks, best first (exact search; ties: row order).

        `article_ids` (when given) keeps the search to those articles' chunks.
        """
        if n <= 0 or (article_ids is not None and not article_ids):
            return []
        vectors = self._snapshot.vectors
        rows = np.arange(len(vectors))
        if article_ids is not None:
            keep = set(article_ids)
            wanted = [i for i, record in enumerate(self._snapshot.articles) if record.article_id in keep]
            rows = np.flatnonzero(np.isin(self._snapshot.article_rows, wanted))
            vectors = vectors[rows]
        query = np.asarray(query_vector, dtype=np.float32)
        query = query / (np.linalg.norm(query) or np.float32(1.0))
        # As Chroma reports it: a float32 cosine distance, turned into a similarity.
        distances = np.float32(1.0) - np.asarray(vectors @ query, dtype=np.float32)
        top = np.argpartition(distances, n - 1)[:n] if len(distances) > n else np.arange(len(distances))
        top = top[np.lexsort((top, distances[top]))]
        ids = self._lexical.chunk_ids
        return [(ids[int(rows[i])], 1.0 - float(distances[i])) for i in top]

    def lexical_search(self, query: str, n: int, article_ids: Collection[str] | None = None) -> list[tuple[str, float]]:
        """Up to `n` (chunk_id, bm25 score) pairs, best first; only chunks of `article_ids` when given."""
        return self._lexical.search_in(query, n, article_ids)

    def get_hits(self, chunk_ids: Sequence[str]) -> list[Hit]:
        """Hits (with no scores yet) for the given chunk ids, in the given order; ids it does not hold are left out."""
        if self._rows is None:
            self._rows = {chunk_id: row for row, chunk_id in enumerate(self._lexical.chunk_ids)}
        read = {}
        for chunk_id in dict.fromkeys(chunk_ids):
            if chunk_id in self._rows:
                read[chunk_id] = hit_from(chunk_id, *self._snapshot.chunk(self._rows[chunk_id]))
        return [read[chunk_id] for chunk_id in chunk_ids if chunk_id in read]


def fresh_snapshot(location: str | Path) -> SnapshotStore | None:
    """A SnapshotStore over the store folder's snapshot when it is fresh and whole, else None (logged)."""
    folder = Path(location)
    try:
        meta = chunks_metadata(folder)
        settings = settings_in(meta)
        saved = Snapshot(folder / FOLDER)
    except (OSError, ValueError, KeyError, TypeError, sqlite3.Error) as err:
        log.info("no usable read snapshot at %s (%s); opening Chroma", folder, err)
        return None
    lexical = LexicalIndex.load(folder / LEXICAL_FOLDER)
    revision = revision_in(saved.stamp)
    if settings is None or revision is None or meta.get(REVISION) != revision:
        log.info("the read snapshot at %s is not the store's current state; opening Chroma", folder)
    elif lexical is None or lexical.stamp != saved.stamp or len(lexical.chunk_ids) != len(saved):
        log.info("the lexical index at %s is not the read snapshot's; opening Chroma", folder)
    else:
        return SnapshotStore(location, settings, saved, lexical)
    saved.close()
    return None


def open_reader(location: str | Path) -> SnapshotStore | Store:
    """For a process that reads and exits: a local store's fresh read snapshot, else the Chroma store."""
    if not is_url(location) and (reader := fresh_snapshot(location)) is not None:
        log.info("answering from the read snapshot at %s", location)
        return reader
    return open_store(location)
