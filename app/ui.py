"""The Gradio chat page: cited answers, a source viewer, the article list, uploads, feedback.

`build_demo(qa, uploads_dir, feedback_path)` returns the Blocks app; `launch` starts
it with the page's CSS and limits. Only this module imports gradio. HTML comes from
`app.render`, which escapes every untrusted string. Answering, retrieval and ingest
live elsewhere; this module wires them to components and turns their errors into
readable messages.

How citations travel: an assistant message's content is [answer part, sources part];
the sources part carries the citations as JSON (`render.read_payload`), so they
survive re-renders, the browser-saved chat and the history sent back to the server.
The `/chat` API endpoint returns that same message plus the answer's structured
fields (`answer`, `citations`, `abstained`, `notices`, ...).
"""

import json
import re
import threading
import time
import unicodedata
from collections.abc import Iterator, Sequence
from pathlib import Path

import gradio as gr

from app import render
from app.answer import Answer
from app.qa import QA, QuestionError
from ingest.load import SUPPORTED_SUFFIXES
from ingest.pipeline import IngestError, ingest
from store.chroma import StoreError

EXAMPLES = (
    "How much grant money did Xi promise?",
    "Where was the second China–Central Asia summit held?",
    "Who wrote the article about the second regional summit?",
)
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
EMPTY_STORE = "No articles yet. Add some in the Articles tab, or run: citeqa ingest data/articles"
# Answers from the page and from `/chat` share one pool (concurrency_id "answer") of this size.
# Answering is CPU-bound on 2 cores (query embedding, sentence scoring): 4 workers let a quick
# question overtake a slow (generative, streaming) one without oversubscribing the cores.
CONCURRENCY = 4

# Registered once on `document` (guarded against re-mounts): a link to "#citeqa-open/ID/START/END"
# -- a [n] badge, a source title, an article row -- or a click anywhere on a source card opens
# that article in the viewers, evidence marked. Links, not data-* attributes: the chat sanitizer
# keeps href and strips data-*.
_BRIDGE_JS = """
if (window.__citeqaOpen) document.removeEventListener('click', window.__citeqaOpen, true);
window.__citeqaOpen = (event) => {
  const selector = 'a[href^="#citeqa-open/"]';
  let link = event.target.closest(selector);
  if (!link) { const card = event.target.closest('.citeqa-source'); link = card && card.querySelector(selector); }
  if (!link) return;
  event.preventDefault();
  event.stopPropagation();
  const [id, start, end] = link.getAttribute('href').slice('#citeqa-open/'.length).split('/');
  trigger('click', {article_id: decodeURIComponent(id), start: parseInt(start), end: parseInt(end)});
};
document.addEventListener('click', window.__citeqaOpen, true);
"""
_SCROLL_TO_MARK_JS = """
watch('value', () => { const m = element.querySelector('mark'); if (m) m.scrollIntoView({block: 'center'}); });
"""


# -- chat -------------------------------------------------------------------------------


def _parts(message: dict) -> list[str]:
    """The text parts of a chat message as Gradio hands it back (a str, or a list of str / {"text": ...})."""
    content = message.get("content")
    items = content if isinstance(content, list) else [content]
    texts = [item.get("text") if isinstance(item, dict) else item for item in items]
    return [text for text in texts if isinstance(text, str)]  # a client may send any JSON here


def _payload(message: dict) -> dict:
    """The citations JSON a rendered answer carries ({} for questions, abstentions, partial answers)."""
    return next((p for p in map(render.read_payload, _parts(message)) if p is not None), {})


def _text(message: dict) -> str:
    """The plain text of a rendered chat message: the answer itself, without its sources."""
    parts = _parts(message)
    answer = _payload(message).get("answer")
    return answer if isinstance(answer, str) and answer else (render.plain_text(parts[0]) if parts else "")


def qa_history(messages: Sequence[dict]) -> list[dict]:
    """Rendered chat messages -> OpenAI-style {"role", "content": plain text} for follow-ups."""
    return [
        {"role": m["role"], "content": _text(m)} for m in messages if isinstance(m, dict) and m.get("role") in ("user", "assistant")
    ]


def assistant_message(answer: Answer, show_uncited: bool = False) -> dict:
    """The chat message for a final answer: [answer part, sources part] (no sources part on abstention)."""
    content = [render.answer_html(answer.text, answer.citations, answer.notices)]
    if sources := render.sources_html(answer, show_uncited):
        content.append(sources)
    return {"role": "assistant", "content": content}


class Page:
    """The handlers behind the page, bound to one QA object and its folders."""

    def __init__(self, qa: QA, uploads_dir: Path, feedback_path: Path, max_upload_bytes: int = MAX_UPLOAD_BYTES):
        self.qa = qa
        self.uploads_dir = Path(uploads_dir)
        self.feedback_path = Path(feedback_path)
        self.max_upload_bytes = max_upload_bytes
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
        return "", [*history, {"role": "user", "content": render.question_html(message)}], message

    def answer(self, question: str, history: list[dict], k: int, mode: str, show_uncited: bool) -> Iterator[list[dict]]:
        """Stream the answer into the chat; the final message carries its citations."""
        if not question:
            yield history
            return
        before = qa_history(history[:-1])
        try:
            self._check_not_empty()  # said in the chat, like any other unanswerable question
            for item in self.qa.stream(question, history=before, k=int(k), mode=mode):
                if isinstance(item, Answer):
                    yield [*history, assistant_message(item, show_uncited)]
                else:
                    yield [*history, {"role": "assistant", "content": [render.answer_html(item, final=False)]}]
        except QuestionError as err:
            yield [*history, {"role": "assistant", "content": [render.answer_html(str(err))]}]
        except StoreError as err:
            raise gr.Error(str(err))

    def api_chat(self, message: str, history: list | None, k: int, mode: str, show_uncited: bool) -> dict:
        """The `/chat` endpoint: the assistant message plus the answer's structured fields."""
        try:
            self._check_not_empty()
            answer = self.qa.ask(message or "", history=qa_history(history or []), k=int(k), mode=mode)
        except (QuestionError, StoreError) as err:
            raise gr.Error(str(err))
        return {**assistant_message(answer, show_uncited), **answer.as_dict()}

    def feedback(self, history: list[dict], data: gr.LikeData) -> None:
        """Append one thumbs up/down, with its question, answer and citations, to the JSONL file."""
        index = data.index[0] if isinstance(data.index, (list, tuple)) else data.index
        if not isinstance(index, int) or not 0 <= index < len(history):
            return
        message = history[index]
        row = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "question": next((_text(m) for m in reversed(history[:index]) if m.get("role") == "user"), ""),
            "answer": _text(message),
            "citations": _payload(message).get("citations", []),
            "liked": data.liked if isinstance(data.liked, bool) else str(data.liked),
        }
        self.feedback_path.parent.mkdir(parents=True, exist_ok=True)
        with self._feedback_lock, self.feedback_path.open("a", encoding="utf-8") as out:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
        gr.Info("Thanks, feedback saved." if data.liked else "Thanks, noted.", duration=2)

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
            raise gr.Error(render.escape(" ".join(problems)))  # gr.Error renders HTML; file names are the user's
        with self._ingest_lock:
            report = None
            try:
                for step in ingest(saved, self.qa.store, self.qa.embedder, prune=False):
                    progress((step.done, max(step.total, 1)), desc=f"Embedding {step.message}")
                    report = step.report
            except (IngestError, StoreError) as err:
                raise gr.Error(str(err))
        problems += report.skipped if report else []
        names = ", ".join(p.name for p in saved)
        status = f"Added {names}: {report.new if report else 0} new, {report.changed if report else 0} changed, {report.unchanged if report else 0} unchanged. You can ask about it now."
        if problems:
            gr.Warning(render.escape(" ".join(problems)))
            status += " Skipped: " + " ".join(problems)
        return render.escape(status), self.article_list(), None, gr.update(visible=False)  # banner: no longer empty


# -- uploads ----------------------------------------------------------------------------


class UploadError(ValueError):
    """An uploaded file was refused (type, size, name)."""


def safe_name(name: str) -> str:
    """A harmless basename for an uploaded file. Example: "../../etc/pass wd.TXT" -> "pass_wd.txt"."""
    base = re.split(r"[\\/]", unicodedata.normalize("NFKC", name))[-1]
    stem, dot, suffix = base.rpartition(".")
    if not dot:
        stem, suffix = suffix, ""
    stem = re.sub(r"[^\w-]+", "_", stem).strip("_-")[:80]  # letters of any script; no dots, slashes, spaces
    suffix = suffix.lower()
    if f".{suffix}" not in SUPPORTED_SUFFIXES:
        shown = "".join(ch if ch.isprintable() else "?" for ch in base)[:120]  # one line, whatever the name held
        raise UploadError(f"{shown}: only {', '.join(sorted(SUPPORTED_SUFFIXES))} files can be added.")
    return f"{stem or 'upload'}.{suffix}"


def save_upload(path: Path, uploads_dir: Path, max_bytes: int = MAX_UPLOAD_BYTES) -> Path:
    """Copy one uploaded temp file to `uploads_dir` under a safe name; refuse oversized files."""
    size = path.stat().st_size
    if size > max_bytes:
        raise UploadError(f"{path.name} is {size / 1e6:.1f} MB; files up to {max_bytes / 1e6:.0f} MB can be added.")
    if size == 0:
        raise UploadError(f"{path.name} is empty.")
    uploads_dir.mkdir(parents=True, exist_ok=True)
    target = (uploads_dir / safe_name(path.name)).resolve()
    if target.parent != uploads_dir.resolve():  # cannot happen after safe_name; kept as a last guard
        raise UploadError(f"{path.name}: refused file name.")
    target.write_bytes(path.read_bytes())
    return target


# -- the page ---------------------------------------------------------------------------


def build_demo(
    qa: QA,
    uploads_dir: str | Path,
    feedback_path: str | Path,
    *,
    notice: str | None = None,
    max_upload_bytes: int = MAX_UPLOAD_BYTES,
    concurrency: int = CONCURRENCY,
) -> gr.Blocks:
    """The whole page. `notice` is shown in a banner (e.g. "the store is empty")."""
    page = Page(qa, Path(uploads_dir), Path(feedback_path), max_upload_bytes)
    modes = ["extractive"] + (["generative"] if qa.generative_available else [])
    with gr.Blocks(title="citeqa", fill_height=False) as demo:
        bridge = gr.HTML("", js_on_load=_BRIDGE_JS, elem_id="citeqa-bridge", visible="hidden")  # in the DOM, unseen
        gr.Markdown("## citeqa · answers cited from your articles")
        banner = gr.Markdown(render.escape(notice or ""), visible=bool(notice), elem_id="citeqa-banner")
        with gr.Tabs():
            with gr.Tab("Chat", id="chat"):
                with gr.Row(equal_height=False):
                    with gr.Column(scale=3):
                        chatbot = gr.Chatbot(
                            elem_id="citeqa-chat",
                            height=640,
                            sanitize_html=True,  # defence in depth: everything is escaped before it gets here
                            latex_delimiters=[],
                            examples=[{"text": q} for q in EXAMPLES],
                            placeholder="Ask about the articles. Every claim cites its source; click a [n] to read it.",
                            feedback_options=("Like", "Dislike"),
                            buttons=[],  # Gradio's copy buttons would copy a message's HTML source, not its text
                        )
                        box = gr.Textbox(
                            label="Question",
                            placeholder="Ask a question…",
                            show_label=False,
                            submit_btn=True,
                            elem_id="citeqa-question",
                        )
                        with gr.Accordion("Settings", open=False):
                            k = gr.Slider(1, 20, value=qa_k(qa), step=1, label="Passages to read (k)")
                            mode = gr.Radio(
                                modes,
                                value=qa.settings.mode if qa.settings.mode in modes else "extractive",
                                label="Answer mode",
                                info=None if qa.generative_available else "generative: configure an OpenAI-compatible endpoint",
                            )
                            show_uncited = gr.Checkbox(False, label="Show retrieved passages that were not cited")
                    with gr.Column(scale=2):
                        chat_viewer = gr.HTML(
                            '<div class="citeqa-empty">Click a [n] marker or a source to read the article here.</div>',
                            js_on_load=_SCROLL_TO_MARK_JS,
                            max_height=640,
                            elem_id="citeqa-viewer",
                        )
            with gr.Tab("Articles", id="articles"):
                with gr.Row(equal_height=False):
                    with gr.Column(scale=3):
                        search = gr.Textbox(
                            label="Filter",
                            placeholder="Filter by title, author, date or id…",
                            show_label=False,
                            elem_id="citeqa-filter",
                        )
                        listing = gr.HTML(page.article_list(), js_on_load=None, elem_id="citeqa-article-list")
                        upload = gr.File(
                            label="Add articles (.txt .md .html .pdf, up to 10 MB each)",
                            file_count="multiple",
                            file_types=sorted(SUPPORTED_SUFFIXES),
                            type="filepath",
                            elem_id="citeqa-upload",
                        )
                        upload_status = gr.Markdown(elem_id="citeqa-upload-status")
                    with gr.Column(scale=3):
                        article_viewer = gr.HTML(
                            '<div class="citeqa-empty">Click an article to read it.</div>',
                            js_on_load=_SCROLL_TO_MARK_JS,
                            max_height=640,
                            elem_id="citeqa-article-viewer",
                        )
        pending = gr.State("")
        saved = gr.BrowserState([], storage_key="citeqa-chat")

        settings = [k, mode, show_uncited]
        # Queued (for its warning toast) but unlimited: showing the question never waits behind answers.
        show = dict(fn=page.add_question, inputs=[box, chatbot], outputs=[box, chatbot, pending], concurrency_limit=None)
        asked = box.submit(**show, api_visibility="private")
        picked = chatbot.example_select(_example_text, None, box, queue=False, api_visibility="private").then(
            **show, api_visibility="private"
        )
        for event in (asked, picked):
            event.then(
                page.answer, [pending, chatbot, *settings], chatbot, concurrency_id="answer", api_visibility="private"
            ).then(
                lambda h: h, chatbot, saved, queue=False, api_visibility="private"
            )
        chatbot.clear(lambda: [], None, saved, queue=False, api_visibility="private")
        chatbot.like(page.feedback, chatbot, None, api_visibility="private")
        demo.load(lambda h: h or [], saved, chatbot, queue=False, api_visibility="private")

        # The API: a hidden trigger so `/chat` takes (message, history, k, mode, show_uncited).
        api_message = gr.Textbox(label="message", visible=False)
        api_history = gr.JSON([], label="history", visible=False)
        api_out = gr.JSON(label="answer", visible=False)
        gr.Button(visible=False).click(
            page.api_chat, [api_message, api_history, *settings], api_out, api_name="chat", concurrency_id="answer",
            api_description="Answer a question; returns the message with its [n] markers and citations.",
        )

        bridge.click(page.open_article, None, [chat_viewer, article_viewer], api_visibility="private")
        search.change(page.article_list, search, listing, queue=False, api_visibility="private")
        upload.upload(
            page.upload, upload, [upload_status, listing, upload, banner], concurrency_limit=1, api_visibility="private"
        )
    demo.queue(default_concurrency_limit=concurrency, max_size=64)
    return demo


def _int(value, default: int = -1) -> int:
    """A span offset from the browser; anything odd means "no span". Example: None -> -1."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _example_text(data: gr.SelectData) -> str:
    value = data.value
    return value.get("text", "") if isinstance(value, dict) else str(value)


def qa_k(qa: QA) -> int:
    """The number of passages the QA reads by default."""
    return int(qa.settings.retrieval.k)


def launch(demo: gr.Blocks, host: str, port: int, auth: tuple[str, str] | None = None, **kwargs) -> None:
    """Start the server (blocking unless prevent_thread_lock=True is passed)."""
    demo.launch(
        server_name=host,
        server_port=port,
        auth=auth,
        css=render.PAGE_CSS,
        max_file_size=MAX_UPLOAD_BYTES,
        show_error=True,
        ssr_mode=False,  # no Node server: nothing to gain for this page
        quiet=True,
        footer_links=["api"],
        **kwargs,
    )
