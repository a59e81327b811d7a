"""The store: Chroma collections for chunks and articles, plus the BM25 index beside them.

`open_store(location)` takes a directory (embedded Chroma) or an http(s) URL (a
Chroma server). Two collections hold everything, so every replica of the app sees
the same data: `citeqa-chunks` (our own vectors, cosine space; each chunk carries
its sentence spans and late-chunked sentence vectors) and `citeqa-articles` (one
record per article: metadata, content hash, clean text). The collection metadata
records the embedding model, dimension and chunk settings, and a store built with
one model refuses queries and ingests made with another.

Writes are ordered so that a process killed at any point leaves a store that the
next ingest completes: an article record is first marked pending, then its old
chunks are deleted and the new ones added, and only then is its hash recorded.
Every write also renews a revision token in the chunks collection's metadata, so a
long-running reader (a `serve` replica) notices another process's ingest cheaply.
A Chroma server that stops answering surfaces as StoreError, like a missing store.
"""

import base64
import functools
import logging
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import urlparse

import numpy as np

from store.lexical import LexicalIndex
from store.records import ArticleRecord, Chunk, ChunkSettings, EmbeddedArticle, Hit

log = logging.getLogger(__name__)

CHUNKS = "citeqa-chunks"
ARTICLES = "citeqa-articles"
SCHEMA_VERSION = 1
_PENDING = "pending"
_REVISION = "citeqa_revision"  # collection metadata key renewed by every write
_BATCH = 1000  # below Chroma's max batch size
_HIT_CACHE_SIZE = 4096  # chunk records kept in memory for answering
_LEXICAL_CHECK_SECONDS = 5.0  # how often a long-running reader looks for another process's ingest


class StoreError(Exception):
    """The store is missing, unreadable, or was built with other settings."""


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


def is_url(location: str | Path) -> bool:
    """True for http(s) URLs. Example: "http://127.0.0.1:8000" -> True."""
    return str(location).startswith(("http://", "https://"))


def _client(location: str | Path, create: bool):
    import chromadb  # heavy; imported only when a store is opened

    if is_url(location):
        url = urlparse(str(location))
        try:
            client = chromadb.HttpClient(
                host=url.hostname or "127.0.0.1", port=url.port or 8000, ssl=url.scheme == "https"
            )
            client.heartbeat()
        except Exception as err:
            raise StoreError(f"Cannot reach the Chroma server at {location} ({_first_line(err)}). Is `chroma run` up?")
        return client
    path = Path(location)
    if not create and not (path / "chroma.sqlite3").exists():
        raise StoreError(f"No store at {path}. Run: citeqa ingest data/articles --store {path}")
    try:
        path.mkdir(parents=True, exist_ok=True)
        return chromadb.PersistentClient(path=str(path))
    except Exception as err:
        raise StoreError(f"Cannot open the store at {path} ({_first_line(err)}). Check permissions, or move it aside and re-ingest.")


def _first_line(err: BaseException) -> str:
    text = str(err).strip().splitlines()
    return text[0][:200] if text else type(err).__name__


def _server_calls(method: Callable) -> Callable:
    """Turn a lost connection to a Chroma server into StoreError, so every front end shows one line."""

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except StoreError:
            raise
        except Exception as err:
            import httpx  # chromadb's HTTP client; only a URL store can get here with its errors

            if not isinstance(err, httpx.TransportError):
                raise
            raise StoreError(f"Lost the Chroma server at {self.location} ({_first_line(err)}). Is `chroma run` up?") from err

    return wrapper


def _pack_vectors(vectors: np.ndarray) -> str:
    """Sentence vectors as base64 int8 with one float32 scale per row (4x smaller than float32)."""
    scale = np.maximum(np.abs(vectors).max(axis=1), 1e-12).astype(np.float32)
    quantized = np.round(vectors / scale[:, None] * 127).astype(np.int8)
    return base64.b64encode(scale.tobytes() + quantized.tobytes()).decode("ascii")


def _unpack_vectors(packed: str, rows: int) -> np.ndarray:
    """Inverse of `_pack_vectors`; the dimension follows from the length (4 scale bytes + 1 byte per value per row)."""
    raw = base64.b64decode(packed)
    dimension = (len(raw) - 4 * rows) // rows
    scale = np.frombuffer(raw[: 4 * rows], dtype=np.float32)
    quantized = np.frombuffer(raw[4 * rows :], dtype=np.int8).reshape(rows, dimension)
    return quantized.astype(np.float32) * (scale[:, None] / 127)


def _chunk_metadata(chunk: Chunk, sentence_vectors: np.ndarray) -> dict:
    meta = {
        "article_id": chunk.article_id,
        "title": chunk.title,
        "position": chunk.position,
        "char_start": chunk.char_start,
        "char_end": chunk.char_end,
        "tokens": chunk.tokens,
        "sentences": [offset for span in chunk.sentences for offset in span],
        "sentence_vectors": _pack_vectors(sentence_vectors),
    }
    for key in ("author", "date"):
        if getattr(chunk, key):
            meta[key] = getattr(chunk, key)
    return meta


def _chunk_from(chunk_id: str, text: str, meta: dict) -> Chunk:
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


def _article_metadata(record: ArticleRecord) -> dict:
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


def _article_from(article_id: str, meta: dict) -> ArticleRecord:
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


class Store:
    """Chunks, articles and the lexical index of one citeqa store."""

    def __init__(self, location: str | Path, client, chunks, articles) -> None:
        self.location = location
        self._client = client
        self._chunks = chunks
        self._articles = articles
        self._lexical: LexicalIndex | None = None
        self._lexical_checked = 0.0
        # Chunk records read for answers, most recent last. Chunk ids are content hashes, so a record never
        # changes; it is only dropped when its chunk may be gone (a write here, or the store changed elsewhere).
        self._hits: OrderedDict[str, Hit] = OrderedDict()
        self._hits_lock = threading.Lock()

    # -- settings ---------------------------------------------------------------------

    @property
    def settings(self) -> StoreSettings | None:
        """The settings the store was built with; None for a store nothing was ingested into."""
        meta = self._chunks.metadata or {}
        return StoreSettings.from_metadata(meta) if "embedding_model" in meta else None

    def check_settings(self, wanted: StoreSettings) -> None:
        """Raise StoreError when the store was built with different settings."""
        have = self.settings
        if have is None or have == wanted:
            return
        if have.embedding_model != wanted.embedding_model or have.dimension != wanted.dimension:
            raise StoreError(
                f"The store at {self.location} was built with the embedding model {have.embedding_model} "
                f"({have.dimension} dimensions), not {wanted.embedding_model}. "
                f"Use --model {have.embedding_model}, or ingest into a new --store."
            )
        raise StoreError(
            f"The store at {self.location} was built with chunks of {have.chunking.max_tokens} tokens "
            f"(overlap {have.chunking.overlap_tokens}), not {wanted.chunking.max_tokens} "
            f"(overlap {wanted.chunking.overlap_tokens}). Ingest into a new --store to change chunking."
        )

    def check_model(self, embedding_model: str, chunking: ChunkSettings) -> None:
        """Raise StoreError unless the store is new or was built with this model and chunking."""
        have = self.settings
        if have is not None:
            self.check_settings(StoreSettings(embedding_model, have.dimension, chunking))

    @_server_calls
    def record_settings(self, settings: StoreSettings) -> None:
        """Write the settings into the collection metadata (first ingest only)."""
        self.check_settings(settings)
        if self.settings is None:
            self._chunks.modify(metadata=settings.as_metadata())

    # -- articles -----------------------------------------------------------------------

    @_server_calls
    def articles(self) -> list[ArticleRecord]:
        """Every completely stored article, sorted by id."""
        got = self._articles.get(include=["metadatas"])
        records = [_article_from(i, m or {}) for i, m in zip(got["ids"], got["metadatas"])]
        return sorted(records, key=lambda record: record.article_id)

    def manifest(self) -> dict[str, ArticleRecord]:
        """article_id -> record, including records of articles whose ingest did not finish."""
        return {record.article_id: record for record in self.articles()}

    @_server_calls
    def article_text(self, article_id: str) -> str | None:
        """The clean text of one article, or None when it is not stored."""
        got = self._articles.get(ids=[article_id], include=["documents"])
        return got["documents"][0] if got["ids"] else None

    @_server_calls
    def replace_articles(self, articles: Sequence[EmbeddedArticle]) -> None:
        """Store articles' chunks in place of whatever they had, one Chroma call per step (crash-safe order).

        Every record is first marked pending, so a write cut short re-ingests them on the next run; then
        their old chunks go, the new ones are added, and only then do the records get their real hash.
        """
        if not articles:
            return
        self._forget_hits()
        self._renew_revision()  # before and after: a reader that looks mid-write sees a change once it is done
        ids = [article.record.article_id for article in articles]
        self._articles.upsert(
            ids=ids, embeddings=[[1.0]] * len(ids), documents=[article.text for article in articles],
            metadatas=[_article_metadata(replace(article.record, content_hash=_PENDING)) for article in articles],
        )
        self._chunks.delete(where={"article_id": {"$in": ids}})
        rows = [(chunk, article.vectors[i], article.sentence_vectors[i]) for article in articles for i, chunk in enumerate(article.chunks)]
        for start in range(0, len(rows), _BATCH):
            batch = rows[start : start + _BATCH]
            self._chunks.add(
                ids=[chunk.chunk_id for chunk, _, _ in batch],
                embeddings=np.stack([vector for _, vector, _ in batch]),
                documents=[chunk.text for chunk, _, _ in batch],
                metadatas=[_chunk_metadata(chunk, sentence_vectors) for chunk, _, sentence_vectors in batch],
            )
        self._articles.update(ids=ids, metadatas=[_article_metadata(article.record) for article in articles])
        self._renew_revision()

    @_server_calls
    def remove_article(self, article_id: str) -> None:
        """Delete an article's chunks, then its record."""
        self._forget_hits()
        self._chunks.delete(where={"article_id": article_id})
        self._articles.delete(ids=[article_id])
        self._renew_revision()

    # -- chunks -------------------------------------------------------------------------

    @_server_calls
    def count(self) -> int:
        """Number of stored chunks."""
        return self._chunks.count()

    @_server_calls
    def nearest(self, query_vector: np.ndarray, n: int) -> list[tuple[str, float]]:
        """Up to `n` (chunk_id, cosine similarity) of the nearest chunks, best first; nothing else is read."""
        if n <= 0:
            return []
        got = self._chunks.query(query_embeddings=[query_vector], n_results=n, include=["distances"])
        return [(chunk_id, 1.0 - distance) for chunk_id, distance in zip(got["ids"][0], got["distances"][0])]

    @_server_calls
    def get_hits(self, chunk_ids: Sequence[str]) -> list[Hit]:
        """Hits (with no scores yet) for the given chunk ids, in the given order; unknown ids are left out."""
        with self._hits_lock:
            missing = [chunk_id for chunk_id in dict.fromkeys(chunk_ids) if chunk_id not in self._hits]
        read: list[Hit] = []
        if missing:
            got = self._chunks.get(ids=missing, include=["documents", "metadatas"])
            read = [self._hit(chunk_id, text, meta) for chunk_id, text, meta in zip(got["ids"], got["documents"], got["metadatas"])]
        with self._hits_lock:
            self._hits.update((hit.chunk.chunk_id, hit) for hit in read)
            found = []
            for chunk_id in chunk_ids:
                if chunk_id in self._hits:
                    self._hits.move_to_end(chunk_id)
                    found.append(self._hits[chunk_id])
            while len(self._hits) > _HIT_CACHE_SIZE:
                self._hits.popitem(last=False)
        return found

    def _forget_hits(self) -> None:
        with self._hits_lock:
            self._hits.clear()

    def _hit(self, chunk_id: str, text: str, meta: dict) -> Hit:
        chunk = _chunk_from(chunk_id, text, meta)
        vectors = _unpack_vectors(meta["sentence_vectors"], len(chunk.sentences))
        return Hit(chunk=chunk, fused=0.0, sentence_vectors=vectors)

    def iter_chunk_texts(self) -> Iterable[tuple[list[str], list[str]]]:
        """(ids, texts) of every chunk, in batches."""
        total = self.count()
        for offset in range(0, total, _BATCH * 5):
            got = self._chunks.get(include=["documents"], limit=_BATCH * 5, offset=offset)
            yield got["ids"], got["documents"]

    # -- lexical ------------------------------------------------------------------------

    def _stamp(self) -> str:
        """The store's state as readers see it: chunk count plus the revision token every write renews.

        Two cheap reads, so a long-running reader can check often even at 100k chunks.
        """
        return f"{self.count()}-{self._current_chunks_metadata().get(_REVISION, 'none')}"

    def _renew_revision(self) -> None:
        """Mark the chunks changed for readers in this and other processes (see `_stamp`)."""
        self._chunks.modify(metadata={**self._current_chunks_metadata(), _REVISION: uuid.uuid4().hex})

    def _current_chunks_metadata(self) -> dict:
        """The chunks collection's metadata as stored now (the handle's copy is from when it was opened)."""
        return self._client.get_collection(CHUNKS, embedding_function=None).metadata or {}

    def _lexical_dir(self) -> Path | None:
        return None if is_url(self.location) else Path(self.location) / "lexical"

    @_server_calls
    def refresh_lexical(self, force: bool = False) -> LexicalIndex:
        """The BM25 index for the store's current state, loading or rebuilding as needed."""
        now = time.monotonic()
        if self._lexical is not None and not force and now - self._lexical_checked < _LEXICAL_CHECK_SECONDS:
            return self._lexical
        self._lexical_checked = now
        stamp = self._stamp()
        if self._lexical is not None and self._lexical.stamp == stamp:
            return self._lexical
        self._forget_hits()  # the store changed since the index was read: cached chunks may be gone
        directory = self._lexical_dir()
        saved = LexicalIndex.load(directory) if directory else None
        if saved is not None and saved.stamp == stamp:
            self._lexical = saved
            return saved
        ids: list[str] = []
        texts: list[str] = []
        for batch_ids, batch_texts in self.iter_chunk_texts():
            ids.extend(batch_ids)
            texts.extend(batch_texts)
        log.info("building the lexical index over %d chunks", len(ids))
        self._lexical = LexicalIndex.build(ids, texts, stamp)
        if directory:
            self._lexical.save(directory)
        return self._lexical

    @_server_calls
    def lexical_search(self, query: str, n: int) -> list[tuple[str, float]]:
        """Up to `n` (chunk_id, bm25 score) pairs, best first."""
        return self.refresh_lexical().search(query, n)


def open_store(location: str | Path, create: bool = False) -> Store:
    """Open the store at a directory or Chroma server URL; `create` allows a new one."""
    client = _client(location, create)
    try:
        if create:
            chunks = client.get_or_create_collection(
                CHUNKS, configuration={"hnsw": {"space": "cosine"}}, embedding_function=None
            )
            articles = client.get_or_create_collection(ARTICLES, embedding_function=None)
        else:
            chunks = client.get_collection(CHUNKS, embedding_function=None)
            articles = client.get_collection(ARTICLES, embedding_function=None)
    except Exception as err:
        if not create and "does not exist" in str(err).lower():
            raise StoreError(f"The store at {location} is empty. Run: citeqa ingest data/articles --store {location}")
        raise StoreError(f"The store at {location} is unreadable ({_first_line(err)}). Move it aside and re-ingest.")
    return Store(location, client, chunks, articles)
