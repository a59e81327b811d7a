"""Fit hybrid retrieval on a BEIR train split: a deterministic grid search for document nDCG@10.

Each train query is embedded once and its dense candidates read from the store once; BM25 is
rebuilt from the store's chunk texts for every (k1, b) on the grid (`store.lexical.LexicalIndex`,
as the store builds it). Every fusion setting then replays `app.retrieve.combine`, the step `ask`
runs, on those rankings, with documents ranked at their best chunk as `eval.beir.document_run`
does (at least `CANDIDATES` chunks from each retriever). The best mean nDCG@10 wins; ties go to
the earlier grid point, so a rerun picks the same. Its values are what `Bm25Params` and
`RetrievalSettings` default to (copied there by hand, with the figures in the README).

    python -m citeqa.eval.fit ../shared/benchmarks/scifact [--store .citeqa/beir-scifact] [--json]

The store must already hold the corpus (`citeqa eval --beir DIR` builds it). Non-goals: learned
rankers, fitting on test queries.
"""

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import numpy as np

from citeqa.app.retrieve import Mode, RetrievalSettings, combine, rank_articles
from citeqa.errors import CiteqaError
from citeqa.eval.beir import CANDIDATES, BeirError, BeirSet, load_beir
from citeqa.eval.metrics import mrr_at_k, ndcg_at_k, recall_at_k
from citeqa.ingest.embed import Embedder
from citeqa.store.chroma import Store
from citeqa.store.lexical import Bm25Params, LexicalIndex

Ranking = list[tuple[str, float]]
# The settings before any fitting (bm25s's BM25 defaults, plain RRF with Cormack et al.'s constant):
# the fit reports how far it moved from them.
REFERENCE = (Bm25Params(k1=1.5, b=0.75), RetrievalSettings(fusion="rrf", rrf_k=60, dense_weight=0.5))


@dataclass(frozen=True)
class Grid:
    """What the fit tries: every BM25 parameter pair with every fusion setting."""

    bm25: tuple[Bm25Params, ...]
    retrieval: tuple[RetrievalSettings, ...]


DEFAULT_GRID = Grid(
    bm25=tuple(Bm25Params(k1, b) for k1 in (0.9, 1.2, 1.5) for b in (0.4, 0.6, 0.75, 0.9)),
    retrieval=tuple(
        [RetrievalSettings(fusion="rrf", rrf_k=k, dense_weight=w) for k in (5, 10, 20, 40, 60) for w in (0.3, 0.4, 0.5, 0.6, 0.7)]
        + [RetrievalSettings(fusion="scores", dense_weight=w / 20) for w in range(6, 17)]  # 0.30, 0.35, ... 0.80
    ),
)


@dataclass(frozen=True)
class Point:
    """One grid point and its mean train nDCG@10."""

    bm25: Bm25Params
    retrieval: RetrievalSettings
    ndcg10: float


@dataclass(frozen=True)
class Fit:
    """The grid's best point, every point tried (in grid order) and the train figures at the best one."""

    best: Point
    reference: Point
    points: tuple[Point, ...]
    train: dict[str, dict[str, float]]  # "dense", "bm25", "hybrid", "... (reference)", ... -> metrics

    def as_dict(self) -> dict:
        top = sorted(self.points, key=lambda p: -p.ndcg10)[:10]
        return {"best": asdict(self.best), "reference": asdict(self.reference), "train": self.train,
                "points": len(self.points), "top": [asdict(p) for p in top]}


@dataclass(frozen=True)
class Rankings:
    """Per train query: its dense ranking, and its BM25 ranking for each BM25 parameter pair tried."""

    dense: dict[str, Ranking]
    bm25: dict[Bm25Params, dict[str, Ranking]]


def collect(store: Store, embedder: Embedder, data: BeirSet, params: Sequence[Bm25Params], depth: int,
            step: Callable[[str], None] = lambda _m: None) -> Rankings:
    """Dense rankings once (the store's vector index), BM25 rankings per parameter pair (rebuilt from its texts)."""
    ids = list(data.queries)
    step(f"dense rankings of {len(ids)} queries")
    vectors = embedder.embed_queries([data.queries[q] for q in ids])
    dense = {q: store.nearest(vector, depth) for q, vector in zip(ids, vectors)}
    chunk_ids, texts = [], []
    for batch_ids, batch_texts in store.iter_chunk_texts():
        chunk_ids.extend(batch_ids)
        texts.extend(batch_texts)
    bm25 = {}
    for p in params:
        step(f"BM25 rankings, k1={p.k1} b={p.b}")
        index = LexicalIndex.build(chunk_ids, texts, "fit", p)
        bm25[p] = {q: index.search(data.queries[q], depth) for q in ids}
    return Rankings(dense, bm25)


def document_ranking(dense: Ranking, lexical: Ranking, settings: RetrievalSettings, mode: Mode = "hybrid",
                     depth: int = CANDIDATES) -> list[str]:
    """Documents ranked at their best chunk, as `eval.beir.document_run` ranks them (at least `depth` chunks a side)."""
    return rank_articles(combine(dense, lexical, replace(settings, candidates=max(settings.candidates, depth)), mode))


def relevant(data: BeirSet) -> dict[str, set[str]]:
    """Per query, the documents judged relevant (grade > 0)."""
    return {q: {d for d, grade in data.qrels[q].items() if grade > 0} for q in data.queries}


def mean_ndcg10(rankings: Rankings, data: BeirSet, params: Bm25Params, settings: RetrievalSettings) -> float:
    lexical, wanted = rankings.bm25[params], relevant(data)
    return float(np.mean([ndcg_at_k(document_ranking(rankings.dense[q], lexical[q], settings), wanted[q], 10) for q in data.queries]))


def figures(rankings: Rankings, data: BeirSet, params: Bm25Params, settings: RetrievalSettings, mode: Mode,
            depth: int = CANDIDATES) -> dict[str, float]:
    """Mean nDCG@10, Recall@100 and MRR@10 (binary relevance: every SciFact judgment is 1)."""
    rows = {q: document_ranking(rankings.dense[q], rankings.bm25[params][q], settings, mode, depth) for q in data.queries}
    wanted = relevant(data)
    return {
        "nDCG@10": round(float(np.mean([ndcg_at_k(rows[q], wanted[q], 10) for q in rows])), 4),
        "Recall@100": round(float(np.mean([recall_at_k(rows[q], wanted[q], 100) for q in rows])), 4),
        "MRR@10": round(float(np.mean([mrr_at_k(rows[q], wanted[q], 10) for q in rows])), 4),
    }


def fit(store: Store, embedder: Embedder, data: BeirSet, grid: Grid = DEFAULT_GRID,
        step: Callable[[str], None] = lambda _m: None) -> Fit:
    """The grid point with the best mean train nDCG@10 (the first of equals), with train figures."""
    params = list(dict.fromkeys([*grid.bm25, REFERENCE[0]]))
    depth = max(CANDIDATES, *(s.candidates for s in grid.retrieval))
    rankings = collect(store, embedder, data, params, depth, step)
    points = []
    for p in grid.bm25:
        step(f"fusion settings with k1={p.k1} b={p.b}")
        points.extend(Point(p, s, round(mean_ndcg10(rankings, data, p, s), 6)) for s in grid.retrieval)
    best = max(points, key=lambda point: point.ndcg10)  # max keeps the first of equals
    reference = Point(*REFERENCE, round(mean_ndcg10(rankings, data, *REFERENCE), 6))
    train = {mode: figures(rankings, data, best.bm25, best.retrieval, mode) for mode in ("dense", "bm25", "hybrid")}
    train["bm25 (reference)"] = figures(rankings, data, REFERENCE[0], REFERENCE[1], "bm25")
    train["hybrid (reference)"] = figures(rankings, data, *REFERENCE, "hybrid")
    # What `ask` ranks: only its own `candidates` from each side (Recall@100 is then capped by fewer documents).
    train["hybrid (ask's candidates)"] = figures(rankings, data, best.bm25, best.retrieval, "hybrid", depth=0)
    return Fit(best, reference, tuple(points), train)


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: fit on DIR's train split and print the chosen values (or JSON)."""
    parser = argparse.ArgumentParser(prog="python -m citeqa.eval.fit", description=__doc__.split("\n\n")[0])
    parser.add_argument("directory", type=Path, help="BEIR dataset folder with qrels/train.tsv")
    parser.add_argument("--store", help="store holding the corpus (default: .citeqa/beir-<name>)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    from citeqa.ingest.embed import load_embedder
    from citeqa.store.chroma import open_store

    try:
        data = load_beir(args.directory, split="train")
        store = open_store(args.store or f".citeqa/beir-{data.name}")
        if store.count() == 0 or store.settings is None:
            raise BeirError(f"the store at {store.location} is empty; build it first with: citeqa eval --beir {args.directory}")
        result = fit(store, load_embedder(store.settings.embedding_model), data,
                     step=(lambda _m: None) if args.json else (lambda m: print(m, file=sys.stderr)))
    except CiteqaError as err:  # the package's own errors only: a bug keeps its traceback
        print(f"error: {err}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(result.as_dict()))
        return 0
    print(f"{len(data.queries)} train queries, {len(result.points)} grid points")
    print(f"best:      nDCG@10 {result.best.ndcg10:.4f}  {result.best.bm25}  {result.best.retrieval}")
    print(f"reference: nDCG@10 {result.reference.ndcg10:.4f}  {result.reference.bm25}  {result.reference.retrieval}")
    for mode, values in result.train.items():
        print(f"train {mode:20s} " + "  ".join(f"{name} {value:.4f}" for name, value in values.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
