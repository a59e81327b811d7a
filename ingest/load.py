"""Files -> Document: bounded reading, decoding, per-format extraction, sidecar overrides.

Formats: .txt, .md, .html/.htm (trafilatura), .pdf (pypdf). Every way a file can fail
becomes one `LoadError` whose one-line message names the file, the reason and what to
do. Not here: the cleaning rules (clean.py), metadata heuristics (metadata.py), deciding
which files of a folder to load or skip (the ingest pipeline).
"""

from __future__ import annotations

import hashlib
import io
import logging
from dataclasses import replace
from pathlib import Path

from citeqa.errors import CiteqaError
from citeqa.ingest.clean import (
    join_paragraphs, reflow, remove_furniture, split_paragraphs, strip_markdown,
)
from citeqa.ingest.document import Document
from citeqa.ingest.metadata import (
    Metadata, MetadataError, parse_date, parse_sidecar, read_metadata, split_front_matter,
)

logger = logging.getLogger(__name__)

SUPPORTED_SUFFIXES: frozenset[str] = frozenset({".txt", ".md", ".html", ".htm", ".pdf"})
MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_SIDECAR_BYTES = 1024 * 1024
_SIDECAR_SEPARATOR = b"\0citeqa-sidecar\0"  # so file "ab" + no sidecar != file "a" + sidecar "b"
# Encodings charset-normalizer may pick; for single-byte guesses it is unreliable on
# short texts ("café" -> cp1125), so those fall through to cp1252.
_MULTIBYTE = {
    "gb18030", "gb2312", "gbk", "big5", "big5hkscs", "shift_jis", "cp932",
    "euc_jp", "euc_kr", "cp949", "iso2022_jp", "iso2022_kr", "utf_16", "utf_32",
}
_ADD_TEXT = "add the article text or remove the file"
_RENAME = "remove it or give it the right extension"
_CHECK_READABLE = "check that it exists and is readable"


class LoadError(CiteqaError):
    """A file could not be turned into a Document."""


def sidecar_path(path: Path) -> Path:
    """Example: articles/004.txt -> articles/004.meta.json"""
    return path.with_name(f"{path.stem}.meta.json")


def content_hash(path: Path) -> str:
    """Streamed sha256 of the file's bytes, plus its sidecar's bytes when one exists."""
    path = Path(path)
    digest = hashlib.sha256()
    try:
        with path.open("rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
        side = sidecar_path(path)
        if side.is_file():
            digest.update(_SIDECAR_SEPARATOR + side.read_bytes())
    except OSError as err:
        raise _error(path, f"cannot read file ({err.strerror or err})", _CHECK_READABLE) from err
    return digest.hexdigest()


def load_document(path: Path, max_bytes: int = MAX_FILE_BYTES) -> Document:
    """Read one article file (and its sidecar) into a cleaned Document."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        supported = ", ".join(sorted(SUPPORTED_SUFFIXES))
        raise _error(path, f"unsupported file type {suffix or '(none)'!r}", f"use one of {supported}")
    raw = _read_bounded(path, max_bytes, "split it or raise the size limit")
    if not raw.strip():
        raise _error(path, "file is empty", _ADD_TEXT)

    side = sidecar_path(path)
    side_raw = None
    if side.is_file():
        side_raw = _read_bounded(side, MAX_SIDECAR_BYTES, "keep only title/author/date/source in it")
    try:
        overrides = parse_sidecar(side_raw) if side_raw is not None else {}
    except MetadataError as err:
        raise _error(side, f"malformed metadata sidecar: {err}", "fix or delete the sidecar") from err

    headings: frozenset[int] = frozenset()
    if suffix == ".pdf":
        paragraphs, meta, source = _from_pdf(path, raw)
    elif suffix in (".html", ".htm"):
        paragraphs, meta, source = _from_html(path, _decode(path, raw))
    elif suffix == ".md":
        paragraphs, meta, source, headings = _from_markdown(_decode(path, raw))
    else:
        paragraphs = split_paragraphs(_decode(path, raw))
        meta, source = read_metadata(paragraphs), None

    text = join_paragraphs(remove_furniture(paragraphs, meta, headings))
    if not text:
        raise _error(path, "no body text found after the title", _ADD_TEXT)
    digest = hashlib.sha256(raw)
    if side_raw is not None:
        digest.update(_SIDECAR_SEPARATOR + side_raw)
    fields = {"title": meta.title, "author": meta.author, "date": meta.date, "source": source}
    return Document(
        article_id=path.stem, text=text, content_hash=digest.hexdigest(), path=str(path),
        **(fields | overrides),
    )


def _error(path: Path, reason: str, todo: str) -> LoadError:
    reason = " ".join(reason.split())  # third-party messages may span lines
    return LoadError(f"{path}: {reason}; {todo}")


def _read_bounded(path: Path, max_bytes: int, todo: str) -> bytes:
    """File bytes, refusing anything over max_bytes before reading it into memory."""
    try:
        size = path.stat().st_size
        if not path.is_file():
            raise _error(path, "not a regular file", "point at an article file")
        if size > max_bytes:
            raise _error(path, f"file is {size:,} bytes, over the {max_bytes:,}-byte limit", todo)
        with path.open("rb") as fh:
            raw = fh.read(max_bytes + 1)  # + 1: the file may have grown since stat()
    except OSError as err:
        raise _error(path, f"cannot read file ({err.strerror or err})", _CHECK_READABLE) from err
    if len(raw) > max_bytes:
        raise _error(path, f"file is over the {max_bytes:,}-byte limit", todo)
    return raw


def _decode(path: Path, raw: bytes) -> str:
    """Bytes -> text: UTF-8 (BOM allowed), UTF-16 with BOM, a detected CJK encoding, else cp1252."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return _checked(path, raw.decode("utf-16"))
        except UnicodeDecodeError:
            pass
    if b"\0" in raw:
        raise _error(path, "looks like a binary file (contains NUL bytes), not text", _RENAME)
    try:
        return _checked(path, raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes  # imported late: only mis-encoded files need it

    guess = from_bytes(raw).best()
    if guess is not None and guess.encoding in _MULTIBYTE:
        logger.info("%s: decoded as %s", path, guess.encoding)
        return _checked(path, str(guess))
    try:
        text = raw.decode("cp1252")
    except UnicodeDecodeError as err:
        raise _error(path, "text is not UTF-8 and no other encoding fits", "re-save it as UTF-8") from err
    logger.info("%s: not UTF-8, decoded as cp1252", path)
    return _checked(path, text)


def _checked(path: Path, text: str) -> str:
    """Reject decoded text that is mostly control characters (binary without NULs)."""
    controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\t\n\r\f\v")
    if controls > max(2, len(text) // 100):
        raise _error(path, "looks like a binary file (control characters), not text", _RENAME)
    if not text.strip():
        raise _error(path, "file contains only whitespace", _ADD_TEXT)
    return text


def _from_markdown(text: str) -> tuple[list[str], Metadata, str | None, frozenset[int]]:
    front, body = split_front_matter(text)
    paragraphs, headings = strip_markdown(body)
    h1 = next((i for i, level in sorted(headings.items()) if level == 1), None)
    hint = front.get("title") or (paragraphs[h1] if h1 is not None else None)
    meta = read_metadata(paragraphs, title_hint=hint)
    date = front.get("date")
    meta = _replace(meta, author=front.get("author"), date=date and (parse_date(date) or date))
    return paragraphs, meta, front.get("source"), frozenset(headings)


def _from_html(path: Path, text: str) -> tuple[list[str], Metadata, str | None]:
    import trafilatura  # imported late: heavy, and only HTML needs it

    try:
        doc = trafilatura.bare_extraction(
            text, with_metadata=True, include_comments=False,
            date_extraction_params={"extensive_search": False, "original_date": True},
        )
    except Exception as err:  # the parser raises assorted types on malformed input
        raise _error(path, f"HTML could not be parsed ({err})", "check the file is a web page") from err
    if doc is None or not (doc.text or "").strip():
        raise _error(path, "no article text found in the HTML", "save the article page itself")
    paragraphs = split_paragraphs(doc.text, unwrap=False)
    meta = read_metadata(paragraphs, title_hint=doc.title or None)
    meta = _replace(meta, author=doc.author, date=parse_date(doc.date or ""))
    return paragraphs, meta, doc.sitename or None


def _from_pdf(path: Path, raw: bytes) -> tuple[list[str], Metadata, str | None]:
    from pypdf import PdfReader  # imported late: only PDFs need it

    if b"%PDF-" not in raw[:1024]:
        raise _error(path, "not a PDF (no %PDF- header)", "give it the right extension")
    try:
        reader = PdfReader(io.BytesIO(raw))
        if reader.is_encrypted and not reader.decrypt(""):
            raise _error(path, "PDF is password-protected", "save an unprotected copy")
        pages = [page.extract_text() or "" for page in reader.pages]
        info = reader.metadata or {}
    except LoadError:
        raise
    except Exception as err:  # pypdf raises assorted types on damaged files
        raise _error(path, f"PDF could not be read ({err})", "re-export the PDF") from err
    paragraphs = [p for page in pages for p in reflow(split_paragraphs(page, unwrap=False))]
    if not paragraphs:
        raise _error(path, "PDF has no extractable text (scanned image?)", "run OCR on it first")
    title = str(info.get("/Title") or "").strip() or None
    author = str(info.get("/Author") or "").strip() or None
    meta = read_metadata(paragraphs, title_hint=title)
    return paragraphs, _replace(meta, author=author), None


def _replace(meta: Metadata, **found: str | None) -> Metadata:
    """Prefer values a format states explicitly over text heuristics; keep the rest."""
    return replace(meta, **{k: v for k, v in found.items() if v})
