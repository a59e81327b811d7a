"""Quality gate: the full evaluation set on the default corpus (a dev set) must stay near what was measured.

The floors sit a stated margin under the figures below (about two questions); never set one
above what the pipeline does. The test-split gate is `test_quality_gate_squad.py`.
"""

import pytest

from citeqa.app.qa import QA
from citeqa.eval.dataset import DEFAULT_DATASET, read_examples
from citeqa.eval.run import evaluate

# Measured 2026-12-02 on data/articles with the learned scorer (app/models/scorer.json) and the
# int8 ONNX runner (101 items: 86 answerable, 15 unanswerable), k = 5: answer accuracy 0.895 (77/86),
# citation precision 0.952 (one fewer citing answer right still passes), MRR@5 0.909, unanswerable
# abstained 0.600 (9/15; 0.533 before the number_unseen feature), answerable wrongly abstained 0.035 (3/86). (The hand-set formula before it, tuned on this very set: 0.930, 0.982,
# 0.904, 0.933, 0.035; on SQuAD's test articles it answered 0.63 against the learned scorer's 0.75.)
MIN_ANSWER_ACCURACY = 0.88  # two fewer correct answers still pass
MIN_CITATION_PRECISION = 0.94
MIN_MRR_AT_5 = 0.88
MIN_UNANSWERABLE_ABSTAINED = 0.52  # one more answered unanswerable question still passes (8/15)
MAX_ANSWERABLE_ABSTAINED = 0.05  # one more wrong abstention still passes



@pytest.fixture(scope="module")
def gate_metrics(qa: QA) -> dict:
    _, metrics = evaluate(qa, read_examples(DEFAULT_DATASET), k=5)
    return metrics


def test_answer_accuracy(gate_metrics: dict) -> None:
    value = gate_metrics["answer_accuracy"]
    assert value >= MIN_ANSWER_ACCURACY, f"answer accuracy must be >= {MIN_ANSWER_ACCURACY}. Currently, it is {value:.3f}"


def test_citation_precision(gate_metrics: dict) -> None:
    value = gate_metrics["citation_precision"]
    assert value >= MIN_CITATION_PRECISION, f"citation precision must be >= {MIN_CITATION_PRECISION}. Currently, it is {value:.3f}"


def test_retrieval_mrr(gate_metrics: dict) -> None:
    value = gate_metrics["MRR@5"]
    assert value >= MIN_MRR_AT_5, f"MRR@5 must be >= {MIN_MRR_AT_5}. Currently, it is {value:.3f}"


def test_unanswerable_questions_are_declined(gate_metrics: dict) -> None:
    value = gate_metrics["unanswerable_abstained"]
    assert value >= MIN_UNANSWERABLE_ABSTAINED, (
        f"unanswerable abstained must be >= {MIN_UNANSWERABLE_ABSTAINED}. Currently, it is {value:.3f}"
    )


def test_answerable_questions_are_not_declined(gate_metrics: dict) -> None:
    value = gate_metrics["answerable_abstained"]
    assert value <= MAX_ANSWERABLE_ABSTAINED, (
        f"answerable wrongly abstained must be <= {MAX_ANSWERABLE_ABSTAINED}. Currently, it is {value:.3f}"
    )
