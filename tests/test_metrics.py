"""Metrics: hand-computed cases, edge cases, and agreement with ranx on a seeded run."""

import math
import random

import pytest

from citeqa.eval.metrics import (
    answer_match,
    bootstrap_ci,
    citation_precision,
    citation_recall,
    mrr_at_k,
    ndcg_at_k,
    normalize_answer,
    percentile,
    recall_at_k,
    token_f1,
)

LOG3 = math.log2(3)


# --- retrieval ---------------------------------------------------------------------

@pytest.mark.parametrize(
    ("retrieved", "relevant", "k", "expected"),
    [
        (["a", "x", "y"], {"a"}, 3, 1.0),  # rank 1
        (["x", "y", "a"], {"a"}, 3, 1.0),  # rank k
        (["x", "y", "z", "a"], {"a"}, 3, 0.0),  # beyond k
        (["a", "x", "b"], {"a", "b", "c"}, 2, 1 / 3),
        (["a", "a", "b"], {"a", "b"}, 2, 1.0),  # duplicate does not use up a rank
        ([], {"a"}, 5, 0.0),
    ],
)
def test_recall_at_k(retrieved: list[str], relevant: set[str], k: int, expected: float) -> None:
    assert recall_at_k(retrieved, relevant, k) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("retrieved", "relevant", "k", "expected"),
    [
        (["a", "x"], {"a"}, 2, 1.0),
        (["x", "a", "b"], {"a", "b"}, 3, 0.5),
        (["x", "y", "a"], {"a"}, 3, 1 / 3),  # rank k
        (["x", "y", "a"], {"a"}, 2, 0.0),  # beyond k
        (["x", "x", "a"], {"a"}, 2, 0.5),  # duplicate "x" counts once
    ],
)
def test_mrr_at_k(retrieved: list[str], relevant: set[str], k: int, expected: float) -> None:
    assert mrr_at_k(retrieved, relevant, k) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("retrieved", "relevant", "k", "expected"),
    [
        (["a", "b", "x"], {"a", "b"}, 3, 1.0),
        (["x", "a"], {"a"}, 2, 1 / LOG3),
        (["x", "a", "b"], {"a", "b"}, 3, (1 / LOG3 + 0.5) / (1 + 1 / LOG3)),
        (["a", "x", "y"], {"a", "b", "c", "d"}, 2, 1 / (1 + 1 / LOG3)),  # ideal capped at k
        (["x", "y", "a"], {"a"}, 2, 0.0),  # beyond k
        (["a", "a", "b"], {"a", "b"}, 2, 1.0),  # duplicate ignored
    ],
)
def test_ndcg_at_k(retrieved: list[str], relevant: set[str], k: int, expected: float) -> None:
    assert ndcg_at_k(retrieved, relevant, k) == pytest.approx(expected)


@pytest.mark.parametrize("metric", [recall_at_k, mrr_at_k, ndcg_at_k])
def test_retrieval_metrics_reject_bad_arguments(metric) -> None:
    with pytest.raises(ValueError, match="relevant must contain at least one id"):
        metric(["a"], set(), 3)
    with pytest.raises(ValueError, match="k must be greater than 0. Currently, k is 0"):
        metric(["a"], {"a"}, 0)


@pytest.mark.filterwarnings("ignore:unsafe cast:Warning")  # numba, inside ranx
def test_retrieval_metrics_agree_with_ranx() -> None:
    from ranx import Qrels, Run, evaluate  # slow import; only this test needs it

    rng = random.Random(13)
    docs = [f"d{i}" for i in range(30)]
    qrels: dict[str, dict[str, int]] = {}
    run: dict[str, dict[str, float]] = {}
    ours: dict[str, list[float]] = {"recall@5": [], "mrr@5": [], "ndcg@5": []}
    for q in range(20):
        relevant = rng.sample(docs, rng.randint(1, 6))
        ranking = rng.sample(docs, 10)
        qrels[f"q{q}"] = {doc: 1 for doc in relevant}
        run[f"q{q}"] = {doc: float(10 - rank) for rank, doc in enumerate(ranking)}
        ours["recall@5"].append(recall_at_k(ranking, relevant, 5))
        ours["mrr@5"].append(mrr_at_k(ranking, relevant, 5))
        ours["ndcg@5"].append(ndcg_at_k(ranking, relevant, 5))
    theirs = evaluate(Qrels(qrels), Run(run), list(ours))
    assert any(v > 0 for v in ours["mrr@5"]) and any(v == 0 for v in ours["mrr@5"])
    for name, values in ours.items():
        assert sum(values) / len(values) == pytest.approx(theirs[name], abs=1e-6), name


# --- answers -----------------------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The US$209-million grant’s 3,000 places", "us 209 million grants 3000 places"),
        ("1.5 billion yuan ($209 million).", "1.5 billion yuan 209 million"),
        ("China–Central Asia  summit, in Xi’an", "china central asia summit in xian"),
        ("45–60-day routes; 10.4% growth", "45 60 day routes 10.4 growth"),
        ("A an THE", ""),
    ],
)
def test_normalize_answer(text: str, expected: str) -> None:
    assert normalize_answer(text) == expected


def test_answer_match() -> None:
    assert answer_match("China pledged US$209 million.", ["1.5 billion yuan", "$209 million"])
    assert answer_match("It offers 3000 training places", ["3,000"])
    assert answer_match("The first summit was in Xi'an.", ["Xian"])
    assert not answer_match("It offers 13,000 places", ["3,000"])  # whole words only
    assert not answer_match("Trade grew 10.4%", ["10"])
    assert not answer_match("anything", ["the"])  # empty after normalising never matches
    with pytest.raises(ValueError, match="answers must contain at least one known answer"):
        answer_match("anything", [])


def test_token_f1() -> None:
    assert token_f1("3,000 training places", ["3,000 training opportunities"]) == pytest.approx(2 / 3)
    assert token_f1("Astana", ["Xi'an", "the Astana"]) == 1.0  # max over answers
    assert token_f1("nothing in common", ["Astana"]) == 0.0
    assert token_f1("", ["Astana"]) == 0.0
    assert token_f1("x x y", ["x y y"]) == pytest.approx(2 / 3)  # repeated tokens are clipped
    with pytest.raises(ValueError, match="answers must contain"):
        token_f1("x", [])


# --- citations ---------------------------------------------------------------------

def test_citation_precision() -> None:
    assert citation_precision(["a", "x"], {"a", "b"}) == 0.5
    assert citation_precision(["a", "a", "b"], {"a", "b"}) == 1.0
    assert citation_precision(["x"], {"a"}) == 0.0
    assert citation_precision(["x"], set()) == 0.0  # citing on an unanswerable question
    assert citation_precision([], {"a"}) is None


def test_citation_recall() -> None:
    assert citation_recall(["a"], {"a", "b"}) == 0.5
    assert citation_recall(["a", "b", "x"], {"a", "b"}) == 1.0
    assert citation_recall([], {"a"}) == 0.0
    assert citation_recall(["a"], set()) is None


# --- statistics --------------------------------------------------------------------

def test_percentile() -> None:
    assert percentile([10, 20, 30, 40], 50) == 25.0
    assert percentile([5.0], 95) == 5.0
    assert percentile(list(range(101)), 95) == pytest.approx(95.0)
    with pytest.raises(ValueError, match="values must not be empty"):
        percentile([], 50)
    with pytest.raises(ValueError, match="q must be between 0 and 100. Currently, q is 120"):
        percentile([1.0], 120)


def test_bootstrap_ci() -> None:
    assert bootstrap_ci([1, 1, 1], [0, 0, 0]) == (1.0, 1.0, 1.0)
    a, b = [1, 0, 1, 1, 0, 1, 1, 1], [0, 0, 1, 0, 0, 1, 0, 1]
    mean, low, high = bootstrap_ci(a, b, n=2000, seed=7)
    assert mean == pytest.approx(3 / 8)
    assert 0.0 <= low < mean < high <= 0.75
    assert bootstrap_ci(a, b, n=2000, seed=7) == (mean, low, high)  # deterministic
    with pytest.raises(ValueError, match="same length"):
        bootstrap_ci([1, 0], [1])
    with pytest.raises(ValueError, match="must not be empty"):
        bootstrap_ci([], [])


def test_yes_no_answers_are_strict_on_the_first_word_and_lenient_on_any_shared_word():
    from citeqa.eval.metrics import is_yes_no, lenient_match, yes_no_match

    assert is_yes_no(["no"]) and is_yes_no(["Yes"]) and not is_yes_no(["Sam Altman"]) and not is_yes_no([])
    assert yes_no_match("No (the dates differ) — TechCrunch [1]: “yes, he said”", ["no"])
    assert not yes_no_match("Yes — but no, not really", ["no"])
    assert lenient_match("Bankman-Fried was tried", ["Sam Bankman-Fried"]) and not lenient_match("Trump", ["Sam Altman"])
