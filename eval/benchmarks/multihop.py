"""MultiHop-RAG as a cited-QA benchmark: 609 news articles (with outlet/date sidecars), queries of one split.

The articles folder is ingested as it lies (`<stem>.txt` + `<stem>.meta.json`).
Queries come from `qa.jsonl`; `qa_meta.jsonl` gives each its type (inference,
comparison, temporal, null), used as the example's type for per-type figures.
"""

from pathlib import Path

from citeqa.eval.benchmarks.splits import jsonl, multihop_split
from citeqa.eval.dataset import Example


def articles_folder(root: Path) -> Path:
    return Path(root) / "multihop_rag" / "articles"


def examples(root: Path, split: str) -> list[Example]:
    """The split's queries, in file order; null queries are unanswerable examples."""
    folder = Path(root) / "multihop_rag"
    kinds = {m["id"]: m.get("question_type", "") for m in jsonl(folder / "qa_meta.jsonl")}
    return [
        Example(r["id"], r["question"].strip(), tuple(r["answers"]), tuple(r["sources"]), type=kinds.get(r["id"], ""))
        for r in jsonl(folder / "qa.jsonl")
        if multihop_split(r["id"]) == split
    ]
