"""Run an evaluation set through the question answerer and score every item.

`iter_rows` asks each question (with its chat history) and yields one scored row
per item, so the caller draws progress; `aggregate` turns rows into the metrics
object; `write_run` saves results.jsonl, metrics.json, report.md and the recall
plot. Article-level retrieval metrics and answer metrics cover answerable items;
unanswerable items are scored by abstention only.

Non-goals: building or checking the store, printing, comparing runs (`eval.compare`),
retrieval benchmarks (`eval.beir`).
"""

from collections.abc import Iterable, Iterator, Sequence
import json
from pathlib import Path
import re
import tempfile
import time
from typing import Any, Protocol

from citeqa.app.answer import Answer
from citeqa.eval.dataset import Example
from citeqa.errors import CiteqaError
from citeqa.eval import metrics

CURVE_KS = tuple(range(1, 11))  # Recall@k plotted for these k
_MARKER = re.compile(r"\[\d+\]")

Row = dict[str, Any]


class Asker(Protocol):
    """What the evaluation needs from the question answerer (`app.qa.QA`)."""

    def ask(self, question: str, history: Sequence[dict] | None = None) -> Answer: ...

    def hiding(self, article_ids: Iterable[str]) -> "Asker": ...


def strip_markers(text: str) -> str:
    """Answer text without citation markers. Example: "In 2003 [1][2]." -> "In 2003 ."."""
    return _MARKER.sub("", text)


def score_row(example: Example, answer: Answer, latency_ms: float, k: int) -> Row:
    """One results.jsonl row: what was asked and answered, and the item's scores."""
    cited = list(dict.fromkeys(c.article_id for c in sorted(answer.citations, key=lambda c: c.marker)))
    retrieved = list(dict.fromkeys(answer.retrieved))
    row: Row = {
        "id": example.id,
        "question": example.question,
        "type": example.type,
        "answerable": example.answerable,
        "answers": list(example.answers),
        "sources": list(example.sources),
        "answer": answer.text,
        "abstained": answer.abstained,
        "cited": cited,
        "retrieved": retrieved,
        "latency_ms": round(latency_ms, 2),
        "confidence": None if answer.confidence is None else max(answer.confidence, -1e9),
        "evidence": list(answer.explain),
    }
    if not example.answerable:
        # Nothing to retrieve or match: the item is right when the answerer declines.
        row.update({"correct": answer.abstained, "lenient": None, "yes_no": False, "token_f1": None, f"Recall@{k}": None, f"MRR@{k}": None,
                    f"nDCG@{k}": None, "citation_precision": None, "citation_recall": None})
        return row
    text = "" if answer.abstained else strip_markers(answer.text)
    yes_no = metrics.is_yes_no(example.answers)  # a Yes/No answer is right only when its first word is
    row.update({
        "correct": bool(text) and (metrics.yes_no_match if yes_no else metrics.answer_match)(text, example.answers),
        "lenient": bool(text) and metrics.lenient_match(text, example.answers),
        "yes_no": yes_no,
        "token_f1": metrics.token_f1(text, example.answers) if text else 0.0,
        f"Recall@{k}": metrics.recall_at_k(retrieved, example.sources, k),
        f"MRR@{k}": metrics.mrr_at_k(retrieved, example.sources, k),
        f"nDCG@{k}": metrics.ndcg_at_k(retrieved, example.sources, k),
        "citation_precision": metrics.citation_precision(cited, example.sources),
        "citation_recall": metrics.citation_recall(cited, example.sources),
    })
    return row


def iter_rows(qa: Asker, examples: Sequence[Example], k: int, warm_up: bool = True) -> Iterator[Row]:
    """Ask every example and yield its scored row, in order.

    With `warm_up`, one untimed question first loads the model and indexes, so
    latencies measure answering rather than start-up.
    """
    if k <= 0:
        raise ValueError(f"k must be greater than 0. Currently, k is {k}")
    if warm_up and examples:
        qa.ask(examples[0].question)
    for example in examples:
        asker = qa.hiding(example.hidden) if example.hidden else qa
        started = time.perf_counter()
        # k only scores retrieval; answers come from the default settings, as users get them.
        answer = asker.ask(example.question, history=list(example.history) or None)
        yield score_row(example, answer, (time.perf_counter() - started) * 1000, k)


def evaluate(qa: Asker, examples: Sequence[Example], k: int) -> tuple[list[Row], dict[str, Any]]:
    """Ask every example; return (per-question rows, aggregated metrics)."""
    rows = list(iter_rows(qa, examples, k))
    return rows, aggregate(rows, k)


def _mean(values: Iterable[float | bool | None]) -> float | None:
    """Mean of the non-None values, None when there are none. Example: [1, None, 0] -> 0.5."""
    kept = [float(v) for v in values if v is not None]
    return sum(kept) / len(kept) if kept else None


def _core(rows: Sequence[Row], k: int) -> dict[str, Any]:
    """The answer, citation and abstention metrics of a set of rows."""
    answerable = [r for r in rows if r["answerable"]]
    unanswerable = [r for r in rows if not r["answerable"]]
    yes_no = [r for r in answerable if r.get("yes_no")]
    return {
        "items": len(rows),
        "answerable": len(answerable),
        "unanswerable": len(unanswerable),
        f"Recall@{k}": _mean(r[f"Recall@{k}"] for r in answerable),
        f"MRR@{k}": _mean(r[f"MRR@{k}"] for r in answerable),
        f"nDCG@{k}": _mean(r[f"nDCG@{k}"] for r in answerable),
        "answer_accuracy": _mean(r["correct"] for r in answerable),
        "lenient_accuracy": _mean(r.get("lenient") for r in answerable),
        f"all_sources@{k}": _mean(r[f"Recall@{k}"] == 1.0 for r in answerable),
        "yes_no_items": len(yes_no),
        "yes_no_accuracy": _mean(r["correct"] for r in yes_no),
        "always_yes_accuracy": _mean(metrics.yes_no_match("yes", r["answers"]) for r in yes_no),
        "token_f1": _mean(r["token_f1"] for r in answerable),
        "citation_precision": _mean(r["citation_precision"] for r in answerable),
        "citation_recall": _mean(r["citation_recall"] for r in answerable),
        "unanswerable_abstained": _mean(r["abstained"] for r in unanswerable),
        "answerable_abstained": _mean(r["abstained"] for r in answerable),
    }


def aggregate(rows: Sequence[Row], k: int) -> dict[str, Any]:
    """The metrics object (metrics.json) of a run's rows; rates are None when nothing is in their denominator."""
    if not rows:
        raise ValueError("rows must not be empty. Currently, rows is []")
    answerable = [r for r in rows if r["answerable"]]
    latencies = [r["latency_ms"] for r in rows]
    result: dict[str, Any] = {"k": k, **_core(rows, k)}
    result["citing_answerable"] = sum(1 for r in answerable if r["citation_precision"] is not None)
    result["latency_p50_ms"] = round(metrics.percentile(latencies, 50), 2)
    result["latency_p95_ms"] = round(metrics.percentile(latencies, 95), 2)
    result["recall_curve"] = {
        str(n): _mean(metrics.recall_at_k(r["retrieved"], r["sources"], n) for r in answerable) for n in CURVE_KS
    }
    result.update(metrics.abstention_curve(
        [r["confidence"] for r in rows if r["answerable"] and r.get("confidence") is not None],
        [r["confidence"] for r in rows if not r["answerable"] and r.get("confidence") is not None],
    ))
    types = sorted({r["type"] or "(none)" for r in rows})
    result["by_type"] = {t: _core([r for r in rows if (r["type"] or "(none)") == t], k) for t in types}
    return result


def worst(rows: Sequence[Row], k: int, n: int = 10) -> tuple[list[Row], list[Row]]:
    """(answerable rows answered wrongly, worst first by recall and token F1; unanswerable rows answered anyway), n each."""
    wrong = sorted(
        (r for r in rows if r["answerable"] and not r["correct"]),
        key=lambda r: (r[f"Recall@{k}"], r["token_f1"], r["id"]),
    )
    answered = [r for r in rows if not r["answerable"] and not r["abstained"]]
    return wrong[:n], answered[:n]


class RunDirError(CiteqaError):
    """A run directory cannot be written, or is not a readable run."""


def prepare_run_dir(out: Path) -> None:
    """Create `out` and prove it writable now, so a bad location fails before any question is asked.

    Raises RunDirError when `out` is an existing file or cannot be created or written.
    """
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise RunDirError(f"--out {out} is an existing file; give a folder for the run's files")
    try:
        out.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=out):
            pass
    except OSError as err:
        raise RunDirError(f"cannot write the run's files into {out} ({err.strerror or err}); give another --out") from None


def write_run(out: Path, rows: Sequence[Row], result: dict[str, Any]) -> list[Path]:
    """Write results.jsonl, metrics.json, report.md and recall_at_k.png into `out`; return their paths."""
    from citeqa.eval.report import plot_abstention, plot_recall, render_markdown  # matplotlib is only needed here

    out.mkdir(parents=True, exist_ok=True)
    paths = [out / "results.jsonl", out / "metrics.json", out / "report.md", out / "recall_at_k.png", out / "abstention.png"]
    paths[0].write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    paths[1].write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    paths[2].write_text(render_markdown(result, *worst(rows, result["k"])), encoding="utf-8")
    plot_recall(result, paths[3])
    plot_abstention(result, paths[4])
    return paths


def read_run(directory: Path) -> tuple[list[Row], dict[str, Any]]:
    """(rows, metrics) of a run written by `write_run`; RunDirError naming the missing or unreadable file."""
    results, metrics_path = Path(directory) / "results.jsonl", Path(directory) / "metrics.json"
    for path in (results, metrics_path):
        if not path.is_file():
            raise RunDirError(f"a run directory must hold {path.name}. Currently, {path} does not exist")
    try:
        rows = [json.loads(line) for line in results.read_text(encoding="utf-8").splitlines() if line.strip()]
        return rows, json.loads(metrics_path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise RunDirError(f"{directory} is not a readable run ({err})") from None
