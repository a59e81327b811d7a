"""Retrieval quality and coverage of one tool on one corpus: citeqa's real ask path, or a peer's defaults."""

import importlib
import shutil
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from citeqa.app.qa import QA
from citeqa.eval import metrics
from citeqa.eval.bench.corpora import Corpus
from citeqa.eval.bench.ingest_speed import ingest_fresh
from citeqa.eval.bench.result import ArticleScores, PeerComparison, ToolRun
from citeqa.eval.bench.settings import Step
from citeqa.eval.bench.timing import latency
from citeqa.eval.bench.wordpieces import hf_tokenizer, wordpieces
from citeqa.ingest.embed import resolve_model
from citeqa.store.chroma import Store, open_store


PEERS = ("llamaindex", "haystack")  # modules under eval.bench.peers, compared in this order


def article_scores(rankings: Sequence[Sequence[str]], sources: Sequence[Sequence[str]], all_gold: bool = False) -> ArticleScores:
    """Mean Hit@1 (the first article is a source), Recall@1, Recall@5 and MRR@5 over questions.

    `all_gold` adds all-gold@5: the share of questions with every source article among the top 5.
    """
    pairs = list(zip(rankings, sources))
    return ArticleScores(
        hit_1=round(float(np.mean([bool(r) and r[0] in s for r, s in pairs])), 4),
        recall_1=round(float(np.mean([metrics.recall_at_k(r, s, 1) for r, s in pairs])), 4),
        recall_5=round(float(np.mean([metrics.recall_at_k(r, s, 5) for r, s in pairs])), 4),
        mrr_5=round(float(np.mean([metrics.mrr_at_k(r, s, 5) for r, s in pairs])), 4),
        questions=len(rankings),
        all_gold_5=round(float(np.mean([set(s) <= set(r[:5]) for r, s in pairs])), 4) if all_gold else None,
    )


def _store_spans(store: Store) -> list[tuple[str, int, str]]:
    spans = []
    for ids, _ in store.iter_chunk_texts():
        spans.extend((hit.chunk.article_id, hit.chunk.char_start, hit.chunk.text) for hit in store.get_hits(ids))
    return spans


def citeqa_run(corpus: Corpus, embedder, workdir: Path, label: str) -> ToolRun:
    """Ingest the corpus with `embedder` into a fresh store, then ask every question (rounds x)."""
    location = workdir / f"{label}-{corpus.name}"
    report = ingest_fresh(corpus.docs, embedder, location)
    store = open_store(location)
    qa = QA(store, embedder)
    qa.ask(corpus.questions[0])
    rankings, ms = [], []
    for round_ in range(corpus.rounds):
        for question in corpus.questions:
            started = time.perf_counter()
            answer = qa.ask(question)
            ms.append((time.perf_counter() - started) * 1000)
            if round_ == 0:
                rankings.append(list(answer.retrieved))
    pieces = wordpieces(hf_tokenizer(embedder), embedder.max_wordpieces, {d.article_id: d.text for d in corpus.docs}, _store_spans(store))
    return ToolRun(round(report.seconds, 2), len(corpus.docs), pieces, latency(ms),
                   article_scores(rankings, corpus.sources, corpus.all_gold))


def default_run(corpus: Corpus, embedder, workdir: Path) -> ToolRun:
    """citeqa's run with the default runner on `corpus`, made once and shared by every comparison."""
    if "default" not in corpus.cache:
        corpus.cache["default"] = citeqa_run(corpus, embedder, workdir, "citeqa")
    return corpus.cache["default"]


def peer_run(peer: str, corpus: Corpus, model_path: str, tokenizer, limit: int, workdir: Path) -> ToolRun:
    """Index and query `corpus` with the peer module `eval.bench.peers.<peer>` (its optional extra imported only here)."""
    module = importlib.import_module(f"citeqa.eval.bench.peers.{peer}")
    location = workdir / f"{peer}-{corpus.name}"
    shutil.rmtree(location, ignore_errors=True)
    run = module.run(corpus.peer_texts, corpus.questions, model_path, location, corpus.rounds)
    pieces = wordpieces(tokenizer, limit, dict(corpus.peer_texts), ((n.article_id, n.start, n.embedded_text) for n in run.nodes))
    return ToolRun(round(run.ingest_s, 2), len(corpus.peer_texts), pieces, latency(run.latencies_ms),
                   article_scores(run.rankings, corpus.sources, corpus.all_gold))


def peer_name(peer: str) -> str:
    """How a peer is shown in tables, e.g. "haystack" -> "Haystack"."""
    return importlib.import_module(f"citeqa.eval.bench.peers.{peer}").NAME


def compare_peers(corpus: Corpus, embedder, workdir: Path, step: Step) -> PeerComparison:
    step(f"peers, {corpus.name}: citeqa")
    ours = default_run(corpus, embedder, workdir)
    model_path, tokenizer = resolve_model(embedder.model_id)[1], hf_tokenizer(embedder)
    theirs = {}
    for peer in PEERS:
        step(f"peers, {corpus.name}: {peer_name(peer)}")
        theirs[peer] = peer_run(peer, corpus, model_path, tokenizer, embedder.max_wordpieces, workdir)
    return PeerComparison(ours, theirs)
