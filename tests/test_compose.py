"""Supporting citations: another article backs a claim only when it states the claim's answer."""

from citeqa.app.compose import ComposeSettings, same_fact
from citeqa.app.qa import QA
from citeqa.app.question import parse
from citeqa.app.sentences import candidate_sentences
from tests.test_evidence_scoring import make_hit

CLAIM = "Construction of the CKU was launched in December 2024, a project that has been under discussion since 1997."
OTHER = "The railway broke ground in December 2024."


def test_a_sentence_without_the_typed_answer_does_not_support_the_claim() -> None:
    a, b = (candidate_sentences([make_hit(i, [[text]])])[0] for i, text in [("a", CLAIM), ("b", OTHER)])
    assert not same_fact(a, b, parse("Since what year has the railway been under discussion?"), ComposeSettings())
    assert same_fact(a, b, parse("When did construction of the railway begin?"), ComposeSettings())


def test_since_what_year_cites_only_the_article_that_says_since_when(qa: QA) -> None:
    answer = qa.ask("Since what year has the China–Kyrgyzstan–Uzbekistan railway been under discussion?")
    assert "1997" in answer.text
    assert [c.article_id[:3] for c in answer.citations] == ["002"]
