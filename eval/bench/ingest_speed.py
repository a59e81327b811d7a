"""Ingest throughput: the real pipeline into a fresh store, against the same runner's raw encode of the same texts."""

import shutil
from collections.abc import Sequence
from pathlib import Path

from citeqa.eval.bench.corpora import chunk_texts
from citeqa.eval.bench.result import SyntheticCorpus
from citeqa.eval.bench.settings import BenchSettings, Step
from citeqa.eval.bench.synthetic import corpus_sentences, synthetic_documents
from citeqa.eval.bench.timing import encode_speed
from citeqa.ingest.document import Document
from citeqa.ingest.pipeline import IngestReport, ingest_documents
from citeqa.store.chroma import open_store


def ingest_fresh(docs: Sequence[Document], embedder, location: Path) -> IngestReport:
    """Ingest `docs` into a new store at `location` (removed first); the final report."""
    shutil.rmtree(location, ignore_errors=True)
    report = IngestReport()
    for step in ingest_documents(docs, open_store(location, create=True), embedder):
        report = step.report
    return report


def synthetic_ingest(
    settings: BenchSettings, embedder, location: Path, step: Step
) -> tuple[SyntheticCorpus, float, float, list[Document], list[str]]:
    """(corpus facts, ingest chunks/s, raw encode chunks/s, documents, their chunk texts) on synthetic articles.

    The raw encode runs before and after the ingest (once with `quick`); their mean evens out load drift.
    """
    docs = synthetic_documents(corpus_sentences(settings.articles), settings.synthetic_articles, seed=settings.seed)
    texts = chunk_texts(docs, embedder)
    step(f"synthetic corpus: raw encode of {len(texts):,} chunks")
    before = encode_speed(embedder, texts)
    step(f"synthetic corpus: ingest of {len(docs)} articles")
    report = ingest_fresh(docs, embedder, location)
    step("synthetic corpus: raw encode again")
    after = encode_speed(embedder, texts) if not settings.quick else before
    corpus = SyntheticCorpus(
        how=f"{len(docs)} articles of 48 sentences drawn (random.Random({settings.seed})) from the "
            f"{settings.articles.name} corpus's sentences, 2-5 per paragraph; deterministic",
        articles=len(docs), chunks=report.chunks, chunk_texts_encoded=len(texts), ingest_s=round(report.seconds, 2),
        encode_chunks_per_s_before=round(before, 2), encode_chunks_per_s_after=round(after, 2),
    )
    return corpus, round(report.chunks_per_second, 2), round((before + after) / 2, 2), docs, texts
