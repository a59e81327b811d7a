"""Training the reranker: the pairs built from the real benchmarks, the figures, and one tiny retrain end to end.

The retrain runs `citeqa train reranker` as a subprocess on a few dozen real pairs from
`../shared/benchmarks` (one optimizer step), then loads what it wrote and scores with it.
Tests that need the benchmarks skip with one line when the folder is absent.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from citeqa.app.rerank import Reranker
from citeqa.app.training.evaluate import figures, threshold_at
from citeqa.app.training.pairs import Benchmarks, Group, PairCounts, squad_groups, squad_pairs, training_pairs

ROOT = Path(__file__).resolve().parent.parent
BENCHMARKS = ROOT.parent / "shared" / "benchmarks"
CITEQA = [sys.executable, "-c", "from citeqa.cli import run; run()"]
needs_benchmarks = pytest.mark.skipif(not (BENCHMARKS / "splits.json").exists(), reason=f"no benchmarks at {BENCHMARKS}")


@pytest.fixture(scope="module")
def bench() -> Benchmarks:
    return Benchmarks(BENCHMARKS)


def _env() -> dict:
    return {**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONUNBUFFERED": "1"}


@needs_benchmarks
def test_squad_groups_hold_the_answer_and_pairs_never_label_the_answer_negative(bench: Benchmarks) -> None:
    article = bench.splits["squad"]["train_articles"][0]
    groups = squad_groups(bench, [article])
    answerable = [g for g in groups if g.answer_index is not None]
    assert answerable and any(g.answer_index is None for g in groups)
    # the answer text (of the first annotator, whose offset picked the sentence) is inside the answer sentence
    assert np.mean([any(a in g.sentences[g.answer_index] for a in g.answers) for g in answerable]) > 0.95
    pairs = squad_pairs(bench, groups[:40], PairCounts())
    by_question = {g.question: g for g in groups[:40]}
    for p in pairs:
        g = by_question[p.question]
        if p.label == 0 and g.answer_index is not None:
            assert not any(a.lower() in p.sentence.lower() for a in g.answers)
    assert {p.label for p in pairs} == {0, 1}


@needs_benchmarks
def test_training_pairs_come_from_train_splits_only(bench: Benchmarks) -> None:
    pairs, validation = training_pairs(bench, holdout=2, counts=PairCounts(), squad_limit=60, multihop_limit=6, seed=1)
    test_questions = {g.question for g in squad_groups(bench, bench.splits["squad"]["test_articles"])}
    held = {g.question for g in validation}
    assert pairs and validation
    assert not {p.question for p in pairs} & (test_questions | held)
    assert {p.origin for p in pairs} >= {"squad", "multihop"}
    again, _ = training_pairs(bench, holdout=2, counts=PairCounts(), squad_limit=60, multihop_limit=6, seed=1)
    assert again == pairs  # deterministic


def test_figures_of_a_perfect_and_a_reversed_scorer() -> None:
    groups = [Group(f"a{i}", f"q{i}", "x", 0, ("yes", "no", "no"), 0) for i in range(20)]
    groups += [Group(f"u{i}", f"r{i}", "x", 0, ("no", "no"), None) for i in range(20)]
    perfect = figures(groups, lambda q, s: np.array([0.9 if t == "yes" else 0.1 for t in s]))
    assert perfect["auc"] == 1.0 and perfect["top1"] == 1.0 and perfect["unanswerable_abstained"] == 1.0
    # the answer sentence lowest, and every unanswerable question's best sentence above every answerable one's
    reversed_ = figures(groups, lambda q, s: np.array([0.1 if t == "yes" else 0.3 if q.startswith("q") else 0.9 for t in s]))
    assert reversed_["auc"] == 0.0 and reversed_["top1"] == 0.0
    assert perfect["false_abstention"] <= 0.05


def test_threshold_abstains_on_at_most_the_given_share() -> None:
    scores = np.linspace(0, 1, 101)
    threshold = threshold_at(scores, 0.05)
    assert np.mean(scores < threshold) <= 0.05 < np.mean(scores <= threshold + 0.011)


@needs_benchmarks
def test_tiny_retrain_end_to_end(tmp_path: Path) -> None:
    out, work = tmp_path / "reranker", tmp_path / "work"
    result = subprocess.run(
        [*CITEQA, "train", "reranker", "--benchmarks-dir", str(BENCHMARKS), "--out", str(out), "--work", str(work),
         "--squad-questions", "8", "--multihop-queries", "2", "--validation-questions", "12", "--max-steps", "1",
         "--test-per-kind", "3", "--no-baseline"],
        cwd=ROOT, env=_env(), capture_output=True, text=True, timeout=900,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    metrics = json.loads((out / "metrics.json").read_text())
    assert 20 <= metrics["training_pairs"] <= 100
    assert metrics["fit_history"][-1]["step"] == 1
    assert metrics["test"]["reranker_int8"]["answerable"] == 3 == metrics["test"]["reranker_int8"]["unanswerable"]
    assert "--max-steps 1" in metrics["command"] and "Rebuild" in (out / "README.md").read_text()
    reranker = Reranker.load(out)
    for row in metrics["recorded_pairs"]:
        assert reranker.score(row["question"], [row["sentence"]])[0] == pytest.approx(row["score"], abs=1e-4)
    scores = reranker.score("Who wrote it?", ["Ann wrote it.", "It rained.", "Bob read it."])
    assert scores.shape == (3,) and np.all((0 <= scores) & (scores <= 1))


def test_no_fit_without_a_checkpoint_is_one_line(tmp_path: Path) -> None:
    result = subprocess.run([*CITEQA, "train", "reranker", "--no-fit", "--work", str(tmp_path / "none"),
                             "--out", str(tmp_path / "out")], cwd=ROOT, env=_env(), capture_output=True, text=True)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [f"error: --no-fit needs a fitted checkpoint in {tmp_path / 'none'} (fit.json is missing)"]


def test_missing_benchmarks_folder_is_one_line(tmp_path: Path) -> None:
    result = subprocess.run([*CITEQA, "train", "reranker", "--benchmarks-dir", str(tmp_path), "--work", str(tmp_path / "w"),
                             "--out", str(tmp_path / "out")], cwd=ROOT, env=_env(), capture_output=True, text=True)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [f"error: No benchmarks folder at {tmp_path} (splits.json is missing)"]
