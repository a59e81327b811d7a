"""Incremental ingest: files -> Documents -> chunks -> vectors -> store, doing only what changed.

Each file's content hash (raw bytes plus sidecar) is compared with the store's
manifest: unchanged files are not even parsed; new and changed ones are chunked
and embedded in batches across articles; articles whose file disappeared from an
ingested folder are removed (`prune=False` keeps them). The pipeline yields
`Progress` events and returns nothing else, so the CLI and the web page each draw
progress their own way. It never prints.
"""

import itertools
import logging
import os
import time
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from citeqa.ingest.chunk import chunk_document
from citeqa.ingest.document import Document
from citeqa.ingest.embed import Embedder
from citeqa.ingest.load import SUPPORTED_SUFFIXES, LoadError, content_hash, load_document
from citeqa.ingest.shard import WHOLE, Shard
from citeqa.store.chroma import Store, StoreSettings, is_url
from citeqa.store.records import ArticleRecord, Chunk, ChunkSettings, EmbeddedArticle

log = logging.getLogger(__name__)

SIDECAR_SUFFIX = ".meta.json"
# Bump when loading, cleaning or chunking changes what a file turns into: stored articles re-ingest.
PIPELINE_VERSION = 2
EMBED_BATCH_CHUNKS = 256  # chunks embedded per model call and written per store call; articles are grouped to fill it


class IngestError(Exception):
    """Nothing could be ingested (no readable input at all)."""


@dataclass
class IngestReport:
    """What one ingest run did."""

    articles: int = 0
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    removed: int = 0
    chunks: int = 0
    tokens: int = 0
    seconds: float = 0.0
    skipped: list[str] = field(default_factory=list)  # one-line reasons, one per file

    @property
    def chunks_per_second(self) -> float:
        return self.chunks / self.seconds if self.seconds > 0 else 0.0

    def as_dict(self) -> dict:
        return {
            "articles": self.articles,
            "new": self.new,
            "changed": self.changed,
            "unchanged": self.unchanged,
            "removed": self.removed,
            "chunks": self.chunks,
            "tokens": self.tokens,
            "seconds": round(self.seconds, 3),
            "chunks_per_s": round(self.chunks_per_second, 2),
            "skipped": self.skipped,
        }


@dataclass(frozen=True)
class Progress:
    """One step of an ingest: `done` of `total` articles to embed; `report` is final on the last event."""

    done: int
    total: int
    report: IngestReport
    message: str = ""


def discover(paths: Sequence[Path]) -> tuple[list[Path], list[str], list[Path]]:
    """(files to load, one-line skip reasons, directories scanned) for the given paths.

    Paths are made absolute but symbolic links are not resolved: a linked article is stored
    under the link's own name and pruned when the link goes. Dangling and looping links are
    skipped with a reason that names them.
    """
    files: list[Path] = []
    skipped: list[str] = []
    folders: list[Path] = []
    for path in paths:
        path = _absolute(path)
        if path.is_dir():
            folders.append(path)
            for candidate in sorted(_absolute(p) for p in path.rglob("*")):
                if candidate.name.endswith(SIDECAR_SUFFIX) or candidate.name.startswith(".") or candidate.is_dir():
                    continue
                _add(candidate, files, skipped)
        else:
            _add(path, files, skipped)
    return files, skipped, folders


def _add(path: Path, files: list[Path], skipped: list[str]) -> None:
    """Append `path` to `files` when it is an article file, else its skip reason to `skipped`."""
    broken = _broken_link(path)
    if broken:
        skipped.append(f"{path}: {broken}, skipped")
    elif not path.exists():
        skipped.append(f"{path}: no such file or directory")
    elif not path.is_file():
        skipped.append(f"{path}: not a regular file, skipped")
    elif path.suffix.lower() in SUPPORTED_SUFFIXES:
        files.append(path)
    else:
        skipped.append(f"{path}: unsupported file type {path.suffix or '(none)'}, skipped")


def _broken_link(path: Path) -> str | None:
    """Why a symbolic link leads nowhere ("symbolic link to X, which does not exist"), or None."""
    if not path.is_symlink():
        return None
    try:
        target = path.resolve(strict=True)
    except FileNotFoundError:
        return f"symbolic link to {os.readlink(path)}, which does not exist"
    except (OSError, RuntimeError):  # ELOOP; RuntimeError on Python 3.11
        return "symbolic link loop"
    return None if target.exists() else f"symbolic link to {os.readlink(path)}, which does not exist"


def _absolute(path: Path) -> Path:
    """An absolute, normalised path with symbolic links kept. Example: "a/../b.txt" -> "/cwd/b.txt"."""
    return Path(os.path.abspath(path))


def versioned(digest: str) -> str:
    """A content hash tagged with the pipeline version. Example: "9f86d0…" -> "v2:9f86d0…"."""
    return f"v{PIPELINE_VERSION}:{digest}"


def versioned_hash(path: Path) -> str:
    """The file's content hash tagged with the pipeline version."""
    return versioned(content_hash(path))


def _record(doc: Document, chunks: Sequence[Chunk]) -> ArticleRecord:
    return ArticleRecord(
        article_id=doc.article_id,
        title=doc.title,
        content_hash=versioned(doc.content_hash),
        author=doc.author,
        date=doc.date,
        source=doc.source,
        path=doc.path,
        chunks=len(chunks),
        tokens=sum(chunk.tokens for chunk in chunks),
    )


def _embed(embedder: Embedder, chunks: Sequence[Chunk]) -> tuple[np.ndarray, list[np.ndarray]]:
    """Chunk vectors and per-chunk sentence vectors (spans made relative to each chunk)."""
    spans = [[(a - c.char_start, b - c.char_start) for a, b in c.sentences] for c in chunks]
    return embedder.embed_passages([chunk.text for chunk in chunks], spans)


def ingest(
    paths: Sequence[Path],
    store: Store,
    embedder: Embedder,
    chunking: ChunkSettings = ChunkSettings(),
    prune: bool = True,
    shard: Shard = WHOLE,
) -> Iterator[Progress]:
    """Bring the store in line with the files under `paths`; yields progress, last event carries the report.

    With `shard` I/N only the articles that share owns are embedded, re-embedded or pruned (see
    `ingest.shard`); N such runs, in any order or at once against one Chroma server, give the store
    one unsharded run would.
    """
    with store.writing():  # before any work: a second ingest into this store is refused at once
        yield from _ingest_files(paths, store, embedder, chunking, prune, shard)


def _ingest_files(
    paths: Sequence[Path], store: Store, embedder: Embedder, chunking: ChunkSettings, prune: bool, shard: Shard
) -> Iterator[Progress]:
    started = time.perf_counter()
    report = IngestReport()
    files, report.skipped, folders = discover(paths)
    store.check_model(embedder.model_id, chunking)
    manifest = {article_id: record for article_id, record in store.manifest().items() if shard.owns(article_id)}

    todo: list[Document] = []
    seen: set[str] = set()
    for path in files:
        article_id = path.stem
        if article_id in seen:
            report.skipped.append(f"{path}: another file already has the article id {article_id}, skipped")
            continue
        seen.add(article_id)
        if not shard.owns(article_id):
            continue
        try:
            stored = manifest.get(article_id)
            if stored is not None and stored.content_hash == versioned_hash(path):
                report.unchanged += 1
                continue
            todo.append(load_document(path))
        except LoadError as err:
            report.skipped.append(str(err))
            continue
        except OSError as err:
            report.skipped.append(f"{path}: cannot read ({err.strerror or err})")
            continue
        if stored is None:
            report.new += 1
        else:
            report.changed += 1

    if not files and not manifest and report.skipped:
        raise IngestError("Nothing to ingest: " + "; ".join(report.skipped[:3]))
    gone = [
        record.article_id
        for record in manifest.values()
        if record.article_id not in seen and _under(record.path, folders) and not Path(record.path).is_file()
    ]
    yield from _apply(todo, gone if prune else [], store, embedder, chunking, report, started, shard)


def ingest_documents(
    docs: Sequence[Document],
    store: Store,
    embedder: Embedder,
    chunking: ChunkSettings = ChunkSettings(),
    prune: bool = True,
) -> Iterator[Progress]:
    """Bring the store in line with in-memory documents (e.g. a benchmark corpus); same events as `ingest`."""
    with store.writing():
        yield from _ingest_documents(docs, store, embedder, chunking, prune)


def _ingest_documents(
    docs: Sequence[Document], store: Store, embedder: Embedder, chunking: ChunkSettings, prune: bool
) -> Iterator[Progress]:
    started = time.perf_counter()
    report = IngestReport()
    store.check_model(embedder.model_id, chunking)
    manifest = store.manifest()
    todo = [
        doc
        for doc in docs
        if manifest.get(doc.article_id) is None
        or manifest[doc.article_id].content_hash != versioned(doc.content_hash)
    ]
    report.new = sum(doc.article_id not in manifest for doc in todo)
    report.changed = len(todo) - report.new
    report.unchanged = len(docs) - len(todo)
    wanted = {doc.article_id for doc in docs}
    gone = [article_id for article_id in manifest if article_id not in wanted] if prune else []
    yield from _apply(todo, gone, store, embedder, chunking, report, started)


def _apply(
    todo: Sequence[Document],
    gone: Sequence[str],
    store: Store,
    embedder: Embedder,
    chunking: ChunkSettings,
    report: IngestReport,
    started: float,
    shard: Shard = WHOLE,
) -> Iterator[Progress]:
    """Remove `gone`, embed and store `todo`, rebuild the lexical index; yield progress (`report.articles`
    counts the shard's own articles)."""
    if todo:
        # Loading the model to learn its dimension is only worth it when there is work to do.
        store.record_settings(StoreSettings(embedder.model_id, embedder.dimension, chunking))
    for article_id in gone:
        store.remove_article(article_id)
    report.removed = len(gone)
    yield Progress(0, len(todo), report, "embedding")
    done = 0
    # Each group is written on one background thread while the next is chunked and embedded (both run
    # mostly in native code, outside the GIL); a single writer, one group behind, keeps the crash-safe order.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="citeqa-store-writer") as writer:
        writing: deque[tuple[Future, list[EmbeddedArticle]]] = deque()
        for group in itertools.chain(_embedded(todo, embedder, chunking), [None]):
            if group is not None:
                writing.append((writer.submit(store.replace_articles, group), group))
            while writing and (group is None or len(writing) > 1 or writing[0][0].done()):
                future, written = writing.popleft()
                future.result()
                for article in written:
                    done += 1
                    report.chunks += len(article.chunks)
                    report.tokens += sum(chunk.tokens for chunk in article.chunks)
                    yield Progress(done, len(todo), report, article.record.article_id)
    if not is_url(store.location):
        # Save the BM25 index beside a local store now; replicas of a server store build their own.
        store.refresh_lexical(force=True)
    report.articles = sum(shard.owns(article_id) for article_id in store.manifest())
    report.seconds = time.perf_counter() - started
    yield Progress(len(todo), len(todo), report, "done")


def _chunked(docs: Sequence[Document], embedder: Embedder, chunking: ChunkSettings) -> Iterator[list[tuple[Document, list[Chunk]]]]:
    """Documents with their chunks, in groups of at least EMBED_BATCH_CHUNKS chunks (the last may be smaller)."""
    group: list[tuple[Document, list[Chunk]]] = []
    pending = 0
    for doc in docs:
        chunks = chunk_document(doc, chunking, embedder.fits)
        group.append((doc, chunks))
        pending += len(chunks)
        if pending >= EMBED_BATCH_CHUNKS:
            yield group
            group, pending = [], 0
    if group:
        yield group


def _embedded(docs: Sequence[Document], embedder: Embedder, chunking: ChunkSettings) -> Iterable[list[EmbeddedArticle]]:
    """Chunk and embed documents in groups of several articles: one model call and one store write per group.

    The next group is chunked before this one is handed on, so the store write (which holds the GIL)
    runs beside the next model call (which releases it) rather than beside the chunking.
    """
    groups = _chunked(docs, embedder, chunking)
    group = next(groups, None)
    while group is not None:
        flat = [chunk for _, doc_chunks in group for chunk in doc_chunks]
        vectors, sentence_vectors = _embed(embedder, flat) if flat else (np.zeros((0, embedder.dimension)), [])
        embedded, offset = [], 0
        for doc, doc_chunks in group:
            end = offset + len(doc_chunks)
            embedded.append(EmbeddedArticle(_record(doc, doc_chunks), doc.text, doc_chunks, vectors[offset:end], sentence_vectors[offset:end]))
            offset = end
        group = next(groups, None)
        yield embedded


def _under(path: str, folders: Sequence[Path]) -> bool:
    """True when `path` lies inside one of `folders` (by name: a link inside a folder is inside it)."""
    return any(_absolute(Path(path)).is_relative_to(folder) for folder in folders)
