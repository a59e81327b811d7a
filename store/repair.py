"""Checking and repairing a store's vector index from what Chroma keeps beside it.

A chunk's text and metadata live in Chroma's SQLite file; its vector lives in the
HNSW index files. When those files are damaged (cut short, overwritten), queries
still answer, just badly. `verify` asks every readable vector for its own chunk;
`copy_chunks` refills a fresh collection from the texts and metadata, keeping every
vector that reads back sound and re-embedding the others.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from citeqa.store.connection import as_store_error

_BATCH = 500  # chunks read, queried or written per Chroma call
_NEIGHBOURS = 10  # a chunk counts as found when it is among this many nearest of its own vector (ties: duplicates)
_UNIT_TOLERANCE = 1e-2  # cosine collections keep unit vectors; anything else was damaged
# HNSW is approximate: a healthy index can leave a node that its own vector does not reach
# (1 of 5,000 synthetic chunks, measured; a rebuild does not change that). Misses up to this
# share are the index's nature, not damage.
_APPROXIMATE = 0.002


@dataclass(frozen=True)
class Verification:
    """What `Store.verify` found: counts of chunk records, recorded chunks and damaged vectors."""

    location: str
    chunks: int  # chunk records (text and metadata) in the store
    recorded: int  # chunks the complete article records say they have
    pending: int  # articles whose ingest did not finish
    unreadable: int  # chunk vectors that cannot be read back, or read back as garbage
    lost: int  # readable vectors whose own chunk is not among their nearest neighbours

    @property
    def ok(self) -> bool:
        return (
            self.chunks == self.recorded and not (self.pending or self.unreadable)
            and self.lost <= self.chunks * _APPROXIMATE
        )

    def line(self) -> str:
        """One line for the terminal. Example: "store s is sound: 39 chunks, all vectors readable, 39 found by their own vector"."""
        if self.ok:
            return (
                f"store {self.location} is sound: {self.chunks} chunks, all vectors readable, "
                f"{self.chunks - self.lost} found by their own vector"
            )
        problems = []
        if self.unreadable:
            problems.append(f"{self.unreadable} of {self.chunks} chunk vectors unreadable")
        if self.lost > self.chunks * _APPROXIMATE:
            problems.append(f"{self.lost} of {self.chunks} chunks not found by their own vector")
        if self.chunks != self.recorded:
            problems.append(f"{self.chunks} chunks stored but the article records list {self.recorded}")
        if self.pending:
            problems.append(f"{self.pending} articles whose ingest did not finish (run citeqa ingest again)")
        return f"store {self.location} is damaged: {'; '.join(problems)}. Run: citeqa ingest --rebuild --store {self.location}"


def all_ids(collection) -> list[str]:
    """Every record id of a collection, read in batches."""
    ids: list[str] = []
    while batch := collection.get(include=[], limit=_BATCH, offset=len(ids))["ids"]:
        ids.extend(batch)
    return ids


def readable_vectors(collection, ids: Sequence[str]) -> dict[str, np.ndarray]:
    """id -> vector for every id whose vector reads back sound; the others (a damaged index) are left out.

    A read that fails is halved until the unreadable ids are isolated, so damage confined to
    part of the index file costs a few extra reads, not one read per chunk.
    """
    if not ids:
        return {}
    try:
        got = collection.get(ids=list(ids), include=["embeddings"])
    except Exception as err:
        if as_store_error(err, "") is None:
            raise
        if len(ids) == 1:
            return {}
        half = len(ids) // 2
        return readable_vectors(collection, ids[:half]) | readable_vectors(collection, ids[half:])
    vectors = {chunk_id: np.asarray(vector, dtype=np.float32) for chunk_id, vector in zip(got["ids"], got["embeddings"])}
    return {chunk_id: v for chunk_id, v in vectors.items() if np.isfinite(v).all() and abs(np.linalg.norm(v) - 1) < _UNIT_TOLERANCE}


def count_lost(collection, vectors: dict[str, np.ndarray]) -> int:
    """How many of `vectors` do not find their own id among their nearest neighbours."""
    n = min(_NEIGHBOURS, collection.count())
    ids = list(vectors)
    lost = 0
    for start in range(0, len(ids), _BATCH):
        batch = ids[start : start + _BATCH]
        try:
            got = collection.query(query_embeddings=np.stack([vectors[i] for i in batch]), n_results=n, include=["distances"])
        except Exception as err:
            if as_store_error(err, "") is None:
                raise
            lost += len(batch)
            continue
        lost += sum(chunk_id not in found for chunk_id, found in zip(batch, got["ids"]))
    return lost


def copy_chunks(source, target, embed: Callable[[list[str]], np.ndarray]) -> tuple[int, int]:
    """Copy every chunk of `source` into the empty `target`; (chunks copied, chunks re-embedded).

    Texts and metadata come from `source` as stored; vectors too where they read back sound,
    else `embed(texts)` makes them anew.
    """
    copied = reembedded = 0
    while True:
        got = source.get(include=["documents", "metadatas"], limit=_BATCH, offset=copied)
        ids = got["ids"]
        if not ids:
            return copied, reembedded
        vectors = readable_vectors(source, ids)
        missing = [i for i, chunk_id in enumerate(ids) if chunk_id not in vectors]
        if missing:
            fresh = embed([got["documents"][i] for i in missing])
            vectors.update((ids[i], vector) for i, vector in zip(missing, fresh))
            reembedded += len(missing)
        target.add(ids=ids, embeddings=np.stack([vectors[i] for i in ids]), documents=got["documents"], metadatas=got["metadatas"])
        copied += len(ids)
