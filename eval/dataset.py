"""Evaluation sets of known answers: the `Example` type and a strict JSONL reader.

One JSON object per line: `id`, `question`, `answers` (short strings, any one counts),
`sources` (every article id that states the answer), optional `history` (earlier chat
turns), `type` (a label for per-type breakdowns) and `note`. An unanswerable item has
neither answers nor sources. Every error names the file and line.

Non-goals: checking answers against article text or source ids against a store (the
caller does that with `unknown_sources`), and writing evaluation sets.
"""

from collections.abc import Iterable
from dataclasses import dataclass
import json
from pathlib import Path
from typing import Any

from citeqa.errors import CiteqaError

DEFAULT_DATASET: Path = Path(__file__).parent / "default_corpus.jsonl"

_REQUIRED = ("id", "question", "answers", "sources")
_OPTIONAL = ("history", "type", "note")
_ROLES = ("user", "assistant")


class DatasetError(CiteqaError):
    """An evaluation set could not be read."""


@dataclass(frozen=True)
class Example:
    """One question with its known answers and the articles that state them."""

    id: str
    question: str
    answers: tuple[str, ...]
    sources: tuple[str, ...]
    history: tuple[dict, ...] = ()  # OpenAI-style messages {"role", "content"}
    type: str = ""  # optional question type for breakdowns
    hidden: tuple[str, ...] = ()  # articles kept out of retrieval when this is asked (see `out_of_corpus`)

    @property
    def answerable(self) -> bool:
        """True when the articles state an answer (answers and sources are given)."""
        return bool(self.answers)


def out_of_corpus(example: Example) -> Example:
    """The same question asked with its source articles hidden: now about something no article covers.

    Example: "Who won Super Bowl 50?" with Super_Bowl_50 hidden, which the answerer should decline.
    """
    return Example(f"{example.id}-ooc", example.question, (), (), type="out_of_corpus", hidden=example.sources)


def _string_list(record: dict[str, Any], field: str) -> tuple[str, ...]:
    value = record[field]
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ValueError(f"'{field}' must be a list of strings, got {value!r}")
    if any(not item.strip() for item in value):
        raise ValueError(f"'{field}' must not contain empty strings, got {value!r}")
    return tuple(dict.fromkeys(item.strip() for item in value))


def _history(value: Any) -> tuple[dict, ...]:
    if not isinstance(value, list):
        raise ValueError(f"'history' must be a list of messages, got {value!r}")
    messages = []
    for i, message in enumerate(value):
        if not isinstance(message, dict) or set(message) != {"role", "content"}:
            raise ValueError(
                f"history[{i}] must be an object with 'role' and 'content', got {message!r}"
            )
        if message["role"] not in _ROLES:
            raise ValueError(
                f"history[{i}] role must be 'user' or 'assistant', got {message['role']!r}"
            )
        if not isinstance(message["content"], str):
            raise ValueError(f"history[{i}] content must be a string, got {message['content']!r}")
        messages.append({"role": message["role"], "content": message["content"]})
    return tuple(messages)


def _parse(line: str) -> Example:
    """One line -> Example; raises ValueError with a message that lacks the location."""
    try:
        record = json.loads(line)
    except json.JSONDecodeError as err:
        raise ValueError(f"invalid JSON ({err.msg})") from None
    if not isinstance(record, dict):
        raise ValueError(f"expected a JSON object, got {type(record).__name__}")
    for field in _REQUIRED:
        if field not in record:
            raise ValueError(f"missing field '{field}'")
    unknown = sorted(set(record) - set(_REQUIRED) - set(_OPTIONAL))
    if unknown:
        allowed = ", ".join(_REQUIRED + _OPTIONAL)
        raise ValueError(f"unknown field '{unknown[0]}' (allowed: {allowed})")
    for field in ("id", "question", "type", "note"):
        if field in record and not isinstance(record[field], str):
            raise ValueError(f"'{field}' must be a string, got {record[field]!r}")
    if not record["id"].strip() or not record["question"].strip():
        raise ValueError(
            f"'id' and 'question' must not be empty, got {record['id']!r}, {record['question']!r}"
        )
    answers, sources = _string_list(record, "answers"), _string_list(record, "sources")
    if answers and not sources:
        raise ValueError("an answerable item needs 'sources' (the articles that state the answer), got []")
    if sources and not answers:
        raise ValueError(
            "an item with 'sources' needs 'answers'; an unanswerable item has neither, "
            f"got sources {list(sources)!r}"
        )
    return Example(
        id=record["id"].strip(),
        question=record["question"].strip(),
        answers=answers,
        sources=sources,
        history=_history(record.get("history", [])),
        type=record.get("type", "").strip(),
    )


def read_examples(path: Path) -> list[Example]:
    """Read a JSONL evaluation set; blank lines are skipped.

    Raises DatasetError naming `path:line` for the first bad line (invalid JSON or
    UTF-8), a duplicate id, an empty set, or a file that cannot be read. A UTF-8
    byte-order mark is accepted.
    """
    try:
        raw = Path(path).read_bytes()
    except FileNotFoundError:
        raise DatasetError(f"evaluation set not found: {path}") from None
    except OSError as err:
        raise DatasetError(f"evaluation set could not be read: {path} ({err.strerror or err})") from None
    try:
        lines = raw.decode("utf-8-sig").splitlines()  # a leading byte-order mark is allowed
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        column = err.start - (raw.rfind(b"\n", 0, err.start) + 1) + 1
        raise DatasetError(
            f"{path}:{line}: not UTF-8 (byte 0x{raw[err.start]:02x} at column {column}); re-save the file as UTF-8"
        ) from None
    examples: list[Example] = []
    first_line: dict[str, int] = {}
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            example = _parse(line)
        except ValueError as err:
            raise DatasetError(f"{path}:{number}: {err}") from None
        if example.id in first_line:
            first = first_line[example.id]
            raise DatasetError(f"{path}:{number}: duplicate id {example.id!r} (first on line {first})")
        first_line[example.id] = number
        examples.append(example)
    if not examples:
        raise DatasetError(f"{path}: evaluation set has no examples (the file is empty)")
    return examples


def unknown_sources(examples: Iterable[Example], known_ids: Iterable[str]) -> list[str]:
    """Sorted source ids that are not among known_ids (the caller decides how to warn).

    Example: sources {"a", "b"}, known {"a"} -> ["b"]
    """
    known = set(known_ids)
    return sorted({source for example in examples for source in example.sources} - known)
