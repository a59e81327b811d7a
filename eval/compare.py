"""Compare two evaluation runs: metrics side by side, per-question wins and losses, bootstrap CIs.

Deltas are B − A (positive: run B is higher). Confidence intervals are paired
bootstraps (`metrics.bootstrap_ci`) over the questions both runs share, so a change
that moves a handful of questions is visible as such. Non-goals: running the
evaluation, statistical tests beyond the 95% interval, printing.
"""

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.table import Table

from citeqa.eval.metrics import bootstrap_ci
from citeqa.eval.report import fmt
from citeqa.eval.run import Row, RunDirError, read_run


@dataclass(frozen=True)
class Delta:
    """One metric in both runs, B − A, and a 95% CI of the paired per-question difference."""

    metric: str
    a: float | None
    b: float | None
    ci: tuple[float, float] | None  # None where the metric has no per-question values
    paired: int  # questions in the CI

    @property
    def delta(self) -> float | None:
        return None if self.a is None or self.b is None else self.b - self.a


@dataclass(frozen=True)
class Comparison:
    """The outcome of comparing run A with run B."""

    deltas: tuple[Delta, ...]
    answer_wins: tuple[str, ...]  # answerable ids that B gets right and A wrong
    answer_losses: tuple[str, ...]
    abstention_wins: tuple[str, ...]  # ids where B's abstain/answer decision is right and A's wrong
    abstention_losses: tuple[str, ...]
    only_a: tuple[str, ...]
    only_b: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "metrics": {
                d.metric: {"a": d.a, "b": d.b, "delta": d.delta, "ci95": list(d.ci) if d.ci else None, "paired": d.paired}
                for d in self.deltas
            },
            "answer_wins": list(self.answer_wins),
            "answer_losses": list(self.answer_losses),
            "abstention_wins": list(self.abstention_wins),
            "abstention_losses": list(self.abstention_losses),
            "only_a": list(self.only_a),
            "only_b": list(self.only_b),
        }


def _per_question(k: int) -> dict[str, Callable[[Row], float | None]]:
    """metric -> the per-question value it averages (None: the item is not in its denominator)."""
    answerable = lambda key: lambda r: float(r[key]) if r["answerable"] and r[key] is not None else None  # noqa: E731
    return {
        "answer_accuracy": answerable("correct"),
        "token_f1": answerable("token_f1"),
        f"Recall@{k}": answerable(f"Recall@{k}"),
        f"MRR@{k}": answerable(f"MRR@{k}"),
        f"nDCG@{k}": answerable(f"nDCG@{k}"),
        "citation_precision": answerable("citation_precision"),
        "citation_recall": answerable("citation_recall"),
        "unanswerable_abstained": lambda r: None if r["answerable"] else float(r["abstained"]),
        "answerable_abstained": lambda r: float(r["abstained"]) if r["answerable"] else None,
        "latency_p50_ms": lambda r: None,
        "latency_p95_ms": lambda r: None,
    }


def _delta(metric: str, value: Callable[[Row], float | None], a: dict, b: dict, pairs: list[tuple[Row, Row]]) -> Delta:
    values = [(value(ra), value(rb)) for ra, rb in pairs]
    kept = [(va, vb) for va, vb in values if va is not None and vb is not None]
    ci = None
    if kept:
        _, low, high = bootstrap_ci([vb for _, vb in kept], [va for va, _ in kept])
        ci = (low, high)
    return Delta(metric, a.get(metric), b.get(metric), ci, len(kept))


def compare_runs(run_a: Path, run_b: Path) -> Comparison:
    """Compare two run directories; RunDirError when one is not a run or their k differ."""
    rows_a, metrics_a = read_run(run_a)
    rows_b, metrics_b = read_run(run_b)
    if metrics_a["k"] != metrics_b["k"]:
        raise RunDirError(f"runs must use the same k to be compared. Currently, k is {metrics_a['k']} and {metrics_b['k']}")
    by_id_b = {r["id"]: r for r in rows_b}
    pairs = [(ra, by_id_b[ra["id"]]) for ra in rows_a if ra["id"] in by_id_b]
    deltas = tuple(_delta(m, f, metrics_a, metrics_b, pairs) for m, f in _per_question(metrics_a["k"]).items())

    def ids(keep: Callable[[Row, Row], bool]) -> tuple[str, ...]:
        return tuple(ra["id"] for ra, rb in pairs if keep(ra, rb))

    ids_a = {r["id"] for r in rows_a}
    return Comparison(
        deltas=deltas,
        answer_wins=ids(lambda ra, rb: ra["answerable"] and not ra["correct"] and rb["correct"]),
        answer_losses=ids(lambda ra, rb: ra["answerable"] and ra["correct"] and not rb["correct"]),
        abstention_wins=ids(lambda ra, rb: ra["abstained"] != rb["abstained"] and rb["abstained"] != ra["answerable"]),
        abstention_losses=ids(lambda ra, rb: ra["abstained"] != rb["abstained"] and ra["abstained"] != ra["answerable"]),
        only_a=tuple(sorted(ids_a - set(by_id_b))),
        only_b=tuple(sorted(set(by_id_b) - ids_a)),
    )


def comparison_table(c: Comparison, name_a: str = "A", name_b: str = "B") -> Table:
    """Metrics side by side with deltas and 95% CIs, as a rich Table."""
    table = Table("metric", name_a, name_b, "Δ (B − A)", "95% CI of Δ", title="citeqa eval --compare")
    for d in c.deltas:
        digits = 0 if d.metric.startswith("latency") else 3
        ci = f"[{d.ci[0]:+.3f}, {d.ci[1]:+.3f}] (n={d.paired})" if d.ci else "–"
        delta = "–" if d.delta is None else f"{d.delta:+.{digits}f}"
        table.add_row(d.metric, fmt(d.a, digits), fmt(d.b, digits), delta, ci)
    return table


def change_lines(c: Comparison) -> list[str]:
    """Per-question wins and losses as short lines of text."""
    def line(label: str, ids: tuple[str, ...]) -> str:
        return f"{label} ({len(ids)}): {', '.join(ids) if ids else '–'}"

    lines = [
        line("answer wins (B right, A wrong)", c.answer_wins),
        line("answer losses (A right, B wrong)", c.answer_losses),
        line("abstention wins (B decides right, A wrong)", c.abstention_wins),
        line("abstention losses (A decides right, B wrong)", c.abstention_losses),
    ]
    if c.only_a or c.only_b:
        lines.append(f"not compared: {len(c.only_a)} questions only in A, {len(c.only_b)} only in B")
    return lines
