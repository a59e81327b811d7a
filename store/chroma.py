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
Every write also renews a revision token in the chunks collection's metadata. A
long-running reader (`serve`) reads that token before every search (~0.3 ms); when
another process changed it, a local store's client is re-opened (Chroma's local mode
caches the vector index per process and would never see the change) and cached
chunks are dropped, so no answer cites a chunk that is gone. Writers hold the
store's writer lock (`store.lock`). A Chroma server that stops answering surfaces as
StoreError, like a missing store. Beside a local store, the writer also keeps the BM25
index and a read snapshot (`store.snapshot`) that one-shot readers use without Chroma.
"""

import functools
import logging
import shutil
import threading
import uuid
from collections import OrderedDict, deque
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import numpy as np

from citeqa.store import repair, snapshot
from citeqa.store.codec import article_from, article_metadata, chunk_metadata, hit_from
from citeqa.store.connection import StoreError, first_line, forget_client, is_url, open_client
from citeqa.store.lexical import LexicalIndex
from citeqa.store.lock import writer_lock
from citeqa.store.records import PENDING, ArticleRecord, ChunkSettings, EmbeddedArticle, Hit
from citeqa.store.settings import StoreSettings, check_model, check_settings, settings_in

log = logging.getLogger(__name__)

CHUNKS = "citeqa-chunks"
ARTICLES = "citeqa-articles"
REBUILDING = "citeqa-chunks-rebuilding"  # `rebuild` fills this, then it replaces CHUNKS
# Cosine HNSW. Chroma's default ef_search (100) let a chunk at dense rank 6 of 2,105 drop out of the
# top 100 in 3 of 14 processes (the search, not the data, differs from one process
# to the next); at 400 it was found in 20 of 20. Stores made before keep 100 until `citeqa ingest --rebuild`.
SEARCH_EF = 400
INDEX_CONFIGURATION = {"hnsw": {"space": "cosine", "ef_search": SEARCH_EF}}
REVISION = "citeqa_revision"  # collection metadata key renewed by every write
LEXICAL_FOLDER = "lexical"  # the BM25 index, beside a local store
_BATCH = 1000  # below Chroma's max batch size
_HIT_CACHE_SIZE = 4096  # chunk records kept in memory for answering
_OWN_REVISIONS = 16  # revision tokens this Store wrote itself, remembered so its own writes need no re-open


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
            raise StoreError(f"Lost the Chroma server at {self.location} ({first_line(err)}). Is `chroma run` up?") from err

    return wrapper


class Store:
    """Chunks, articles and the lexical index of one citeqa store."""

    def __init__(self, location: str | Path, client, chunks, articles) -> None:
        self.location = location
        self._client = client
        self._chunks = chunks
        self._articles = articles
        self._lexical: LexicalIndex | None = None
        self._lexical_revision: str | None = None  # the revision `_lexical` was last checked against
        # Chunk records read for answers, most recent last. Chunk ids are content hashes, so a record never
        # changes; it is only dropped when its chunk may be gone (a write here, or the store changed elsewhere).
        self._hits: OrderedDict[str, Hit] = OrderedDict()
        self._hits_lock = threading.Lock()
        self._own_revisions: deque[str] = deque(maxlen=_OWN_REVISIONS)
        self._follow_lock = threading.Lock()
        self._seen_revision = self._revision()
        self._writing = 0  # threads of this process inside `writing()`
        self._settings_metadata: dict = {}  # what `record_settings` checked, re-asserted by every revision renewal
        self._writing_lock = threading.Lock()
        self._snapshot_lock = threading.Lock()
        self._snapshot_stamp: str | None = None  # the stamp of the read snapshot this Store last saw saved

    # -- settings ---------------------------------------------------------------------

    @property
    def settings(self) -> StoreSettings | None:
        """The settings the store was built with; None for a store nothing was ingested into."""
        return settings_in(self._chunks.metadata or {})

    def check_settings(self, wanted: StoreSettings) -> None:
        """Raise StoreError when the store was built with different settings."""
        check_settings(self.location, self.settings, wanted)

    def check_model(self, embedding_model: str, chunking: ChunkSettings) -> None:
        """Raise StoreError unless the store is new or was built with this model and chunking."""
        check_model(self.location, self.settings, embedding_model, chunking)

    @_server_calls
    def record_settings(self, settings: StoreSettings) -> None:
        """Write the settings into the collection metadata (first ingest only).

        Read afresh and checked again after writing: shards that start together on an empty server
        each write theirs, and one whose settings lost the race is refused here, before it stores a chunk.
        """
        self.check_settings(settings)
        current = self._current_chunks_metadata()
        if "embedding_model" not in current:
            self._chunks.modify(metadata={**current, **settings.as_metadata()})
        self._chunks = self._client.get_collection(CHUNKS, embedding_function=None)  # the handle's metadata, renewed
        self.check_settings(settings)
        self._settings_metadata = settings.as_metadata()

    # -- writing ------------------------------------------------------------------------

    @contextmanager
    def writing(self) -> Iterator[None]:
        """Hold the store's writer lock for a whole ingest: StoreError at once while another process holds it.

        Only a Store inside this block saves the BM25 index beside a local store, so readers in
        other processes never write those files while an ingest does.
        """
        with writer_lock(self.location):
            with self._writing_lock:
                self._writing += 1
            try:
                yield
            finally:
                with self._writing_lock:
                    self._writing -= 1

    # -- articles -----------------------------------------------------------------------

    @_server_calls
    def articles(self) -> list[ArticleRecord]:
        """Every completely stored article, sorted by id."""
        got = self._articles.get(include=["metadatas"])
        records = [article_from(i, m or {}) for i, m in zip(got["ids"], got["metadatas"])]
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
            metadatas=[article_metadata(replace(article.record, content_hash=PENDING)) for article in articles],
        )
        self._chunks.delete(where={"article_id": {"$in": ids}})
        rows = [(chunk, article.vectors[i], article.sentence_vectors[i]) for article in articles for i, chunk in enumerate(article.chunks)]
        for start in range(0, len(rows), _BATCH):
            batch = rows[start : start + _BATCH]
            self._chunks.add(
                ids=[chunk.chunk_id for chunk, _, _ in batch],
                embeddings=np.stack([vector for _, vector, _ in batch]),
                documents=[chunk.text for chunk, _, _ in batch],
                metadatas=[chunk_metadata(chunk, sentence_vectors) for chunk, _, sentence_vectors in batch],
            )
        self._articles.update(ids=ids, metadatas=[article_metadata(article.record) for article in articles])
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
    def nearest(self, query_vector: np.ndarray, n: int, article_ids: Collection[str] | None = None) -> list[tuple[str, float]]:
        """Up to `n` (chunk_id, cosine similarity) of the nearest chunks, best first; nothing else is read.

        `article_ids` (when given) keeps the search to those articles' chunks (a Chroma `where` filter).
        """
        if n <= 0 or (article_ids is not None and not article_ids):
            return []
        self._follow_writers()
        where = None if article_ids is None else {"article_id": {"$in": sorted(article_ids)}}
        got = self._chunks.query(query_embeddings=[query_vector], n_results=n, where=where, include=["distances"])
        return [(chunk_id, 1.0 - distance) for chunk_id, distance in zip(got["ids"][0], got["distances"][0])]

    @_server_calls
    def get_hits(self, chunk_ids: Sequence[str]) -> list[Hit]:
        """Hits (with no scores yet) for the given chunk ids, in the given order; ids it cannot read are left out.

        Cached chunks are dropped first when the store changed, so a chunk deleted by any writer is never returned.
        """
        self._follow_writers()
        with self._hits_lock:
            missing = [chunk_id for chunk_id in dict.fromkeys(chunk_ids) if chunk_id not in self._hits]
        read: list[Hit] = []
        if missing:
            got = self._chunks.get(ids=missing, include=["documents", "metadatas"])
            read = [hit_from(chunk_id, text, meta) for chunk_id, text, meta in zip(got["ids"], got["documents"], got["metadatas"])]
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

    def iter_chunk_texts(self) -> Iterable[tuple[list[str], list[str]]]:
        """(ids, texts) of every chunk, in batches."""
        total = self.count()
        for offset in range(0, total, _BATCH * 5):
            got = self._chunks.get(include=["documents"], limit=_BATCH * 5, offset=offset)
            yield got["ids"], got["documents"]

    # -- freshness ----------------------------------------------------------------------

    def stamp(self) -> str:
        """The store's state as readers see it: chunk count plus the revision token every write renews.

        Two cheap reads, so a long-running reader can check often even at 100k chunks.
        """
        return f"{self.count()}-{self._revision() or 'none'}"

    def _revision(self) -> str | None:
        return self._current_chunks_metadata().get(REVISION)

    def _renew_revision(self) -> None:
        """Mark the chunks changed for readers in this and other processes (see `_follow_writers`)."""
        token = uuid.uuid4().hex
        self._own_revisions.append(token)
        # The settings this writer checked go in too: another shard's read-modify-write may have raced
        # the first `record_settings`, and they never differ between shards that passed the check.
        self._chunks.modify(metadata={**self._current_chunks_metadata(), **self._settings_metadata, REVISION: token})

    def _current_chunks_metadata(self) -> dict:
        """The chunks collection's metadata as stored now (the handle's copy is from when it was opened)."""
        return self._client.get_collection(CHUNKS, embedding_function=None).metadata or {}

    def _follow_writers(self) -> None:
        """Catch up with writes made through another client: re-open a stale local client, drop cached chunks.

        One metadata read when nothing changed. This Store's own writes are known by their tokens and
        need no re-open (they went through the same client).
        """
        revision = self._revision()
        if revision == self._seen_revision:
            return
        with self._follow_lock:
            if revision == self._seen_revision:
                return
            if revision not in self._own_revisions and not is_url(self.location):
                log.info("the store at %s was changed by another process; re-opening it", self.location)
                forget_client(self.location)
                self._client = open_client(self.location, create=False)
                self._chunks, self._articles = _collections(self._client, self.location, create=False)
            self._forget_hits()
            self._seen_revision = revision

    # -- lexical ------------------------------------------------------------------------

    def _lexical_dir(self) -> Path | None:
        return None if is_url(self.location) else Path(self.location) / LEXICAL_FOLDER

    @_server_calls
    def refresh_lexical(self, force: bool = False) -> LexicalIndex:
        """The BM25 index for the store's current state, loading or rebuilding as needed.

        Inside `writing()`, a local store's index and its read snapshot (`store.snapshot`) are saved beside it.
        """
        index = self._current_lexical(force)
        if self._writing and self._lexical_dir():
            self._save_snapshot(index)
        return index

    def _current_lexical(self, force: bool) -> LexicalIndex:
        self._follow_writers()
        revision = self._seen_revision
        if self._lexical is not None and not force and self._lexical_revision == revision:
            return self._lexical
        stamp = self.stamp()
        self._lexical_revision = revision
        if self._lexical is not None and self._lexical.stamp == stamp:
            return self._lexical
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
        if directory and self._writing:
            self._lexical.save(directory)
        return self._lexical

    def _save_snapshot(self, index: LexicalIndex) -> None:
        """Write the read snapshot of the state `index` was built from, unless it is saved already."""
        directory = Path(self.location) / snapshot.FOLDER
        settings = self.settings
        with self._snapshot_lock:
            if settings is None or revision_in(index.stamp) is None or self._snapshot_stamp == index.stamp:
                return
            try:
                if snapshot.saved_stamp(directory) != index.stamp:
                    snapshot.save(directory, index.stamp, settings.dimension, index.chunk_ids, self._chunk_rows, self.articles())
                self._snapshot_stamp = index.stamp
            except snapshot.SnapshotMismatch as err:  # another thread of this process wrote meanwhile
                log.info("no read snapshot saved at %s: the store changed while it was read (%s)", directory, err)

    def _chunk_rows(self, ids: Sequence[str]) -> Iterator[snapshot.Row]:
        """(id, document, metadata, vector) of the given chunks, in the given order; ids not stored are left out."""
        for start in range(0, len(ids), _BATCH):
            batch = list(ids[start : start + _BATCH])
            got = self._chunks.get(ids=batch, include=["documents", "metadatas", "embeddings"])
            found = {i: (text, meta, vector) for i, text, meta, vector in zip(got["ids"], got["documents"], got["metadatas"], got["embeddings"])}
            for chunk_id in batch:
                if chunk_id in found:
                    yield (chunk_id, *found[chunk_id])

    @_server_calls
    def lexical_search(self, query: str, n: int, article_ids: Collection[str] | None = None) -> list[tuple[str, float]]:
        """Up to `n` (chunk_id, bm25 score) pairs, best first; only chunks of `article_ids` when given."""
        return self.refresh_lexical().search_in(query, n, article_ids)

    # -- repair -------------------------------------------------------------------------

    @_server_calls
    def verify(self) -> repair.Verification:
        """Check that every chunk's vector reads back and finds its own chunk, and that the counts agree."""
        records = self.articles()
        ids = repair.all_ids(self._chunks)
        vectors: dict[str, np.ndarray] = {}
        for start in range(0, len(ids), _BATCH):
            vectors |= repair.readable_vectors(self._chunks, ids[start : start + _BATCH])
        return repair.Verification(
            location=str(self.location),
            chunks=len(ids),
            recorded=sum(r.chunks for r in records if r.content_hash != PENDING),
            pending=sum(r.content_hash == PENDING for r in records),
            unreadable=len(ids) - len(vectors),
            lost=repair.count_lost(self._chunks, vectors),
        )

    @_server_calls
    def rebuild(self, embed: Callable[[list[str]], np.ndarray]) -> tuple[int, int]:
        """Re-create the vector index from the stored chunks; (chunks, chunks re-embedded with `embed`).

        The chunks are copied into a new collection, which then takes the old one's place; a rebuild
        cut short leaves either the old collection or the complete new one (`open_store` finishes it).
        Hold `writing()` around it.
        """
        self._forget_hits()
        _drop(self._client, REBUILDING)
        target = self._client.create_collection(
            REBUILDING, configuration=INDEX_CONFIGURATION, metadata=self._current_chunks_metadata() or None,
            embedding_function=None,
        )
        copied = repair.copy_chunks(self._chunks, target, embed)
        self._client.delete_collection(CHUNKS)
        target.modify(name=CHUNKS)
        self._chunks = self._client.get_collection(CHUNKS, embedding_function=None)
        self._renew_revision()
        if not is_url(self.location):  # its rows may hold vectors the rebuild replaced: the next refresh reads all afresh
            shutil.rmtree(Path(self.location) / snapshot.FOLDER, ignore_errors=True)
        return copied


def revision_in(stamp: str) -> str | None:
    """The revision token inside a `Store.stamp()`. Example: "39-9f3c…" -> "9f3c…"; "0-none" -> None."""
    revision = stamp.partition("-")[2]
    return None if revision in ("", "none") else revision


def _drop(client, name: str) -> None:
    """Delete a collection if it exists."""
    from chromadb.errors import NotFoundError

    try:
        client.delete_collection(name)
    except NotFoundError:
        pass


def _collections(client, location: str | Path, create: bool) -> tuple:
    """(chunks, articles) collections; a rebuild that stopped after removing the old chunks is finished first."""
    from chromadb.errors import NotFoundError

    try:
        try:
            chunks = client.get_collection(CHUNKS, embedding_function=None)
        except NotFoundError:
            try:
                client.get_collection(REBUILDING, embedding_function=None).modify(name=CHUNKS)
            except NotFoundError:
                if not create:
                    raise StoreError(f"The store at {location} is empty. Run: citeqa ingest data/articles --store {location}") from None
            chunks = client.get_or_create_collection(CHUNKS, configuration=INDEX_CONFIGURATION, embedding_function=None)
        if create:
            articles = client.get_or_create_collection(ARTICLES, embedding_function=None)
        else:
            articles = client.get_collection(ARTICLES, embedding_function=None)
    except StoreError:
        raise
    except Exception as err:
        if not create and isinstance(err, NotFoundError):
            raise StoreError(f"The store at {location} is empty. Run: citeqa ingest data/articles --store {location}") from None
        raise StoreError(f"The store at {location} is unreadable ({first_line(err)}). Move it aside and re-ingest.") from None
    return chunks, articles


def open_store(location: str | Path, create: bool = False) -> Store:
    """Open the store at a directory or Chroma server URL; `create` allows a new one."""
    client = open_client(location, create)
    chunks, articles = _collections(client, location, create)
    try:
        return Store(location, client, chunks, articles)
    except Exception as err:
        raise StoreError(f"The store at {location} is unreadable ({first_line(err)}). Move it aside and re-ingest.") from None


def reopen_store(location: str | Path) -> Store:
    """Open the store at `location` afresh, not through this process's cached client (e.g. after it broke)."""
    forget_client(location)
    return open_store(location)
