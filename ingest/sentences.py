"""Split clean article text into sentences, as character spans.

Spans (not strings) are the unit, so every sentence can be quoted back exactly
from the article by its offsets. Paragraph breaks always end a sentence. This is
a rule-based splitter for news prose; it does not attempt full linguistic
segmentation (no abbreviation dictionary beyond the common English titles).
"""

import re

Span = tuple[int, int]

# A sentence ends at . ! ? (optionally followed by closing quotes/brackets) when the
# next non-space character starts a new sentence (capital letter, digit, quote).
_BOUNDARY = re.compile(r"""[.!?]+["'”’)\]]*(?=\s+["'“‘(\[]?[A-Z0-9])""")
_ABBREVIATIONS = frozenset(
    "mr mrs ms dr prof sr jr st vs no gen gov sen rep col lt sgt capt inc ltd co corp "
    "jan feb mar apr jun jul aug sep sept oct nov dec u.s u.k u.n e.g i.e etc".split()
)


def _is_abbreviation(text: str, dot: int) -> bool:
    """True when the '.' at `dot` closes an abbreviation or an initial ("Mr.", "J.")."""
    start = dot
    while start > 0 and (text[start - 1].isalpha() or text[start - 1] == "."):
        start -= 1
    word = text[start:dot].lower()
    return word in _ABBREVIATIONS or (len(word) == 1 and word.isalpha())


def _trim(text: str, start: int, end: int) -> Span | None:
    """Shrink a span to exclude surrounding whitespace; None if nothing is left."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end) if start < end else None


def split_sentences(text: str) -> list[Span]:
    """Sentence spans of `text`. Example: "It rained. We left.\\n\\nEnd" -> [(0, 10), (11, 19), (21, 24)]."""
    spans: list[Span] = []
    for paragraph in re.finditer(r"[^\n]+", text):
        start = paragraph.start()
        for boundary in _BOUNDARY.finditer(paragraph.group()):
            end = paragraph.start() + boundary.end()
            if text[end - 1] == "." and _is_abbreviation(text, end - 1):
                continue
            if (span := _trim(text, start, end)) is not None:
                spans.append(span)
            start = end
        if (span := _trim(text, start, paragraph.end())) is not None:
            spans.append(span)
    return spans
