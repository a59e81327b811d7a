"""Files uploaded from the page: refused by type, size or name, else copied under a safe name.

Ingesting them is the handlers' job; this module only decides what may be saved, and where.
"""

import re
import unicodedata
from pathlib import Path

from citeqa.ingest.load import SUPPORTED_SUFFIXES

MAX_UPLOAD_BYTES = 10 * 1024 * 1024


class UploadError(ValueError):
    """An uploaded file was refused (type, size, name)."""


def safe_name(name: str) -> str:
    """A harmless basename for an uploaded file. Example: "../../etc/pass wd.TXT" -> "pass_wd.txt"."""
    base = re.split(r"[\\/]", unicodedata.normalize("NFKC", name))[-1]
    stem, dot, suffix = base.rpartition(".")
    if not dot:
        stem, suffix = suffix, ""
    stem = re.sub(r"[^\w-]+", "_", stem).strip("_-")[:80]  # letters of any script; no dots, slashes, spaces
    suffix = suffix.lower()
    if f".{suffix}" not in SUPPORTED_SUFFIXES:
        shown = "".join(ch if ch.isprintable() else "?" for ch in base)[:120]  # one line, whatever the name held
        raise UploadError(f"{shown}: only {', '.join(sorted(SUPPORTED_SUFFIXES))} files can be added.")
    return f"{stem or 'upload'}.{suffix}"


def save_upload(path: Path, uploads_dir: Path, max_bytes: int = MAX_UPLOAD_BYTES) -> Path:
    """Copy one uploaded temp file to `uploads_dir` under a safe name; refuse oversized files."""
    size = path.stat().st_size
    if size > max_bytes:
        raise UploadError(f"{path.name} is {size / 1e6:.1f} MB; files up to {max_bytes / 1e6:.0f} MB can be added.")
    if size == 0:
        raise UploadError(f"{path.name} is empty.")
    uploads_dir.mkdir(parents=True, exist_ok=True)
    target = (uploads_dir / safe_name(path.name)).resolve()
    if target.parent != uploads_dir.resolve():  # cannot happen after safe_name; kept as a last guard
        raise UploadError(f"{path.name}: refused file name.")
    target.write_bytes(path.read_bytes())
    return target
