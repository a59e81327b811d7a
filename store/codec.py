"""How citeqa's records are laid out in Chroma: chunk and article metadata, packed sentence vectors.

Pure functions between `store.records` dataclasses and the (id, document, metadata)
triples Chroma keeps; every writer of a store goes through them, so stores written by
ingest, by the synthetic benchmarks or by a rebuild read back the same.
"""

import base64

import numpy as np

from citeqa.store.records import ArticleRecord, Chunk, Hit


def pack_vectors(vectors: np.ndarray) -> str:
    """Sentence vectors as base64 int8 with one float32 scale per row (4x smaller than float32)."""
    scale = np.maximum(np.abs(vectors).max(axis=1), 1e-12).astype(np.float32)
    quantized = np.round(vectors / scale[:, None] * 127).astype(np.int8)
    return base64.b64encode(scale.tobytes() + quantized.tobytes()).decode("ascii")


def unpack_vectors(packed: str, rows: int) -> np.ndarray:
    """Inverse of `pack_vectors`; the dimension follows from the length (4 scale bytes + 1 byte per value per row)."""
    raw = base64.b64decode(packed)
    dimension = (len(raw) - 4 * rows) // rows
    scale = np.frombuffer(raw[: 4 * rows], dtype=np.float32)
    quantized = np.frombuffer(raw[4 * rows :], dtype=np.int8).reshape(rows, dimension)
    return quantized.astype(np.float32) * (scale[:, None] / 127)


def chunk_metadata(chunk: Chunk, sentence_vectors: np.ndarray) -> dict:
    """The Chroma metadata of one chunk (its text is the document, its vector the embedding)."""
    meta = {
        "article_id": chunk.article_id,
        "title": chunk.title,
        "position": chunk.position,
        "char_start": chunk.char_start,
        "char_end": chunk.char_end,
        "tokens": chunk.tokens,
        "sentences": [offset for span in chunk.sentences for offset in span],
        "sentence_vectors": pack_vectors(sentence_vectors),
    }
    for key in ("author", "date"):
        if getattr(chunk, key):
            meta[key] = getattr(chunk, key)
    return meta


def chunk_from(chunk_id: str, text: str, meta: dict) -> Chunk:
    """Inverse of `chunk_metadata` (without the sentence vectors; see `sentence_vectors_of`)."""
    flat = meta["sentences"]
    return Chunk(
        chunk_id=chunk_id,
        article_id=meta["article_id"],
        text=text,
        position=int(meta["position"]),
        char_start=int(meta["char_start"]),
        char_end=int(meta["char_end"]),
        tokens=int(meta["tokens"]),
        sentences=tuple(zip(flat[::2], flat[1::2])),
        title=meta.get("title", ""),
        author=meta.get("author"),
        date=meta.get("date"),
    )


def sentence_vectors_of(meta: dict) -> np.ndarray:
    """The late-chunked sentence vectors stored in a chunk's metadata, one row per sentence."""
    return unpack_vectors(meta["sentence_vectors"], len(meta["sentences"]) // 2)


def hit_from(chunk_id: str, text: str, meta: dict) -> Hit:
    """A Hit (no scores yet) from one stored chunk's id, document and metadata, with its sentence vectors."""
    return Hit(chunk=chunk_from(chunk_id, text, meta), fused=0.0, sentence_vectors=sentence_vectors_of(meta))


def article_metadata(record: ArticleRecord) -> dict:
    """The Chroma metadata of one article record (its clean text is the document)."""
    meta = {
        "title": record.title,
        "content_hash": record.content_hash,
        "path": record.path,
        "chunks": record.chunks,
        "tokens": record.tokens,
    }
    for key in ("author", "date", "source"):
        meta[key] = getattr(record, key) or None  # None removes a key a re-ingested article no longer has
    return meta


def article_from(article_id: str, meta: dict) -> ArticleRecord:
    """Inverse of `article_metadata`."""
    return ArticleRecord(
        article_id=article_id,
        title=meta.get("title", ""),
        content_hash=meta.get("content_hash", ""),
        author=meta.get("author"),
        date=meta.get("date"),
        source=meta.get("source"),
        path=meta.get("path", ""),
        chunks=int(meta.get("chunks", 0)),
        tokens=int(meta.get("tokens", 0)),
    )
