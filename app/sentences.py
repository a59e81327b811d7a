"""Candidate evidence sentences: the unique sentences of the retrieved passages, and facts about each.

`candidate_sentences` is the one source of candidates for extractive answering, the
generative verifier and questions about the articles. The helpers here describe a
sentence's surroundings (its neighbours' terms, acronyms defined in its article,
whether it sits in the author's bio); how much each matters is `app.features`'s and
`app.scorer`'s business.
"""

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import numpy as np

from citeqa.app.terms import ACRONYM, compound_terms, contains_term, terms
from citeqa.store.records import Chunk, Hit, Span

_ADJACENT = 3  # spans at most this many characters apart (a space or a line break) are neighbouring sentences
_HEADING_WORDS = 5  # a line of at most this many words without closing punctuation heads the sentence after it


@dataclass(frozen=True)
class Sentence:
    """One candidate evidence sentence with its scores."""

    article_id: str
    span: Span  # offsets in the article's clean text
    text: str
    vector: np.ndarray | None  # late-chunked sentence vector; None for passages read without vectors
    hit: Hit
    dense: float = 0.0  # cosine with the question
    score: float = 0.0  # the scorer's verdict (higher is better; comparable across questions)
    features: dict[str, float] = field(default_factory=dict, compare=False)  # the feature row behind `score`


def candidate_sentences(hits: Sequence[Hit]) -> list[Sentence]:
    """Unique sentences of the hits (overlapping chunks repeat sentences), in hit order; a heading joins the sentence
    it heads, and a sentence that ends in a colon the lines it introduces."""
    seen: set[tuple[str, Span]] = set()
    sentences = []
    for hit in hits:
        spans = hit.chunk.sentences
        index = 0
        while index < len(spans):
            first = index
            if is_heading(hit.chunk, index):
                index += 1  # quoted together with the sentence it heads, read by that sentence's vector
            content, last = index, index + introduced_lines(hit.chunk, index)
            index = last + 1
            span = (spans[first][0], spans[last][1])
            key = (hit.chunk.article_id, span)
            if key in seen:
                continue
            seen.add(key)
            vector = _mean_vector(hit.sentence_vectors[content : last + 1]) if hit.sentence_vectors is not None else None
            sentences.append(Sentence(hit.chunk.article_id, span, hit.chunk.sentence_text(span), vector, hit))
    return sentences


_LIST_LINES = 6  # at most this many lines after a colon are the items it introduces


def introduced_lines(chunk: Chunk, index: int) -> int:
    """How many sentences after sentence `index` it introduces: when it ends in a colon ("…with all parties
    reaffirming that:"), the items of the list that follows, each a line of its own of more than a heading's words
    without closing punctuation; 0 for any other sentence. Quoted alone, such a sentence says nothing."""
    spans = chunk.sentences
    if not chunk.sentence_text(spans[index]).rstrip().endswith(":"):
        return 0
    count = 0
    while count < _LIST_LINES and index + count + 1 < len(spans) and _is_list_item(chunk, index + count + 1):
        count += 1
    return count


def _is_list_item(chunk: Chunk, index: int) -> bool:
    """True when sentence `index` is a whole line of the chunk, longer than a heading, without closing punctuation."""
    start, end = (at - chunk.char_start for at in chunk.sentences[index])
    after = chunk.text[end:].lstrip(" \t")
    text = chunk.text[start:end].strip()
    whole_line = _opens_line(chunk, start) and (not after or after.startswith("\n"))
    return whole_line and len(text.split()) > _HEADING_WORDS and not re.search(r"[.!?…。！？]$", text)


def _opens_line(chunk: Chunk, start: int) -> bool:
    """True when the chunk text at offset `start` opens a line (spaces and tabs before it aside)."""
    before = chunk.text[:start].rstrip(" \t")
    return not before or before.endswith("\n")


def _mean_vector(vectors: np.ndarray) -> np.ndarray:
    """One sentence's vector, or the unit mean of a lead-in's and its list items'."""
    if len(vectors) == 1:
        return vectors[0]
    mean = vectors.mean(axis=0)
    return mean / (np.linalg.norm(mean) or 1.0)


def passage_terms(hits: Sequence[Hit], question: str | None = None) -> set[str]:
    """Terms that the passages name in their text or their article's title. Given the `question`, an author's bio
    counts only when the question names that author: "Sino-Japan relations" among her interests is not the
    article mentioning Japan."""
    found: set[str] = set()
    for hit in hits:
        chunk = hit.chunk
        asks_author = question is None or _names_person(question, chunk.author)
        found.update(terms(chunk.text if asks_author else _outside_author_bio(chunk)))
        found.update(terms(chunk.title))
    return found


def sentence_terms(hits: Sequence[Hit], question: str) -> list[set[str]]:
    """Terms of each sentence the passages hold, and of each title, bios counted as `passage_terms` counts them:
    where a name made of common words ("Asian Development Bank") must be written whole to be mentioned."""
    found: list[set[str]] = []
    for hit in hits:
        chunk = hit.chunk
        kept = chunk.text if _names_person(question, chunk.author) else _outside_author_bio(chunk)
        found.extend(set(terms(text)) for text in map(chunk.sentence_text, chunk.sentences) if text in kept)
        found.append(set(terms(chunk.title)))
    return found


def _opens_bio(paragraph: str, author: str) -> bool:
    """True when a paragraph opens with the author's full name or first name ("Hao Nan is a fellow at…")."""
    paragraph = paragraph.lstrip()
    return paragraph.startswith(author) or bool(re.match(rf"{re.escape(author.split()[0])}\b", paragraph))


def _outside_author_bio(chunk: Chunk) -> str:
    """The chunk's text without the paragraphs of its author's bio."""
    author = (chunk.author or "").strip()
    if not author:
        return chunk.text
    return "\n".join(p for p in chunk.text.split("\n") if not _opens_bio(p, author))


def is_heading(chunk: Chunk, index: int) -> bool:
    """True when sentence `index` is a short line of its own without closing punctuation ("Article 14")
    and the next line starts a sentence of the chunk: that sentence belongs under it.
    """
    spans = chunk.sentences
    if index + 1 >= len(spans):
        return False
    start, end = (at - chunk.char_start for at in spans[index])
    text = chunk.text[start:end].strip()
    between = chunk.text[end : spans[index + 1][0] - chunk.char_start]
    own_line = _opens_line(chunk, start)
    short = len(text.split()) <= _HEADING_WORDS and not re.search(r"[.!?:;,…。！？：；，]$", text)  # "。" ends a sentence too
    return own_line and short and not between.strip() and "\n" in between


Neighbours = list[tuple[str | None, str, str | None]]  # (sentence before, sentence, sentence after), per sentence


def neighbourhoods(neighbours: Neighbours, asked_inside: set[str]) -> list[set[str]]:
    """Terms each sentence and the sentences either side of it name in their own right.

    Neighbours come from any retrieved chunk of the same article, so a sentence that opens one
    chunk still sees the sentence before it in another. A name seen only inside a compound or
    list of names ("the China–Kyrgyzstan–Uzbekistan railway") does not count, unless the
    question names it that way too.
    """
    result = []
    for before, own, after in neighbours:
        # Per sentence (cached) and united: names never form a compound or list across a sentence end.
        parts = [compound_terms(text) for text in (before, own, after) if text is not None]
        standalone = frozenset().union(*(mine for mine, _ in parts))
        inside = frozenset().union(*(within for _, within in parts)) - standalone
        result.append(standalone | (inside & asked_inside))
    return result


_OPENS_WITH_PRONOUN = re.compile(r"^\W*(?:(?:but|and|yet|so|however|still|now),?\s+)?(?:it|its|he|his|she|her|they|their|this|these)\b", re.I)


def antecedents(neighbours: Neighbours) -> list[frozenset[str]]:
    """For a sentence opening with a pronoun ("But it also renews concerns…"), the terms of the sentence before it,
    which the pronoun most often stands for ("The agreement strengthens…"); for any other sentence, none."""
    return [
        frozenset(compound_terms(before)[0]) if before is not None and _OPENS_WITH_PRONOUN.match(own) else frozenset()
        for before, own, _ in neighbours
    ]


def sentence_neighbours(sentences: Sequence[Sentence]) -> Neighbours:
    """(the sentence before, the sentence, the sentence after) for each sentence, None where the article's retrieved
    text has no adjacent sentence on that side: what `neighbourhoods` and `antecedents` read."""
    known: dict[str, dict[Span, str]] = {}
    for hit in {id(s.hit): s.hit for s in sentences}.values():
        known.setdefault(hit.chunk.article_id, {}).update((span, hit.chunk.sentence_text(span)) for span in hit.chunk.sentences)
    ordered = {article_id: sorted(texts) for article_id, texts in known.items()}
    position: dict[str, dict[int, int]] = {}  # article -> sentence end -> index in `ordered`
    for article_id, spans in ordered.items():
        ends = position.setdefault(article_id, {})
        for i, span in enumerate(spans):
            ends.setdefault(span[1], i)
    result = []
    for sentence in sentences:
        spans, texts = ordered[sentence.article_id], known[sentence.article_id]
        at = position[sentence.article_id][sentence.span[1]]
        before = texts[spans[at - 1]] if at > 0 and spans[at][0] - spans[at - 1][1] <= _ADJACENT else None
        after = texts[spans[at + 1]] if at + 1 < len(spans) and spans[at + 1][0] - spans[at][1] <= _ADJACENT else None
        result.append((before, texts[spans[at]], after))
    return result


_DEFINED = re.compile(r"((?:[A-Z][\w'’]*[-–\s]+(?:(?:of|and|for|the)\s+)?){2,8})\(([A-Z]{2,8})\)")


def acronyms(sentences: Sequence[Sentence]) -> dict[tuple[str, str], str]:
    """(article id, acronym) -> the names it stands for, from definitions like "Shanghai Cooperation Organisation (SCO)"."""
    return {(sentence.article_id, acronym): name for sentence in sentences for acronym, name in _definitions(sentence.text)}


def _definitions(text: str) -> Iterator[tuple[str, str]]:
    """(acronym, name) for each definition in `text`: "the Shanghai Cooperation Organisation (SCO)" -> ("SCO", "Shanghai …")."""
    for match in _DEFINED.finditer(text):
        words = [w for w in re.split(r"[-–\s]+", match.group(1).strip()) if w[:1].isupper()]
        letters = match.group(2)
        if len(words) >= len(letters) and "".join(w[0] for w in words[-len(letters) :]) == letters:
            yield letters, " ".join(words[-len(letters) :])


def has_acronym(question: str) -> bool:
    """True when the question writes an acronym ("SCO") and is not written in capitals throughout."""
    return not question.isupper() and bool(ACRONYM.search(question))


def spelled_out(question: str, hits: Sequence[Hit]) -> dict[str, str]:
    """Acronym -> what it stands for, for the question's acronyms that the passages define and the question does
    not spell out.

    Example: "Where is the next SCO summit?" with "…the Shanghai Cooperation Organisation (SCO)…" in a passage
    -> {"SCO": "Shanghai Cooperation Organisation"}: an article that never writes "SCO" can still answer.
    """
    if not has_acronym(question):
        return {}
    asked = set(terms(question))
    wanted = set(ACRONYM.findall(question))
    defined: dict[str, str] = {}
    for hit in hits:
        if any(f"({acronym})" in hit.chunk.text for acronym in wanted):  # a cheap test before the pattern
            for acronym, name in _definitions(hit.chunk.text):
                defined.setdefault(acronym, name)
    return {a: defined[a] for a in wanted & set(defined) if not set(terms(defined[a])) <= asked}


def spells_out(text: str, aliases: dict[str, str]) -> bool:
    """True when `text` writes some acronym's name in full and never the acronym itself."""
    written = set(terms(text))
    return any(
        not re.search(rf"\b{acronym}\b", text) and all(contains_term(written, t) for t in terms(name))
        for acronym, name in aliases.items()
    )


def with_aliases(found: set[str], aliases: Sequence[tuple[str, str]]) -> set[str]:
    """`found` terms plus the acronym of each (acronym, name) alias whose name they hold in full: a text that
    writes "Shanghai Cooperation Organization" names the SCO. Without aliases, `found` itself (not a copy)."""
    if not aliases:
        return found
    added = {t for acronym, name in aliases if all(contains_term(found, t) for t in terms(name)) for t in terms(acronym)}
    return set(found) | added


def in_author_bio(sentence: Sentence) -> bool:
    """True when the sentence's paragraph opens with the article author's name ("Hao Nan is a fellow at…")."""
    author = (sentence.hit.chunk.author or "").strip()
    if not author:
        return False
    text = sentence.hit.chunk.text
    at = sentence.span[0] - sentence.hit.chunk.char_start
    return _opens_bio(text[text.rfind("\n", 0, at) + 1 :], author)


def names_author(question: str, sentence: Sentence) -> bool:
    """True when the question names the sentence's article author, wholly or in part."""
    return _names_person(question, sentence.hit.chunk.author)


def _names_person(question: str, person: str | None) -> bool:
    return any(re.search(rf"\b{re.escape(name)}\b", question, re.IGNORECASE) for name in (person or "").split())
