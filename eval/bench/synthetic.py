"""Synthetic articles and synthetic large stores, for speed and scale benchmarks.

Two generators, both seeded and deterministic:

- `synthetic_documents`: articles made by recombining the sentences of real articles
  (e.g. `data/articles`), a few paragraphs each, so chunking and embedding see real
  prose at any corpus size.
- `fill_store`: a store of N chunks written through `Store.replace_articles` in batches
  of about 1,000 chunks, with no model call. Each chunk is a run of real
  sentences drawn from a pool of (sentence text, real late-chunked sentence vector)
  pairs taken from an already-embedded store; its sentence vectors are those vectors
  plus small noise, and its chunk vector is the word-piece-weighted mean of its
  sentence vectors plus noise (all-MiniLM-L6-v2 mean-pools tokens, so this is close
  to what the model would give). Embedding 100k chunks for real would take about an
  hour here; the query path over the result is the real one.

Non-goals: realistic answers (the texts are shuffled sentences), timing anything.
"""

import hashlib
import json
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from citeqa.ingest.document import Document
from citeqa.ingest.load import load_document
from citeqa.ingest.sentences import split_sentences
from citeqa.store.chroma import Store, StoreSettings
from citeqa.store.records import ArticleRecord, Chunk, EmbeddedArticle

GENERATOR_VERSION = 1  # bump when fill_store's output changes: cached stores are rebuilt
_BATCH = 1000  # below Chroma's max batch size
_MARKER = "citeqa-bench.json"


def corpus_sentences(folder: Path) -> list[str]:
    """Every sentence of every .txt article in `folder`, in file order."""
    sentences: list[str] = []
    for path in sorted(Path(folder).glob("*.txt")):
        doc = load_document(path)
        sentences.extend(doc.text[a:b] for a, b in split_sentences(doc.text))
    return sentences


def synthetic_documents(sentences: Sequence[str], articles: int, sentences_per_article: int = 48, seed: int = 0) -> list[Document]:
    """`articles` Documents of `sentences_per_article` sentences drawn (seeded) from `sentences`.

    Example: 250 articles x 48 sentences of data/articles -> about 2,000 chunks of 200 tokens.
    """
    if articles < 1 or sentences_per_article < 1:
        raise ValueError(f"articles and sentences_per_article must be greater than 0. Currently, they are {articles}, {sentences_per_article}")
    rng = random.Random(seed)
    docs = []
    for number in range(articles):
        picked = rng.sample(list(sentences), min(sentences_per_article, len(sentences)))
        paragraphs, start = [], 0
        while start < len(picked):
            size = rng.randint(2, 5)
            paragraphs.append(" ".join(picked[start : start + size]))
            start += size
        text = "\n\n".join(paragraphs)
        docs.append(
            Document(
                article_id=f"syn-{seed}-{number:05d}",
                title=f"Synthetic article {number}: {' '.join(picked[0].split()[:6])}",
                text=text,
                content_hash=hashlib.sha256(text.encode()).hexdigest(),
                author="citeqa bench",
                date="2025-06-18",
                path=f"synthetic://{seed}/{number}",
            )
        )
    return docs


@dataclass(frozen=True)
class SentencePool:
    """Real sentences with their late-chunked vectors and word-piece counts."""

    texts: list[str]
    vectors: np.ndarray  # (n, dimension), unit rows
    weights: np.ndarray  # (n,) word pieces per sentence, for mean-pooling chunk vectors


def sentence_pool(store: Store, count_wordpieces: Callable[[str], int]) -> SentencePool:
    """Every sentence occurrence stored in `store`, with its stored (int8-packed) late-chunked vector."""
    texts: list[str] = []
    rows: list[np.ndarray] = []
    for ids, _ in store.iter_chunk_texts():
        for hit in store.get_hits(ids):
            for span, vector in zip(hit.chunk.sentences, hit.sentence_vectors):
                # Every occurrence is kept: the same sentence in another context has another vector.
                if np.linalg.norm(vector) > 0:
                    texts.append(hit.chunk.sentence_text(span))
                    rows.append(vector / np.linalg.norm(vector))
    if not texts:
        raise ValueError("the store holds no sentences to build a pool from; ingest something first")
    weights = np.array([max(count_wordpieces(t), 1) for t in texts], dtype=np.float32)
    return SentencePool(texts, np.stack(rows).astype(np.float32), weights)


def _unit(rows: np.ndarray) -> np.ndarray:
    return rows / np.maximum(np.linalg.norm(rows, axis=-1, keepdims=True), 1e-12)


def _noisy(rows: np.ndarray, rng: np.random.Generator, sigma: float) -> np.ndarray:
    """Unit rows plus isotropic noise of total norm ~sigma, renormalized (cosine to the input ~1/sqrt(1+sigma^2))."""
    noise = rng.standard_normal(rows.shape).astype(np.float32) * (sigma / np.sqrt(rows.shape[-1]))
    return _unit(rows + noise)


def _article(number: int, pool: SentencePool, rng: np.random.Generator, chunks: int, sentences: int, sigma: float) -> EmbeddedArticle:
    """One synthetic article with its chunks, chunk vectors and sentence vectors."""
    article_id = f"big-{number:06d}"
    picks = rng.integers(0, len(pool.texts), size=(chunks, sentences))
    out_chunks: list[Chunk] = []
    vectors, sentence_vectors = [], []
    parts: list[str] = []
    offset = 0
    for position, row in enumerate(picks):
        spans, pieces = [], []
        start = offset
        for index in row:
            sentence = pool.texts[index]
            spans.append((offset, offset + len(sentence)))
            pieces.append(sentence)
            offset += len(sentence) + 1
        text = " ".join(pieces)
        parts.append(text)
        offset = start + len(text) + 2  # "\n\n" between chunks in the article text
        own = _noisy(pool.vectors[row], rng, sigma)
        chunk_vector = (own * pool.weights[row, None]).sum(axis=0)
        vectors.append(_noisy(_unit(chunk_vector)[None, :], rng, sigma)[0])
        sentence_vectors.append(own)
        out_chunks.append(
            Chunk(
                chunk_id=f"{article_id}-{position:03d}",
                article_id=article_id,
                text=text,
                position=position,
                char_start=start,
                char_end=start + len(text),
                tokens=int(pool.weights[row].sum()),
                sentences=tuple(spans),
                title=f"Synthetic article {number}",
                author="citeqa bench",
                date="2025-06-18",
            )
        )
    body = "\n\n".join(parts)
    record = ArticleRecord(
        article_id=article_id,
        title=f"Synthetic article {number}",
        content_hash=f"synthetic:{GENERATOR_VERSION}:{number}",
        author="citeqa bench",
        date="2025-06-18",
        path=f"synthetic://{number}",
        chunks=len(out_chunks),
        tokens=sum(c.tokens for c in out_chunks),
    )
    return EmbeddedArticle(record, body, out_chunks, np.stack(vectors), sentence_vectors)


def fill_store(
    store: Store,
    pool: SentencePool,
    settings: StoreSettings,
    n_chunks: int,
    chunks_per_article: int = 8,
    sentences_per_chunk: int = 7,
    sigma: float = 0.3,
    seed: int = 0,
    on_batch: Callable[[int], None] | None = None,
) -> None:
    """Write `n_chunks` synthetic chunks (and their article records) into an empty store, ~1,000 per call."""
    with store.writing():
        if store.count():
            raise ValueError(f"fill_store needs an empty store. Currently, {store.location} holds {store.count()} chunks")
        store.record_settings(settings)
        rng = np.random.default_rng(seed)
        batch: list[EmbeddedArticle] = []
        written, number = 0, 0
        while written < n_chunks:
            article = _article(number, pool, rng, min(chunks_per_article, n_chunks - written), sentences_per_chunk, sigma)
            batch.append(article)
            written += len(article.chunks)
            number += 1
            if sum(len(a.chunks) for a in batch) >= _BATCH or written >= n_chunks:
                store.replace_articles(batch)
                batch = []
                if on_batch:
                    on_batch(written)


def cache_marker(n_chunks: int, seed: int, model_id: str) -> dict:
    """What a cached synthetic store must have been built with to be reused."""
    return {"generator": GENERATOR_VERSION, "chunks": n_chunks, "seed": seed, "model": model_id}


def cached(directory: Path, marker: dict) -> bool:
    """True when `directory` holds a complete synthetic store built with `marker`."""
    try:
        return json.loads((Path(directory) / _MARKER).read_text()) == marker
    except (OSError, ValueError):
        return False


def mark_cached(directory: Path, marker: dict) -> None:
    """Record that `directory` now holds a complete synthetic store (written last, after the fill)."""
    (Path(directory) / _MARKER).write_text(json.dumps(marker))
