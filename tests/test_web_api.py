"""The page's `/chat` API, driven with gradio_client and raw HTTP against a real `citeqa serve`."""

import json
import re
import urllib.request

import pytest
from gradio_client import Client

from citeqa.app.web.messages import read_payload


def test_chat_endpoint_returns_markers_and_citations(ui_server):
    client = Client(ui_server.url, verbose=False)
    data = client.predict("How much grant money did Xi promise?", api_name="/chat")

    assert "[1]" in data["answer"] and "1.5 billion yuan" in data["answer"]
    assert not data["abstained"]
    markers = {int(n) for n in re.findall(r"\[(\d+)\]", data["answer"])}
    assert markers == {c["marker"] for c in data["citations"]}
    first = data["citations"][0]
    assert re.fullmatch(r"\d{3}_[0-9a-f]{16}", first["article_id"])
    assert any("1.5 billion yuan" in sentence for sentence in first["evidence"])
    # The same citations travel inside the chat message itself (its sources part).
    assert data["role"] == "assistant"
    assert read_payload(data["content"][1])["citations"][0]["article_id"] == first["article_id"]


def test_chat_endpoint_follow_up_and_abstention(ui_server):
    client = Client(ui_server.url, verbose=False)
    first = client.predict("How much grant money did Xi promise?", api_name="/chat")
    history = [{"role": "user", "content": "How much grant money did Xi promise?"}, {"role": "assistant", "content": first["answer"]}]
    follow_up = client.predict("And how many training places?", history, api_name="/chat")
    assert "3,000" in follow_up["answer"]

    nothing = client.predict("What is the capital of Brazil?", api_name="/chat")
    assert nothing["abstained"] and nothing["citations"] == [] and len(nothing["content"]) == 1


def test_chat_endpoint_empty_question_is_a_readable_error(ui_server):
    client = Client(ui_server.url, verbose=False)
    try:
        client.predict("   ", api_name="/chat")
    except Exception as err:  # gradio_client raises AppError carrying the page's message
        assert "question is empty" in str(err).lower()
    else:
        raise AssertionError("an empty question must be refused")


def raw_chat(url: str, data: list) -> tuple[str, str]:
    """(event, data line) of one `/chat` call over Gradio's plain HTTP API."""
    post = urllib.request.Request(
        f"{url}gradio_api/call/chat", json.dumps({"data": data}).encode(), {"Content-Type": "application/json"}
    )
    event_id = json.load(urllib.request.urlopen(post, timeout=60))["event_id"]
    stream = urllib.request.urlopen(f"{url}gradio_api/call/chat/{event_id}", timeout=60).read().decode()
    event = re.search(r"^event: (\w+)", stream, re.M).group(1)
    return event, re.search(r"^data: (.*)$", stream, re.M).group(1)


BAD_INPUTS = [
    ([5, [], 8, "extractive", False], "The message must be a string, not a number."),
    (["Who?", 5, 8, "extractive", False], "The history must be a list of messages, not a number."),
    (["Who?", [7], 8, "extractive", False], 'History message 1 must be an object with "role"'),
    (["Who?", [{"role": "user", "content": 5}], 8, "extractive", False], 'The "content" of history message 1 must be text'),
    (["Who?", [], "x", "extractive", False], "k must be a whole number from 1 to 20, not a string."),
    (["Who?", [], 100_000, "extractive", False], "k must be a whole number from 1 to 20, not 100000."),
    (["Who?", [], 8, "weird", False], 'mode must be one of extractive, not "weird".'),
    (["Who?", [], 8, "extractive", "no"], "show_uncited must be true or false, not a string."),
    (["x" * 200_000, [], 8, "extractive", False], "The message is 200,000 characters long; at most 100,000"),
    (["   ", [], 8, "extractive", False], "The question is empty."),
]


@pytest.mark.parametrize("data, says", BAD_INPUTS, ids=[says[:30] for _, says in BAD_INPUTS])
def test_bad_inputs_get_one_line_that_names_them_and_log_one_line(ui_server, data, says):
    logged = ui_server.log.stat().st_size
    event, line = raw_chat(ui_server.url, data)
    error = json.loads(line)["error"]
    assert event == "error" and error.startswith(says) and "\n" not in error and " at 0x" not in error
    new = ui_server.log.read_text()[logged:]
    assert "Traceback" not in new and new.count("/chat refused: ") == 1, new[-3000:]


def test_a_bad_input_from_gradio_client_is_a_readable_error(ui_server):
    client = Client(ui_server.url, verbose=False)
    with pytest.raises(Exception, match="k must be a whole number from 1 to 20, not 0."):
        client.predict("Who?", [], 0, api_name="/chat")
