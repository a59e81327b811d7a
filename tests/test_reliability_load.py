"""Load: 20 concurrent `gradio_client` clients ask a real `citeqa serve` on loopback for ~20 s.

Questions are sampled from eval/default_corpus.jsonl (answerable, unanswerable,
follow-ups with their history). Every request must succeed, and every answer must be
a proper abstention or carry `[n]` markers matching its citations, each citing a
stored article whose text holds the evidence at the stated offsets. The full 60 s run
is `citeqa load-test --url ... --store ... --clients 20 --seconds 60`.
"""

import json
import os
from pathlib import Path

import pytest

from citeqa.eval.bench.load import check_answer, percentile, read_articles, run_load

SECONDS = float(os.environ.get("CITEQA_LOAD_SECONDS", "20"))  # suite budget; the README figures come from 60 s
OUTPUT = Path(__file__).resolve().parent / "output"


def test_twenty_clients_get_only_valid_answers(ui_server):
    articles = read_articles(ui_server.store)
    report = run_load(ui_server.url, clients=20, seconds=SECONDS, articles=articles, timeout=60)
    OUTPUT.mkdir(exist_ok=True)
    (OUTPUT / "reliability_load.json").write_text(json.dumps(report.as_dict(), indent=1))
    print(report.summary())

    assert report.errors == 0, report.problems
    assert report.invalid == 0, report.problems
    assert report.requests >= 40  # 20 clients, each answered more than once
    assert report.abstained > 0 and report.answered > report.abstained  # unanswerable ones were asked too
    assert report.p95 < 30


def test_answer_checks_catch_bad_citations():
    text = "The dam opened [1]. It floods [2]."
    good = {
        "answer": text,
        "abstained": False,
        "citations": [
            {"marker": 1, "article_id": "a", "evidence": ["dam opened"], "evidence_spans": [[4, 14]]},
            {"marker": 2, "article_id": "b", "evidence": ["floods"], "evidence_spans": [[0, 6]]},
        ],
    }
    articles = {"a": "The dam opened.", "b": "floods came"}
    assert check_answer(good, articles) is None
    assert check_answer({"answer": "The articles don't say.", "abstained": True, "citations": []}, articles) is None
    assert "not in the store" in check_answer(good, {"a": articles["a"]})
    assert "evidence not at" in check_answer(good, {"a": "The dam closed.", "b": articles["b"]})
    assert "do not match" in check_answer({**good, "answer": "The dam opened [1]."}, articles)
    assert "without citations" in check_answer({**good, "citations": []}, articles)
    assert "abstention with citations" in check_answer({**good, "abstained": True}, articles)


def test_percentile_and_loopback_only():
    assert percentile([1, 2, 3, 4], 50) == 2
    assert percentile([5.0], 95) == 5.0
    assert percentile(list(range(1, 101)), 95) == 95
    with pytest.raises(ValueError, match="must point at this machine"):
        run_load("http://10.0.0.1:7860/", clients=1, seconds=1)
