"""Load benchmark: N concurrent `gradio_client` clients ask a running page's `/chat` for T seconds.

`run_load(url, clients, seconds, examples, articles)` starts one thread per client,
each with its own `gradio_client.Client`; each loops over questions sampled from an
evaluation set (answerable, unanswerable and follow-ups with their history) until
the deadline, one request at a time, and checks every answer: a proper abstention
(no citations), or `[n]` markers that match the citations exactly, each citing a
stored article whose text holds the evidence at the stated offsets. The result
counts requests, errors and invalid answers, with p50/p95 latency and throughput.

Bounded on purpose: a deadline, an optional cap on requests per client, and a
per-request timeout. Meant for loopback (the page under test runs on this machine);
it refuses any other host. Not here: starting the server (the caller does) or
tuning it (the report feeds that decision). The command line is `citeqa load-test`; the same
runs as a module:

    python -m citeqa.eval.bench.load --url http://127.0.0.1:7860/ --store .citeqa/store --clients 20 --seconds 60
"""

import os
import random
import re
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import urlparse

from citeqa.errors import CiteqaError, SettingsError
from citeqa.eval.dataset import DEFAULT_DATASET, Example, read_examples

_MARKER = re.compile(r"\[(\d+)\]")
_LOOPBACK = ("127.", "localhost", "::1")


class PageUnreachable(CiteqaError):
    """The URL answers with no chat page (refused, not gradio, timed out)."""


@dataclass
class LoadReport:
    """What one load run measured. Latencies are of completed requests, in seconds."""

    url: str
    clients: int
    seconds: float
    requests: int = 0
    errors: int = 0  # requests that raised (refused, timed out, server error)
    invalid: int = 0  # answers that came back but failed the citation checks
    answered: int = 0  # valid answers with citations
    abstained: int = 0  # valid abstentions
    elapsed: float = 0.0
    p50: float = 0.0
    p95: float = 0.0
    max: float = 0.0
    throughput: float = 0.0  # completed requests per second
    load_before: tuple[float, float, float] = (0.0, 0.0, 0.0)
    load_after: tuple[float, float, float] = (0.0, 0.0, 0.0)
    problems: list[str] = field(default_factory=list)  # the first few errors / invalid answers, one line each

    def as_dict(self) -> dict:
        return asdict(self)

    def summary(self) -> str:
        return (
            f"{self.requests} requests from {self.clients} clients in {self.elapsed:.1f} s: "
            f"{self.errors} errors, {self.invalid} invalid; {self.answered} cited answers, {self.abstained} abstentions; "
            f"p50 {self.p50 * 1000:.0f} ms, p95 {self.p95 * 1000:.0f} ms, max {self.max * 1000:.0f} ms; "
            f"{self.throughput:.2f} req/s; load average {self.load_before[0]:.2f} -> {self.load_after[0]:.2f}"
        )


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile. Example: percentile([1, 2, 3, 4], 50) -> 2."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * q // 100))  # ceil(n * q / 100), at least 1
    return ordered[int(rank) - 1]


def check_answer(data: dict, articles: dict[str, str] | None) -> str | None:
    """None for a valid answer or abstention from `/chat`, else what is wrong (one line).

    `articles` maps article_id -> stored text; None skips the store checks.
    """
    if not isinstance(data, dict) or not isinstance(data.get("answer"), str):
        return f"not a /chat answer: {str(data)[:120]!r}"
    text, citations = data["answer"], data.get("citations") or []
    if data.get("abstained"):
        return None if not citations and text.strip() else "abstention with citations or no text"
    if not citations:
        return f"answer without citations: {text[:120]!r}"
    markers = {int(n) for n in _MARKER.findall(text)}
    numbers = [c.get("marker") for c in citations]
    if markers != set(numbers) or sorted(numbers) != list(range(1, len(numbers) + 1)):
        return f"markers {sorted(markers)} do not match citations {numbers}"
    for c in citations:
        if articles is None:
            continue
        body = articles.get(c.get("article_id"))
        if body is None:
            return f"[{c.get('marker')}] cites {c.get('article_id')!r}, which is not in the store"
        for sentence, (start, end) in zip(c.get("evidence") or [], c.get("evidence_spans") or []):
            if start >= 0 and body[start:end] != sentence:
                return f"[{c.get('marker')}] evidence not at {start}:{end} of {c.get('article_id')}: {sentence[:80]!r}"
        if not c.get("evidence"):
            return f"[{c.get('marker')}] has no evidence"
    return None


def read_articles(store: str | Path) -> dict[str, str]:
    """article_id -> clean text, read once from a store (before the load starts)."""
    from citeqa.store.chroma import open_store

    opened = open_store(store)
    return {r.article_id: opened.article_text(r.article_id) or "" for r in opened.articles()}


def _check_loopback(url: str) -> None:
    host = urlparse(url).hostname or ""
    if not host.startswith(_LOOPBACK):
        raise SettingsError(f"url must point at this machine (127.0.0.0/8, localhost, ::1). Currently, url is {url!r}")


def run_load(
    url: str,
    clients: int = 20,
    seconds: float = 60.0,
    examples: Sequence[Example] | None = None,
    articles: dict[str, str] | None = None,
    max_requests: int | None = None,
    timeout: float = 120.0,
    seed: int = 0,
) -> LoadReport:
    """Drive `/chat` at `url` with `clients` concurrent clients for `seconds` (see the module docstring)."""
    if clients < 1:
        raise SettingsError(f"clients must be at least 1. Currently, clients is {clients}")
    if seconds <= 0:
        raise SettingsError(f"seconds must be greater than 0. Currently, seconds is {seconds}")
    _check_loopback(url)
    from gradio_client import Client  # imported late: heavy, and only the load run needs it

    examples = list(examples if examples is not None else read_examples(DEFAULT_DATASET))
    report = LoadReport(url, clients, seconds, load_before=os.getloadavg())
    latencies: list[float] = []
    lock = threading.Lock()
    try:
        connected = [Client(url, verbose=False) for _ in range(clients)]  # before the clock starts
    except Exception as err:  # whatever the client raises for a URL with no chat page behind it
        reason = str(err).strip().splitlines()[0][:200] if str(err).strip() else type(err).__name__
        raise PageUnreachable(f"cannot reach a citeqa page at {url} ({reason})") from None
    started = time.perf_counter()
    deadline = started + seconds

    def note(problem: str) -> None:
        if len(report.problems) < 10:
            report.problems.append(problem)

    def client_loop(index: int) -> None:
        rng = random.Random(seed * 1000 + index)
        done = 0
        while time.perf_counter() < deadline and (max_requests is None or done < max_requests):
            example = rng.choice(examples)
            sent = time.perf_counter()
            try:
                job = connected[index].submit(example.question, list(example.history), api_name="/chat")
                data = job.result(timeout=timeout)
            except Exception as err:  # every failure is counted, never fatal to the run
                with lock:
                    report.requests += 1
                    report.errors += 1
                    note(f"{example.id}: {type(err).__name__}: {str(err).splitlines()[0][:160] if str(err) else ''}")
                done += 1
                continue
            took = time.perf_counter() - sent
            problem = check_answer(data, articles)
            with lock:
                report.requests += 1
                latencies.append(took)
                if problem:
                    report.invalid += 1
                    note(f"{example.id}: {problem}")
                elif data.get("abstained"):
                    report.abstained += 1
                else:
                    report.answered += 1
            done += 1

    threads = [threading.Thread(target=client_loop, args=(i,), daemon=True) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(seconds + timeout + 30)  # a hung client cannot keep the run going for ever
    report.elapsed = time.perf_counter() - started
    report.load_after = os.getloadavg()
    for client in connected:
        try:
            client.close()
        except Exception:  # closing is best effort
            pass
    report.p50, report.p95 = percentile(latencies, 50), percentile(latencies, 95)
    report.max = max(latencies, default=0.0)
    report.throughput = len(latencies) / report.elapsed if report.elapsed else 0.0
    return report


if __name__ == "__main__":  # `python -m citeqa.eval.bench.load ARGS` is `citeqa load-test ARGS`
    from citeqa.cli import run

    run(["load-test", *sys.argv[1:]])
