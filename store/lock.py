"""One writer at a time per local store: an exclusive file lock held for a whole ingest or rebuild.

Two ingests into one folder would both embed everything and interleave their writes;
the second is refused at once instead. Threads of one process share the lock (the page
takes two uploads at once, as before). A Chroma server store has no shared folder to
lock: run one ingest job at a time against it, or N `--shard I/N` jobs, which never touch each other's articles (see the README's "Scaling out").
"""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout

from citeqa.store.connection import StoreError, is_url

LOCK_NAME = "citeqa-writer.lock"


@contextmanager
def writer_lock(location: str | Path) -> Iterator[None]:
    """Hold the store's writer lock for the block; StoreError at once when another writer holds it."""
    if is_url(location):
        yield
        return
    # One lock object per folder and process, counted: a second thread here enters, another process does not.
    lock = FileLock(Path(location).resolve() / LOCK_NAME, timeout=0, thread_local=False, is_singleton=True)
    try:
        lock.acquire()
    except Timeout:
        raise StoreError(
            f"Another citeqa ingest is writing to the store at {location}. Wait for it to finish, then run this again."
        ) from None
    except OSError as err:
        raise StoreError(f"Cannot lock the store at {location} for writing ({err.strerror or err}). Check permissions.") from None
    try:
        yield
    finally:
        lock.release()
