"""Ask latency at scale: a synthetic store of N chunks (filled once, cached from 10k on), then timed real asks."""

import shutil
import time
from collections.abc import Sequence
from pathlib import Path

from citeqa.app.qa import QA
from citeqa.eval.bench.result import AskPoint, ScaleStore
from citeqa.eval.bench.settings import BenchSettings, Step
from citeqa.eval.bench.synthetic import cache_marker, cached, fill_store, mark_cached, sentence_pool
from citeqa.eval.bench.timing import latency, time_asks
from citeqa.eval.bench.wordpieces import hf_tokenizer
from citeqa.eval.dataset import Example
from citeqa.store.chroma import Store, StoreSettings, open_store
from citeqa.store.lexical import LexicalIndex
from citeqa.store.records import ChunkSettings

CACHED_FROM = 10_000  # chunks: smaller stores are rebuilt in the run's temporary folder


def _fill(directory: Path, n: int, pool_store: Store, embedder, seed: int, step: Step) -> tuple[str, float]:
    """Fill `directory` with `n` synthetic chunks drawn from `pool_store`'s sentences; (how, seconds)."""
    shutil.rmtree(directory, ignore_errors=True)
    tokenizer = hf_tokenizer(embedder)
    pool = sentence_pool(pool_store, lambda t: len(tokenizer(t, add_special_tokens=False)["input_ids"]))
    store = open_store(directory, create=True)
    started = time.perf_counter()
    fill_store(store, pool, StoreSettings(embedder.model_id, embedder.dimension, ChunkSettings()), n, seed=seed,
               on_batch=lambda done: step(f"filling {n:,}-chunk store: {done:,}"))
    return f"filled from a pool of {len(pool.texts):,} real sentences", time.perf_counter() - started


def scale_point(
    n: int, pool_store: Store, embedder, settings: BenchSettings, examples: Sequence[Example], workdir: Path, step: Step
) -> AskPoint:
    """Fill (or reuse) a synthetic store of `n` chunks and time asks on it with the real QA path."""
    cacheable = n >= CACHED_FROM
    directory = settings.cache_dir / f"bench-{n // 1000}k" if cacheable else workdir / f"scale-{n}"
    marker = cache_marker(n, settings.seed, embedder.model_id)
    fill, fill_s = "reused cached store", None
    if not (cacheable and cached(directory, marker)):
        fill, fill_s = _fill(directory, n, pool_store, embedder, settings.seed, step)
        if cacheable:
            mark_cached(directory, marker)
    store = open_store(directory)
    step(f"{n:,} chunks: BM25 build")
    started = time.perf_counter()
    ids, texts = [], []
    for batch_ids, batch_texts in store.iter_chunk_texts():
        ids.extend(batch_ids)
        texts.extend(batch_texts)
    read_s = time.perf_counter() - started
    started = time.perf_counter()
    stamp = store.stamp()
    stamp_check_ms = (time.perf_counter() - started) * 1000  # done every 5 s by a long-running reader
    started = time.perf_counter()
    index = LexicalIndex.build(ids, texts, stamp)
    build_s = time.perf_counter() - started
    index.save(Path(directory) / "lexical")  # where Store.refresh_lexical looks: the first ask loads it
    del ids, texts, index
    qa = QA(store, embedder)
    started = time.perf_counter()
    qa.ask(examples[0].question)  # loads (or builds and saves) the lexical index
    first_ask_s = time.perf_counter() - started
    step(f"{n:,} chunks: timing asks")
    timed = latency(time_asks(qa, examples, settings.ask_rounds))
    made = ScaleStore(
        store=str(directory), fill=fill, articles=len(store.articles()), stamp_check_ms=round(stamp_check_ms, 1),
        lexical_read_s=round(read_s, 2), lexical_build_s=round(build_s, 2), first_ask_s=round(first_ask_s, 2),
        fill_s=None if fill_s is None else round(fill_s, 1), fill_chunks_per_s=None if fill_s is None else round(n / fill_s, 1),
    )
    return AskPoint(n, timed, made)
