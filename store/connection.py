"""Connecting to Chroma: open a client for a folder or a server URL, tell Chroma's failures apart, re-open.

Everything that knows chromadb's client machinery lives here, so the rest of citeqa
sees only `StoreError` (one line naming the store and what to do).
"""

import sqlite3
from pathlib import Path
from urllib.parse import urlparse

from citeqa.errors import CiteqaError


class StoreError(CiteqaError):
    """The store is missing, unreadable, or was built with other settings."""


def is_url(location: str | Path) -> bool:
    """True for http(s) URLs. Example: "http://127.0.0.1:8000" -> True."""
    return str(location).startswith(("http://", "https://"))


def first_line(err: BaseException) -> str:
    """The first line of an error's message (at most 200 characters), else its type's name."""
    text = str(err).strip().splitlines()
    return text[0][:200] if text else type(err).__name__


def open_client(location: str | Path, create: bool):
    """A Chroma client for a store folder or server URL; StoreError when there is none to open."""
    import chromadb  # heavy; imported only when a store is opened

    if is_url(location):
        url = urlparse(str(location))
        try:
            client = chromadb.HttpClient(
                host=url.hostname or "127.0.0.1", port=url.port or 8000, ssl=url.scheme == "https"
            )
            client.heartbeat()
        except Exception as err:
            raise StoreError(f"Cannot reach the Chroma server at {location} ({first_line(err)}). Is `chroma run` up?")
        return client
    path = Path(location)
    if not create and not (path / "chroma.sqlite3").exists():
        raise StoreError(f"No store at {path}. Run: citeqa ingest data/articles --store {path}")
    try:
        path.mkdir(parents=True, exist_ok=True)
        return chromadb.PersistentClient(path=str(path))
    except Exception as err:
        raise StoreError(f"Cannot open the store at {path} ({first_line(err)}). Check permissions, or move it aside and re-ingest.")


def forget_client(location: str | Path) -> None:
    """Drop Chroma's per-process client for one store folder, so the next open reads its files afresh.

    Chroma's local mode keeps one client per path for the whole process and caches the vector
    index in it: a broken client would be handed back, and another process's writes stay unseen.
    Only this path's entry goes; the old client is left to the garbage collector rather than
    stopped, because a request on another thread may still be using it.
    """
    if is_url(location):
        return
    from chromadb.api.shared_system_client import SharedSystemClient  # lazy: heavy

    target = Path(location).resolve()
    with SharedSystemClient._refcount_lock:
        for identifier in list(SharedSystemClient._identifier_to_system):
            if identifier and Path(identifier).resolve() == target:
                SharedSystemClient._identifier_to_system.pop(identifier, None)
                SharedSystemClient._identifier_to_refcount.pop(identifier, None)


def as_store_error(err: Exception, location: str | Path) -> StoreError | None:
    """A one-line StoreError for a failure of the store's files or of Chroma itself; None for anything else.

    Example: sqlite3.OperationalError("no such table: collections") -> StoreError("The store at … cannot be read (…)").
    """
    if isinstance(err, StoreError):
        return err
    if not (type(err).__module__.startswith("chromadb") or isinstance(err, (OSError, sqlite3.Error))):
        return None
    return StoreError(
        f"The store at {location} cannot be read ({first_line(err)}). "
        "Put its folder back or re-ingest; the next question tries again."
    )
