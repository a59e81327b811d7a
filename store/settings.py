"""What a store was built with (embedding model, dimension, chunking) and the check that a query or ingest matches.

Kept apart from `store.chroma` so that readers which never open Chroma (`store.reader`) share the
same settings record and the same one-line refusals.
"""

from dataclasses import dataclass
from pathlib import Path

from citeqa.store.connection import StoreError
from citeqa.store.records import ChunkSettings

SCHEMA_VERSION = 1


@dataclass(frozen=True)
class StoreSettings:
    """What must match between ingest and query."""

    embedding_model: str
    dimension: int
    chunking: ChunkSettings

    def as_metadata(self) -> dict:
        return {
            "citeqa_schema": SCHEMA_VERSION,
            "embedding_model": self.embedding_model,
            "dimension": self.dimension,
            "chunk_max_tokens": self.chunking.max_tokens,
            "chunk_overlap_tokens": self.chunking.overlap_tokens,
        }

    @classmethod
    def from_metadata(cls, meta: dict) -> "StoreSettings":
        return cls(
            embedding_model=meta["embedding_model"],
            dimension=int(meta["dimension"]),
            chunking=ChunkSettings(int(meta["chunk_max_tokens"]), int(meta["chunk_overlap_tokens"])),
        )


def settings_in(meta: dict) -> StoreSettings | None:
    """The settings recorded in a chunks collection's metadata; None for a store nothing was ingested into."""
    return StoreSettings.from_metadata(meta) if "embedding_model" in meta else None


def check_settings(location: str | Path, have: StoreSettings | None, wanted: StoreSettings) -> None:
    """Raise StoreError when the store at `location`, built with `have`, was built with settings other than `wanted`."""
    if have is None or have == wanted:
        return
    if have.embedding_model != wanted.embedding_model or have.dimension != wanted.dimension:
        raise StoreError(
            f"The store at {location} was built with the embedding model {have.embedding_model} "
            f"({have.dimension} dimensions), not {wanted.embedding_model}. "
            f"Use --model {have.embedding_model}, or ingest into a new --store."
        )
    raise StoreError(
        f"The store at {location} was built with chunks of {have.chunking.max_tokens} tokens "
        f"(overlap {have.chunking.overlap_tokens}), not {wanted.chunking.max_tokens} "
        f"(overlap {wanted.chunking.overlap_tokens}). Ingest into a new --store to change chunking."
    )


def check_model(location: str | Path, have: StoreSettings | None, embedding_model: str, chunking: ChunkSettings) -> None:
    """Raise StoreError unless the store is new or was built with this model and chunking."""
    if have is not None:
        check_settings(location, have, StoreSettings(embedding_model, have.dimension, chunking))
