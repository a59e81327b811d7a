"""Timing helpers: latency percentiles, load averages, warm-up, raw encode speed, timed asks."""

import os
import time
from collections.abc import Sequence

import numpy as np

from citeqa.app.qa import QA
from citeqa.eval import metrics
from citeqa.eval.bench.result import Latency
from citeqa.eval.dataset import Example


def latency(ms: Sequence[float]) -> Latency:
    """p50/p95/p99/mean of latencies in ms. Example: [1, 2, 3] -> Latency(p50_ms=2.0, ...)."""
    return Latency(
        p50_ms=round(metrics.percentile(ms, 50), 2),
        p95_ms=round(metrics.percentile(ms, 95), 2),
        p99_ms=round(metrics.percentile(ms, 99), 2),
        mean_ms=round(float(np.mean(ms)), 2),
        n=len(ms),
    )


def load_average() -> list[float]:
    """1/5/15-minute load averages."""
    return [round(x, 2) for x in os.getloadavg()]


def warm(embedder) -> None:
    """Load the model and run it once, so no measurement pays for start-up."""
    embedder.embed_queries(["warm up"])
    embedder.embed_passages(["Warm up."], [[(0, 8)]])


def encode_speed(embedder, texts: Sequence[str]) -> float:
    """Chunks per second of the runner's raw batched encode (torch: `model.encode`, batch 32): the practical limit."""
    started = time.perf_counter()
    embedder.embed_queries(list(texts))  # no prompts for these models: the plain mean-pooled encode
    return len(texts) / (time.perf_counter() - started)


def time_asks(qa: QA, examples: Sequence[Example], rounds: int, warm_up: int = 5) -> list[float]:
    """Latencies (ms) of `QA.ask` over `examples` (with their chat history), `rounds` times, after warm-up asks."""
    for example in examples[:warm_up]:
        qa.ask(example.question)
    out = []
    for _ in range(rounds):
        for example in examples:
            started = time.perf_counter()
            qa.ask(example.question, history=list(example.history) or None)
            out.append((time.perf_counter() - started) * 1000)
    return out
