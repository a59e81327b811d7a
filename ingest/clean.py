"""Text cleaning: paragraphs from raw text, markdown syntax removal, page furniture removal.

The body text is quoted as evidence, so everything kept stays verbatim: quotes, dashes
and spacing inside a line are never touched. Output convention: one paragraph per
string; `join_paragraphs` puts exactly one blank line ("\\n\\n") between paragraphs.

Furniture removal is conservative and evidence-gated: headline-like link lines are
dropped only when the page shows a related-links template (several such lines in
the header block, or a marker such as "discover more stories from"). Author bios and
reader comments are left in. Not here: metadata detection (metadata.py), file formats
(load.py).
"""

from __future__ import annotations

import re

from citeqa.ingest.metadata import Metadata

MARKERS = frozenset({
    "no comments", "post a comment", "related posts", "related articles", "related stories",
    "recent articles", "recent posts", "discover more stories from", "read more", "share this",
    "share this article", "advertisement", "leave a reply", "leave a comment",
})
MAX_HEADER = 30  # a page header longer than this is not a header: skip the link rules
_TERMINAL = ".!?…:;"
_CLOSERS = "\"'”’»)]"
_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff"  # zero-width characters str.strip() keeps


def split_paragraphs(text: str, unwrap: bool = True) -> list[str]:
    """Raw text -> non-empty stripped lines, one per paragraph.

    With `unwrap`, a line that continues in lowercase on the very next line (no blank
    line between) is joined to it with a space, undoing hard wrapping.
    Example: "It was\\nlate.\\n\\nNext" -> ["It was late.", "Next"]
    """
    out: list[str] = []
    glued = False  # previous raw line was non-blank, so the next may continue it
    for raw in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = raw.strip().strip(_INVISIBLE).strip()  # NBSP-only lines vanish here too
        if not line:
            glued = False
            continue
        if unwrap and glued and out and _continues(out[-1], line):
            out[-1] = f"{out[-1]} {line}"
        else:
            out.append(line)
        glued = True
    return out


def _continues(prev: str, line: str) -> bool:
    return line[0].islower() and not ends_sentence(prev) and not is_marker(line)


def ends_sentence(line: str) -> bool:
    """True when the line ends like prose. Example: 'years.”' -> True, "Trump" -> False."""
    return line.rstrip(_CLOSERS)[-1:] in tuple(_TERMINAL)


def is_marker(line: str) -> bool:
    """Whole-line page furniture such as "No comments:" or "Related Posts"."""
    return line.lower().rstrip(" :.").strip() in MARKERS


def is_headline_like(line: str, min_words: int = 2) -> bool:
    """A short capitalised line with no sentence end: a heading or a link to another story."""
    words = line.split()
    return (
        min_words <= len(words) <= 18
        and not ends_sentence(line)
        and line[-1] not in ","
        and (line[0].isupper() or line[0].isdigit() or line[0] in "‘“'\"")
        and "Photo:" not in line  # captions stay
    )


def _is_prose(line: str) -> bool:
    return ends_sentence(line) and len(line.split()) >= 8


def remove_furniture(
    paragraphs: list[str], meta: Metadata, headings: frozenset[int] = frozenset()
) -> list[str]:
    """Drop the title, byline/date lines, markers, repeated headlines and related-story links.

    `headings` are paragraphs known to be section headings (markdown): never taken for links.
    """
    drop = set(meta.meta_indices)
    if meta.title_index is not None:
        drop.add(meta.title_index)
    author = (meta.author or "").casefold()
    for i, para in enumerate(paragraphs):
        if is_marker(para) or (author and para.casefold() == author):
            drop.add(i)

    prose = (i for i, p in enumerate(paragraphs) if i not in drop and _is_prose(p))
    body_start = next(prose, None)
    if body_start is None or body_start > MAX_HEADER:
        # No prose to anchor on (notes, lists, poems): headline-like lines may be the content.
        return [p for i, p in enumerate(paragraphs) if i not in drop]
    header = [i for i in range(body_start) if i not in drop]
    has_marker = any(is_marker(p) for p in paragraphs[:body_start])
    subtitle_seen = False
    links: list[int] = []
    for i in header:
        para = paragraphs[i]
        if para == meta.title:
            drop.add(i)  # the headline repeated by the page template
        elif meta.subtitle and para == meta.subtitle:
            if subtitle_seen:
                drop.add(i)
            subtitle_seen = True
        elif not subtitle_seen and not links and is_headline_like(para):
            subtitle_seen = True  # the line right under the title is its subtitle: keep
        elif is_headline_like(para) and i not in headings:
            links.append(i)
    templated = len(links) >= 2 or (bool(links) and has_marker)
    if templated:
        drop.update(links)
        # Same template inlines "read this too" headlines between body paragraphs.
        drop.update(
            i for i in range(body_start, len(paragraphs))
            if i not in drop and i not in headings and is_headline_like(paragraphs[i], min_words=6)
        )
    return [p for i, p in enumerate(paragraphs) if i not in drop]


def reflow(lines: list[str]) -> list[str]:
    """Join PDF layout lines into paragraphs.

    A line as wide as the page that does not end a sentence, or a next line that starts
    in lowercase, continues the paragraph.
    Example: ["A long line that", "wraps.", "Next"] -> ["A long line that wraps.", "Next"]
    """
    width = sorted(len(line) for line in lines)[int(len(lines) * 0.9)] if lines else 0
    out: list[str] = []
    last = ""  # the previous layout line, not the paragraph built so far
    for line in lines:
        if out and not ends_sentence(last) and (line[0].islower() or len(last) >= 0.7 * width):
            # "well-" + "known" keeps its hyphen; a plain wrap gets its space back
            out[-1] += line if last.endswith("-") and line[0].islower() else f" {line}"
        else:
            out.append(line)
        last = line
    return out


def join_paragraphs(paragraphs: list[str]) -> str:
    """Paragraphs -> body text with one blank line between them."""
    return "\n\n".join(paragraphs)


# --- markdown -------------------------------------------------------------------------

_FENCE = re.compile(r"^(```|~~~)")
_ATX = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_SETEXT = re.compile(r"^(=+|-+)\s*$")
_RULE = re.compile(r"^(?:[-*_]\s*){3,}$")
_LIST = re.compile(r"^\s*(?:[-*+]|\d{1,3}[.)])\s+")
_REF_DEF = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*\S+")
_TABLE_RULE = re.compile(r"^\|?\s*:?-+:?\s*(?:\|\s*:?-+:?\s*)+\|?$")
_INLINE = (
    (re.compile(r"!\[[^\]]*\]\([^)]*\)"), ""),  # images carry no article text
    (re.compile(r"\[([^\]]+)\]\([^)]*\)"), r"\1"),
    (re.compile(r"\[([^\]]+)\]\[[^\]]*\]"), r"\1"),
    (re.compile(r"<(https?://[^>\s]+)>"), r"\1"),
    (re.compile(r"</?[A-Za-z][^>]*>"), ""),
    (re.compile(r"`([^`]+)`"), r"\1"),
    (re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1"), r"\2"),
    (re.compile(r"(?<![\w*])\*(?=\S)(.+?)(?<=\S)\*(?![\w*])"), r"\1"),
    (re.compile(r"(?<!\w)_(?=\S)(.+?)(?<=\S)_(?!\w)"), r"\1"),  # not inside snake_case
    (re.compile(r"~~(.+?)~~"), r"\1"),
    (re.compile(r"\\([\\`*_{}\[\]()#+\-.!|>])"), r"\1"),
)


def strip_inline_markdown(text: str) -> str:
    """Example: "**Bold** [link](http://x) `code`" -> "Bold link code"."""
    for pattern, repl in _INLINE:
        text = pattern.sub(repl, text)
    return text


def strip_markdown(text: str) -> tuple[list[str], dict[int, int]]:
    """Markdown -> (paragraphs, {paragraph index: heading level} for the headings).

    Soft-wrapped lines of one paragraph are joined with a space; headings, list items
    and table rows become paragraphs of their own; code blocks keep their lines.
    """
    paras: list[str] = []
    current: list[str] = []
    headings: dict[int, int] = {}
    in_code = False

    def flush() -> None:
        para = strip_inline_markdown(" ".join(current)).strip()
        if para:
            paras.append(para)
        current.clear()

    for line in text.replace("\r\n", "\n").split("\n"):
        if _FENCE.match(line.strip()):
            flush()
            in_code = not in_code
            continue
        if in_code:
            if line.strip():
                paras.append(line.rstrip())
            continue
        stripped = re.sub(r"^(?:\s*>)+\s?", "", line).strip()
        if (m := _ATX.match(stripped)) and strip_inline_markdown(m[2]).strip():
            flush()
            headings[len(paras)] = len(m[1])
            paras.append(strip_inline_markdown(m[2]).strip())
        elif _SETEXT.match(stripped) and len(current) == 1:
            headings[len(paras)] = 1 if stripped[0] == "=" else 2
            flush()
        elif not stripped or any(rx.match(stripped) for rx in (_RULE, _REF_DEF, _TABLE_RULE)):
            flush()
        elif _LIST.match(line) or stripped.startswith("|"):
            flush()
            current.append(_LIST.sub("", stripped).strip("| "))
        else:
            current.append(stripped)
    flush()
    return paras, headings
