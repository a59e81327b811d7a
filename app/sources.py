"""Outlets and dates: the filters a user sets explicitly, and the ones a question names.

`SourceFilter` is what `--source/--since/--until` (CLI, page, API) set: it admits the
articles of one outlet published in a date range. `mentions` finds the stored outlets
a question names ("according to TechCrunch", "the Fortune article") — matched against
the outlets actually in the store, never a fixed list — each with the date written
next to it ("the TechCrunch article published on October 31, 2023"). The order a
question claims between them ("before", "the subsequent report") is `app.yesno`'s.
"""

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from citeqa.store.records import ArticleRecord

_MONTHS = {
    name: number
    for number, names in enumerate(
        (("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"), ("may",), ("june", "jun"),
         ("july", "jul"), ("august", "aug"), ("september", "sep", "sept"), ("october", "oct"),
         ("november", "nov"), ("december", "dec")), 1)
    for name in names
}
_MONTH = "|".join(sorted(_MONTHS, key=len, reverse=True))
# "November 1, 2023", "Nov. 1 2023", "1 November 2023", "2023-11-01"
_DATES = (
    re.compile(rf"\b(?P<month>{_MONTH})\.?\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<year>\d{{4}})\b", re.I),
    re.compile(rf"\b(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\s+(?P<month>{_MONTH})\.?,?\s+(?P<year>\d{{4}})\b", re.I),
    re.compile(r"\b(?P<year>\d{4})-(?P<month>\d{1,2})-(?P<day>\d{1,2})\b"),
)
_PAIR_GAP = 80  # a date at most this many characters after an outlet's name belongs to that outlet's article
_HEAD = re.compile(r"\s+[|–—-]\s+")  # "The Independent - Life and Style" -> head "The Independent"


class FilterError(ValueError):
    """A filter the user set cannot be applied (unknown outlet, a date that is not a date)."""


def parse_date(text: str) -> str:
    """An ISO date (YYYY-MM-DD) from "2023-11-01" or "November 1, 2023"; FilterError otherwise."""
    found = find_dates(text.strip())
    if len(found) != 1 or found[0][0] != 0 or found[0][1] != len(text.strip()):
        raise FilterError(f"{text!r} is not a date. Write it as YYYY-MM-DD, for example 2023-11-01")
    return found[0][2]


def find_dates(text: str) -> list[tuple[int, int, str]]:
    """(start, end, ISO date) of every full date written in `text`, in order."""
    found = []
    for pattern in _DATES:
        for match in pattern.finditer(text):
            month = match["month"]
            number = int(month) if month.isdigit() else _MONTHS[month.lower()]
            try:
                found.append((match.start(), match.end(), date(int(match["year"]), number, int(match["day"])).isoformat()))
            except ValueError:
                continue  # "February 30, 2023"
    found.sort()
    return [item for i, item in enumerate(found) if i == 0 or item[0] >= found[i - 1][1]]


@dataclass(frozen=True)
class SourceFilter:
    """The articles of one outlet (any when None) published between `since` and `until` (inclusive, ISO dates)."""

    source: str | None = None
    since: str | None = None
    until: str | None = None

    @property
    def active(self) -> bool:
        return any((self.source, self.since, self.until))

    def admits(self, record: ArticleRecord) -> bool:
        if self.source and (record.source or "").casefold() != self.source.casefold():
            return False
        if (self.since or self.until) and not record.date:
            return False
        day = (record.date or "")[:10]
        return not (self.since and day < self.since) and not (self.until and day > self.until)

    def admitted(self, records: Sequence[ArticleRecord]) -> set[str] | None:
        """The ids of the records this filter admits, or None (every article) when it is not active."""
        return {r.article_id for r in records if self.admits(r)} if self.active else None


def source_filter(records: Sequence[ArticleRecord], source: str | None = None, since: str | None = None,
                  until: str | None = None) -> SourceFilter:
    """A checked SourceFilter: the outlet must be stored (any case), dates must parse; FilterError (one line) otherwise."""
    source = (source or "").strip() or None
    if source:
        outlets = stored_outlets(records)
        match = next((o for o in outlets if o.casefold() == source.casefold()), None)
        if match is None:
            shown = ", ".join(outlets[:8]) + (" …" if len(outlets) > 8 else "") if outlets else "none"
            raise FilterError(f"No stored article is from {source!r}. Stored outlets: {shown}")
        source = match
    since = parse_date(since) if since and since.strip() else None
    until = parse_date(until) if until and until.strip() else None
    if since and until and since > until:
        raise FilterError(f"--since {since} is after --until {until}; no article can be in between")
    return SourceFilter(source, since, until)


def stored_outlets(records: Iterable[ArticleRecord]) -> list[str]:
    """The distinct outlets of the stored articles, sorted."""
    return sorted({r.source for r in records if r.source}, key=str.casefold)


@dataclass(frozen=True)
class SourceMention:
    """An outlet a question names (`outlets`: the stored outlets it can mean), with the date written beside it."""

    outlets: tuple[str, ...]
    date: str | None = None
    start: int = 0  # where the question names it

    @property
    def label(self) -> str:
        return self.outlets[0] if len(self.outlets) == 1 else " / ".join(self.outlets)


def _aliases(outlets: Iterable[str]) -> dict[str, tuple[str, tuple[str, ...]]]:
    """Lower-cased names a question may use -> (the name as stored, the outlets it means): each full name, and
    the head of a name with a section ("The Independent" for "The Independent - Life and Style")."""
    names: dict[str, tuple[str, set[str]]] = {}
    for outlet in outlets:
        head = _HEAD.split(outlet)[0].strip()
        for name in (outlet, head) if head != outlet and len(head) > 2 else (outlet,):
            names.setdefault(name.casefold(), (name, set()))[1].add(outlet)
    return {key: (name, tuple(sorted(found))) for key, (name, found) in names.items()}


def _capitals(name: str) -> list[str]:
    return [c for c in re.sub(r"^the\s+", "", name, flags=re.I) if c.isupper()]


def mentions(text: str, outlets: Iterable[str]) -> tuple[SourceMention, ...]:
    """The stored outlets `text` names, in order (a name said twice counts twice), each with its nearby date.

    Names match in any case; a question written in mixed case must keep the name's capitals (beyond a
    leading "the"), so "at the age of" is not "The Age" while "according to techcrunch" is TechCrunch.
    Example: "Did the TechCrunch article published on October 31, 2023 …, and The Verge …" over stored
    outlets {"TechCrunch", "The Verge"} -> (TechCrunch, 2023-10-31), (The Verge, None).
    """
    aliases = _aliases(outlets)
    if not aliases:
        return ()
    pattern = re.compile(
        r"(?<![\w])(" + "|".join(re.escape(a) for a in sorted(aliases, key=len, reverse=True)) + r")(?![\w])", re.I
    )
    lowercase = text == text.lower()
    spans = []
    for match in pattern.finditer(text):
        name, named = aliases[match.group(1).casefold()]
        if lowercase or _capitals(match.group(1)) == _capitals(name):
            spans.append((match.start(), match.end(), named))
    dates = find_dates(text)
    found = []
    for index, (start, end, named) in enumerate(spans):
        limit = spans[index + 1][0] if index + 1 < len(spans) else len(text)
        near = next((iso for d_start, _, iso in dates if end <= d_start < min(limit, end + _PAIR_GAP)), None)
        found.append(SourceMention(named, near, start))
    return tuple(found)
