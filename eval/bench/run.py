"""citeqa's own speed and scale measurements, run in one process on one machine.

`run_bench` measures, with the model already loaded:
- ingest throughput of the real pipeline (`ingest_documents` into a fresh store) against
  the same runner's raw batched encode (batch 32) of the same chunk texts, on synthetic articles
  recombined (seeded) from the sentences of the default corpus (`ingest_speed`, `synthetic`);
- warm, extractive `QA.ask` latency on the default corpus and on synthetic stores of 10k
  and 100k chunks (`scale`: filled by `synthetic.fill_store`, cached under `.citeqa/bench-N`),
  plus the BM25 build time at that size;
- cold start to first answer and peak RSS of `citeqa serve` (a subprocess on a free
  loopback port, asked once through gradio_client), and cold start of `citeqa ask` (the median
  of several processes, after a first one) (`processes`);
- optionally the peer comparison with LlamaIndex and Haystack (`retrieval`, `peers`) and the default int8 ONNX runner
  vs torch fp32 (`runners`).

It returns a `BenchResult`; printing is the CLI's job. Non-goals: tuning anything, GPUs.
"""

import os
import shutil
import tempfile
from pathlib import Path

from citeqa.app.qa import QA
from citeqa.eval.bench.corpora import corpora, default_documents, skipped
from citeqa.eval.bench.ingest_speed import ingest_fresh, synthetic_ingest
from citeqa.eval.bench.processes import measure_ask_cli, measure_serve
from citeqa.eval.bench.result import AskPoint, BenchResult, DefaultCorpus
from citeqa.eval.bench.retrieval import compare_peers
from citeqa.eval.bench.runners import compare_torch
from citeqa.eval.bench.scale import scale_point
from citeqa.eval.bench.settings import BenchSettings, Step
from citeqa.eval.bench.timing import latency, load_average, time_asks, warm
from citeqa.eval.dataset import DEFAULT_DATASET, read_examples
from citeqa.ingest.embed import load_embedder
from citeqa.store.chroma import open_store


def run_bench(settings: BenchSettings, step: Step = lambda _message: None, embedding: dict | None = None) -> BenchResult:
    """Every measurement in one process. `embedding`: keyword arguments for `load_embedder` (backend, cache_dir)."""
    load_before = load_average()
    examples = read_examples(DEFAULT_DATASET)[: 6 if settings.quick else None]
    workdir = Path(tempfile.mkdtemp(prefix="citeqa-bench-"))
    try:
        step("loading the model")
        embedder = load_embedder(**(embedding or {}))
        warm(embedder)

        step("default corpus: ingest")
        default_docs = default_documents(settings.articles)[: 2 if settings.quick else None]
        report = ingest_fresh(default_docs, embedder, workdir / "default")
        default_corpus = DefaultCorpus(len(default_docs), report.chunks, round(report.seconds, 2))
        synthetic, ingest_cps, encode_cps, docs, texts = synthetic_ingest(settings, embedder, workdir / "synthetic", step)

        step("default corpus: timing asks")
        qa = QA(open_store(workdir / "default"), embedder)
        ask = {"default": AskPoint(report.chunks, latency(time_asks(qa, examples, settings.ask_rounds)))}
        pool_store = open_store(workdir / "synthetic")
        for n in settings.scales:
            ask[str(n)] = scale_point(n, pool_store, embedder, settings, examples, workdir, step)

        step("ask: cold start")
        ask_cli = measure_ask_cli(workdir / "default", settings.ask_cli_runs)
        serve = None
        if settings.serve:
            step("serve: cold start and peak RSS")
            serve = measure_serve(workdir / "default")

        corpus_list = corpora(settings) if settings.peers or settings.compare_torch else []
        peers = {c.name: compare_peers(c, embedder, workdir, step) for c in corpus_list} if settings.peers else {}
        onnx = compare_torch(corpus_list, embedder, docs, texts, workdir, ingest_cps, step) if settings.compare_torch else None
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return BenchResult(
        quick=settings.quick, cpus=os.cpu_count(), load_before=load_before, load_after=load_average(),
        embedder=f"{embedder.model_id} ({type(embedder).__name__})", default_corpus=default_corpus,
        synthetic_corpus=synthetic, ingest_chunks_per_s=ingest_cps, encode_chunks_per_s=encode_cps, ask=ask,
        ask_cli=ask_cli, serve=serve, skipped=skipped(settings), peers=peers, onnx=onnx,
    )
