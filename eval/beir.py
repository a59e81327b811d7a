"""BEIR-format retrieval benchmark: dense, BM25 and hybrid retrieval scored at document level.

A BEIR directory holds `corpus.jsonl` (`_id`, `title`, `text`), `queries.jsonl`
(`_id`, `text`) and `qrels/test.tsv` (header, then query-id, corpus-id, score); `eval.fit`
reads `qrels/train.tsv` the same way.
The corpus is ingested through the normal pipeline into its own store (a document's
text is its title, a blank line, then its text; unchanged documents are not re-embedded);
each test query's chunk hits become a document ranking (a document ranks where its best
chunk ranks), scored by ranx.
`published_baselines` reads the figures a dataset's README lists, when it has any.

Non-goals: graded-relevance analysis, downloading datasets.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
import hashlib
import json
from pathlib import Path
import re

from citeqa.app.retrieve import Mode, RetrievalSettings, rank_articles, search
from citeqa.errors import CiteqaError
from citeqa.ingest.document import Document
from citeqa.ingest.embed import Embedder
from citeqa.ingest.pipeline import Progress, ingest_documents
from citeqa.store.chroma import Store

MODES: tuple[Mode, ...] = ("dense", "bm25", "hybrid")
METRICS = {"nDCG@10": "ndcg@10", "Recall@100": "recall@100", "MRR@10": "mrr@10"}  # our name -> ranx name
CANDIDATES = 300  # chunks per retriever: enough distinct documents for Recall@100
PATH_PREFIX = "beir:"  # marks articles that came from a BEIR corpus


class BeirError(CiteqaError):
    """A BEIR directory is missing a file or holds a malformed line."""


@dataclass(frozen=True)
class BeirSet:
    """A loaded BEIR dataset: documents, the test queries (those in qrels) and their judgments."""

    name: str
    documents: tuple[Document, ...]
    queries: dict[str, str]
    qrels: dict[str, dict[str, int]]


def _jsonl(path: Path) -> Iterator[dict]:
    if not path.is_file():
        raise BeirError(f"a BEIR directory must hold {path.name}. Currently, {path} does not exist")
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, 1):
            if line.strip():
                try:
                    record = json.loads(line)
                    if not isinstance(record, dict) or "_id" not in record or "text" not in record:
                        raise ValueError("expected an object with '_id' and 'text'")
                except ValueError as err:
                    raise BeirError(f"{path}:{number}: {err}") from None
                yield record


def _qrels(path: Path) -> dict[str, dict[str, int]]:
    if not path.is_file():
        raise BeirError(f"a BEIR directory must hold qrels/{path.name}. Currently, {path} does not exist")
    qrels: dict[str, dict[str, int]] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        fields = line.split("\t")
        if number == 1 and fields[0] == "query-id" or not line.strip():
            continue
        if len(fields) != 3 or not fields[2].strip().lstrip("-").isdigit():
            raise BeirError(f"{path}:{number}: expected 'query-id<TAB>corpus-id<TAB>score', got {line!r}")
        qrels.setdefault(fields[0], {})[fields[1]] = int(fields[2])
    return qrels


def document(record: dict, name: str) -> Document:
    """A corpus record as a Document whose text opens with its title, as any article's does (and as BEIR's
    published baselines index title + text). Example: {"_id": "7", "title": "T", "text": "X."} ->
    Document("7", "T", "T\n\nX.", ...)."""
    title, body = str(record.get("title") or "").strip(), str(record["text"])
    text = f"{title}\n\n{body}" if title else body
    digest = hashlib.sha256((title + text).encode("utf-8")).hexdigest()
    return Document(article_id=str(record["_id"]), title=title, text=text, content_hash=digest, path=f"{PATH_PREFIX}{name}")


def load_beir(directory: Path, split: str = "test") -> BeirSet:
    """Read corpus, queries and the `split`'s qrels (qrels/<split>.tsv); keep only queries that have judgments."""
    directory = Path(directory)
    name = directory.resolve().name
    docs = tuple(document(r, name) for r in _jsonl(directory / "corpus.jsonl") if str(r["text"]).strip())
    qrels = _qrels(directory / "qrels" / f"{split}.tsv")
    queries = {str(r["_id"]): str(r["text"]) for r in _jsonl(directory / "queries.jsonl") if str(r["_id"]) in qrels}
    missing = sorted(set(qrels) - set(queries))
    if missing:
        raise BeirError(f"every query in qrels/{split}.tsv must be in queries.jsonl. Currently, {missing[:5]} are not")
    return BeirSet(name, docs, queries, {q: qrels[q] for q in queries})


def build_store(data: BeirSet, store: Store, embedder: Embedder) -> Iterator[Progress]:
    """Ingest the corpus (incrementally); refuses a store that holds articles from elsewhere."""
    foreign = [r.article_id for r in store.articles() if r.path != f"{PATH_PREFIX}{data.name}"]
    if foreign:
        raise BeirError(
            f"the BEIR store at {store.location} must hold only the {data.name} corpus. Currently, it holds "
            f"{len(foreign)} other articles (e.g. {foreign[0]}); pass a separate --store"
        )
    yield from ingest_documents(data.documents, store, embedder)


def document_run(store: Store, embedder: Embedder, queries: dict[str, str], mode: Mode,
                 on_query: Callable[[], None] | None = None,
                 settings: RetrievalSettings = RetrievalSettings()) -> dict[str, dict[str, float]]:
    """query id -> {doc id: score}, documents ranked by their best chunk (score = 1 / rank).

    `settings` are `ask`'s retrieval settings, with at least CANDIDATES chunks from each retriever.
    """
    settings = replace(settings, candidates=max(settings.candidates, CANDIDATES))
    ids = list(queries)
    vectors = embedder.embed_queries([queries[q] for q in ids]) if mode != "bm25" else [None] * len(ids)
    run: dict[str, dict[str, float]] = {}
    for query_id, vector in zip(ids, vectors):
        ranked = rank_articles(search(store, queries[query_id], vector, settings, mode))
        run[query_id] = {doc: 1.0 / rank for rank, doc in enumerate(ranked, 1)}
        if on_query:
            on_query()
    return run


def score(qrels: dict[str, dict[str, int]], run: dict[str, dict[str, float]]) -> dict[str, float]:
    """nDCG@10, Recall@100 and MRR@10 by ranx (queries with no hits score 0)."""
    from ranx import Qrels, Run, evaluate  # imported here: numba compiles on first use

    filled = {q: run.get(q) or {"__none__": 0.0} for q in qrels}  # ranx needs every query present
    values = evaluate(Qrels(qrels), Run(filled), list(METRICS.values()), make_comparable=True)
    return {name: float(values[ranx_name]) for name, ranx_name in METRICS.items()}


@dataclass(frozen=True)
class Baseline:
    """A published figure row from a dataset's README."""

    method: str
    ndcg10: float | None
    recall100: float | None
    source: str


def _number(cell: str) -> float | None:
    match = re.search(r"\d*\.\d+|\d+", cell)
    return float(match.group()) if match else None


def published_baselines(directory: Path) -> list[Baseline]:
    """Rows of the table under the README heading naming this dataset (README in the dir or its parent)."""
    directory = Path(directory).resolve()
    name = directory.name
    for readme in (directory / "README.md", directory.parent / "README.md"):
        if not readme.is_file():
            continue
        section, rows = False, []
        for line in readme.read_text(encoding="utf-8").splitlines():
            if line.startswith("## "):
                section = readme.parent == directory or re.match(rf"##\s+`?{re.escape(name)}\b", line) is not None
            elif section and line.startswith("|"):
                rows.append([cell.strip() for cell in line.strip().strip("|").split("|")])
        header = next((r for r in rows if "nDCG@10" in r), None)
        if header:
            col = {c: i for i, c in enumerate(header)}
            body = [r for r in rows if r is not header and not set("".join(r)) <= set("-: ") and len(r) == len(header)]
            return [
                Baseline(r[0], _number(r[col["nDCG@10"]]), _number(r[col["Recall@100"]]) if "Recall@100" in col else None,
                         r[col["source"]] if "source" in col else "")
                for r in body
            ]
    return []
