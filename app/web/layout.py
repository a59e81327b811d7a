"""The page's layout and wiring: which components there are and which handler each event calls.

`build_demo(qa, uploads_dir, feedback_path)` returns the Blocks app (`app.web.server`
starts it). The handlers live in `app.web.handlers`, HTML in `app.web.render`, the
chat-message format in `app.web.messages`. The `/chat` API endpoint returns an
assistant message plus the answer's structured fields (`answer`, `citations`,
`abstained`, `notices`, ...); it takes its inputs as raw JSON, checked by
`app.web.chat_request`; the settings' source picker and since/until boxes filter the articles answered from.
"""

from pathlib import Path

import gradio as gr

from citeqa.app.qa import QA
from citeqa.app.web import render
from citeqa.app.web.chat_request import MAX_K
from citeqa.app.web.handlers import Page
from citeqa.app.web.uploads import MAX_UPLOAD_BYTES
from citeqa.ingest.load import SUPPORTED_SUFFIXES

EXAMPLES = (
    "How much grant money did Xi promise?",
    "Where was the second China–Central Asia summit held?",
    "Who wrote the article about the second regional summit?",
)
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
                            k = gr.Slider(1, MAX_K, value=qa_k(qa), step=1, label="Passages to read (k)")
                            mode = gr.Radio(
                                page.modes,
                                value=qa.settings.mode if qa.settings.mode in page.modes else "extractive",
                                label="Answer mode",
                                info=None if qa.generative_available else "generative: configure an OpenAI-compatible endpoint",
                            )
                            show_uncited = gr.Checkbox(False, label="Show retrieved passages that were not cited")
                            source = gr.Dropdown(
                                [("Any outlet", "")] + [(name, name) for name in page.outlets()], value="",
                                label="Source", elem_id="citeqa-source",
                            )
                            with gr.Row():
                                since = gr.Textbox(label="Published since", placeholder="YYYY-MM-DD", elem_id="citeqa-since")
                                until = gr.Textbox(label="Published until", placeholder="YYYY-MM-DD", elem_id="citeqa-until")
                    with gr.Column(scale=2):
                        chat_viewer = _viewer("Click a [n] marker or a source to read the article here.", "citeqa-viewer")
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
                        article_viewer = _viewer("Click an article to read it.", "citeqa-article-viewer")
        pending = gr.State("")
        saved = gr.BrowserState([], storage_key="citeqa-chat")

        settings = [k, mode, show_uncited, source, since, until]
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
        demo.load(  # outlets added since the page was built (uploads, another ingest) show up on reload
            lambda: gr.Dropdown(choices=[("Any outlet", "")] + [(name, name) for name in page.outlets()]),
            None, source, queue=False, api_visibility="private",
        )

        # The API: hidden triggers so `/chat` takes (message, history, k, mode, show_uncited), and
        # `/chat_filtered` the same plus (source, since, until); a raw HTTP call must send every input.
        api_message = gr.Textbox(label="message", visible=False)
        api_history = gr.JSON([], label="history", visible=False)
        api_out = gr.JSON(label="answer", visible=False)
        for name, inputs, says in (
            ("chat", settings[:3], ""),
            ("chat_filtered", settings, " Only articles from `source` (an outlet) published from `since` to `until`."),
        ):
            gr.Button(visible=False).click(
                page.api_chat, [api_message, api_history, *inputs], api_out, api_name=name, concurrency_id="answer",
                preprocess=False,  # raw JSON in: `parse_chat_request` checks it, with messages that name the input
                api_description="Answer a question; returns the message with its [n] markers and citations." + says,
            )

        bridge.click(page.open_article, None, [chat_viewer, article_viewer], api_visibility="private")
        search.change(page.article_list, search, listing, queue=False, api_visibility="private")
        upload.upload(
            page.upload, upload, [upload_status, listing, upload, banner], concurrency_limit=1, api_visibility="private"
        )
    demo.queue(default_concurrency_limit=concurrency, max_size=64)
    return demo


def _viewer(hint: str, elem_id: str) -> gr.HTML:
    """An article viewer that scrolls to its marked evidence; `hint` shows until an article opens."""
    return gr.HTML(
        f'<div class="citeqa-empty">{render.escape(hint)}</div>', js_on_load=_SCROLL_TO_MARK_JS, max_height=640, elem_id=elem_id
    )


def _example_text(data: gr.SelectData) -> str:
    value = data.value
    return value.get("text", "") if isinstance(value, dict) else str(value)


def qa_k(qa: QA) -> int:
    """The number of passages the QA reads by default."""
    return int(qa.settings.retrieval.k)
