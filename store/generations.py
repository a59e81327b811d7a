"""Derived files beside a local store, replaced atomically: one generation folder at a time, named by a pointer file.

A writer fills a new `gen-…` folder, then swaps the pointer (`citeqa.json`) to name it and removes
the previous folder. A reader in another process therefore never sees a mix of old and new files,
and one that already opened or memory-mapped its files keeps reading them (unlinked) after a swap.
The lexical index and the read snapshot both keep their files this way.
"""

import json
import shutil
import uuid
from collections.abc import Callable
from pathlib import Path

POINTER = "citeqa.json"


def publish(directory: Path, meta: dict, fill: Callable[[Path], None], key: str) -> None:
    """Make `fill(folder)` write a new generation, then point `directory/citeqa.json` at it: `meta` plus
    `key` naming the folder. A crash before the swap leaves the previous generation in place; when `fill`
    raises, its folder is removed and the error goes on."""
    directory.mkdir(parents=True, exist_ok=True)
    generation = f"gen-{uuid.uuid4().hex[:12]}"
    (directory / generation).mkdir()
    try:
        fill(directory / generation)
    except BaseException:
        shutil.rmtree(directory / generation, ignore_errors=True)
        raise
    previous = current(directory, key)
    partial = directory / f"{POINTER}.{generation}.tmp"
    partial.write_text(json.dumps({**meta, key: generation}))
    partial.replace(directory / POINTER)
    if previous:
        shutil.rmtree(directory / previous, ignore_errors=True)


def read_pointer(directory: Path) -> dict:
    """The pointer's contents; OSError or ValueError when it is missing or unreadable."""
    meta = json.loads((directory / POINTER).read_text())
    if not isinstance(meta, dict):
        raise ValueError(f"{directory / POINTER} is not a JSON object")
    return meta


def current(directory: Path, key: str) -> str | None:
    """The generation folder the pointer names now under `key`, if any."""
    try:
        name = read_pointer(directory).get(key)
    except (OSError, ValueError):
        return None
    return name if isinstance(name, str) and name.startswith("gen-") else None
