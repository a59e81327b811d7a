"""Greetings, thanks and requests for help get a short reply that cites nothing; questions still get answers."""

import pytest

from citeqa.app.qa import QA, AnswerSettings
from citeqa.app.small_talk import reply


@pytest.mark.parametrize("message", ["thanks!", "Thank you so much.", "hello", "Hi there!", "bye", "What can you do?", "ok"])
def test_small_talk_gets_a_reply(message: str) -> None:
    assert reply(message)


@pytest.mark.parametrize("message", ["Thanks to whom was the treaty signed?", "hello kitty sales", "Who are the presidents?", "great wall length"])
def test_a_question_that_starts_like_small_talk_is_a_question(message: str) -> None:
    assert reply(message) is None


def test_thanks_cites_no_article(qa: QA) -> None:
    answer = qa.ask("thanks!")
    assert answer.text.startswith("Glad to help") and answer.citations == () and answer.abstained
    assert not qa.ask("How much grant money did Xi promise?").abstained


class _Unreachable:
    """A generator that fails the test if anything reaches it."""

    def stream(self, *args, **kwargs):
        raise AssertionError("small talk reached the language model")


def test_small_talk_is_not_handed_to_the_language_model(qa: QA) -> None:
    generative = QA(qa.store, qa.embedder, AnswerSettings(mode="generative"), _Unreachable())
    answer = generative.ask("Thank you!")
    assert answer.text.startswith("Glad to help") and answer.notices == ()
