"""HTML for the chat page: answers with marker badges, source cards, article views.

Every piece of untrusted text (article text, titles, authors, questions, answer
text built from articles) goes through `escape`, which neutralises HTML *and*
the Markdown, LaTeX and template syntax that Gradio's renderers would otherwise
interpret. Elements that open an article are links to `#citeqa-open/ID/START/END`,
which the page's click bridge turns into "show this article, evidence marked".
This module holds no event logic, does not import gradio and knows nothing of the
chat-message format (`app.web.messages` assembles messages from these pieces).
"""

import re
from collections.abc import Iterable, Sequence
from urllib.parse import quote

from citeqa.app.answer import Answer, Citation
from citeqa.store.records import ArticleRecord, Hit

SOURCES_CLASS = "citeqa-sources"
OPEN_PREFIX = "citeqa-open/"
_MARKER = re.compile(r"\[(\d+)\]")
# Characters that Markdown, KaTeX ($$) or the HTML component's templates would act on.
_INERT = str.maketrans(
    {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#x27;"} | {c: f"&#{ord(c)};" for c in "[]*_`$\\{}~#|!"}
)  # one pass, so no entity is escaped twice
_CONTEXT_CHARS = 160  # passage text kept on each side of the evidence in a source card


def escape(text: str) -> str:
    """Text -> inert HTML. Example: "<b>[1]</b>" -> "&lt;b&gt;&#91;1&#93;&lt;/b&gt;"."""
    return text.translate(_INERT)


def _lines(text: str) -> str:
    """Escaped text with newlines as <br>, so a blank line cannot end an HTML block in Markdown."""
    return "<br>".join(escape(line) for line in text.split("\n"))


def _open_attrs(article_id: str, start: int = -1, end: int = -1) -> str:
    """An href the page's click bridge turns into "open this article at this span".

    A fragment link, because Gradio's chat sanitizer strips data-* attributes but keeps href.
    Example: ("a b", 3, 9) -> 'href="#citeqa-open/a%20b/3/9"'.
    """
    return f'href="#{OPEN_PREFIX}{quote(article_id, safe="")}/{start}/{end}"'


def _first_span(citation: Citation) -> tuple[int, int]:
    ev = citation.evidence[0] if citation.evidence else None
    return (ev.char_start, ev.char_end) if ev else (-1, -1)


def answer_html(text: str, citations: Sequence[Citation] = (), notices: Iterable[str] = (), final: bool = True) -> str:
    """The answer with each `[n]` as a clickable badge that opens the cited article at its evidence.

    `final=False` marks a partial, still-streaming answer (the final one has class citeqa-final).
    """
    by_marker = {c.marker: c for c in citations}
    parts: list[str] = []
    last = 0
    for match in _MARKER.finditer(text):
        parts.append(_lines(text[last : match.start()]))
        citation = by_marker.get(int(match.group(1)))
        if citation is None:
            parts.append(escape(match.group(0)))
        else:
            start, end = _first_span(citation)
            parts.append(
                f'<a class="citeqa-badge" title="{escape(citation.title)}" '
                f"{_open_attrs(citation.article_id, start, end)}>[{citation.marker}]</a>"
            )
        last = match.end()
    parts.append(_lines(text[last:]))
    notes = "".join(f'<div class="citeqa-notice">{escape(n)}</div>' for n in notices)
    state = "citeqa-final" if final else "citeqa-partial"
    return f'<div class="citeqa-answer {state}">{"".join(parts)}{notes}</div>'


def _window(passage: str, spans: Sequence[tuple[int, int]]) -> tuple[int, int]:
    """The slice of `passage` to show: the evidence plus some context, cut at spaces."""
    lo = max(0, min(a for a, _ in spans) - _CONTEXT_CHARS)
    hi = min(len(passage), max(b for _, b in spans) + _CONTEXT_CHARS)
    if lo > 0 and (space := passage.find(" ", lo)) != -1 and space < min(a for a, _ in spans):
        lo = space + 1
    if hi < len(passage) and (space := passage.rfind(" ", 0, hi)) > max(b for _, b in spans):
        hi = space
    return lo, hi


def highlight(text: str, spans: Sequence[tuple[int, int]], offset: int = 0) -> str:
    """Escaped `text` with the given article spans (shifted by `offset`) wrapped in <mark>.

    Example: highlight("ab cd", [(3, 5)]) -> "ab <mark>cd</mark>".
    """
    out: list[str] = []
    last = 0
    for a, b in sorted((max(a - offset, 0), min(b - offset, len(text))) for a, b in spans):
        if b <= a or a < last:
            continue
        out += [_lines(text[last:a]), f"<mark>{_lines(text[a:b])}</mark>"]
        last = b
    out.append(_lines(text[last:]))
    return "".join(out)


def _meta_line(author: str | None, date: str | None, article_id: str) -> str:
    bits = [escape(author) if author else "author unknown", escape(date) if date else "date unknown"]
    return " · ".join(bits) + f' · <code>{escape(article_id)}</code>'


def _evidence_html(citation: Citation) -> str:
    """The passage around the evidence with the evidence marked; bare quotes for evidence outside it."""
    passage, base = citation.passage, citation.passage_start
    inside = [
        (e.char_start - base, e.char_end - base)
        for e in citation.evidence
        if e.char_start >= base and e.char_end <= base + len(passage)
    ]
    outside = [e for e in citation.evidence if (e.char_start - base, e.char_end - base) not in inside]
    blocks = []
    if passage and inside:
        lo, hi = _window(passage, inside)
        body = highlight(_one_line(passage[lo:hi]), inside, lo)  # one paragraph: cards stay short
        blocks.append(f'<div class="citeqa-passage">{"… " if lo else ""}{body}{" …" if hi < len(passage) else ""}</div>')
    blocks += [f'<div class="citeqa-passage"><mark>{_lines(e.text)}</mark></div>' for e in outside]
    return "".join(blocks)


def sources_html(answer: Answer, show_uncited: bool = False, attributes: str = "") -> str:
    """The sources block of one answer ("" for an abstention); `attributes` go on its outer element."""
    if answer.abstained or not answer.citations:
        return _uncited_html(answer) if show_uncited else ""
    cards = []
    for c in answer.citations:
        start, end = _first_span(c)
        cards.append(
            f'<div class="citeqa-source">'
            f'<div class="citeqa-source-title"><span class="citeqa-num">{c.marker}</span> '
            f'<a {_open_attrs(c.article_id, start, end)}>{escape(c.title or c.article_id)}</a></div>'
            f'<div class="citeqa-meta">{_meta_line(c.author, c.date, c.article_id)}</div>'
            f"{_evidence_html(c)}</div>"
        )
    uncited = _uncited_html(answer) if show_uncited else ""
    return (
        f'<div class="{SOURCES_CLASS}"{" " + attributes if attributes else ""}>'
        f'<div class="citeqa-sources-head">Sources</div>{"".join(cards)}{uncited}</div>'
    )


def uncited_hits(answer: Answer) -> list[Hit]:
    """Retrieved chunks that hold none of the answer's evidence, best first."""
    spans = {(c.article_id, e.char_start) for c in answer.citations for e in c.evidence}
    return [
        h
        for h in answer.hits
        if not any(a == h.chunk.article_id and h.chunk.char_start <= s < h.chunk.char_end for a, s in spans)
    ]


def _uncited_html(answer: Answer) -> str:
    hits = uncited_hits(answer)
    if not hits:
        return ""
    rows = "".join(
        f'<div class="citeqa-uncited-hit">'
        f"<a {_open_attrs(h.chunk.article_id, h.chunk.char_start, h.chunk.char_end)}>{escape(h.chunk.title or h.chunk.article_id)}</a> "
        f'<span class="citeqa-meta">(score {h.fused:.3f})</span>'
        f'<div class="citeqa-passage">{_lines(_clip(_one_line(h.chunk.text)))}</div></div>'
        for h in hits
    )
    return f'<details class="citeqa-uncited"><summary>Retrieved but not cited ({len(hits)})</summary>{rows}</details>'


def _one_line(text: str) -> str:
    """Newlines as spaces (same length, so offsets still hold). Example: "a\\nb" -> "a b"."""
    return text.replace("\n", " ")


def _clip(text: str, limit: int = 400) -> str:
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0] + " …"


def question_html(question: str) -> str:
    """A user's question as inert text."""
    return f'<div class="citeqa-question">{_lines(question)}</div>'


def article_html(record: ArticleRecord | None, text: str | None, span: tuple[int, int] = (-1, -1)) -> str:
    """One article in full, metadata first, with an optional evidence span marked."""
    if record is None or text is None:
        return '<div class="citeqa-empty">This article is not in the store (it may have been removed).</div>'
    spans = [span] if 0 <= span[0] < span[1] <= len(text) else []
    paragraphs = "".join(f"<p>{highlight(p, spans, base)}</p>" for p, base in _paragraphs(text) if p.strip())
    source = f" · {escape(record.source)}" if record.source else ""
    return (
        f'<div class="citeqa-article"><h3>{escape(record.title or record.article_id)}</h3>'
        f'<div class="citeqa-meta">{_meta_line(record.author, record.date, record.article_id)}{source}</div>'
        f"{paragraphs}</div>"
    )


def _paragraphs(text: str) -> list[tuple[str, int]]:
    """(line, offset) pairs. Example: "a\\nbc" -> [("a", 0), ("bc", 2)]."""
    out, offset = [], 0
    for line in text.split("\n"):
        out.append((line, offset))
        offset += len(line) + 1
    return out


def article_list_html(records: Sequence[ArticleRecord], query: str = "") -> str:
    """A table of articles matching `query` (case-insensitive, over id, title, author, date)."""
    needle = query.strip().lower()
    shown = [
        r for r in records if not needle or needle in " ".join([r.article_id, r.title, r.author or "", r.date or ""]).lower()
    ]
    if not records:
        return '<div class="citeqa-empty">No articles yet. Upload some, or run: citeqa ingest data/articles</div>'
    if not shown:
        return f'<div class="citeqa-empty">No article matches “{escape(query)}”.</div>'
    rows = "".join(
        f'<tr class="citeqa-row"><td><a {_open_attrs(r.article_id)}>'
        f"{escape(r.title or r.article_id)}</a></td><td>{escape(r.author or '')}</td><td>{escape(r.date or '')}</td>"
        f"<td><code>{escape(r.article_id)}</code></td><td>{r.chunks}</td></tr>"
        for r in shown
    )
    return (
        f'<div class="citeqa-count">{len(shown)} of {len(records)} articles</div>'
        '<table class="citeqa-articles"><thead><tr><th>Title</th><th>Author</th><th>Date</th>'
        f"<th>Article id</th><th>Chunks</th></tr></thead><tbody>{rows}</tbody></table>"
    )


