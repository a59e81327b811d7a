"""eval.run, eval.report, eval.compare on hand-built answers: hand-checked scores, ranx agreement, files."""

import json
from pathlib import Path

import pytest
from ranx import Qrels, Run, evaluate

from citeqa.app.answer import Answer, Citation
from citeqa.eval.compare import compare_runs
from citeqa.eval.dataset import Example
from citeqa.eval.report import summary_rows
from citeqa.eval.run import RunDirError, aggregate, read_run, score_row, strip_markers, worst, write_run

A, B, C = "art-a", "art-b", "art-c"


def cite(*article_ids: str) -> tuple[Citation, ...]:
    return tuple(Citation(i, a, f"title {a}", None, None, ()) for i, a in enumerate(article_ids, 1))


def example(id_: str, answers: tuple[str, ...] = (), sources: tuple[str, ...] = (), type_: str = "t") -> Example:
    return Example(id=id_, question=f"question {id_}?", answers=answers, sources=sources, type=type_)


# (example, answer, latency) — scores below are worked out by hand.
ITEMS = [
    (example("q1", ("2003",), (A,)), Answer("It joined in 2003 [1].", cite(A), retrieved=(A, B, C)), 10.0),
    (example("q2", ("209 million",), (A, B)), Answer("It gave $209 million [1][2].", cite(B, C), retrieved=(C, B, A)), 20.0),
    (example("q3", ("Astana",), (C,), "other"), Answer("Nothing found.", abstained=True, retrieved=(A, B)), 30.0),
    (example("q4", type_="unanswerable"), Answer("The articles don't say.", abstained=True, retrieved=(A,)), 40.0),
    (example("q5", type_="unanswerable"), Answer("Surely 7 [1].", cite(A), retrieved=(A,)), 50.0),
]


@pytest.fixture(scope="module")
def rows() -> list[dict]:
    return [score_row(ex, answer, latency, k=2) for ex, answer, latency in ITEMS]


def test_strip_markers() -> None:
    assert strip_markers("In 2003 [1][12], not [a].") == "In 2003 , not [a]."


def test_rows_are_hand_checked(rows: list[dict]) -> None:
    q1, q2, q3, q4, q5 = rows
    assert (q1["correct"], q1["Recall@2"], q1["MRR@2"], q1["citation_precision"]) == (True, 1.0, 1.0, 1.0)
    assert q2["correct"] and q2["cited"] == [B, C] and q2["retrieved"] == [C, B, A]
    assert q2["Recall@2"] == 0.5 and q2["MRR@2"] == 0.5 and q2["citation_precision"] == 0.5
    assert q2["citation_recall"] == 0.5
    assert (q3["correct"], q3["token_f1"], q3["Recall@2"], q3["citation_precision"], q3["citation_recall"]) == (
        False, 0.0, 0.0, None, 0.0)
    assert q4["correct"] and q4["Recall@2"] is None and q4["token_f1"] is None
    assert not q5["correct"] and q5["citation_precision"] is None


def test_aggregate_is_hand_checked(rows: list[dict]) -> None:
    m = aggregate(rows, k=2)
    assert (m["items"], m["answerable"], m["unanswerable"]) == (5, 3, 2)
    assert m["answer_accuracy"] == pytest.approx(2 / 3)
    assert m["Recall@2"] == pytest.approx((1 + 0.5 + 0) / 3)
    assert m["MRR@2"] == pytest.approx((1 + 0.5 + 0) / 3)
    assert m["citation_precision"] == pytest.approx((1 + 0.5) / 2) and m["citing_answerable"] == 2
    assert m["citation_recall"] == pytest.approx((1 + 0.5 + 0) / 3)
    assert m["unanswerable_abstained"] == 0.5 and m["answerable_abstained"] == pytest.approx(1 / 3)
    assert m["latency_p50_ms"] == 30.0 and m["latency_p95_ms"] == pytest.approx(48.0)
    assert m["recall_curve"]["1"] == pytest.approx((1 + 0 + 0) / 3)
    assert m["recall_curve"]["10"] == pytest.approx((1 + 1 + 0) / 3)  # q3 never retrieves its source
    assert m["by_type"]["other"]["answer_accuracy"] == 0.0 and m["by_type"]["unanswerable"]["items"] == 2


def test_retrieval_metrics_agree_with_ranx(rows: list[dict]) -> None:
    answerable = [r for r in rows if r["answerable"]]
    qrels = Qrels({r["id"]: {s: 1 for s in r["sources"]} for r in answerable})
    run = Run({r["id"]: {doc: 1.0 / rank for rank, doc in enumerate(r["retrieved"], 1)} for r in answerable})
    expected = evaluate(qrels, run, ["recall@2", "mrr@2", "ndcg@2"])
    m = aggregate(rows, k=2)
    for ours, theirs in (("Recall@2", "recall@2"), ("MRR@2", "mrr@2"), ("nDCG@2", "ndcg@2")):
        assert m[ours] == pytest.approx(expected[theirs]), ours


def test_the_summary_splits_abstention_by_kind_only_when_there_are_several_kinds(rows: list[dict]) -> None:
    assert not [label for label, _ in summary_rows(aggregate(rows, k=2)) if "of which" in label]
    outside = score_row(example("q6", type_="out_of_corpus"), Answer("None of the articles say.", abstained=True), 5.0, k=2)
    labelled = dict(summary_rows(aggregate([*rows, outside], k=2)))
    assert labelled["  of which unanswerable (2)"] == "0.500"
    assert labelled["  of which out_of_corpus (1)"] == "1.000"
    assert labelled["Unanswerable correctly abstained"] == "0.667"


def test_worst_lists_wrong_answers_then_unanswered(rows: list[dict]) -> None:
    wrong, answered = worst(rows, k=2)
    assert [r["id"] for r in wrong] == ["q3"]
    assert [r["id"] for r in answered] == ["q5"]


def test_write_and_read_round_trip(rows: list[dict], tmp_path: Path) -> None:
    m = aggregate(rows, k=2)
    paths = write_run(tmp_path / "run", rows, m)
    assert [p.name for p in paths] == ["results.jsonl", "metrics.json", "report.md", "recall_at_k.png", "abstention.png"]
    assert paths[3].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    report = paths[2].read_text()
    for heading in ("| Answer accuracy (answerable) | 0.667 |", "## By question type", "### q3 (other)", "### q5"):
        assert heading in report
    assert read_run(tmp_path / "run") == (rows, json.loads(json.dumps(m)))


def test_compare_counts_wins_losses_and_ci(rows: list[dict], tmp_path: Path) -> None:
    write_run(tmp_path / "a", rows, aggregate(rows, k=2))
    # Run B fixes q3 (answers it) and breaks q4 (answers an unanswerable question).
    better = dict(rows[2], correct=True, abstained=False, token_f1=1.0)
    worse = dict(rows[3], correct=False, abstained=False)
    rows_b = [rows[0], rows[1], better, worse, rows[4]]
    write_run(tmp_path / "b", rows_b, aggregate(rows_b, k=2))
    c = compare_runs(tmp_path / "a", tmp_path / "b")
    assert c.answer_wins == ("q3",) and c.answer_losses == ()
    assert c.abstention_wins == ("q3",) and c.abstention_losses == ("q4",)
    accuracy = next(d for d in c.deltas if d.metric == "answer_accuracy")
    assert accuracy.delta == pytest.approx(1 / 3) and accuracy.paired == 3
    assert accuracy.ci[0] >= 0.0 and accuracy.ci[1] <= 1.0


def test_compare_refuses_other_k_and_non_runs(rows: list[dict], tmp_path: Path) -> None:
    write_run(tmp_path / "a", rows, aggregate(rows, k=2))
    write_run(tmp_path / "b", [score_row(ex, ans, lat, k=3) for ex, ans, lat in ITEMS],
              aggregate([score_row(ex, ans, lat, k=3) for ex, ans, lat in ITEMS], k=3))
    with pytest.raises(RunDirError, match="same k.*2 and 3"):
        compare_runs(tmp_path / "a", tmp_path / "b")
    with pytest.raises(RunDirError, match="must hold results.jsonl"):
        compare_runs(tmp_path / "a", tmp_path / "missing")
