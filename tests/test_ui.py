"""The chat page end to end in headless Chromium (Debian's), driven by Playwright.

One page session walks through what a user does: ask, read the sources, open the
cited article, ask a follow-up, ask something the articles do not cover, upload a
new article and ask about it, open a hostile article, give feedback. No alert
dialog may fire at any point. A screenshot of the first answer goes to tests/output/.
"""

import json
import re
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect, sync_playwright

OUTPUT = Path(__file__).parent / "output"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]
ANSWER_SECONDS = 30_000  # ms; an answer takes well under a second, the first page load a little more
ZORBLAT = (
    "Zorblat bridge opens to traffic\n"
    "The Zorblat bridge over the Quillon estuary opened to traffic on 4 March 2031, after six years of construction.\n"
    "The bridge is 2.4 kilometres long and carries four lanes of traffic and a tram line.\n"
)


@pytest.fixture(scope="module")
def page(ui_server):
    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium is missing: apt-get install -y chromium chromium-driver (make browser)")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.dialogs = []
        page.on("dialog", lambda dialog: (page.dialogs.append(dialog.message), dialog.dismiss()))
        page.goto(ui_server.url)
        page.locator("#citeqa-question textarea").wait_for(timeout=ANSWER_SECONDS)
        yield page
        browser.close()


def ask(page: Page, question: str):
    """Type a question, wait for the final (not streaming) answer, return its bot message."""
    finals = page.locator(".message-row.bot-row:has(.citeqa-final)")  # one row per message, all its parts
    before = finals.count()
    box = page.locator("#citeqa-question textarea")
    box.fill(question)
    box.press("Enter")
    expect(finals).to_have_count(before + 1, timeout=ANSWER_SECONDS)
    return finals.nth(before)


def test_chat_page_end_to_end(page, ui_server, tmp_path):
    # 1. A cited answer: [1] badge, the cited article's title, the evidence highlighted.
    first = ask(page, "How much grant money did Xi promise?")
    expect(first.locator(".citeqa-answer")).to_contain_text("1.5 billion yuan")
    expect(first.locator("a.citeqa-badge").first).to_have_text("[1]")
    source = first.locator(".citeqa-source").first
    expect(source.locator(".citeqa-source-title")).to_contain_text(re.compile(r"\w{4,}"))
    expect(source.locator(".citeqa-meta code")).to_have_text(re.compile(r"\d{3}_[0-9a-f]{16}"))
    expect(source.locator("mark").first).to_contain_text("1.5 billion yuan")
    OUTPUT.mkdir(exist_ok=True)
    first.evaluate("row => row.scrollIntoView({block: 'start'})")  # the question's answer, not just its tail
    page.screenshot(path=str(OUTPUT / "first_answer.png"), full_page=True)

    # 2. Clicking the marker opens the article beside the chat, evidence marked.
    title = source.locator(".citeqa-source-title a").inner_text()
    first.locator("a.citeqa-badge").first.click()
    viewer = page.locator("#citeqa-viewer")
    expect(viewer.locator("h3")).to_have_text(title, timeout=ANSWER_SECONDS)
    expect(viewer.locator("mark")).to_contain_text("1.5 billion yuan")

    # 3. A follow-up is understood in context.
    follow_up = ask(page, "And how many training places?")
    expect(follow_up.locator(".citeqa-answer")).to_contain_text("3,000")

    # 4. Not in the articles: a plain answer, no sources. The question itself is shown as text.
    hostile_question = "What is the capital of Brazil? <img src=x onerror=alert(1)>"
    nothing = ask(page, hostile_question)
    expect(nothing.locator(".citeqa-source")).to_have_count(0)
    expect(nothing.locator(".citeqa-sources")).to_have_count(0)
    expect(page.locator('[data-testid="user"]').last).to_contain_text("<img src=x onerror=alert(1)>")

    # 5. Feedback: thumbs up on the first answer lands in the store's JSONL file.
    page.get_by_role("button", name="Like", exact=True).first.click()
    feedback = ui_server.store / "feedback.jsonl"
    expect(page.get_by_text("Thanks, feedback saved.")).to_be_visible(timeout=10_000)
    assert feedback.exists()
    row = json.loads(feedback.read_text(encoding="utf-8").splitlines()[-1])
    assert row["liked"] is True and "grant money" in row["question"] and row["citations"][0]["article_id"]

    # 6. Upload a new article from the page; questions then cover it.
    upload = tmp_path / "zorblat bridge (draft).txt"
    upload.write_text(ZORBLAT, encoding="utf-8")
    page.get_by_role("tab", name="Articles").click()
    page.locator("#citeqa-upload input[type=file]").set_input_files(str(upload))
    expect(page.locator("#citeqa-upload-status")).to_contain_text("Added zorblat_bridge_draft.txt", timeout=60_000)
    expect(page.locator("#citeqa-article-list")).to_contain_text("Zorblat bridge opens to traffic")
    assert (ui_server.store / "uploads" / "zorblat_bridge_draft.txt").exists()
    page.get_by_role("tab", name="Chat").click()
    bridge = ask(page, "When did the Zorblat bridge open to traffic?")
    expect(bridge.locator(".citeqa-answer")).to_contain_text("2031")
    expect(bridge.locator(".citeqa-source-title")).to_contain_text("Zorblat bridge opens to traffic")

    # 7. The hostile article: found by the filter, shown as inert text.
    page.get_by_role("tab", name="Articles").click()
    page.locator("#citeqa-filter textarea, #citeqa-filter input").first.fill("hostile")
    listing = page.locator("#citeqa-article-list")
    expect(listing.locator(".citeqa-count")).to_contain_text("1 of 7 articles")
    listing.locator("a").first.click()
    article = page.locator("#citeqa-article-viewer .citeqa-article")
    expect(article.locator("h3")).to_have_text("Hostile <script>alert(1)</script> title", timeout=ANSWER_SECONDS)
    expect(article).to_contain_text("<img src=x onerror=alert(1)> must show as text")
    expect(article).to_contain_text("{{7*7}} ${7*7} [x](javascript:alert(1))")
    assert page.locator("img[src=x], #citeqa-article-viewer script").count() == 0
    page.wait_for_timeout(500)  # give any injected handler the chance to fire
    assert page.dialogs == []

    # 8. A reload restores the conversation from the browser, citations and all.
    page.reload()
    restored = page.locator(".message-row.bot-row:has(.citeqa-final)")
    expect(restored).to_have_count(4, timeout=ANSWER_SECONDS)
    expect(restored.first.locator(".citeqa-source mark").first).to_contain_text("1.5 billion yuan")
    restored.first.locator("a.citeqa-badge").first.click()
    expect(page.locator("#citeqa-viewer h3")).to_have_text(title, timeout=ANSWER_SECONDS)
    assert page.dialogs == []


def test_example_question_is_answered_with_one_click(page):
    page.locator("#citeqa-chat").get_by_role("button", name="Clear").click()  # examples show in an empty chat
    page.locator("#citeqa-chat button:has-text('Where was the second')").first.click()
    answer = page.locator(".message-row.bot-row:has(.citeqa-final)").last
    expect(answer.locator(".citeqa-answer")).to_contain_text("Astana", timeout=ANSWER_SECONDS)
    expect(answer.locator(".citeqa-source").first).to_be_visible()


# -- the pieces behind the page, without a browser ----------------------------------------

from app.answer import Answer, Citation, Evidence  # noqa: E402
from app.render import answer_html, article_html, escape, highlight, read_payload, sources_html  # noqa: E402
from app.ui import UploadError, qa_history, safe_name, save_upload  # noqa: E402
from store.records import ArticleRecord  # noqa: E402

HOSTILE = '<script>alert(1)</script><img src=x onerror=alert(1)> [a](javascript:x) {{7*7}} ${7*7} $$x$$'


def test_escape_leaves_no_markup_markdown_or_template_syntax():
    out = escape(HOSTILE)
    assert not set(out) & set("<>[]{}$`*_\"'")
    assert html_unescape(out) == HOSTILE


def html_unescape(text: str) -> str:
    import html

    return html.unescape(text)


def test_rendered_answer_and_sources_escape_article_text_and_round_trip_citations():
    text = "Intro. " + HOSTILE + " Tail."
    start = text.index("<script>")
    evidence = Evidence(HOSTILE, start, start + len(HOSTILE))
    citation = Citation(1, "999_xss", HOSTILE, HOSTILE, "2031", (evidence,), passage=text, passage_start=0)
    answer = Answer(text=f"{HOSTILE} [1]", citations=(citation,))
    rendered = answer_html(answer.text, answer.citations) + sources_html(answer)
    assert "<script" not in rendered and "<img" not in rendered and "{{" not in rendered
    assert 'href="#citeqa-open/999_xss/' in rendered and "<mark>" in rendered
    assert read_payload(rendered)["citations"][0]["evidence"] == [HOSTILE]
    assert sources_html(Answer(text="The articles don't say.", abstained=True)) == ""


def test_highlight_marks_exactly_the_span():
    assert highlight("ab cd", [(3, 5)]) == "ab <mark>cd</mark>"
    assert highlight("ab cd", [(5, 7)], offset=2) == "ab <mark>cd</mark>"  # spans in article coordinates


def test_article_view_marks_evidence_and_handles_missing_articles():
    record = ArticleRecord("a1", "T <b>", "h", author="A", date="2025-06-17")
    out = article_html(record, "First line.\nSecond <i>line</i>.", (12, 19))
    assert "<mark>Second </mark>" in out and "&lt;i&gt;" in out and "T &lt;b&gt;" in out
    assert "not in the store" in article_html(None, None)


def test_history_sent_to_qa_is_plain_text():
    answer = Answer(text="It was 1.5 billion yuan [1].", citations=(Citation(1, "a", "T", None, None, ()),))
    rendered = [
        {"role": "user", "content": [{"type": "text", "text": "<div class=\"citeqa-question\">How &amp; why?</div>"}]},
        {"role": "assistant", "content": [{"type": "text", "text": answer_html(answer.text, answer.citations)}, {"type": "text", "text": sources_html(answer)}]},
    ]
    assert qa_history(rendered) == [
        {"role": "user", "content": "How & why?"},
        {"role": "assistant", "content": "It was 1.5 billion yuan [1]."},
    ]


@pytest.mark.parametrize(
    "name, safe",
    [
        ("../../etc/passwd.txt", "passwd.txt"),
        ("/abs/path/Report 2031.PDF", "Report_2031.pdf"),
        ("..\\..\\win.md", "win.md"),
        ("<script>.html", "script.html"),
        ("....txt", "upload.txt"),
        ("ünïcode—name.txt", "ünïcode_name.txt"),
        ("a\x00b.txt", "a_b.txt"),
    ],
)
def test_upload_names_are_sanitized(name, safe):
    assert safe_name(name) == safe


def test_uploads_refuse_other_types_oversized_and_empty_files(tmp_path):
    with pytest.raises(UploadError, match="only .* files can be added"):
        safe_name("tool.exe")
    big = tmp_path / "big.txt"
    big.write_bytes(b"x" * 2048)
    with pytest.raises(UploadError, match="files up to"):
        save_upload(big, tmp_path / "uploads", max_bytes=1024)
    (tmp_path / "empty.txt").write_bytes(b"")
    with pytest.raises(UploadError, match="empty"):
        save_upload(tmp_path / "empty.txt", tmp_path / "uploads")
    saved = save_upload(big, tmp_path / "uploads", max_bytes=4096)
    assert saved == (tmp_path / "uploads" / "big.txt").resolve() and saved.read_bytes() == big.read_bytes()
