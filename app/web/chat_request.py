"""The `/chat` endpoint's inputs, checked: whatever JSON a client sent becomes a ChatRequest or one line.

Gradio hands the endpoint raw JSON values (its own conversions are turned off for
it), so every type, range and size is checked here, with a message that names the
input and what it must be, never an internal error.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from citeqa.app.web.messages import MAX_TEXT_CHARS, check_history, json_kind, qa_history

MAX_K = 20  # the page's slider goes this far


class ChatRequestError(ValueError):
    """One input of a `/chat` call is of the wrong type, out of range or too large."""


@dataclass(frozen=True)
class ChatRequest:
    """A checked `/chat` call: the question, its history as plain text, and the answer settings."""

    question: str
    history: list[dict]
    k: int
    mode: str
    show_uncited: bool
    source: str | None = None  # one outlet's articles only
    since: str | None = None  # dates as typed; `QA.ask` checks them
    until: str | None = None


def parse_chat_request(
    message: object, history: object, k: object, mode: object, show_uncited: object, modes: Sequence[str],
    source: object = None, since: object = None, until: object = None,
) -> ChatRequest:
    """The checked request; ChatRequestError (one line) for the first bad input."""
    for name, value in (("source", source), ("since", since), ("until", until)):
        if value is not None and not isinstance(value, str):
            raise ChatRequestError(f"{name} must be a string, not {json_kind(value)}.")
        if isinstance(value, str) and len(value) > 200:
            raise ChatRequestError(f"{name} is {len(value):,} characters long; at most 200 are accepted.")
    if not isinstance(message, str):
        raise ChatRequestError(f"The message must be a string, not {json_kind(message)}.")
    if len(message) > MAX_TEXT_CHARS:
        raise ChatRequestError(f"The message is {len(message):,} characters long; at most {MAX_TEXT_CHARS:,} are accepted.")
    if isinstance(k, bool) or not isinstance(k, (int, float)) or not 1 <= k <= MAX_K or k != int(k):  # NaN fails 1 <= k
        shown = json_kind(k) if not isinstance(k, (int, float)) or isinstance(k, bool) else f"{k:g}"
        raise ChatRequestError(f"k must be a whole number from 1 to {MAX_K}, not {shown}.")
    if mode not in modes:
        shown = f'"{mode[:40]}"' if isinstance(mode, str) else json_kind(mode)
        raise ChatRequestError(f"mode must be one of {', '.join(modes)}, not {shown}.")
    if not isinstance(show_uncited, bool):
        raise ChatRequestError(f"show_uncited must be true or false, not {json_kind(show_uncited)}.")
    try:
        messages = check_history(history)
    except ValueError as err:
        raise ChatRequestError(str(err)) from None
    return ChatRequest(
        message, qa_history(messages), int(k), mode, show_uncited, source or None, since or None, until or None
    )
