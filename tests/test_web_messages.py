"""app/web/messages.py: the chat-message wire format, built and read back, and histories checked."""

import pytest

from citeqa.app.answer import Answer, Citation, Evidence
from citeqa.app.web.messages import (
    MAX_HISTORY_MESSAGES,
    MAX_TEXT_CHARS,
    HistoryError,
    assistant_message,
    check_history,
    citations,
    message_text,
    notice_message,
    partial_message,
    qa_history,
    question_message,
    read_payload,
)

HOSTILE = '<script>alert(1)</script> [a](javascript:x) {{7*7}} "quoted"'


def cited_answer() -> Answer:
    text = "Intro. " + HOSTILE + " Tail."
    start = text.index("<script>")
    evidence = Evidence(HOSTILE, start, start + len(HOSTILE))
    citation = Citation(1, "999_xss", HOSTILE, None, "2031", (evidence,), passage=text, passage_start=0)
    return Answer(text=f"{HOSTILE} [1]", citations=(citation,))


def test_an_answer_message_carries_its_text_and_citations_through_a_round_trip():
    message = assistant_message(cited_answer())
    answer_part, sources_part = message["content"]
    assert "<script" not in answer_part + sources_part
    payload = read_payload(sources_part)
    assert payload["answer"] == f"{HOSTILE} [1]"
    assert payload["citations"][0]["evidence"] == [HOSTILE] and "passage" not in payload["citations"][0]
    # As Gradio hands the message back: parts wrapped in {"type": "text", "text": ...}.
    returned = {"role": "assistant", "content": [{"type": "text", "text": part} for part in message["content"]]}
    assert message_text(returned) == f"{HOSTILE} [1]"
    assert citations(returned)[0]["article_id"] == "999_xss"


def test_abstentions_partial_answers_and_notices_have_no_sources_part():
    abstained = assistant_message(Answer(text="The articles don't say.", abstained=True))
    assert len(abstained["content"]) == 1 and citations(abstained) == []
    assert message_text(partial_message("It was <b>")) == "It was <b>"
    assert message_text(notice_message("The question is empty.")) == "The question is empty."


def test_history_sent_to_qa_is_plain_text():
    answer = Answer(text="It was 1.5 billion yuan [1].", citations=(Citation(1, "a", "T", None, None, ()),))
    rendered = [
        {"role": "user", "content": [{"type": "text", "text": question_message("How & why?")["content"]}]},
        {"role": "assistant", "content": [{"type": "text", "text": p} for p in assistant_message(answer)["content"]]},
    ]
    assert qa_history(rendered) == [
        {"role": "user", "content": "How & why?"},
        {"role": "assistant", "content": "It was 1.5 billion yuan [1]."},
    ]


def test_forged_payloads_are_ignored():
    forged = {"role": "assistant", "content": '<div data-citeqa="[1, 2]">x</div>'}
    assert citations(forged) == [] and message_text(forged) == "x"
    assert citations({"role": "assistant", "content": '<div data-citeqa="{&quot;citations&quot;: 5}">'}) == []


def test_well_formed_histories_pass_as_they_are():
    history = [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "Q?"},
        {"role": "assistant", "content": ["A", {"type": "text", "text": "B"}]},
    ]
    assert check_history(history) is history
    assert check_history(None) == []


@pytest.mark.parametrize(
    "history, says",
    [
        (5, "must be a list of messages, not a number"),
        ("hi", "must be a list of messages, not a string"),
        ({"role": "user"}, "must be a list of messages, not an object"),
        ([7], 'History message 1 must be an object with "role"'),
        ([{"role": "user", "content": "a"}, {"role": "robot", "content": "b"}], "History message 2 must be"),
        ([{"content": "a"}], "History message 1 must be"),
        ([{"role": "user", "content": 5}], 'The "content" of history message 1 must be text'),
        ([{"role": "user", "content": [{"text": None}]}], 'The "content" of history message 1 must be text'),
        ([{"role": "user", "content": "x" * (MAX_TEXT_CHARS + 1)}], "History message 1 is longer than 100,000"),
        ([{"role": "user", "content": "q"}] * (MAX_HISTORY_MESSAGES + 1), "at most 200 are accepted"),
    ],
)
def test_malformed_histories_are_refused_in_one_line(history, says):
    with pytest.raises(HistoryError) as err:
        check_history(history)
    assert says in str(err.value) and "\n" not in str(err.value) and " at 0x" not in str(err.value)
