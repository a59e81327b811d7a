"""Present an evaluation run: the summary table, the markdown report, the Recall@k plot.

Everything here reads the metrics object and rows that `eval.run` produces and
returns text, a rich Table or a PNG file. Non-goals: computing metrics, printing
(the CLI prints the Table this module builds).
"""

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rich.table import Table

Row = dict[str, Any]


def fmt(value: float | None, digits: int = 3) -> str:
    """A metric for a table. Example: fmt(0.91234) -> "0.912", fmt(None) -> "–"."""
    return "–" if value is None else f"{value:.{digits}f}"


def summary_rows(m: dict[str, Any]) -> list[tuple[str, str]]:
    """(label, value) pairs of the headline metrics."""
    k = m["k"]
    return [
        ("Items", f"{m['items']} ({m['answerable']} answerable, {m['unanswerable']} unanswerable)"),
        (f"Article Recall@{k}", fmt(m[f"Recall@{k}"])),
        (f"Article MRR@{k}", fmt(m[f"MRR@{k}"])),
        (f"Article nDCG@{k}", fmt(m[f"nDCG@{k}"])),
        ("Answer accuracy (answerable)", fmt(m["answer_accuracy"])),
        ("Answer token F1 (answerable)", fmt(m["token_f1"])),
        ("Lenient accuracy (any shared word, MultiHop-RAG's scorer)", fmt(m.get("lenient_accuracy"))),
        (f"All source articles in the top {k}", fmt(m.get(f"all_sources@{k}"))),
        (f"Yes/No accuracy ({m.get('yes_no_items', 0)} Yes/No questions) / always-Yes baseline",
         f"{fmt(m.get('yes_no_accuracy'))} / {fmt(m.get('always_yes_accuracy'))}"),
        (f"Citation precision ({m['citing_answerable']} citing answers)", fmt(m["citation_precision"])),
        ("Citation recall (answerable)", fmt(m["citation_recall"])),
        ("Unanswerable correctly abstained", fmt(m["unanswerable_abstained"])),
        *_unanswerable_kinds(m),
        ("Answerable wrongly abstained", fmt(m["answerable_abstained"])),
        ("Abstention curve area / abstained at 5% false", f"{fmt(m.get('abstention_auc'))} / {fmt(m.get('abstained_at_5pct_false'))}"),
        ("Latency p50 / p95 (ms)", f"{m['latency_p50_ms']:.0f} / {m['latency_p95_ms']:.0f}"),
    ]


def _unanswerable_kinds(m: dict[str, Any]) -> list[tuple[str, str]]:
    """One row per kind of unanswerable question when there are several (e.g. adversarial and out-of-corpus)."""
    kinds = {name: t for name, t in m.get("by_type", {}).items() if t["unanswerable"] and not t["answerable"]}
    if len(kinds) < 2:
        return []
    return [(f"  of which {name} ({t['unanswerable']})", fmt(t["unanswerable_abstained"])) for name, t in kinds.items()]


def summary_table(m: dict[str, Any]) -> Table:
    """The headline metrics as a rich Table (what `citeqa eval` prints)."""
    table = Table("metric", "value", title="citeqa eval")
    for label, value in summary_rows(m):
        table.add_row(label, value)
    return table


def _type_lines(m: dict[str, Any]) -> list[str]:
    k = m["k"]
    lines = [
        f"| type | items | answer accuracy | lenient | Yes/No (always Yes) | token F1 | Recall@{k} | all sources in top {k} "
        "| citation precision | answerable abstained | unanswerable abstained |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name, t in m["by_type"].items():
        yes_no = f"{fmt(t.get('yes_no_accuracy'))} ({fmt(t.get('always_yes_accuracy'))})" if t.get("yes_no_items") else "–"
        lines.append(
            f"| {name} | {t['items']} | {fmt(t['answer_accuracy'])} | {fmt(t.get('lenient_accuracy'))} | {yes_no} "
            f"| {fmt(t['token_f1'])} | {fmt(t[f'Recall@{k}'])} | {fmt(t.get(f'all_sources@{k}'))} "
            f"| {fmt(t['citation_precision'])} | {fmt(t['answerable_abstained'])} | {fmt(t['unanswerable_abstained'])} |"
        )
    return lines


def _worst_lines(rows: Sequence[Row], empty: str) -> list[str]:
    if not rows:
        return [empty, ""]
    lines: list[str] = []
    for r in rows:
        expected = " | ".join(r["answers"]) if r["answerable"] else "(unanswerable: should abstain)"
        answer = " ".join(r["answer"].split())
        lines += [
            f"### {r['id']} ({r['type'] or 'untyped'})",
            f"- **Question:** {r['question']}",
            f"- **Expected:** {expected}; sources: {', '.join(r['sources']) or '–'}",
            f"- **Answer{' (abstained)' if r['abstained'] else ''}:** {answer[:400]}",
            f"- **Retrieved:** {', '.join(r['retrieved']) or '–'}",
            f"- **Cited:** {', '.join(r['cited']) or '–'}",
            *_evidence_lines(r),
            "",
        ]
    return lines


def _evidence_lines(r: Row) -> list[str]:
    """The best candidate sentences with each feature's contribution to its score."""
    lines = []
    for rank, e in enumerate(r.get("evidence") or [], 1):
        parts = ", ".join(f"{name} {value:+.3f}" for name, value in e["contributions"].items() if abs(value) >= 0.0005)
        lines.append(f"- **Candidate {rank}** ({e['article_id']}, score {e['score']:.3f}: {parts}): {e['text'][:200]}")
    return lines


def plot_abstention(m: dict[str, Any], path: Path) -> None:
    """Unanswerable questions abstained against answerable ones abstained, as the threshold moves."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    points = m.get("abstention_curve") or [[0.0, 0.0], [1.0, 1.0]]
    fig, ax = plt.subplots(figsize=(4.2, 4), dpi=120)
    ax.plot([p[0] for p in points], [p[1] for p in points], label=f"citeqa (area {fmt(m.get('abstention_auc'))})")
    ax.plot([0, 1], [0, 1], linestyle=":", color="grey", label="chance")
    ax.set(xlabel="answerable questions abstained", ylabel="unanswerable questions abstained", xlim=(0, 1), ylim=(0, 1.02),
           title="Abstention as the threshold moves")
    ax.legend(loc="lower right")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def render_markdown(m: dict[str, Any], wrong: Sequence[Row], answered: Sequence[Row]) -> str:
    """report.md: summary table, per-type breakdown, the worst answerable questions, unanswerable ones answered."""
    lines = ["# citeqa evaluation", "", "| metric | value |", "|---|---|"]
    lines += [f"| {label} | {value} |" for label, value in summary_rows(m)]
    lines += ["", "## By question type", "", *_type_lines(m), ""]
    lines += ["## Recall@k", "", "| k | " + " | ".join(m["recall_curve"]) + " |",
              "|---|" + "---|" * len(m["recall_curve"]),
              "| recall | " + " | ".join(fmt(v) for v in m["recall_curve"].values()) + " |", ""]
    lines += [f"## Worst answerable questions ({len(wrong)} shown)", "", *_worst_lines(wrong, "None: every answer matched.")]
    lines += [f"## Unanswerable questions answered anyway ({len(answered)} shown)", "",
              *_worst_lines(answered, "None: every unanswerable question was declined.")]
    return "\n".join(lines).rstrip() + "\n"


def plot_recall(m: dict[str, Any], path: Path) -> None:
    """Article Recall@k for k = 1..10 as a PNG line plot."""
    import matplotlib

    matplotlib.use("Agg")  # files only, no display
    import matplotlib.pyplot as plt

    ks = [int(k) for k in m["recall_curve"]]
    values = [v if v is not None else float("nan") for v in m["recall_curve"].values()]
    fig, ax = plt.subplots(figsize=(5, 3.2), dpi=120)
    ax.plot(ks, values, marker="o")
    ax.set(xlabel="k (articles)", ylabel="article Recall@k", ylim=(0, 1.02), xticks=ks,
           title=f"Article Recall@k ({m['answerable']} answerable questions)")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
