"""The read snapshot: what answering reads from a local store, in plain files that open without Chroma.

Written by the store's writer beside the lexical index (`STORE/snapshot/`, one generation folder at
a time, see `store.generations`), in the lexical index's row order:

- `vectors.npy`: the chunk vectors, float32, each scaled to unit length (memory-mapped when read);
- `article_rows.npy`: for each row, its article's position in `articles.json` (-1: no record);
- `chunks.jsonl` + `offsets.npy`: each row's `[document, Chroma metadata]` as one JSON line, and
  where each line starts, so a reader decodes only the chunks it cites (`store.codec` reads them);
- `articles.json`: the article records, as `Store.articles()` returns them.

The pointer file records the store's `stamp` (chunk count and revision token) the snapshot was read
at; whether it is still fresh is for the reader to check (`store.reader`). This module only writes and reads the files.
"""

import json
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict
from pathlib import Path

import numpy as np
from numpy.lib.format import open_memmap

from citeqa.store import generations
from citeqa.store.records import PENDING, ArticleRecord, article_of

FOLDER = "snapshot"  # inside a local store's folder
_FORMAT = 1  # bump when the files change: older snapshots then read as stale
_KEY = "files"

Row = tuple[str, str, dict, np.ndarray]  # chunk id, document, Chroma metadata, vector


class SnapshotMismatch(Exception):
    """The rows handed to `save` are not the index's rows (the store changed while they were read)."""


def saved_stamp(directory: Path) -> str | None:
    """The stamp of the snapshot saved in `directory`, if one in this format opens there."""
    saved = _previous(directory)
    if saved is None:
        return None
    saved.close()
    return saved.stamp


def save(
    directory: Path, stamp: str, dimension: int, chunk_ids: Sequence[str],
    read: Callable[[list[str]], Iterable[Row]], articles: Sequence[ArticleRecord],
) -> None:
    """Write a snapshot of the chunks `chunk_ids` (in that order) and `articles`, replacing the last one.

    Rows of articles whose content hash is the one the last snapshot holds are copied from it; `read`
    gives the others, in the order asked. Raises SnapshotMismatch, leaving the last snapshot, when the
    rows read are not those asked for (the store changed meanwhile).
    """
    position = {record.article_id: i for i, record in enumerate(articles)}
    previous = _previous(directory)
    try:
        kept = _reusable(previous, articles) if previous else {}
    except (OSError, ValueError):  # its id list is gone or damaged: read every row afresh
        kept = {}
    fresh = iter(read([chunk_id for chunk_id in chunk_ids if chunk_id not in kept]))

    def fill(folder: Path) -> None:
        vectors = open_memmap(folder / "vectors.npy", mode="w+", dtype=np.float32, shape=(len(chunk_ids), dimension))
        offsets = np.zeros(len(chunk_ids) + 1, dtype=np.int64)
        with (folder / "chunks.jsonl").open("wb") as out:
            for row, chunk_id in enumerate(chunk_ids):
                if chunk_id in kept:
                    line, vectors[row] = previous.line(kept[chunk_id]), previous.vectors[kept[chunk_id]]
                else:
                    line, vectors[row] = _encoded(chunk_id, next(fresh, None))
                out.write(line)
                offsets[row + 1] = offsets[row] + len(line)
        if next(fresh, None) is not None:
            raise SnapshotMismatch("more rows read than asked for")
        vectors.flush()
        del vectors
        np.save(folder / "offsets.npy", offsets)
        rows_of = [position.get(article_of(chunk_id), -1) for chunk_id in chunk_ids]
        np.save(folder / "article_rows.npy", np.asarray(rows_of, dtype=np.int32))
        (folder / "chunk_ids.json").write_text(json.dumps(list(chunk_ids)))
        (folder / "articles.json").write_text(json.dumps([asdict(record) for record in articles]))

    try:
        generations.publish(directory, {"format": _FORMAT, "stamp": stamp}, fill, key=_KEY)
    finally:
        if previous:
            previous.close()


def _encoded(chunk_id: str, row: Row | None) -> tuple[bytes, np.ndarray]:
    """(JSON line, unit vector) of a row read for `chunk_id`."""
    if row is None or row[0] != chunk_id:
        raise SnapshotMismatch(f"{chunk_id} was not read back (got {row[0] if row else 'nothing'})")
    _, text, meta, vector = row
    vector = np.asarray(vector, dtype=np.float32)
    line = json.dumps([text, meta]).encode("ascii") + b"\n"  # ASCII escapes: any text round-trips
    return line, vector / (np.linalg.norm(vector) or np.float32(1.0))


def _previous(directory: Path) -> "Snapshot | None":
    try:
        return Snapshot(directory)
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _reusable(previous: "Snapshot", articles: Sequence[ArticleRecord]) -> dict[str, int]:
    """chunk id -> row in `previous`, for the chunks of articles stored with the same content hash as there.

    Chunk ids hash only a chunk's text and offset; its metadata and late-chunked vectors depend on the
    whole article, so rows are reused per unchanged article, never per id alone.
    """
    hashes = {record.article_id: record.content_hash for record in previous.articles}
    same = {r.article_id for r in articles if r.content_hash != PENDING and hashes.get(r.article_id) == r.content_hash}
    return {chunk_id: row for row, chunk_id in enumerate(previous.chunk_ids()) if article_of(chunk_id) in same}


class Snapshot:
    """A saved snapshot, opened: vectors and row maps memory-mapped, chunk lines read on demand.

    Every file is opened here, so a writer that replaces the snapshot afterwards changes nothing for this reader.
    """

    def __init__(self, directory: Path) -> None:
        """Open the snapshot in `directory`; OSError, ValueError or KeyError when it is missing, damaged or of another format."""
        meta = generations.read_pointer(directory)
        if meta.get("format") != _FORMAT:
            raise ValueError(f"snapshot format {meta.get('format')!r}, not {_FORMAT}")
        folder = directory / meta[_KEY]
        self.stamp = meta["stamp"]
        if not isinstance(self.stamp, str):
            raise ValueError(f"snapshot stamp {self.stamp!r} is not text")
        self.vectors = np.load(folder / "vectors.npy", mmap_mode="r")
        self.article_rows = np.load(folder / "article_rows.npy", mmap_mode="r")
        self._offsets = np.load(folder / "offsets.npy", mmap_mode="r")
        self.articles = [ArticleRecord(**record) for record in json.loads((folder / "articles.json").read_text())]
        self._chunks = (folder / "chunks.jsonl").open("rb")
        self._reading = threading.Lock()  # one seek-and-read at a time on the shared file
        self._folder = folder
        if not len(self.vectors) == len(self.article_rows) == len(self._offsets) - 1:
            self.close()
            raise ValueError("snapshot files of different lengths")

    def __len__(self) -> int:
        return len(self.vectors)

    def chunk(self, row: int) -> tuple[str, dict]:
        """(document, Chroma metadata) of one row."""
        text, meta = json.loads(self.line(row))
        return text, meta

    def line(self, row: int) -> bytes:
        """One row's JSON line, as saved."""
        start, end = int(self._offsets[row]), int(self._offsets[row + 1])
        with self._reading:
            self._chunks.seek(start)
            return self._chunks.read(end - start)

    def chunk_ids(self) -> list[str]:
        """The chunk id of every row (read on demand: answering takes them from the lexical index)."""
        return json.loads((self._folder / "chunk_ids.json").read_text())

    def close(self) -> None:
        self._chunks.close()
