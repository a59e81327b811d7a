"""The optional generative mode: an OpenAI-compatible chat endpoint writes the answer, citeqa checks it.

`Generator.stream(extractive, history)` numbers the retrieved articles, asks
`POST {base_url}/chat/completions` with `stream: true` (Ollama, vLLM, llama.cpp's
server and OpenAI all speak it), yields the text as it grows, then verifies every
`[n]` marker (`app.verify`) and yields the final Answer:

- unsupported markers are removed from the text and each is reported in
  `Answer.notices` ("Removed citation of “Title”: it does not support “…”");
- an answer with no supported citation at all is replaced by the extractive
  answer (which may be an abstention), with a notice saying so;
- an endpoint that is down, silent for longer than `timeout`, answers with an
  HTTP error, or sends something that is not an OpenAI-style stream also yields
  the extractive answer with a notice naming the URL and the reason. Never raises.

`timeout` bounds connecting and every wait for the next piece of data, so a slow
but steadily streaming model is not cut off; `max_tokens` bounds the length.
No retries, no tool calls, no model discovery.
"""

import json
import logging
from collections.abc import Iterator, Sequence
from dataclasses import replace

import httpx

from citeqa.app.answer import Answer
from citeqa.app.prompt import build_messages, number_sources
from citeqa.app.verify import MIN_OVERLAP, verify
from citeqa.errors import CiteqaError, SettingsError

logger = logging.getLogger(__name__)


class GenerationError(CiteqaError):
    """The endpoint gave no usable answer; the message says why, for a notice."""


class Generator:
    """Writes answers with an OpenAI-compatible endpoint and keeps only the citations the articles support."""

    def __init__(
        self,
        base_url: str,
        model: str,
        api_key: str | None = None,
        timeout: float = 30.0,
        max_tokens: int = 512,
        temperature: float = 0.0,
        min_overlap: float = MIN_OVERLAP,
    ) -> None:
        if not base_url.startswith(("http://", "https://")):
            raise SettingsError(f"base_url must start with http:// or https://. Currently, base_url is {base_url!r}")
        if timeout <= 0:
            raise SettingsError(f"timeout must be greater than 0. Currently, timeout is {timeout}")
        if max_tokens < 1:
            raise SettingsError(f"max_tokens must be at least 1. Currently, max_tokens is {max_tokens}")
        self.base_url = base_url.rstrip("/")
        self.model = model
        self.api_key = api_key
        self.timeout = timeout
        self.max_tokens = max_tokens
        self.temperature = temperature
        self.min_overlap = min_overlap

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}

    def check(self) -> str | None:
        """None when `GET {base_url}/models` answers, else a one-line reason (for a page banner)."""
        try:
            response = httpx.get(f"{self.base_url}/models", headers=self._headers(), timeout=min(self.timeout, 5.0))
            response.raise_for_status()
            return None
        except Exception as err:  # any failure is "not reachable" to the caller
            return f"The language model at {self.base_url} is not reachable ({_reason(err, min(self.timeout, 5.0))})."

    def stream(
        self, extractive: Answer, history: Sequence[dict] | None = None, question: str | None = None
    ) -> Iterator[str | Answer]:
        """Yield the generated text as it grows, then the verified Answer (or the extractive one)."""
        sources = number_sources(extractive.hits)
        if not sources:
            yield _fallback(extractive, "No passages were retrieved to give the language model; showing the extractive answer.")
            return
        messages = build_messages(question or extractive.query, sources, history)
        text, failure = "", ""
        try:
            for piece in self._pieces(messages):
                text += piece
                yield text
        except Exception as err:  # whatever the endpoint does, the user gets an answer, not a traceback
            logger.warning("generation failed: %r", err, exc_info=not isinstance(err, (GenerationError, httpx.HTTPError)))
            failure = f"did not answer ({_reason(err, self.timeout)})"
        if failure or not text.strip():
            failure = failure or "returned an empty answer"
            yield _fallback(extractive, f"The language model at {self.base_url} {failure}; showing the extractive answer.")
            return
        verified = verify(text, sources, self.min_overlap)
        if not verified.citations:
            notice = "The language model's answer cited no article that supports it; showing the extractive answer."
            yield _fallback(extractive, notice, verified.dropped)
            return
        yield replace(
            extractive, text=verified.text, citations=verified.citations, abstained=False,
            notices=extractive.notices + verified.dropped,
        )

    def _pieces(self, messages: list[dict]) -> Iterator[str]:
        """Content deltas of one streamed chat completion. Raises GenerationError / httpx errors."""
        body = {
            "model": self.model, "messages": messages, "stream": True,
            "max_tokens": self.max_tokens, "temperature": self.temperature,
        }
        url = f"{self.base_url}/chat/completions"
        with httpx.stream("POST", url, json=body, headers=self._headers(), timeout=self.timeout) as response:
            if response.status_code >= 400:
                detail = " ".join(response.read().decode("utf-8", "replace").split())[:200]
                raise GenerationError(f"HTTP {response.status_code}{': ' + detail if detail else ''}")
            if response.headers.get("content-type", "").startswith("application/json"):
                yield _message_content(_json(response.read().decode("utf-8", "replace")))  # a server that ignored stream
                return
            events = 0
            for line in response.iter_lines():
                if not line.startswith("data:"):
                    continue  # blank separators, ": keep-alive" comments, "event:" lines
                data = line[5:].strip()
                events += 1
                if data == "[DONE]":
                    return
                yield _delta_content(_json(data))
            if not events:
                raise GenerationError("the response was not an OpenAI-style event stream")


def _json(data: str) -> dict:
    try:
        parsed = json.loads(data)
    except ValueError:
        raise GenerationError(f"the response was not JSON: {data[:80]!r}") from None
    if not isinstance(parsed, dict):
        raise GenerationError(f"the response was not a JSON object: {data[:80]!r}")
    if "error" in parsed:
        error = parsed["error"]
        raise GenerationError(f"it reported an error: {error.get('message', error) if isinstance(error, dict) else error}")
    return parsed


def _delta_content(event: dict) -> str:
    """Example: {"choices": [{"delta": {"content": "Hi"}}]} -> "Hi"; a role-only or usage event -> ""."""
    choices = event.get("choices")
    if not isinstance(choices, list):
        raise GenerationError("an event had no choices")
    delta = choices[0].get("delta") if choices and isinstance(choices[0], dict) else None
    content = delta.get("content") if isinstance(delta, dict) else None
    return content if isinstance(content, str) else ""


def _message_content(body: dict) -> str:
    try:
        content = body["choices"][0]["message"]["content"]
    except (KeyError, IndexError, TypeError):
        raise GenerationError("the JSON response had no choices[0].message.content") from None
    return content if isinstance(content, str) else ""


def _reason(err: BaseException, timeout: float) -> str:
    """A short cause for a notice. Example: ReadTimeout -> "timeout after 30 s"."""
    if isinstance(err, httpx.TimeoutException):
        return f"timeout after {timeout:g} s"
    if isinstance(err, httpx.ConnectError):
        return "connection refused or host unreachable"
    if isinstance(err, httpx.HTTPStatusError):
        return f"HTTP {err.response.status_code}"
    return str(err).splitlines()[0] if str(err) else type(err).__name__


def _fallback(extractive: Answer, notice: str, dropped: Sequence[str] = ()) -> Answer:
    return replace(extractive, notices=extractive.notices + tuple(dropped) + (notice,))
