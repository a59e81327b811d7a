"""The chat page (app/web) end to end in headless Chromium (Debian's), driven by Playwright.

One page session walks through what a user does: ask, read the sources, open the
cited article, ask a follow-up, ask something the articles do not cover, upload a
new article and ask about it, open a hostile article, give feedback. No alert
dialog may fire at any point. A screenshot of the first answer goes to tests/output/.
"""

import json
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
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


@contextmanager
def chromium_page() -> Iterator[Page]:
    """A fresh page in headless Chromium (Debian's), closed afterwards; fails the test when Chromium is missing."""
    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium is missing: apt-get install -y chromium chromium-driver (make browser)")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser.new_page(viewport={"width": 1400, "height": 1000})
        browser.close()


@pytest.fixture(scope="module")
def page(ui_server):
    with chromium_page() as page:
        page.dialogs = []
        page.on("dialog", lambda dialog: (page.dialogs.append(dialog.message), dialog.dismiss()))
        page.goto(ui_server.url)
        page.locator("#citeqa-question textarea").wait_for(timeout=ANSWER_SECONDS)
        yield page


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
