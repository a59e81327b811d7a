"""The handlers behind the page: chat, the `/chat` API, feedback, the article list and viewer, uploads.

`Page` binds them to one QA object and its folders; `app.web.layout` wires them to
components. Answering, retrieval and ingest live elsewhere; this module turns their
errors into readable messages. A user's mistake (an empty question, a bad `/chat`
input, an empty or damaged store) is one line to the user and one line in the
server's log, never a traceback.
"""

import json
import logging
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import gradio as gr

from citeqa.app.answer import Answer
from citeqa.app.qa import QA, QuestionError
from citeqa.app.sources import stored_outlets
from citeqa.app.web import messages, render
from citeqa.app.web.chat_request import ChatRequestError, parse_chat_request
from citeqa.app.web.uploads import MAX_UPLOAD_BYTES, UploadError, save_upload
from citeqa.ingest.pipeline import IngestError, ingest
from citeqa.store.chroma import StoreError

EMPTY_STORE = "No articles yet. Add some in the Articles tab, or run: citeqa ingest data/articles"
log = logging.getLogger(__name__)


def refuse(err: Exception, where: str) -> gr.Error:
    """The one-line error shown for `err`, logged as one line (no traceback: it is not a bug)."""
    log.warning("%s refused: %s", where, err)
    return gr.Error(str(err), print_exception=False)


class Page:
    """The handlers behind the page, bound to one QA object and its folders."""

    def __init__(self, qa: QA, uploads_dir: Path, feedback_path: Path, max_upload_bytes: int = MAX_UPLOAD_BYTES):
        self.qa = qa
        self.uploads_dir = Path(uploads_dir)
        self.feedback_path = Path(feedback_path)
        self.max_upload_bytes = max_upload_bytes
        self.modes = ["extractive"] + (["generative"] if qa.generative_available else [])
        self._ingest_lock = threading.Lock()  # one ingest at a time; Chroma writes are not ours to interleave
        self._feedback_lock = threading.Lock()

    # chat ------------------------------------------------------------------------------

    def _check_not_empty(self) -> None:
        with self.qa.store_guard():  # a moved or damaged store: a one-line StoreError, re-opened next time
            empty = self.qa.store.count() == 0
        if empty:
            raise QuestionError(EMPTY_STORE)

    def add_question(self, message: str, history: list[dict]) -> tuple[str, list[dict], str]:
        """Show the question at once (escaped) and hand it to `answer` ("" = nothing to answer)."""
        if not (message or "").strip():
            # A warning, not gr.Error: an error would put the chat and the textbox in an error state.
            gr.Warning("Type a question first.", duration=4)
            return message, history, ""
        return "", [*history, messages.question_message(message)], message

    def answer(
        self, question: str, history: list[dict], k: int, mode: str, show_uncited: bool,
        source: str | None = None, since: str | None = None, until: str | None = None,
    ) -> Iterator[list[dict]]:
        """Stream the answer into the chat; the final message carries its citations."""
        if not question:
            yield history
            return
        before = messages.qa_history(history[:-1])
        try:
            self._check_not_empty()  # said in the chat, like any other unanswerable question
            filters = dict(source=source or None, since=since or None, until=until or None)
            for item in self.qa.stream(question, history=before, k=int(k), mode=mode, **filters):
                if isinstance(item, Answer):
                    yield [*history, messages.assistant_message(item, show_uncited)]
                else:
                    yield [*history, messages.partial_message(item)]
        except QuestionError as err:
            yield [*history, messages.notice_message(str(err))]
        except StoreError as err:
            raise refuse(err, "chat")

    def api_chat(
        self, message: object, history: object, k: object, mode: object, show_uncited: object,
        source: object = None, since: object = None, until: object = None,
    ) -> dict:
        """The `/chat` endpoint (raw JSON inputs): the assistant message plus the answer's structured fields."""
        try:
            request = parse_chat_request(message, history, k, mode, show_uncited, self.modes, source, since, until)
            self._check_not_empty()
            answer = self.qa.ask(
                request.question, history=request.history, k=request.k, mode=request.mode,
                source=request.source, since=request.since, until=request.until,
            )
        except (ChatRequestError, QuestionError, StoreError) as err:
            raise refuse(err, "/chat")
        return {**messages.assistant_message(answer, request.show_uncited), **answer.as_dict()}

    def feedback(self, history: list[dict], data: gr.LikeData) -> None:
        """Append one thumbs up/down, with its question, answer and citations, to the JSONL file."""
        index = data.index[0] if isinstance(data.index, (list, tuple)) else data.index
        if not isinstance(index, int) or not 0 <= index < len(history):
            return
        message = history[index]
        row = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "question": next((messages.message_text(m) for m in reversed(history[:index]) if m.get("role") == "user"), ""),
            "answer": messages.message_text(message),
            "citations": messages.citations(message),
            "liked": data.liked if isinstance(data.liked, bool) else str(data.liked),
        }
        self.feedback_path.parent.mkdir(parents=True, exist_ok=True)
        with self._feedback_lock, self.feedback_path.open("a", encoding="utf-8") as out:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
        gr.Info("Thanks, feedback saved." if data.liked else "Thanks, noted.", duration=2)

    def outlets(self) -> list[str]:
        """The stored outlets, for the settings' source picker ([] when the store cannot be read)."""
        try:
            return stored_outlets(self.qa.store.articles())
        except StoreError:
            return []

    # articles ----------------------------------------------------------------------------

    def article_list(self, query: str = "") -> str:
        try:
            return render.article_list_html(self.qa.store.articles(), query or "")
        except StoreError as err:
            return f'<div class="citeqa-empty">{render.escape(str(err))}</div>'

    def open_article(self, data: gr.EventData) -> tuple[str, str]:
        """Both viewers show the clicked article, evidence marked (from the click bridge)."""
        info = getattr(data, "_data", None) or {}
        article_id = str(info.get("article_id", ""))
        span = (_int(info.get("start")), _int(info.get("end")))
        try:
            record = next((r for r in self.qa.store.articles() if r.article_id == article_id), None)
            body = render.article_html(record, self.qa.store.article_text(article_id) if record else None, span)
        except StoreError as err:
            body = f'<div class="citeqa-empty">{render.escape(str(err))}</div>'
        return body, body

    # uploads -----------------------------------------------------------------------------

    def upload(self, files: list[str] | None, progress: gr.Progress = gr.Progress()) -> tuple[str, str, None, dict]:
        """Save uploads under the store's folder (safe names, size limit), ingest them, report."""
        if not files:
            return "", self.article_list(), None, gr.skip()
        saved, problems = [], []
        for path in files:
            try:
                saved.append(save_upload(Path(path), self.uploads_dir, self.max_upload_bytes))
            except UploadError as err:
                problems.append(str(err))
        if not saved:
            # gr.Error renders HTML; file names are the user's
            raise refuse(UploadError(render.escape(" ".join(problems))), "upload")
        with self._ingest_lock:
            report = None
            try:
                for step in ingest(saved, self.qa.store, self.qa.embedder, prune=False):
                    progress((step.done, max(step.total, 1)), desc=f"Embedding {step.message}")
                    report = step.report
            except (IngestError, StoreError) as err:
                raise refuse(err, "upload")
        problems += report.skipped if report else []
        names = ", ".join(p.name for p in saved)
        status = (
            f"Added {names}: {report.new if report else 0} new, {report.changed if report else 0} changed, "
            f"{report.unchanged if report else 0} unchanged. You can ask about it now."
        )
        if problems:
            gr.Warning(render.escape(" ".join(problems)))
            status += " Skipped: " + " ".join(problems)
        return render.escape(status), self.article_list(), None, gr.update(visible=False)  # banner: no longer empty


def _int(value, default: int = -1) -> int:
    """A span offset from the browser; anything odd means "no span". Example: None -> -1."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return default
