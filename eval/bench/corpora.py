"""The corpora the bench reads: the default articles, SQuAD dev and MultiHop-RAG (when `../shared` is there), and their chunk texts."""

import json
import random
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from citeqa.eval.bench.settings import BenchSettings
from citeqa.eval.benchmarks import multihop
from citeqa.eval.dataset import DEFAULT_DATASET, read_examples
from citeqa.ingest.chunk import chunk_document
from citeqa.ingest.document import Document
from citeqa.ingest.load import load_document
from citeqa.store.records import ChunkSettings


def default_documents(folder: Path) -> list[Document]:
    return [load_document(path) for path in sorted(Path(folder).glob("*.txt"))]


def chunk_texts(docs: Sequence[Document], embedder) -> list[str]:
    """The texts the pipeline will embed for `docs` (same chunker, same model limit)."""
    return [chunk.text for doc in docs for chunk in chunk_document(doc, ChunkSettings(), embedder.fits)]


def squad(path: Path, sample: int, seed: int) -> tuple[list[Document], list[tuple[str, str]]]:
    """SQuAD dev's articles (title, then paragraphs) and a seeded sample of (question, article id)."""
    with zipfile.ZipFile(path) as archive:
        name = next(n for n in archive.namelist() if n.endswith(".json"))
        data = json.loads(archive.read(name))["data"]
    docs, questions = [], []
    for number, article in enumerate(data):
        article_id = f"squad-{number:02d}"
        title = article["title"].replace("_", " ")
        text = title + "\n\n" + "\n\n".join(p["context"].strip() for p in article["paragraphs"])
        docs.append(Document(article_id, title, text, f"{number}:{len(text)}", path=f"squad://{number}"))
        questions.extend((qa["question"], article_id) for p in article["paragraphs"] for qa in p["qas"])
    return docs, random.Random(seed).sample(questions, min(sample, len(questions)))


@dataclass
class Corpus:
    """One comparison corpus: documents (citeqa), texts (the peers), questions and their sources."""

    name: str
    docs: list[Document]
    peer_texts: list[tuple[str, str]]
    questions: list[str]
    sources: list[tuple[str, ...]]
    rounds: int = 1
    all_gold: bool = False  # questions with several sources: also score all-gold@5
    peers_only: bool = False  # compared with the peers only, not in the torch-vs-onnx runner comparison
    cache: dict = field(default_factory=dict)  # citeqa's run on this corpus, shared by the peer and runner comparisons


def skipped(settings: BenchSettings) -> list[str]:
    """What the comparisons asked for leave out because its data is absent (a clone has no ../shared)."""
    out = []
    if (settings.peers or settings.compare_torch) and not settings.squad.is_file():
        out.append(f"SQuAD corpus: {settings.squad} not found (it sits in ../shared beside the clone; pass --squad)")
    if settings.peers and not multihop.articles_folder(settings.benchmarks).is_dir():
        out.append(f"MultiHop-RAG corpus: {multihop.articles_folder(settings.benchmarks)} not found "
                   "(it sits in ../shared beside the clone; pass --benchmarks)")
    return out


def multihop_corpus(settings: BenchSettings) -> Corpus:
    """MultiHop-RAG's 609 articles and a seeded sample of its answerable test-half queries (all-gold@5 scored)."""
    docs = default_documents(multihop.articles_folder(settings.benchmarks))
    answerable = [e for e in multihop.examples(settings.benchmarks, "test") if e.sources]
    sample = random.Random(settings.seed).sample(answerable, min(settings.multihop_questions, len(answerable)))
    if settings.quick:
        wanted = {a for e in sample[:2] for a in e.sources}
        docs = [d for d in docs if d.article_id in wanted]
        sample = [e for e in sample if set(e.sources) <= wanted]
    return Corpus("multihop", docs, [(d.article_id, f"{d.title}\n\n{d.text}") for d in docs],
                  [e.question for e in sample], [e.sources for e in sample], all_gold=True, peers_only=True)


def corpora(settings: BenchSettings) -> list[Corpus]:
    """The default corpus, plus SQuAD dev and (for --peers) MultiHop-RAG when their files are there (see `skipped`)."""
    docs = default_documents(settings.articles)
    examples = [e for e in read_examples(DEFAULT_DATASET) if e.answerable and not e.history]
    out = [Corpus("default", docs, [(d.article_id, f"{d.title}\n\n{d.text}") for d in docs],
                  [e.question for e in examples], [e.sources for e in examples], rounds=settings.ask_rounds)]
    if settings.squad.is_file():
        squad_docs, sample = squad(settings.squad, settings.squad_questions, settings.seed)
        if settings.quick:
            squad_docs = [d for d in squad_docs if d.article_id in {a for _, a in sample}][:3]
            sample = [(q, a) for q, a in sample if a in {d.article_id for d in squad_docs}]
        out.append(Corpus("squad", squad_docs, [(d.article_id, d.text) for d in squad_docs],
                          [q for q, _ in sample], [(a,) for _, a in sample]))
    if settings.peers and multihop.articles_folder(settings.benchmarks).is_dir():
        out.append(multihop_corpus(settings))
    return out
