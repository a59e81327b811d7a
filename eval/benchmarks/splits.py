"""`splits.json`: which articles or queries of a benchmark may be used to fit, and which only to report."""

import hashlib
import json
from pathlib import Path

from citeqa.errors import CiteqaError

SPLITS = ("train", "test")  # "train" is the fitting half: SQuAD's train articles, MultiHop-RAG's "dev" ids


class BenchmarkError(CiteqaError):
    """A benchmark folder is missing a file or holds a malformed line."""


def read_splits(root: Path) -> dict:
    """The parsed splits.json of a benchmarks folder."""
    path = Path(root) / "splits.json"
    if not path.is_file():
        raise BenchmarkError(f"a benchmarks folder must hold splits.json. Currently, {path} does not exist")
    return json.loads(path.read_text(encoding="utf-8"))


def squad_articles(root: Path, split: str) -> list[str]:
    """SQuAD article stems of `split` ("train" or "test")."""
    return list(read_splits(root)["squad"][f"{split}_articles"])


def multihop_split(query_id: str) -> str:
    """MultiHop-RAG's rule: "train" (its "dev" half, for fitting) when the first byte of sha256(id) is even, else "test"."""
    return "train" if hashlib.sha256(query_id.encode("utf-8")).digest()[0] % 2 == 0 else "test"


def jsonl(path: Path) -> list[dict]:
    """Records of a JSONL file; BenchmarkError naming the line of a broken one."""
    if not path.is_file():
        raise BenchmarkError(f"expected {path}, which does not exist")
    records = []
    for number, line in enumerate(path.read_text(encoding="utf-8-sig").splitlines(), 1):
        if line.strip():
            try:
                records.append(json.loads(line))
            except json.JSONDecodeError as err:
                raise BenchmarkError(f"{path}:{number}: invalid JSON ({err.msg})") from None
    return records
