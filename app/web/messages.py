"""The chat-message wire format: how the page's messages are built, and read back.

A user message's content is the question as inert HTML. An assistant message's content
is [answer part, sources part]; the sources part carries the answer's text and citations
as JSON in a `data-citeqa` attribute, so they survive re-renders, the browser-saved chat
and the history sent back to the server. The browser's sanitizer drops that attribute
from the DOM, but the message value that Gradio stores and sends back keeps it.
Abstentions and partial (still streaming) answers have no sources part.

Histories come back from browsers and API clients as any JSON: `check_history` refuses
malformed ones with one line, `qa_history` turns well-formed ones into plain text.
"""

import html
import json
import re
from collections.abc import Sequence

from citeqa.app.answer import Answer, Citation
from citeqa.app.web import render

ROLES = ("user", "assistant", "system")
MAX_HISTORY_MESSAGES = 200
MAX_TEXT_CHARS = 100_000  # per message part; a rendered answer with its sources is a few kB
_PAYLOAD = re.compile(r'data-citeqa="([^"]*)"')


class HistoryError(ValueError):
    """A chat history sent by a client is not a list of chat messages."""


def question_message(question: str) -> dict:
    """The chat message showing a user's question as text."""
    return {"role": "user", "content": render.question_html(question)}


def partial_message(text: str) -> dict:
    """An answer still streaming: no citations yet."""
    return {"role": "assistant", "content": [render.answer_html(text, final=False)]}


def notice_message(text: str) -> dict:
    """A final assistant message that is only text (e.g. "The question is empty.")."""
    return {"role": "assistant", "content": [render.answer_html(text)]}


def assistant_message(answer: Answer, show_uncited: bool = False) -> dict:
    """The chat message for a final answer: [answer part, sources part] (no sources part on abstention)."""
    payload = {"answer": answer.text, "citations": [_slim(c) for c in answer.citations]}
    carried = f'data-citeqa="{render.escape(json.dumps(payload))}"'
    content = [render.answer_html(answer.text, answer.citations, answer.notices)]
    if sources := render.sources_html(answer, show_uncited, attributes=carried):
        content.append(sources)
    return {"role": "assistant", "content": content}


def _slim(citation: Citation) -> dict:
    """A citation's JSON without the passage (the page shows it; history need not carry it twice)."""
    data = citation.as_dict()
    data.pop("passage", None)
    data.pop("passage_start", None)
    return data


def read_payload(content: str) -> dict | None:
    """The JSON an answer's sources part carries, or None. Inverse of `assistant_message`."""
    match = _PAYLOAD.search(content)
    if not match:
        return None
    try:
        payload = json.loads(html.unescape(match.group(1)))
    except ValueError:
        return None
    return payload if isinstance(payload, dict) else None  # history comes back from the browser: any JSON


def plain_text(content: str) -> str:
    """The visible text of a rendered message part. Example: '<div>a &amp; b</div>' -> 'a & b'."""
    payload = read_payload(content)
    if payload is not None:
        return payload["answer"] if isinstance(payload.get("answer"), str) else ""
    return html.unescape(re.sub(r"<br>", "\n", re.sub(r"<(?!br>)[^>]*>", "", content))).strip()


def _items(message: dict) -> list:
    """The parts of a chat message's content as Gradio hands it back (a str, or a list of str / {"text": ...})."""
    content = message.get("content")
    return [item.get("text") if isinstance(item, dict) else item for item in (content if isinstance(content, list) else [content])]


def _parts(message: dict) -> list[str]:
    """The text parts of a chat message; anything else a client sent is left out."""
    return [text for text in _items(message) if isinstance(text, str)]


def _payload(message: dict) -> dict:
    """The JSON the message's sources part carries ({} for questions, abstentions, partial answers)."""
    return next((p for p in map(read_payload, _parts(message)) if p is not None), {})


def citations(message: dict) -> list:
    """The citations (as JSON) a rendered answer carries; [] when it carries none."""
    found = _payload(message).get("citations", [])
    return found if isinstance(found, list) else []


def message_text(message: dict) -> str:
    """The plain text of a rendered chat message: the answer itself, without its sources."""
    parts = _parts(message)
    answer = _payload(message).get("answer")
    return answer if isinstance(answer, str) and answer else (plain_text(parts[0]) if parts else "")


def qa_history(messages: Sequence) -> list[dict]:
    """Rendered chat messages -> OpenAI-style {"role", "content": plain text} for follow-ups; others skipped."""
    return [
        {"role": m["role"], "content": message_text(m)}
        for m in messages
        if isinstance(m, dict) and m.get("role") in ("user", "assistant")
    ]


def check_history(history: object) -> list[dict]:
    """`history` if it is a list of chat messages (None counts as []); else HistoryError in one line.

    A message is {"role": "user" | "assistant" | "system", "content": text}, where text is a
    string or a list of strings / {"text": string} parts, each at most MAX_TEXT_CHARS long.
    """
    if history is None:
        return []
    if not isinstance(history, list):
        raise HistoryError(f"The history must be a list of messages, not {json_kind(history)}.")
    if len(history) > MAX_HISTORY_MESSAGES:
        raise HistoryError(f"The history has {len(history):,} messages; at most {MAX_HISTORY_MESSAGES} are accepted.")
    for number, message in enumerate(history, 1):
        if not isinstance(message, dict) or message.get("role") not in ROLES:
            raise HistoryError(f'History message {number} must be an object with "role" ({", ".join(ROLES)}) and "content".')
        texts = _items(message)
        if not all(isinstance(text, str) for text in texts):
            raise HistoryError(f'The "content" of history message {number} must be text (a string or a list of strings).')
        if any(len(text) > MAX_TEXT_CHARS for text in texts):
            raise HistoryError(f"History message {number} is longer than {MAX_TEXT_CHARS:,} characters.")
    return history


def json_kind(value: object) -> str:
    """A JSON value's kind in words. Example: 5 -> "a number"."""
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    return "null" if value is None else type(value).__name__
