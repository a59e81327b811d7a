"""Quality gate on a test split nobody tuned on: a fixed sample of SQuAD's test articles.

All 48 SQuAD v1.1 dev articles are ingested (the train articles are the distractors);
the sample is 100 answerable questions of the test articles, 50 of SQuAD 2.0's
adversarial unanswerable ones, and 50 of the answerable ones asked again with their
article hidden (out of corpus: the answer should abstain), fixed by seed. The floors sit a stated margin under
what was measured (see MEASURED); never set one above what the pipeline does.
Skips with one line where ../shared is absent (a user's clone).
"""

import pytest

from citeqa.app.qa import QA
from citeqa.eval.benchmarks import squad
from citeqa.eval.run import evaluate
from citeqa.ingest.embed import load_embedder
from citeqa.ingest.pipeline import ingest_documents
from citeqa.store.chroma import open_store
from tests.shared_data import BENCHMARKS, needs_benchmarks

# Measured 2026-12-01 with the committed scorer on this sample (100 + 50): answer accuracy 0.78,
# citation precision 0.989, answerable abstained 0.11, unanswerable abstained 0.06 (abstention on this
# small sample is no better than chance: area 0.44; on the 300 + 150 sample of `citeqa eval
# --benchmark squad` it is 0.58). Measured 2026-12-02, the same scorer: out-of-corpus abstained 0.82
# (41 of 50; answer accuracy 0.77 on that run's store).
MEASURED = {"answer_accuracy": 0.78, "citation_precision": 0.989, "answerable_abstained": 0.11, "unanswerable_abstained": 0.06,
            "out_of_corpus_abstained": 0.82}
MARGIN = 0.05  # about 5 of the 100 answerable questions


@pytest.fixture(scope="module")
def squad_metrics(tmp_path_factory: pytest.TempPathFactory) -> dict:
    location = tmp_path_factory.mktemp("squad") / "store"
    store = open_store(location, create=True)
    for _ in ingest_documents(squad.documents(BENCHMARKS), store, load_embedder()):
        pass
    _, metrics = evaluate(QA.open(location), squad.examples(BENCHMARKS, "test", 100, 50, out_of_corpus_count=50), k=5)
    return metrics


@needs_benchmarks
def test_squad_test_answers_and_citations(squad_metrics: dict) -> None:
    assert squad_metrics["answer_accuracy"] >= MEASURED["answer_accuracy"] - MARGIN, squad_metrics["answer_accuracy"]
    assert squad_metrics["citation_precision"] >= MEASURED["citation_precision"] - MARGIN, squad_metrics["citation_precision"]


@needs_benchmarks
def test_squad_test_abstention(squad_metrics: dict) -> None:
    assert squad_metrics["answerable_abstained"] <= MEASURED["answerable_abstained"] + MARGIN, squad_metrics["answerable_abstained"]
    adversarial = squad_metrics["by_type"]["unanswerable"]["unanswerable_abstained"]
    assert adversarial >= MEASURED["unanswerable_abstained"] - MARGIN, adversarial


@needs_benchmarks
def test_squad_test_questions_about_something_no_article_covers_abstain(squad_metrics: dict) -> None:
    outside = squad_metrics["by_type"]["out_of_corpus"]["unanswerable_abstained"]
    assert outside >= MEASURED["out_of_corpus_abstained"] - 2 * MARGIN, outside  # 50 questions: 5 of them
