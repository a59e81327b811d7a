"""Cited answers end to end on the default corpus: real model, real Chroma, real pipeline."""

import re

import pytest

from citeqa.app.answer import Answer
from citeqa.app.compose import with_markers
from citeqa.app.qa import MAX_QUESTION_CHARS, QA, QuestionError
from citeqa.app.terms import numbers
from citeqa.eval.dataset import DEFAULT_DATASET, read_examples
from citeqa.store.chroma import StoreError

GRANT = "1.5 billion yuan"


def assert_citations_verified(qa: QA, answer: Answer) -> None:
    """Every marker resolves to a citation whose evidence is quoted exactly from its article and states the claim's numbers."""
    markers = sorted({int(m) for m in re.findall(r"\[(\d+)\]", answer.text)})
    assert markers == [c.marker for c in answer.citations] == list(range(1, len(markers) + 1))
    claims = re.split(r"(?<=\])\.?\s+(?=\S)", answer.text)
    for citation in answer.citations:
        text = qa.store.article_text(citation.article_id)
        assert text is not None
        for evidence in citation.evidence:
            if evidence.char_start >= 0:  # metadata evidence (author/date) has no offsets
                assert text[evidence.char_start : evidence.char_end] == evidence.text
        cited_claims = [claim for claim in claims if f"[{citation.marker}]" in claim]
        evidence_numbers = set().union(*(numbers(e.text) for e in citation.evidence))
        for claim in cited_claims:
            claim_numbers = numbers(re.sub(r"\[\d+\]", "", claim))
            # A claim quoted from one article may carry numbers a supporting article rounds or omits,
            # but the two must share at least one of them.
            assert not claim_numbers or claim_numbers & evidence_numbers, (claim, citation.evidence)


def test_grant_question_is_answered_and_cited_by_every_article_that_states_it(qa: QA) -> None:
    answer = qa.ask("How much grant money did Xi promise?")
    assert not answer.abstained
    assert GRANT in answer.text or "$209 million" in answer.text
    assert "[1]" in answer.text
    cited = {c.article_id[:3] for c in answer.citations}
    assert len(cited) >= 2 and cited <= {"002", "003", "004"}
    assert_citations_verified(qa, answer)


def test_markers_number_articles_in_order_of_first_use() -> None:
    assert with_markers("It rained.", [1, 2]) == "It rained [1][2]."
    assert with_markers("“Quoted.”", [3]) == "“Quoted.” [3]"


@pytest.mark.parametrize(
    "question",
    [
        "What is the capital of Brazil?",
        "How many troops did China pledge to station in Kazakhstan?",
        "Who won the 2022 FIFA World Cup?",
    ],
)
def test_unanswerable_questions_abstain_and_cite_nothing(qa: QA, question: str) -> None:
    answer = qa.ask(question)
    assert answer.abstained
    assert answer.citations == ()
    assert "[1]" not in answer.text
    assert answer.text.startswith("The articles don't say")


def test_no_answer_on_the_eval_set_cites_an_article_without_its_evidence(qa: QA) -> None:
    for example in read_examples(DEFAULT_DATASET):
        assert_citations_verified(qa, qa.ask(example.question, list(example.history)))


def test_follow_up_about_the_first_summit_uses_the_previous_turn(qa: QA) -> None:
    first = qa.ask("Where was the second China–Central Asia summit held?")
    assert "Astana" in first.text
    history = [
        {"role": "user", "content": "Where was the second China–Central Asia summit held?"},
        {"role": "assistant", "content": first.text},
    ]
    follow = qa.ask("And where was the first one held?", history)
    assert re.search(r"Xi[’']?an", follow.text), follow.text
    assert "Where was the second" in follow.query


def test_follow_up_about_training_places(qa: QA) -> None:
    history = [
        {"role": "user", "content": "How much grant money did Xi promise?"},
        {"role": "assistant", "content": qa.ask("How much grant money did Xi promise?").text},
    ]
    follow = qa.ask("And how many training places?", history)
    assert "3,000" in follow.text
    assert_citations_verified(qa, follow)


def test_without_history_a_follow_up_is_searched_as_is(qa: QA) -> None:
    assert qa.ask("And how many training places?").query == "And how many training places?"


def test_questions_about_the_articles_use_their_metadata(qa: QA) -> None:
    author = qa.ask("Who wrote the piece on the second regional summit?")
    assert "Nigel Li" in author.text and author.citations[0].article_id.startswith("002")
    date = qa.ask("When was Alyssa Chen's article published?")
    assert "2025-06-17" in date.text and date.citations[0].article_id.startswith("004")
    listing = qa.ask("Which articles discuss Article 3?")
    cited = {c.article_id[:3] for c in listing.citations}
    assert {"000", "001"} <= cited
    assert_citations_verified(qa, listing)


def test_empty_question_is_refused_with_a_clear_message(qa: QA) -> None:
    with pytest.raises(QuestionError, match="question is empty"):
        qa.ask("   \n\t ")


def test_huge_question_is_truncated_with_a_notice(qa: QA) -> None:
    answer = qa.ask("How much grant money did Xi promise? " + "blah " * 20_000)
    assert any(f"first {MAX_QUESTION_CHARS:,}" in notice for notice in answer.notices)


def test_question_in_another_language_gets_a_verified_answer_or_a_bare_abstention(qa: QA) -> None:
    for question in ["¿Cuánto dinero prometió Xi?", "习近平承诺了多少赠款？", "\x00\x07??!!"]:
        answer = qa.ask(question)
        assert answer.text.strip()
        if answer.abstained:
            assert not answer.citations and "[1]" not in answer.text
        else:
            assert_citations_verified(qa, answer)
    assert qa.ask("\x00\x07??!!").abstained  # control characters and punctuation: nothing to look for


def test_missing_store_tells_the_user_to_ingest(tmp_path) -> None:
    with pytest.raises(StoreError, match="citeqa ingest"):
        QA.open(tmp_path / "nowhere")


def test_retrieved_lists_unique_articles_best_first(qa: QA) -> None:
    answer = qa.ask("Which Central Asian state runs a trade surplus with China?")
    assert len(answer.retrieved) == len(set(answer.retrieved)) == 5
    assert answer.retrieved[0].startswith("002")
