"""Where the public benchmarks live (`../shared/benchmarks` beside the clone), and a skip marker for when they don't."""

import shutil
from collections.abc import Iterable
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[1].parent / "shared" / "benchmarks"
needs_benchmarks = pytest.mark.skipif(
    not (BENCHMARKS / "splits.json").is_file(), reason=f"public benchmarks not found at {BENCHMARKS} (a user's clone has none)"
)


def copy_multihop_articles(stems: Iterable[str], folder: Path) -> Path:
    """Copy MultiHop-RAG articles (text and outlet/date sidecar) into a new `folder`; returns it."""
    folder.mkdir()
    for stem in stems:
        for suffix in (".txt", ".meta.json"):
            shutil.copy(BENCHMARKS / "multihop_rag" / "articles" / f"{stem}{suffix}", folder)
    return folder
