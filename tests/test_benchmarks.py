"""Benchmark readers: SQuAD and MultiHop-RAG read from ../shared by split, never mixing train and test."""

import pytest

from citeqa.eval.benchmarks import multihop, squad
from citeqa.eval.benchmarks.splits import BenchmarkError, jsonl, multihop_split, read_splits
from tests.shared_data import BENCHMARKS, needs_benchmarks


@needs_benchmarks
def test_squad_documents_and_answer_offsets_point_at_the_answer() -> None:
    texts = {d.article_id: d.text for d in squad.documents(BENCHMARKS)}
    assert len(texts) == 48
    questions = squad.answerable(BENCHMARKS, "train")
    found = sum(texts[q.article_id][q.answer_start : q.answer_start + len(q.answers[0])] == q.answers[0] for q in questions)
    assert found / len(questions) > 0.99


@needs_benchmarks
def test_squad_splits_never_share_an_article_and_samples_are_fixed() -> None:
    splits = read_splits(BENCHMARKS)["squad"]
    assert not set(splits["train_articles"]) & set(splits["test_articles"])
    test = squad.examples(BENCHMARKS, "test", 50, 20)
    assert {s for e in test for s in e.sources} <= set(splits["test_articles"])
    assert [e.id for e in test] == [e.id for e in squad.examples(BENCHMARKS, "test", 50, 20)]
    assert sum(not e.answerable for e in test) == 20


@needs_benchmarks
def test_squad_out_of_corpus_questions_repeat_answerable_ones_with_their_article_hidden() -> None:
    asked = squad.examples(BENCHMARKS, "test", 50, 20, out_of_corpus_count=5)
    plain, again = asked[:50], asked[70:]
    assert asked[:70] == squad.examples(BENCHMARKS, "test", 50, 20)
    assert [e.question for e in again] == [e.question for e in plain[:5]]
    assert [e.hidden for e in again] == [e.sources for e in plain[:5]]
    assert all(e.type == "out_of_corpus" and not e.answerable and not e.sources for e in again)


@needs_benchmarks
def test_multihop_halves_follow_the_published_rule() -> None:
    counts = {split: len(multihop.examples(BENCHMARKS, split)) for split in ("train", "test")}
    assert counts == {"train": 1310, "test": 1246}  # splits.json: dev 1310, test 1246
    assert all(multihop_split(e.id) == "test" for e in multihop.examples(BENCHMARKS, "test")[:50])


def test_a_broken_line_is_named(tmp_path) -> None:
    path = tmp_path / "qa.jsonl"
    path.write_text('{"id": "a"}\n{broken\n', encoding="utf-8")
    with pytest.raises(BenchmarkError, match=r"qa.jsonl:2"):
        jsonl(path)
