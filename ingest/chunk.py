"""Cut a Document into sentence-aligned chunks bounded by cl100k_base token counts.

Windows are made of whole sentences, overlap by up to `overlap_tokens` worth of
trailing sentences, and never exceed `max_tokens`. A caller-supplied `fits`
predicate adds a second bound (the embedding model's own word-piece limit), so no
chunk is silently truncated by the model. A single sentence longer than the budget
is split at word boundaries. This module does not embed or store anything.
"""

import hashlib
import re
from collections.abc import Callable
from functools import lru_cache

from citeqa.ingest.document import Document
from citeqa.ingest.sentences import Span, split_sentences
from citeqa.ingest.tokens import count_tokens
from citeqa.store.records import Chunk, ChunkSettings


def chunk_id(article_id: str, start: int, text: str) -> str:
    """Stable, content-derived id. Example: ("a1", 0, "Hi.") -> "a1-<16 hex chars>" (`store.records.article_of` reads it back)."""
    digest = hashlib.sha256(f"{start}\x00{text}".encode()).hexdigest()[:16]
    return f"{article_id}-{digest}"


def _fits(window: str, limit: int, fits: Callable[[str], bool]) -> bool:
    """True when `window` is within both the token budget and the caller's model limit."""
    return count_tokens(window) <= limit and fits(window)


def _split_word(text: str, span: Span, limit: int, fits: Callable[[str], bool]) -> list[Span]:
    """A single word that alone breaks a limit (a long URL, a rule of 600 dashes) cut into runs of characters that don't."""
    start, end = span
    pieces: list[Span] = []
    while start < end:
        # Longest prefix within both limits, by bisection; one character always fits (max_tokens >= 16).
        low, high = start + 1, end
        while low < high:
            middle = (low + high + 1) // 2
            if _fits(text[start:middle], limit, fits):
                low = middle
            else:
                high = middle - 1
        pieces.append((start, low))
        start = low
    return pieces


def _split_long(text: str, span: Span, limit: int, fits: Callable[[str], bool]) -> list[Span]:
    """Split one over-long sentence into word-bounded pieces that each respect the limits."""
    words: list[Span] = []
    for match in re.finditer(r"\S+", text[span[0] : span[1]]):
        word = (match.start() + span[0], match.end() + span[0])
        if _fits(text[word[0] : word[1]], limit, fits):
            words.append(word)
        else:
            words.extend(_split_word(text, word, limit, fits))
    pieces: list[Span] = []
    start = 0
    while start < len(words):
        end = start + 1
        while end < len(words):
            candidate = text[words[start][0] : words[end][1]]
            if count_tokens(candidate) > limit or not fits(candidate):
                break
            end += 1
        pieces.append((words[start][0], words[end - 1][1]))
        start = end
    return pieces


def _units(text: str, limit: int, fits: Callable[[str], bool]) -> tuple[list[Span], list[int]]:
    """Sentence spans, with any sentence that alone breaks a limit split into pieces; and their token counts."""
    units: list[Span] = []
    sizes: list[int] = []
    for span in split_sentences(text):
        sentence = text[span[0] : span[1]]
        size = count_tokens(sentence)
        if size <= limit and fits(sentence):
            units.append(span)
            sizes.append(size)
        else:
            pieces = _split_long(text, span, limit, fits)
            units.extend(pieces)
            sizes.extend(count_tokens(text[a:b]) for a, b in pieces)
    return units, sizes


def chunk_document(
    doc: Document,
    settings: ChunkSettings = ChunkSettings(),
    fits: Callable[[str], bool] = lambda _text: True,
) -> list[Chunk]:
    """Chunks of `doc.text`, in order; empty when the text has no sentences."""
    text = doc.text
    units, sizes = _units(text, settings.max_tokens, fits)
    bound = _TokenBound(text, units, sizes)
    chunks: list[Chunk] = []
    first = 0
    while first < len(units):
        last = first + 1  # exclusive
        while last < len(units) and bound.within(first, last + 1, settings.max_tokens):
            last += 1
        # The model limit is checked on the longest window within the token budget, backing off if needed:
        # one tokenizer call per chunk instead of one per sentence added.
        while last - 1 > first and not fits(text[units[first][0] : units[last - 1][1]]):
            last -= 1
        start, end = units[first][0], units[last - 1][1]
        window = text[start:end]
        chunks.append(
            Chunk(
                chunk_id=chunk_id(doc.article_id, start, window),
                article_id=doc.article_id,
                text=window,
                position=len(chunks),
                char_start=start,
                char_end=end,
                tokens=count_tokens(window),
                sentences=tuple(units[first:last]),
                title=doc.title,
                author=doc.author,
                date=doc.date,
            )
        )
        if last == len(units):
            break
        # Step back over trailing sentences that fit in the overlap budget, always advancing: the
        # next window must still have room for the first sentence this one left out (model limit
        # checked once, then stepping forward again if needed).
        next_first, overlap = last, 0
        while (
            next_first - 1 > first
            and overlap + sizes[next_first - 1] <= settings.overlap_tokens
            and bound.within(next_first - 1, last + 1, settings.max_tokens)
        ):
            next_first -= 1
            overlap += sizes[next_first]
        while next_first < last and not fits(text[units[next_first][0] : units[last][1]]):
            next_first += 1
        first = next_first
    return chunks


class _TokenBound:
    """Token counts of windows of whole units, counted exactly only when a cheap upper bound is over budget.

    BPE pieces never span a unit boundary (at most the next word takes the space before it), so
    a window's count never exceeds its units' counts plus the counts of the gaps between them.
    """

    def __init__(self, text: str, units: list[Span], sizes: list[int]) -> None:
        self.text, self.units = text, units
        # Tokens of the whitespace after each unit (none after the last).
        self._gaps = [_gap_tokens(text[units[i][1] : units[i + 1][0]]) for i in range(len(units) - 1)] + [0]
        self._running = [0]  # _running[i]: units[:i] with the gap after each
        for size, gap in zip(sizes, self._gaps):
            self._running.append(self._running[-1] + size + gap)

    def within(self, first: int, end: int, limit: int) -> bool:
        """True when units[first:end] joined as in the text count at most `limit` tokens."""
        if self._running[end] - self._running[first] - self._gaps[end - 1] <= limit:
            return True
        return count_tokens(self.text[self.units[first][0] : self.units[end - 1][1]]) <= limit


@lru_cache(maxsize=1024)
def _gap_tokens(gap: str) -> int:
    """Tokens of the text between two units: almost always " " or "\n\n", so counted once each."""
    return count_tokens(gap)
