"""The peers `citeqa bench --peers` compares against, each with its documented defaults and our model.

One module per peer (`llamaindex`, `haystack`), each exposing `run(articles, questions, model_path,
workdir, rounds) -> PeerRun`. They return raw facts (timings, nodes, ranked articles);
`eval.bench.retrieval` scores every tool the same way. The peers' libraries are the optional benchmark
extra (`pip install -e '.[bench]'`), imported only inside those functions; citeqa never needs them.
"""

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from citeqa.errors import CiteqaError

TOP_K = 5


class PeerUnavailable(CiteqaError):
    """A peer's library is not installed; install the benchmark extra: pip install -e '.[bench]'."""


def unavailable(library: str, err: ImportError) -> PeerUnavailable:
    return PeerUnavailable(f"{library} is not installed ({err.name}); run: pip install -e '.[bench]'")


@dataclass(frozen=True)
class PeerNode:
    """One chunk a peer embedded: its article, character start in the article text, and text as embedded."""

    article_id: str
    start: int
    end: int
    embedded_text: str


@dataclass(frozen=True)
class PeerRun:
    """What a peer did on one corpus."""

    ingest_s: float
    nodes: list[PeerNode]
    rankings: list[list[str]]  # per question: article ids of the top-k chunks, best first, unique
    latencies_ms: list[float]  # one retrieval, warm, every round


def timed_retrieval(
    retrieve: Callable[[str], list[str]], questions: Sequence[str], rounds: int
) -> tuple[list[list[str]], list[float]]:
    """Warm `retrieve` (question -> article ids of its chunks, best first) once, then time it on every question.

    Returns the first round's unique article rankings and every round's latency in ms.
    """
    retrieve(questions[0] if questions else "warm up")
    rankings: list[list[str]] = []
    latencies: list[float] = []
    for round_ in range(rounds):
        for question in questions:
            t0 = time.perf_counter()
            found = retrieve(question)
            latencies.append((time.perf_counter() - t0) * 1000)
            if round_ == 0:
                rankings.append(list(dict.fromkeys(found)))
    return rankings, latencies
