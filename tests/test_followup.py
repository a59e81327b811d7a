"""`app.followup`: which questions lean on the previous turn, and what the engine then searches."""

from dataclasses import replace

from citeqa.app.followup import expand, is_follow_up, previous_question, answer_lead, requoted
from citeqa.app.qa import QA
from citeqa.app.rerank import Reranker

SUMMIT = "Where was the second China-Central Asia summit held?"
HISTORY = [{"role": "user", "content": SUMMIT}, {"role": "assistant", "content": "In Astana [1]."}]


def test_the_previous_question_is_the_last_user_text() -> None:
    assert previous_question(HISTORY) == SUMMIT
    assert previous_question([*HISTORY, {"role": "user", "content": ["not", "text"]}]) == SUMMIT
    assert previous_question([{"role": "assistant", "content": "Hello."}]) == ""
    assert previous_question(None) == ""


def test_anaphoric_or_short_questions_are_follow_ups() -> None:
    assert is_follow_up("And the fourth?")
    assert is_follow_up("What did they sign there?")
    assert is_follow_up("Why?")
    assert not is_follow_up("How much grant money did Xi Jinping promise Central Asian states?")


def test_expand_joins_a_follow_up_to_the_previous_question_only() -> None:
    assert expand("And when was it held?", HISTORY) == (f"{SUMMIT} And when was it held?", SUMMIT)
    standalone = "How much grant money did Xi Jinping promise Central Asian states?"
    assert expand(standalone, HISTORY) == (standalone, "")
    assert expand("And when was it held?", []) == ("And when was it held?", "")


def test_the_engine_searches_a_follow_up_with_its_context_on_the_default_corpus(qa: QA) -> None:
    alone = qa.ask("And when was it held?")
    followed = qa.ask("And when was it held?", history=HISTORY)
    assert alone.query == "And when was it held?"
    assert followed.query == f"{SUMMIT} And when was it held?"
    assert not followed.abstained
    assert "summit" in " ".join(e.text for c in followed.citations for e in c.evidence).lower()


class _Reading:
    """The shipped reranker, noting which question text it was handed."""

    def __init__(self, reranker: Reranker) -> None:
        self.reranker, self.questions = reranker, []

    def score(self, question: str, sentences):
        self.questions.append(question)
        return self.reranker.score(question, sentences)


def test_the_reranker_reads_a_follow_up_together_with_the_question_it_follows(qa: QA) -> None:
    reading = _Reading(Reranker.load())
    weighed = QA(qa.store, qa.embedder, scorer=replace(qa.scorer, rerank_weight=0.1), reranker=reading)
    weighed.ask("What did they sign there?", history=HISTORY)
    assert reading.questions == [f"{SUMMIT} What did they sign there?"]


def test_he_or_she_in_a_follow_up_means_the_short_answer_before_it() -> None:
    history = [{"role": "user", "content": "who is the president of turkmenistan?"},
               {"role": "assistant", "content": "Serdar Berdimuhamedov [1] — Chinese President Xi Jinping holds talks with … [1]."}]
    query, previous = expand("what did he say he wanted to send more of to china?", history)
    assert previous == "who is the president of turkmenistan? Serdar Berdimuhamedov" and query.startswith(previous)
    assert expand("and what did it cost?", history)[1] == "who is the president of turkmenistan?"  # "it" is no person
    assert answer_lead("The articles don't say. None of the passages I found answers this question.") == ""


def test_a_follow_up_about_him_is_answered_from_his_passages(qa: QA) -> None:
    history = [{"role": "user", "content": "who is the president of turkmenistan?"}, {"role": "assistant", "content": "Serdar Berdimuhamedov."}]
    answer = qa.ask("what did he say he wanted to send more of to china?", history)
    assert "natural gas" in answer.text
    history = [{"role": "user", "content": "Who is the president of Tajikistan?"}, {"role": "assistant", "content": "Emomali Rahmon."}]
    answer = qa.ask("What new areas did he say his country would expand cooperation in?", history)
    assert "new energy" in answer.text and not answer.text.startswith("Emomali Rahmon")  # what he said, not who he is


def test_a_typed_follow_up_is_not_answered_by_the_quote_that_lacked_what_it_asks(qa: QA) -> None:
    first = qa.ask("What is the CKU railway?")
    history = [{"role": "user", "content": "What is the CKU railway?"}, {"role": "assistant", "content": first.text}]
    assert "523" not in first.text  # the quote names the railway, not its length
    assert qa.ask("How long is it?", history=history).text.startswith("523-kilometer")
    assert requoted("The 523-kilometer railway\nis long.", "523-kilometer [1] — The 523-kilometer railway is long [1].")
    assert not requoted("The railway is long.", "")
