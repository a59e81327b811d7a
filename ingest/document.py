"""The Document type: one article after loading and cleaning."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Document:
    """One article: stable id (the file stem), metadata, and clean body text.

    `text` is the cleaned body without the title line; chunk and evidence
    character offsets index into it. `content_hash` covers the raw file bytes
    and its sidecar, so an unchanged file is recognised without parsing it.
    """

    article_id: str
    title: str
    text: str
    content_hash: str
    author: str | None = None
    date: str | None = None  # ISO 8601 (YYYY-MM-DD) when parseable
    source: str | None = None  # outlet or site name, when known
    path: str = ""
