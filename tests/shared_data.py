"""Where the public benchmarks live (`../shared/benchmarks` beside the clone), and a skip marker for when they don't."""

from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[1].parent / "shared" / "benchmarks"
needs_benchmarks = pytest.mark.skipif(
    not (BENCHMARKS / "splits.json").is_file(), reason=f"public benchmarks not found at {BENCHMARKS} (a user's clone has none)"
)
