"""SQuAD as a cited-QA benchmark: the 48 v1.1 dev articles as the corpus, questions of one split.

Each Wikipedia article becomes one Document (paragraphs separated by blank lines),
with the id `splits.json` uses (the title with every run of non-alphanumerics as
`_`). Answerable questions are SQuAD v1.1's; unanswerable ones are SQuAD 2.0's
adversarial questions on the same articles ("unanswerable from its paragraph",
which in practice means from the article). A fixed, seeded sample keeps runs
comparable: the same ids every time for the same sizes.
"""

import hashlib
import json
import random
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from citeqa.eval.benchmarks.splits import BenchmarkError, jsonl, squad_articles
from citeqa.eval.dataset import Example, out_of_corpus
from citeqa.ingest.document import Document

PATH_PREFIX = "benchmark:squad"


@dataclass(frozen=True)
class SquadQuestion:
    """An answerable SQuAD question with where its answer lies (for training evidence scorers)."""

    id: str
    question: str
    answers: tuple[str, ...]
    article_id: str
    answer_start: int  # offset of the first answer in the article's text


def article_id(title: str) -> str:
    """Example: "Super_Bowl_50" -> "Super_Bowl_50"; "Kenya (country)" -> "Kenya_country_"."""
    return re.sub(r"[^0-9A-Za-z]+", "_", title)


def _dev_v11(root: Path) -> list[dict]:
    path = Path(root) / "squad_v1.1" / "dev-v1.1.json.zip"
    if not path.is_file():
        raise BenchmarkError(f"expected SQuAD v1.1 at {path}, which does not exist")
    with zipfile.ZipFile(path) as archive:
        return json.loads(archive.read(archive.namelist()[0]))["data"]


def _article_text(article: dict) -> tuple[str, list[int]]:
    """(text, offset of each paragraph in it)."""
    offsets, parts, at = [], [], 0
    for paragraph in article["paragraphs"]:
        offsets.append(at)
        parts.append(paragraph["context"].strip())
        at += len(parts[-1]) + 2
    return "\n\n".join(parts), offsets


def documents(root: Path) -> list[Document]:
    """All 48 articles (train and test: each split's questions need the others as distractors)."""
    docs = []
    for article in _dev_v11(root):
        text, _ = _article_text(article)
        title = article["title"].replace("_", " ")
        digest = hashlib.sha256((title + "\n" + text).encode("utf-8")).hexdigest()
        docs.append(Document(article_id(article["title"]), title, text, digest, path=PATH_PREFIX))
    return docs


def answerable(root: Path, split: str) -> list[SquadQuestion]:
    """SQuAD v1.1 questions of the split's articles, in file order."""
    wanted = set(squad_articles(root, split))
    found = []
    for article in _dev_v11(root):
        stem = article_id(article["title"])
        if stem not in wanted:
            continue
        _, offsets = _article_text(article)
        for paragraph, offset in zip(article["paragraphs"], offsets):
            lead = len(paragraph["context"]) - len(paragraph["context"].lstrip())
            for qa in paragraph["qas"]:
                answers = tuple(dict.fromkeys(a["text"].strip() for a in qa["answers"] if a["text"].strip()))
                start = offset + qa["answers"][0]["answer_start"] - lead
                found.append(SquadQuestion(qa["id"], qa["question"].strip(), answers, stem, start))
    return found


def unanswerable(root: Path, split: str) -> list[Example]:
    """SQuAD 2.0's adversarial unanswerable questions on the split's articles."""
    wanted = set(squad_articles(root, split))
    folder = Path(root) / "squad_v2.0"
    meta = {m["id"]: m for m in jsonl(folder / "qa_meta.jsonl")}
    return [
        Example(r["id"], r["question"].strip(), (), (), type="unanswerable")
        for r in jsonl(folder / "qa.jsonl")
        if meta.get(r["id"], {}).get("is_impossible") and meta[r["id"]]["article"] in wanted
    ]


def examples(
    root: Path, split: str, answerable_count: int = 300, unanswerable_count: int = 150, seed: int = 0, out_of_corpus_count: int = 0,
) -> list[Example]:
    """A seeded sample of the split: answerable questions, then unanswerable ones, then the first
    `out_of_corpus_count` answerable ones again with their article hidden (`dataset.out_of_corpus`)."""
    rng = random.Random(seed)
    asked = answerable(root, split)
    asked = rng.sample(asked, min(answerable_count, len(asked)))
    declined = unanswerable(root, split)
    declined = rng.sample(declined, min(unanswerable_count, len(declined)))
    kept = [Example(q.id, q.question, q.answers, (q.article_id,), type="answerable") for q in asked]
    return kept + declined + [out_of_corpus(e) for e in kept[:out_of_corpus_count]]
