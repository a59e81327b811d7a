"""The Answer and Citation types that every front end (CLI, page, eval) receives.

An answer's `[n]` markers number *articles* in order of first use; each Citation
carries the article's metadata and the exact evidence sentence(s), with character
offsets into the article's clean text. How answers are composed lives in
`app.compose`; this module only defines the shapes and their JSON form.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field

from citeqa.store.records import Chunk, Hit


@dataclass(frozen=True)
class Evidence:
    """One supporting sentence, quoted exactly: `article_text[char_start:char_end] == text`."""

    text: str
    char_start: int
    char_end: int


@dataclass(frozen=True)
class Citation:
    """Marker `[marker]` -> one article and the sentence(s) in it that support the claim."""

    marker: int
    article_id: str
    title: str
    author: str | None
    date: str | None
    evidence: tuple[Evidence, ...]
    passage: str = ""  # the retrieved chunk around the first evidence sentence
    passage_start: int = 0  # offset of `passage` in the article text

    @classmethod
    def quoting(cls, marker: int, chunk: Chunk, evidence: Sequence[Evidence]) -> "Citation":
        """A citation of `chunk`'s article whose passage is that chunk."""
        return cls(
            marker=marker,
            article_id=chunk.article_id,
            title=chunk.title,
            author=chunk.author,
            date=chunk.date,
            evidence=tuple(evidence),
            passage=chunk.text,
            passage_start=chunk.char_start,
        )

    def as_dict(self) -> dict:
        return {
            "marker": self.marker,
            "article_id": self.article_id,
            "title": self.title,
            "author": self.author,
            "date": self.date,
            "evidence": [e.text for e in self.evidence],
            "evidence_spans": [[e.char_start, e.char_end] for e in self.evidence],
            "passage": self.passage,
            "passage_start": self.passage_start,
        }


@dataclass(frozen=True)
class Answer:
    """Answer text with inline markers, its citations, and what was retrieved."""

    text: str
    citations: tuple[Citation, ...] = ()
    abstained: bool = False
    retrieved: tuple[str, ...] = ()  # ranked unique article ids
    hits: tuple[Hit, ...] = field(default=(), compare=False, repr=False)
    notices: tuple[str, ...] = ()  # e.g. "question truncated", "generative endpoint down"
    query: str = ""  # the question as searched (after follow-up rewriting)
    confidence: float | None = None  # the best candidate's score (the abstain threshold applies to it); None when not scored
    explain: tuple[dict, ...] = field(default=(), compare=False, repr=False)  # best candidates: text, score, contributions

    def as_dict(self) -> dict:
        return {
            "answer": self.text,
            "abstained": self.abstained,
            "citations": [c.as_dict() for c in self.citations],
            "retrieved": list(self.retrieved),
            "notices": list(self.notices),
            "query": self.query,
            "confidence": self.confidence,
        }
