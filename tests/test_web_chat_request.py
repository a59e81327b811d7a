"""app/web/chat_request.py: every `/chat` input checked, each mistake named in one line."""

import pytest

from citeqa.app.web.chat_request import MAX_K, ChatRequest, ChatRequestError, parse_chat_request

MODES = ["extractive"]
GOOD = dict(message="How much?", history=[], k=8, mode="extractive", show_uncited=False)


def parse(**changes) -> ChatRequest:
    return parse_chat_request(**{**GOOD, **changes}, modes=MODES)


def test_a_good_request_is_parsed():
    request = parse(history=[{"role": "user", "content": "<div>Q &amp; A</div>"}, {"role": "x", "content": "y"}][:1], k=3.0)
    assert request == ChatRequest("How much?", [{"role": "user", "content": "Q & A"}], 3, "extractive", False)
    assert parse(history=None).history == []


@pytest.mark.parametrize(
    "changes, says",
    [
        (dict(message=5), "The message must be a string, not a number."),
        (dict(message=["x"]), "The message must be a string, not a list."),
        (dict(message=None), "The message must be a string, not null."),
        (dict(message="x" * 100_001), "The message is 100,001 characters long; at most 100,000 are accepted."),
        (dict(history=5), "The history must be a list of messages, not a number."),
        (dict(history=[5]), 'History message 1 must be an object with "role"'),
        (dict(k="x"), f"k must be a whole number from 1 to {MAX_K}, not a string."),
        (dict(k=2.5), "k must be a whole number from 1 to 20, not 2.5."),
        (dict(k=100_000), "k must be a whole number from 1 to 20, not 100000."),
        (dict(k=0), "k must be a whole number from 1 to 20, not 0."),
        (dict(k=True), "k must be a whole number from 1 to 20, not true/false."),
        (dict(k=float("nan")), "k must be a whole number from 1 to 20, not nan."),
        (dict(mode="weird"), 'mode must be one of extractive, not "weird".'),
        (dict(mode="generative"), 'mode must be one of extractive, not "generative".'),
        (dict(mode=None), "mode must be one of extractive, not null."),
        (dict(show_uncited="no"), "show_uncited must be true or false, not a string."),
    ],
)
def test_each_bad_input_is_named_in_one_line(changes, says):
    with pytest.raises(ChatRequestError) as err:
        parse(**changes)
    assert str(err.value).startswith(says) and "\n" not in str(err.value)
