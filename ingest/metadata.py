"""Article metadata from the text itself: title, author (byline or bio), date.

Works on a list of paragraphs (one string each) and is deliberately strict: a line
counts as a byline or date only when the WHOLE line is one ("Author: Nigel Li",
"06/25/2025", "Published: 10:04pm, 17 Jun 2025"), so a date inside a sentence never
becomes metadata. Also reads markdown front matter and `<stem>.meta.json` sidecars.

Not here: reading files or formats (load.py), deciding what to drop from the body
(clean.py; it uses `Metadata.meta_indices` to drop the lines consumed here).
"""

from __future__ import annotations

import calendar
import datetime as dt
import json
import re
from dataclasses import dataclass

from citeqa.errors import CiteqaError

HEAD_LINES = 20  # bylines and dates are only looked for this near the top
MAX_TITLE_WORDS = 25  # a longer first line is prose, not a headline
SIDECAR_KEYS = ("title", "author", "date", "source")
ROLE_WORDS = (
    "fellow", "reporter", "correspondent", "editor", "professor", "researcher",
    "analyst", "director", "writer", "journalist", "author", "columnist", "lecturer",
)
# Capitalised two-word phrases that begin a bio-like sentence but are not people.
_NOT_NAMES = {"the", "this", "that", "these", "those", "it", "he", "she", "they", "we", "our"}

_MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
_MONTHS.update({name.lower(): i for i, name in enumerate(calendar.month_abbr) if name})
_MONTHS["sept"] = 9
_MONTH = r"(?P<month>[A-Za-z]{3,9})\.?"
_DATE_FORMS = (
    re.compile(r"(?P<year>\d{4})-(?P<m>\d{1,2})-(?P<day>\d{1,2})"),
    re.compile(r"(?P<a>\d{1,2})(?P<sep>[/.])(?P<b>\d{1,2})(?P=sep)(?P<year>\d{4})"),
    re.compile(_MONTH + r"\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<year>\d{4})"),
    re.compile(r"(?P<day>\d{1,2})(?:st|nd|rd|th)?\s+" + _MONTH + r",?\s+(?P<year>\d{4})"),
)
_ISO = re.compile(r"(\d{4}-\d{2}-\d{2})(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?")
_WEEKDAY = re.compile(r"^(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s+", re.I)
_TIME = re.compile(  # "10:04pm," or "at 9:30 a.m. HKT"
    r"(?:\bat\s+)?\b\d{1,2}:\d{2}(?::\d{2})?\s*(?:[ap]\.?m\.?)?(?:\s+(?-i:[A-Z]{2,4})\b)?,?", re.I
)
_NAME_WORD = r"[^\W\d_][\w'’.\-]*"
_NAME = rf"{_NAME_WORD}(?:\s+{_NAME_WORD}){{1,3}}"
_AUTHOR_LINE = re.compile(
    rf"^(?:author|by|written by|words by)\s*[:\-–]?\s*(?P<name>{_NAME}(?:\s+and\s+{_NAME})?)$", re.I
)
_PUBLISHED_LINE = re.compile(r"^(?:published|posted|date)(?: on)?\s*:?\s*(?P<date>.+)$", re.I)
_UPDATED_LINE = re.compile(r"^(?:updated|last updated|modified)\s*:?\s*(?P<date>.+)$", re.I)
_NAME_PUBLISHED = re.compile(rf"^(?P<name>{_NAME})\s+(?:[-–—|]\s*)?published\s*:?\s*(?P<date>.+)$", re.I)
# "Headline - Alyssa Chen Published: 10:04pm, 17 Jun 2025 - Dek", as scraped from a page title.
_TITLE_BYLINE = re.compile(
    rf"^(?P<title>.+?)\s+[-–—|]\s+(?P<name>{_NAME})\s+Published\s*:?\s*(?P<date>.+?)"
    r"(?:\s+[-–—|]\s+(?P<dek>.+))?$"
)
_BIO = re.compile(rf"^(?P<name>{_NAME_WORD}(?:\s+{_NAME_WORD}){{1,2}})\s+(?:is|was)\s+(?P<rest>.*)$")


@dataclass(frozen=True)
class Metadata:
    """What the heuristics found, and which paragraphs they consumed."""

    title: str
    author: str | None = None
    date: str | None = None  # ISO YYYY-MM-DD
    subtitle: str | None = None  # dek cut from a combined title line; kept once in the body
    title_index: int | None = None  # paragraph that held the title (dropped from the body)
    meta_indices: frozenset[int] = frozenset()  # byline/date paragraphs (dropped from the body)


class MetadataError(CiteqaError, ValueError):
    """Explicit metadata (sidecar, front matter) is malformed."""


def parse_date(text: str) -> str | None:
    """Whole-string date -> ISO date, else None. Example: "10:04pm, 17 Jun 2025" -> "2025-06-17".

    Strict on purpose (a library's fuzzy parser reads "Article 1" as a date). Slash dates
    are month-first (US) unless the first number cannot be a month; dotted ones day-first.
    """
    if iso := _ISO.fullmatch(text.strip()):  # before time stripping eats "T10:04:00"
        text = iso[1]
    s = _WEEKDAY.sub("", _TIME.sub(" ", text).strip(" ,.-–—|")).strip(" ,.")
    s = re.sub(r"\s+", " ", s)
    for form in _DATE_FORMS:
        m = form.fullmatch(s)
        if not m:
            continue
        parts = m.groupdict()
        if parts.get("sep"):
            a, b = int(parts["a"]), int(parts["b"])
            month, day = (b, a) if parts["sep"] == "." or a > 12 else (a, b)
        elif parts.get("m"):
            month, day = int(parts["m"]), int(parts["day"])
        else:
            month, day = _MONTHS.get(parts["month"].lower(), 0), int(parts["day"])
        try:
            return dt.date(int(parts["year"]), month, day).isoformat()
        except ValueError:
            return None
    return None


def shorten(text: str, limit: int = 80) -> str:
    """Cut at a word boundary. Example: shorten("one two three", 8) -> "one two…"."""
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0].rstrip(" ,;:-–—") + "…"


def is_name(text: str) -> bool:
    """True for 2-4 capitalised words and nothing else. Example: "Alyssa Chen" -> True."""
    words = text.split()
    return (
        2 <= len(words) <= 4
        and re.fullmatch(_NAME, text) is not None
        and all(w[0].isupper() for w in words)
        and words[0].lower() not in _NOT_NAMES
    )


def bio_author(paragraphs: list[str]) -> str | None:
    """Name from an author bio among the last paragraphs, e.g. "Hao Nan is Nuclear Futures Fellow"."""
    for para in reversed(paragraphs[-3:]):
        m = _BIO.match(para)
        if not m or not is_name(m["name"]):
            continue
        head = m["rest"].lower().split()[:12]  # the role comes early in a bio sentence
        if any(w.strip("(),.;") in ROLE_WORDS or w.strip("(),.;")[:-1] in ROLE_WORDS for w in head):
            return m["name"]
    return None


def read_metadata(paragraphs: list[str], title_hint: str | None = None) -> Metadata:
    """Title, author and date of an article from its paragraphs (first is the top)."""
    meta_indices: set[int] = set()
    published = page_date = author = subtitle = None
    title_index: int | None = None
    title = title_hint

    for i, para in enumerate(paragraphs[:HEAD_LINES]):
        if title is None:
            if parse_date(para):  # a page date above the headline is not the headline
                page_date = page_date or parse_date(para)
                meta_indices.add(i)
                continue
            m = _TITLE_BYLINE.match(para)
            if m and parse_date(m["date"]) and is_name(m["name"]):
                title, title_index, subtitle = m["title"], i, m["dek"]
                author, published = m["name"], parse_date(m["date"])
            elif len(para.split()) > MAX_TITLE_WORDS:
                # No headline: the text starts with prose. Name it by its start, keep it in the body.
                title, title_index = shorten(para), None
            else:
                title, title_index = para, i
            continue
        if title_index is None and para == title:
            title_index = i
            continue
        if (m := _AUTHOR_LINE.match(para)) and all(map(is_name, re.split(r"\s+and\s+", m["name"]))):
            author = author or m["name"]
        elif (m := _NAME_PUBLISHED.match(para)) and is_name(m["name"]) and parse_date(m["date"]):
            author, published = author or m["name"], published or parse_date(m["date"])
        elif (m := _PUBLISHED_LINE.match(para)) and parse_date(m["date"]):
            published = published or parse_date(m["date"])
        elif (m := _UPDATED_LINE.match(para)) and parse_date(m["date"]):
            pass  # an update stamp is furniture, never the publication date
        elif parse_date(para):
            page_date = page_date or parse_date(para)
        elif is_name(para) and i + 1 < len(paragraphs) and _is_dateline(paragraphs[i + 1]):
            author = author or para  # "Alyssa Chen" directly above "Published: ..."
        else:
            continue
        meta_indices.add(i)

    if title is None:
        title = paragraphs[0] if paragraphs else ""
    return Metadata(
        title=title,
        author=author or bio_author(paragraphs),
        date=published or page_date,
        subtitle=subtitle,
        title_index=title_index,
        meta_indices=frozenset(meta_indices),
    )


def _is_dateline(para: str) -> bool:
    m = _PUBLISHED_LINE.match(para)
    return bool(parse_date(para) or (m and parse_date(m["date"])))


def split_front_matter(text: str) -> tuple[dict[str, str], str]:
    """Markdown `---` front matter -> (fields we know, remaining text). Simple `key: value` only."""
    m = re.match(r"\A---[ \t]*\n(?P<body>.*?)\n(?:---|\.\.\.)[ \t]*(?:\n|\Z)", text, re.S)
    if not m:
        return {}, text
    fields = {}
    for line in m["body"].splitlines():
        key, sep, value = line.partition(":")
        value = value.strip().strip("\"'")
        if sep and key.strip().lower() in SIDECAR_KEYS and value:
            fields[key.strip().lower()] = value
    return fields, text[m.end():]


def parse_sidecar(raw: bytes) -> dict[str, str | None]:
    """`<stem>.meta.json` bytes -> overrides. A key present with null clears that field."""
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise MetadataError(f"not valid UTF-8 JSON ({err})") from err
    if not isinstance(data, dict):
        raise MetadataError(f"must be a JSON object, got {type(data).__name__}")
    out: dict[str, str | None] = {}
    for key in SIDECAR_KEYS:
        if key not in data:
            continue
        value = data[key]
        if value is not None and not isinstance(value, str):
            raise MetadataError(f"{key!r} must be a string or null, got {type(value).__name__}")
        if key == "title" and not (value or "").strip():
            raise MetadataError("'title' must be a non-empty string")
        value = value.strip() if value else None
        out[key] = (parse_date(value) or value) if key == "date" and value else value
    return out
