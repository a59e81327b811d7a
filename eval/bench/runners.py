"""The int8 ONNX default against the torch fp32 runner of the same model."""

import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from citeqa.eval import metrics
from citeqa.eval.bench.corpora import Corpus
from citeqa.eval.bench.ingest_speed import ingest_fresh
from citeqa.eval.bench.result import RunnerComparison, RunnerQuality
from citeqa.eval.bench.retrieval import citeqa_run, default_run
from citeqa.eval.bench.settings import Step
from citeqa.eval.bench.timing import encode_speed, warm
from citeqa.eval.dataset import DEFAULT_DATASET, read_examples
from citeqa.ingest.document import Document
from citeqa.ingest.embed import SentenceTransformerEmbedder


def _query_embed_p50_ms(model) -> float:
    ms = []
    for example in read_examples(DEFAULT_DATASET)[:50]:
        started = time.perf_counter()
        model.embed_queries([example.question])
        ms.append((time.perf_counter() - started) * 1000)
    return round(metrics.percentile(ms, 50), 2)


def compare_torch(
    corpus_list: Sequence[Corpus], embedder, docs: Sequence[Document], all_texts: Sequence[str], workdir: Path,
    ingest_chunks_per_s: float, step: Step,
) -> RunnerComparison:
    """Encode throughput, the torch pipeline's overhead ratio, query latency, vector agreement, retrieval quality.

    `all_texts` are `docs`' chunk texts (the same for both runners: one model, one tokenizer);
    `ingest_chunks_per_s` is the default runner's pipeline throughput on them.
    """
    torch = SentenceTransformerEmbedder(embedder.model_id)
    warm(torch)
    step(f"torch: ingest of {len(docs)} synthetic articles vs raw model.encode")
    full_encode = encode_speed(torch, all_texts)
    ingest = ingest_fresh(docs, torch, workdir / "torch-synthetic")
    texts = all_texts[:500]
    speeds = {}
    for label, model in (("torch", torch), ("onnx", embedder)):
        step(f"torch vs onnx: encode speed ({label})")
        speeds[label] = (round(encode_speed(model, texts), 2), _query_embed_p50_ms(model))
    sample = list(texts[:200])
    cosine = (torch.embed_queries(sample) * embedder.embed_queries(sample)).sum(axis=1)
    quality = {}
    for corpus in (c for c in corpus_list if not c.peers_only):
        step(f"torch vs onnx: quality on {corpus.name}")
        onnx_side = default_run(corpus, embedder, workdir)
        torch_side = citeqa_run(replace(corpus, rounds=1, cache={}), torch, workdir, "torch")
        quality[corpus.name] = (RunnerQuality.of(torch_side), RunnerQuality.of(onnx_side), onnx_side.scores.questions)
    return RunnerComparison(
        model=embedder.model_id,
        torch_ingest_chunks_per_s=round(ingest.chunks_per_second, 2),
        torch_full_encode_chunks_per_s=round(full_encode, 2),
        torch_ingest_overhead_ratio=round(ingest.chunks_per_second / full_encode, 3),
        encode_texts=len(texts),
        torch_encode_chunks_per_s=speeds["torch"][0],
        onnx_encode_chunks_per_s=speeds["onnx"][0],
        torch_query_embed_p50_ms=speeds["torch"][1],
        onnx_query_embed_p50_ms=speeds["onnx"][1],
        cosine_mean=round(float(cosine.mean()), 4),
        cosine_min=round(float(cosine.min()), 4),
        ingest_vs_torch_encode=round(ingest_chunks_per_s / full_encode, 2),
        corpora=quality,
    )
