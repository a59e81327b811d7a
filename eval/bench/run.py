"""citeqa's own speed and scale measurements, run in one process on one machine.

`run_bench` measures, with the model already loaded:
- ingest throughput of the real pipeline (`ingest_documents` into a fresh store) against
  the same runner's raw batched encode (batch 32) of the same chunk texts, on synthetic articles
  recombined (seeded) from the sentences of the default corpus (`eval.synthetic`);
- warm, extractive `QA.ask` latency on the default corpus and on synthetic stores of 10k
  and 100k chunks (filled by `eval.synthetic.fill_store`, cached under `.citeqa/bench-N`),
  plus the BM25 build time at that size;
- cold start to first answer and peak RSS of `citeqa serve` (a subprocess on a free
  loopback port, asked once through gradio_client), and cold start of `citeqa ask` (the median
  of several processes, after a first one);
- optionally the LlamaIndex comparison (`eval.peers`) and the default int8 ONNX runner vs torch fp32.

It returns one plain dict; printing is the CLI's job. Non-goals: tuning anything, GPUs.
"""

import functools
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from citeqa.app.qa import QA
from citeqa.eval import metrics
from citeqa.eval.dataset import DEFAULT_DATASET, Example, read_examples
from citeqa.eval.synthetic import cache_marker, cached, corpus_sentences, fill_store, mark_cached, sentence_pool, synthetic_documents
from citeqa.ingest.chunk import chunk_document
from citeqa.ingest.document import Document
from citeqa.ingest.embed import SentenceTransformerEmbedder, load_embedder, resolve_model
from citeqa.ingest.load import load_document
from citeqa.ingest.pipeline import IngestReport, ingest_documents
from citeqa.store.chroma import Store, StoreSettings, open_store
from citeqa.store.lexical import LexicalIndex
from citeqa.store.records import ChunkSettings

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_ARTICLES = ROOT / "data" / "articles"
DEFAULT_SQUAD = ROOT.parent / "shared" / "benchmarks" / "squad_v1.1" / "dev-v1.1.json.zip"
SERVE_QUESTION = "How much grant money did Xi promise?"
# The console script's entry point, run by this interpreter (`python -m citeqa.cli` would register no commands).
CITEQA = (sys.executable, "-c", "from citeqa.cli import run; run()")

Step = Callable[[str], None]


@dataclass(frozen=True)
class BenchSettings:
    """What to measure and at which sizes; `quick` shrinks everything for a smoke test."""

    quick: bool = False
    scales: tuple[int, ...] = (10_000, 100_000)
    peers: bool = False
    compare_torch: bool = False  # also measure the torch fp32 runner against the int8 ONNX default
    synthetic_articles: int = 250
    ask_rounds: int = 3
    squad_questions: int = 300
    serve: bool = True
    ask_cli_runs: int = 5  # `citeqa ask` processes timed after a first one; the median is reported
    seed: int = 0
    cache_dir: Path = Path(".citeqa")
    articles: Path = DEFAULT_ARTICLES
    squad: Path = DEFAULT_SQUAD

    def __post_init__(self) -> None:
        for name in ("synthetic_articles", "ask_rounds", "squad_questions", "ask_cli_runs"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be greater than 0. Currently, {name} is {getattr(self, name)}")
        if any(n < 1 for n in self.scales):
            raise ValueError(f"scales must be positive chunk counts. Currently, scales is {self.scales}")

    @classmethod
    def quick_settings(cls, **overrides) -> "BenchSettings":
        return cls(**{"quick": True, "scales": (300,), "synthetic_articles": 2, "ask_rounds": 1, "squad_questions": 20,
                      "serve": False, "ask_cli_runs": 1, **overrides})


def latency(ms: Sequence[float]) -> dict:
    """p50/p95/mean of latencies in ms. Example: [1, 2, 3] -> {"p50_ms": 2.0, ...}."""
    return {
        "p50_ms": round(metrics.percentile(ms, 50), 2),
        "p95_ms": round(metrics.percentile(ms, 95), 2),
        "p99_ms": round(metrics.percentile(ms, 99), 2),
        "mean_ms": round(float(np.mean(ms)), 2),
        "n": len(ms),
    }


def load_average() -> list[float]:
    """1/5/15-minute load averages."""
    return [round(x, 2) for x in os.getloadavg()]


def warm(embedder) -> None:
    """Load the model and run it once, so no measurement pays for start-up."""
    embedder.embed_queries(["warm up"])
    embedder.embed_passages(["Warm up."], [[(0, 8)]])


def encode_speed(embedder, texts: Sequence[str]) -> float:
    """Chunks per second of the runner's raw batched encode (torch: `model.encode`, batch 32): the practical limit."""
    started = time.perf_counter()
    embedder.embed_queries(list(texts))  # no prompts for these models: the plain mean-pooled encode
    return len(texts) / (time.perf_counter() - started)


def hf_tokenizer(embedder):
    """The model's Hugging Face tokenizer (offsets, word-piece counts), whichever runner embeds; loaded once."""
    return _hf_tokenizer(resolve_model(embedder.model_id)[1])


@functools.cache
def _hf_tokenizer(path: str):
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(path)


def ingest_fresh(docs: Sequence[Document], embedder, location: Path) -> IngestReport:
    """Ingest `docs` into a new store at `location` (removed first); the final report."""
    shutil.rmtree(location, ignore_errors=True)
    report = IngestReport()
    for step in ingest_documents(docs, open_store(location, create=True), embedder):
        report = step.report
    return report


def chunk_texts(docs: Sequence[Document], embedder) -> list[str]:
    """The texts the pipeline will embed for `docs` (same chunker, same model limit)."""
    return [chunk.text for doc in docs for chunk in chunk_document(doc, ChunkSettings(), embedder.fits)]


def default_documents(folder: Path) -> list[Document]:
    return [load_document(path) for path in sorted(Path(folder).glob("*.txt"))]


def time_asks(qa: QA, examples: Sequence[Example], rounds: int, warm_up: int = 5) -> list[float]:
    """Latencies (ms) of `QA.ask` over `examples` (with their chat history), `rounds` times, after warm-up asks."""
    for example in examples[:warm_up]:
        qa.ask(example.question)
    out = []
    for _ in range(rounds):
        for example in examples:
            started = time.perf_counter()
            qa.ask(example.question, history=list(example.history) or None)
            out.append((time.perf_counter() - started) * 1000)
    return out


# -- scale ---------------------------------------------------------------------------


def scale_point(n: int, pool_store: Store, embedder, settings: BenchSettings, examples: Sequence[Example], workdir: Path, step: Step) -> dict:
    """Fill (or reuse) a synthetic store of `n` chunks and time asks on it with the real QA path."""
    cacheable = n >= 10_000
    directory = settings.cache_dir / f"bench-{n // 1000}k" if cacheable else workdir / f"scale-{n}"
    marker = cache_marker(n, settings.seed, embedder.model_id)
    out: dict = {"chunks": n, "store": str(directory)}
    if cacheable and cached(directory, marker):
        out["fill"] = "reused cached store"
    else:
        shutil.rmtree(directory, ignore_errors=True)
        tokenizer = hf_tokenizer(embedder)
        pool = sentence_pool(pool_store, lambda t: len(tokenizer(t, add_special_tokens=False)["input_ids"]))
        store = open_store(directory, create=True)
        started = time.perf_counter()
        fill_store(store, pool, StoreSettings(embedder.model_id, embedder.dimension, ChunkSettings()), n, seed=settings.seed,
                   on_batch=lambda done: step(f"filling {n:,}-chunk store: {done:,}"))
        seconds = time.perf_counter() - started
        out["fill"] = f"filled from a pool of {len(pool.texts):,} real sentences"
        out["fill_s"] = round(seconds, 1)
        out["fill_chunks_per_s"] = round(n / seconds, 1)
        if cacheable:
            mark_cached(directory, marker)
    store = open_store(directory)
    out["articles"] = len(store.articles())
    step(f"{n:,} chunks: BM25 build")
    started = time.perf_counter()
    ids, texts = [], []
    for batch_ids, batch_texts in store.iter_chunk_texts():
        ids.extend(batch_ids)
        texts.extend(batch_texts)
    read_s = time.perf_counter() - started
    started = time.perf_counter()
    stamp = store._stamp()
    out["stamp_check_ms"] = round((time.perf_counter() - started) * 1000, 1)  # done every 5 s by a long-running reader
    started = time.perf_counter()
    index = LexicalIndex.build(ids, texts, stamp)
    out["lexical_read_s"] = round(read_s, 2)
    out["lexical_build_s"] = round(time.perf_counter() - started, 2)
    index.save(Path(directory) / "lexical")  # where Store.refresh_lexical looks: the first ask loads it
    del ids, texts, index
    qa = QA(store, embedder)
    started = time.perf_counter()
    qa.ask(examples[0].question)  # loads (or builds and saves) the lexical index
    out["first_ask_s"] = round(time.perf_counter() - started, 2)
    step(f"{n:,} chunks: timing asks")
    out.update(latency(time_asks(qa, examples, settings.ask_rounds)))
    return out


# -- serve ---------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _status_kb(pid: int, field_name: str) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field_name + ":"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def measure_serve(store: Path, timeout: float = 240.0) -> dict:
    """Start `citeqa serve` on a free loopback port; time process start -> first /chat answer; read VmHWM."""
    from gradio_client import Client

    port = _free_port()
    env = {**os.environ, "GRADIO_ANALYTICS_ENABLED": "False", "HF_HUB_OFFLINE": "1"}
    log = tempfile.TemporaryFile()
    started = time.perf_counter()
    proc = subprocess.Popen([*CITEQA, "serve", "--store", str(store), "--port", str(port)],
                            stdout=log, stderr=subprocess.STDOUT, env=env)
    out: dict = {"port": port}
    try:
        while time.perf_counter() - started < timeout and proc.poll() is None:
            try:
                client = Client(f"http://127.0.0.1:{port}/", verbose=False)
                result = client.predict(SERVE_QUESTION, [], 8, "extractive", False, api_name="/chat")
            except Exception:
                time.sleep(0.25)
                continue
            out["cold_start_s"] = round(time.perf_counter() - started, 2)
            out["answer_cited"] = bool(result.get("citations")) if isinstance(result, dict) else None
            break
        out["peak_rss_mb"] = round((_status_kb(proc.pid, "VmHWM") or 0) / 1024, 1)
        if "cold_start_s" not in out:
            log.seek(0)
            out["error"] = "no answer: " + log.read().decode(errors="replace")[-300:]
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
    return out


# Prints the process's own VmHWM on exit (rusage from wait4 would count the parent's pages copied before exec)
# and whether the answer path imported torch.
_PROBE = ("import atexit, sys; atexit.register(lambda: sys.stderr.write(next(l for l in open('/proc/self/status') "
          "if l.startswith('VmHWM')) + f'torch imported: {\"torch\" in sys.modules}\\n')); "
          "from citeqa.cli import run; run()")


def measure_ask_cli(store: Path, runs: int = 5) -> dict:
    """Cold start of `citeqa ask` (process start -> answer printed): one first run, then the median of `runs`.

    The first run may build the store's saved BM25 index or the model's ONNX export; the median is what a
    user waits for after that. Also that process's peak RSS and whether it imported torch.
    """
    seconds, last = [], None
    for _ in range(runs + 1):
        started = time.perf_counter()
        last = subprocess.run([sys.executable, "-c", _PROBE, "ask", SERVE_QUESTION, "--store", str(store), "--json"],
                              capture_output=True, text=True, env={**os.environ, "HF_HUB_OFFLINE": "1"})
        seconds.append(time.perf_counter() - started)
        if last.returncode != 0:
            return {"error": last.stderr.strip()[-300:]}
    hwm = [line.split()[1] for line in last.stderr.splitlines() if line.startswith("VmHWM:")]
    return {
        "cold_start_s": round(float(np.median(seconds[1:])), 3),
        "first_run_s": round(seconds[0], 3),
        "runs_s": [round(s, 3) for s in seconds[1:]],
        "imports_torch": "torch imported: True" in last.stderr,
        "peak_rss_mb": round(int(hwm[-1]) / 1024, 1) if hwm else None,
    }


# -- retrieval quality and word pieces ------------------------------------------------


def article_scores(rankings: Sequence[Sequence[str]], sources: Sequence[Sequence[str]]) -> dict:
    """Mean article hit@1 (first article is a source), recall@1, recall@5 and MRR@5 over questions."""
    return {
        "hit@1": round(float(np.mean([bool(r) and r[0] in s for r, s in zip(rankings, sources)])), 4),
        "recall@1": round(float(np.mean([metrics.recall_at_k(r, s, 1) for r, s in zip(rankings, sources)])), 4),
        "recall@5": round(float(np.mean([metrics.recall_at_k(r, s, 5) for r, s in zip(rankings, sources)])), 4),
        "mrr@5": round(float(np.mean([metrics.mrr_at_k(r, s, 5) for r, s in zip(rankings, sources)])), 4),
        "questions": len(rankings),
    }


def wordpieces(tokenizer, limit: int, texts: dict[str, str], spans: Iterable[tuple[str, int, str]]) -> dict:
    """How much of each article the model actually sees.

    `spans` are (article_id, char start in the article, text handed to the model). The model
    reads the first `limit` - 2 word pieces of each text (2 are [CLS]/[SEP]); the rest is cut.
    Coverage = word pieces of the articles inside at least one embedded window / all of them.
    """
    covered = {article_id: np.zeros(len(text) + 1, dtype=bool) for article_id, text in texts.items()}
    embedded = in_chunks = truncated = chunks = 0
    for article_id, start, text in spans:
        enc = tokenizer(text, add_special_tokens=False, return_offsets_mapping=True, verbose=False)
        n = len(enc["input_ids"])
        seen = min(n, limit - 2)
        end = enc["offset_mapping"][seen - 1][1] if 0 < seen < n else len(text)
        covered[article_id][start : start + end] = True
        embedded, in_chunks, chunks, truncated = embedded + seen, in_chunks + n, chunks + 1, truncated + (seen < n)
    total = inside = 0
    for article_id, text in texts.items():
        offsets = tokenizer(text, add_special_tokens=False, return_offsets_mapping=True, verbose=False)["offset_mapping"]
        total += len(offsets)
        inside += int(covered[article_id][np.array([a for a, _ in offsets], dtype=int)].sum()) if offsets else 0
    return {
        "chunks": chunks,
        "truncated_chunks": truncated,
        "article_wordpieces": total,
        "embedded_wordpieces": embedded,  # counted once per chunk: overlaps are embedded twice
        "fraction_embedded": round(inside / total, 4) if total else 0.0,
    }


def _store_spans(store: Store) -> list[tuple[str, int, str]]:
    spans = []
    for ids, _ in store.iter_chunk_texts():
        spans.extend((hit.chunk.article_id, hit.chunk.char_start, hit.chunk.text) for hit in store.get_hits(ids))
    return spans


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
    """One peer-comparison corpus: documents (citeqa), texts (LlamaIndex), questions and their sources."""

    name: str
    docs: list[Document]
    peer_texts: list[tuple[str, str]]
    questions: list[str]
    sources: list[tuple[str, ...]]
    rounds: int = 1
    cache: dict = field(default_factory=dict)


def skipped(settings: BenchSettings) -> list[str]:
    """What the comparisons asked for leave out because its data is absent (a clone has no ../shared)."""
    if (settings.peers or settings.compare_torch) and not settings.squad.is_file():
        return [f"SQuAD corpus: {settings.squad} not found (it sits in ../shared beside the clone; pass --squad)"]
    return []


def corpora(settings: BenchSettings) -> list[Corpus]:
    """The default corpus, plus SQuAD dev when its file is there (see `skipped`)."""
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
    return out


def citeqa_quality(corpus: Corpus, embedder, workdir: Path, label: str) -> dict:
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
    return {
        "ingest_s": round(report.seconds, 2),
        "articles": len(corpus.docs),
        **pieces,
        "embedded_wordpieces_per_s": round(pieces["embedded_wordpieces"] / report.seconds, 1),
        "latency": latency(ms),
        **article_scores(rankings, corpus.sources),
    }


def peer_quality(corpus: Corpus, model_path: str, tokenizer, limit: int, workdir: Path) -> dict:
    from citeqa.eval.peers import run_llamaindex  # optional extra, imported only here

    location = workdir / f"llamaindex-{corpus.name}"
    shutil.rmtree(location, ignore_errors=True)
    run = run_llamaindex(corpus.peer_texts, corpus.questions, model_path, location, corpus.rounds)
    pieces = wordpieces(tokenizer, limit, dict(corpus.peer_texts), ((n.article_id, n.start, n.embedded_text) for n in run.nodes))
    return {
        "ingest_s": round(run.ingest_s, 2),
        "articles": len(corpus.peer_texts),
        **pieces,
        "embedded_wordpieces_per_s": round(pieces["embedded_wordpieces"] / run.ingest_s, 1),
        "latency": latency(run.latencies_ms),
        **article_scores(run.rankings, corpus.sources),
    }


def compare_peers(corpus: Corpus, embedder, workdir: Path, step: Step) -> dict:
    step(f"peers, {corpus.name}: citeqa")
    ours = corpus.cache.get("default") or citeqa_quality(corpus, embedder, workdir, "citeqa")
    corpus.cache["default"] = ours
    step(f"peers, {corpus.name}: LlamaIndex")
    theirs = peer_quality(corpus, resolve_model(embedder.model_id)[1], hf_tokenizer(embedder), embedder.max_wordpieces, workdir)
    return {
        "citeqa": ours,
        "llamaindex": theirs,
        "ask_vs_retrieve_p50_speedup": round(theirs["latency"]["p50_ms"] / ours["latency"]["p50_ms"], 2),
        "wordpieces_per_s_ratio": round(ours["embedded_wordpieces_per_s"] / theirs["embedded_wordpieces_per_s"], 2),
    }


def compare_torch(
    corpus_list: Sequence[Corpus], embedder, docs: Sequence[Document], all_texts: Sequence[str], workdir: Path, step: Step
) -> dict:
    """The int8 ONNX default vs torch fp32: encode throughput, the torch pipeline's overhead ratio, query
    latency, vector agreement, retrieval quality. `all_texts` are `docs`' chunk texts (the same for both
    runners: one model, one tokenizer)."""
    torch = SentenceTransformerEmbedder(embedder.model_id)
    warm(torch)
    step(f"torch: ingest of {len(docs)} synthetic articles vs raw model.encode")
    encode = encode_speed(torch, all_texts)
    ingest = ingest_fresh(docs, torch, workdir / "torch-synthetic")
    out: dict = {"model": embedder.model_id, "torch_ingest_chunks_per_s": round(ingest.chunks_per_second, 2),
                 "torch_full_encode_chunks_per_s": round(encode, 2),
                 "torch_ingest_overhead_ratio": round(ingest.chunks_per_second / encode, 3)}
    texts = all_texts[:500]
    out["encode_texts"] = len(texts)
    for label, model in (("torch", torch), ("onnx", embedder)):
        step(f"torch vs onnx: encode speed ({label})")
        out[f"{label}_encode_chunks_per_s"] = round(encode_speed(model, texts), 2)
        ms = []
        for example in read_examples(DEFAULT_DATASET)[:50]:
            started = time.perf_counter()
            model.embed_queries([example.question])
            ms.append((time.perf_counter() - started) * 1000)
        out[f"{label}_query_embed_p50_ms"] = round(metrics.percentile(ms, 50), 2)
    out["encode_speedup"] = round(out["onnx_encode_chunks_per_s"] / out["torch_encode_chunks_per_s"], 2)
    sample = list(texts[:200])
    cosine = (torch.embed_queries(sample) * embedder.embed_queries(sample)).sum(axis=1)
    out["cosine_to_fp32"] = {"mean": round(float(cosine.mean()), 4), "min": round(float(cosine.min()), 4)}
    for corpus in corpus_list:
        step(f"torch vs onnx: quality on {corpus.name}")
        onnx_side = corpus.cache.get("default") or citeqa_quality(corpus, embedder, workdir, "citeqa")
        corpus.cache["default"] = onnx_side
        torch_side = citeqa_quality(replace(corpus, rounds=1, cache={}), torch, workdir, "torch")
        keys = ("hit@1", "recall@1", "recall@5", "mrr@5", "ingest_s")
        out[corpus.name] = {"torch": {k: torch_side[k] for k in keys} | {"ask_p50_ms": torch_side["latency"]["p50_ms"]},
                            "onnx": {k: onnx_side[k] for k in keys} | {"ask_p50_ms": onnx_side["latency"]["p50_ms"]},
                            "questions": onnx_side["questions"]}
    return out


# -- the whole run -------------------------------------------------------------------


def run_bench(settings: BenchSettings, step: Step = lambda _message: None) -> dict:
    """Every measurement in one process; the result as one JSON-ready dict."""
    result: dict = {"load_before": load_average(), "cpus": os.cpu_count(), "quick": settings.quick}
    examples = read_examples(DEFAULT_DATASET)
    if settings.quick:
        examples = examples[:6]
    workdir = Path(tempfile.mkdtemp(prefix="citeqa-bench-"))
    try:
        step("loading the model")
        embedder = load_embedder()
        warm(embedder)
        result["embedder"] = f"{embedder.model_id} ({type(embedder).__name__})"

        step("default corpus: ingest")
        default_docs = default_documents(settings.articles)[: 2 if settings.quick else None]
        report = ingest_fresh(default_docs, embedder, workdir / "default")
        result["default_corpus"] = {"articles": len(default_docs), "chunks": report.chunks, "ingest_s": round(report.seconds, 2)}

        docs = synthetic_documents(corpus_sentences(settings.articles), settings.synthetic_articles, seed=settings.seed)
        texts = chunk_texts(docs, embedder)
        step(f"synthetic corpus: raw encode of {len(texts):,} chunks")
        before = encode_speed(embedder, texts)
        step(f"synthetic corpus: ingest of {len(docs)} articles")
        synthetic = ingest_fresh(docs, embedder, workdir / "synthetic")
        step("synthetic corpus: raw encode again")
        after = encode_speed(embedder, texts) if not settings.quick else before  # bracketing evens out load drift
        encode = (before + after) / 2
        result.update({
            "ingest_chunks_per_s": round(synthetic.chunks_per_second, 2),
            "encode_chunks_per_s": round(encode, 2),
            "ingest_overhead_ratio": round(synthetic.chunks_per_second / encode, 3),
        })
        result["synthetic_corpus"] = {
            "how": f"{len(docs)} articles of 48 sentences drawn (random.Random({settings.seed})) from the "
                   f"{settings.articles.name} corpus's sentences, 2-5 per paragraph; deterministic",
            "articles": len(docs), "chunks": synthetic.chunks, "chunk_texts_encoded": len(texts),
            "ingest_s": round(synthetic.seconds, 2), "encode_chunks_per_s_before": round(before, 2),
            "encode_chunks_per_s_after": round(after, 2),
        }

        step("default corpus: timing asks")
        qa = QA(open_store(workdir / "default"), embedder)
        default_ask = latency(time_asks(qa, examples, settings.ask_rounds))
        result["ask_p50_ms"], result["ask_p95_ms"] = default_ask["p50_ms"], default_ask["p95_ms"]
        result["ask"] = {"default": {"chunks": report.chunks, **default_ask}}
        pool_store = open_store(workdir / "synthetic")
        for n in settings.scales:
            result["ask"][str(n)] = scale_point(n, pool_store, embedder, settings, examples, workdir, step)

        step("ask: cold start")
        result["ask_cli"] = measure_ask_cli(workdir / "default", settings.ask_cli_runs)
        result["ask_cold_s"] = result["ask_cli"].get("cold_start_s")
        if settings.serve:
            step("serve: cold start and peak RSS")
            result["serve"] = measure_serve(workdir / "default")

        corpus_list = corpora(settings) if settings.peers or settings.compare_torch else []
        if skipped(settings):
            result["skipped"] = skipped(settings)
        if settings.peers:
            result["peers"] = {c.name: compare_peers(c, embedder, workdir, step) for c in corpus_list}
        if settings.compare_torch:
            result["onnx"] = compare_torch(corpus_list, embedder, docs, texts, workdir, step)
            result["onnx"]["ingest_vs_torch_encode"] = round(result["ingest_chunks_per_s"] / result["onnx"]["torch_full_encode_chunks_per_s"], 2)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    result["load_after"] = load_average()
    return result
