"""The page's `/chat` API, driven with gradio_client against a real `citeqa serve`."""

import re

from gradio_client import Client

from app.render import read_payload


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
