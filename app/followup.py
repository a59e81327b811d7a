"""Follow-up questions: decide whether a question leans on the previous turn, and expand it.

"And where was the first one held?" after "Where was the second summit held?" is
searched as both questions together; the previous question's words still count,
at a reduced weight, when sentences are scored. This does not summarise longer
histories: only the last user turn is used.
"""

import re
from collections.abc import Sequence

from citeqa.app.terms import terms

_ANAPHORIC = re.compile(
    r"^\s*(and|but|also|then|so|what about|how about)\b"
    r"|\b(it|its|they|them|their|theirs|this|that|these|those|he|him|his|she|her|hers|there|the same|one)\b",
    re.IGNORECASE,
)
_SHORT = 3  # a question with this many content terms or fewer needs context


def previous_question(history: Sequence[dict] | None) -> str:
    """The last user message of an OpenAI-style history, or ""."""
    for message in reversed(history or []):
        if message.get("role") == "user" and isinstance(message.get("content"), str):
            return message["content"]
    return ""


def previous_answer(history: Sequence[dict] | None) -> str:
    """The last assistant message of an OpenAI-style history, or ""."""
    for message in reversed(history or []):
        if message.get("role") == "assistant" and isinstance(message.get("content"), str):
            return message["content"]
    return ""


def requoted(sentence: str, previous_reply: str) -> bool:
    """True when the previous reply quoted `sentence` already (markers and layout aside)."""
    letters = _letters(sentence)
    return bool(letters) and letters in _letters(previous_reply)


def _letters(text: str) -> str:
    return re.sub(r"[\W_]+", "", text.lower())


def is_follow_up(question: str) -> bool:
    """True for anaphoric or very short questions. Example: "And the fourth?" -> True."""
    return bool(_ANAPHORIC.search(question)) or len(terms(question)) <= _SHORT


_PERSON_PRONOUN = re.compile(r"\b(he|him|his|she|her|hers)\b", re.IGNORECASE)
_SHORT_ANSWER_WORDS = 8  # a previous answer this short, or the short answer leading it, is what "he" or "she" may mean
_MARKERS = re.compile(r"\s*\[\d+\]")


def answer_lead(answer: str) -> str:
    """The short answer an earlier reply led with ("Serdar Berdimuhamedov [1] — …" -> "Serdar Berdimuhamedov"), the
    whole reply when it is that short, else ""."""
    lead = _MARKERS.sub("", answer.split(" — ", 1)[0]).strip().rstrip(".")
    return lead if 0 < len(lead.split()) <= _SHORT_ANSWER_WORDS else ""


def expand(question: str, history: Sequence[dict] | None) -> tuple[str, str]:
    """(query to search, previous turn used as context or ""). A follow-up saying "he" or "she" also carries the
    short answer it refers to: "what did he say…" after "who is the president of turkmenistan?" / "Serdar
    Berdimuhamedov." is searched with the name."""
    previous = previous_question(history)
    if previous and is_follow_up(question):
        named = answer_lead(previous_answer(history)) if _PERSON_PRONOUN.search(question) else ""
        previous = f"{previous} {named}" if named else previous
        return f"{previous} {question}", previous
    return question, ""
