"""app/web/render.py: HTML for answers, sources and articles, every untrusted string inert."""

import html

from citeqa.app.answer import Answer, Citation, Evidence
from citeqa.app.web.render import answer_html, article_html, escape, highlight, sources_html
from citeqa.store.records import ArticleRecord

HOSTILE = '<script>alert(1)</script><img src=x onerror=alert(1)> [a](javascript:x) {{7*7}} ${7*7} $$x$$'


def test_escape_leaves_no_markup_markdown_or_template_syntax():
    out = escape(HOSTILE)
    assert not set(out) & set("<>[]{}$`*_\"'")
    assert html.unescape(out) == HOSTILE


def test_rendered_answer_and_sources_escape_article_text():
    text = "Intro. " + HOSTILE + " Tail."
    start = text.index("<script>")
    evidence = Evidence(HOSTILE, start, start + len(HOSTILE))
    citation = Citation(1, "999_xss", HOSTILE, HOSTILE, "2031", (evidence,), passage=text, passage_start=0)
    answer = Answer(text=f"{HOSTILE} [1]", citations=(citation,))
    rendered = answer_html(answer.text, answer.citations) + sources_html(answer)
    assert "<script" not in rendered and "<img" not in rendered and "{{" not in rendered
    assert 'href="#citeqa-open/999_xss/' in rendered and "<mark>" in rendered
    assert sources_html(Answer(text="The articles don't say.", abstained=True)) == ""


def test_highlight_marks_exactly_the_span():
    assert highlight("ab cd", [(3, 5)]) == "ab <mark>cd</mark>"
    assert highlight("ab cd", [(5, 7)], offset=2) == "ab <mark>cd</mark>"  # spans in article coordinates


def test_article_view_marks_evidence_and_handles_missing_articles():
    record = ArticleRecord("a1", "T <b>", "h", author="A", date="2025-06-17")
    out = article_html(record, "First line.\nSecond <i>line</i>.", (12, 19))
    assert "<mark>Second </mark>" in out and "&lt;i&gt;" in out and "T &lt;b&gt;" in out
    assert "not in the store" in article_html(None, None)
