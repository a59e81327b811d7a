"""What `citeqa bench` measured, as typed records; `as_dict()` gives the JSON that `--json` prints.

Metric names follow the project's one vocabulary (`Hit@1`, `Recall@k`, `MRR@k`); everything else
keeps the keys the JSON always had. Optional parts that were not measured are left out of the JSON.
"""

from dataclasses import asdict, dataclass, field


def _plain(record) -> dict:
    """A dataclass as a dict, leaving out fields that were not measured (None)."""
    return {key: value for key, value in asdict(record).items() if value is not None}


@dataclass(frozen=True)
class Latency:
    """Percentiles and mean of one series of timings, in milliseconds."""

    p50_ms: float
    p95_ms: float
    p99_ms: float
    mean_ms: float
    n: int


@dataclass(frozen=True)
class DefaultCorpus:
    """The default corpus ingested into a fresh store."""

    articles: int
    chunks: int
    ingest_s: float


@dataclass(frozen=True)
class SyntheticCorpus:
    """The synthetic articles the ingest throughput is measured on, and the raw encode speed around it."""

    how: str
    articles: int
    chunks: int
    chunk_texts_encoded: int
    ingest_s: float
    encode_chunks_per_s_before: float
    encode_chunks_per_s_after: float


@dataclass(frozen=True)
class ScaleStore:
    """How a synthetic store of N chunks was made (or reused) and what its first ask and BM25 index cost."""

    store: str
    fill: str
    articles: int
    stamp_check_ms: float
    lexical_read_s: float
    lexical_build_s: float
    first_ask_s: float
    fill_s: float | None = None
    fill_chunks_per_s: float | None = None


@dataclass(frozen=True)
class AskPoint:
    """Warm `QA.ask` latency on one store size."""

    chunks: int
    latency: Latency
    scale: ScaleStore | None = None  # None for the default corpus

    def as_dict(self) -> dict:
        return {"chunks": self.chunks, **(_plain(self.scale) if self.scale else {}), **asdict(self.latency)}


@dataclass(frozen=True)
class ServeStart:
    """`citeqa serve`: process start to first answer, and its peak resident memory."""

    port: int
    peak_rss_mb: float
    cold_start_s: float | None = None
    answer_cited: bool | None = None
    error: str | None = None


@dataclass(frozen=True)
class AskStart:
    """`citeqa ask` as a new process: the median of several runs after a first one."""

    cold_start_s: float | None = None
    first_run_s: float | None = None
    runs_s: list[float] | None = None
    imports_torch: bool | None = None
    peak_rss_mb: float | None = None
    error: str | None = None


@dataclass(frozen=True)
class ArticleScores:
    """Article-level retrieval quality over a question set."""

    hit_1: float
    recall_1: float
    recall_5: float
    mrr_5: float
    questions: int
    all_gold_5: float | None = None  # every source article among the top 5 (multi-source corpora only)

    def as_dict(self) -> dict:
        out = {"Hit@1": self.hit_1, "Recall@1": self.recall_1, "Recall@5": self.recall_5, "MRR@5": self.mrr_5,
               "questions": self.questions}
        if self.all_gold_5 is not None:
            out["all-gold@5"] = self.all_gold_5
        return out


@dataclass(frozen=True)
class Wordpieces:
    """How much of the articles' word pieces the model actually embedded."""

    chunks: int
    truncated_chunks: int
    article_wordpieces: int
    embedded_wordpieces: int  # counted once per chunk: overlaps are embedded twice
    fraction_embedded: float


@dataclass(frozen=True)
class ToolRun:
    """One tool (citeqa or a peer) on one corpus: ingest, coverage, latency, retrieval quality."""

    ingest_s: float
    articles: int
    wordpieces: Wordpieces
    latency: Latency
    scores: ArticleScores

    @property
    def embedded_wordpieces_per_s(self) -> float:
        return round(self.wordpieces.embedded_wordpieces / self.ingest_s, 1)

    def as_dict(self) -> dict:
        return {"ingest_s": self.ingest_s, "articles": self.articles, **asdict(self.wordpieces),
                "embedded_wordpieces_per_s": self.embedded_wordpieces_per_s, "latency": asdict(self.latency),
                **self.scores.as_dict()}


@dataclass(frozen=True)
class PeerComparison:
    """citeqa against each peer's defaults on one corpus; `peers` maps a peer's key (e.g. "haystack") to its run."""

    citeqa: ToolRun
    peers: dict[str, ToolRun]

    def as_dict(self) -> dict:
        ours = self.citeqa
        out: dict = {"citeqa": ours.as_dict()}
        for key, theirs in self.peers.items():
            out[key] = {**theirs.as_dict(),
                        "ask_vs_retrieve_p50_speedup": round(theirs.latency.p50_ms / ours.latency.p50_ms, 2),
                        "wordpieces_per_s_ratio": round(ours.embedded_wordpieces_per_s / theirs.embedded_wordpieces_per_s, 2)}
        return out


@dataclass(frozen=True)
class RunnerQuality:
    """One runner's retrieval quality, ingest time and ask latency on one corpus."""

    scores: ArticleScores
    ingest_s: float
    ask_p50_ms: float

    @classmethod
    def of(cls, run: ToolRun) -> "RunnerQuality":
        return cls(run.scores, run.ingest_s, run.latency.p50_ms)

    def as_dict(self) -> dict:
        scores = self.scores.as_dict()
        del scores["questions"]
        return {**scores, "ingest_s": self.ingest_s, "ask_p50_ms": self.ask_p50_ms}


@dataclass(frozen=True)
class RunnerComparison:
    """The int8 ONNX default against torch fp32: speed, the pipeline's overhead, vector agreement, quality."""

    model: str
    torch_ingest_chunks_per_s: float
    torch_full_encode_chunks_per_s: float
    torch_ingest_overhead_ratio: float
    encode_texts: int
    torch_encode_chunks_per_s: float
    onnx_encode_chunks_per_s: float
    torch_query_embed_p50_ms: float
    onnx_query_embed_p50_ms: float
    cosine_mean: float
    cosine_min: float
    ingest_vs_torch_encode: float
    corpora: dict[str, tuple[RunnerQuality, RunnerQuality, int]] = field(default_factory=dict)  # torch, onnx, questions

    @property
    def encode_speedup(self) -> float:
        return round(self.onnx_encode_chunks_per_s / self.torch_encode_chunks_per_s, 2)

    def as_dict(self) -> dict:
        out = {key: value for key, value in asdict(self).items() if key not in ("corpora", "cosine_mean", "cosine_min")}
        out["encode_speedup"] = self.encode_speedup
        out["cosine_to_fp32"] = {"mean": self.cosine_mean, "min": self.cosine_min}
        for name, (torch, onnx, questions) in self.corpora.items():
            out[name] = {"torch": torch.as_dict(), "onnx": onnx.as_dict(), "questions": questions}
        return out


@dataclass(frozen=True)
class BenchResult:
    """Everything one `citeqa bench` run measured."""

    quick: bool
    cpus: int | None
    load_before: list[float]
    load_after: list[float]
    embedder: str
    default_corpus: DefaultCorpus
    synthetic_corpus: SyntheticCorpus
    ingest_chunks_per_s: float
    encode_chunks_per_s: float
    ask: dict[str, AskPoint]  # "default", then one per synthetic size ("10000", ...)
    ask_cli: AskStart
    serve: ServeStart | None = None
    skipped: list[str] = field(default_factory=list)
    peers: dict[str, PeerComparison] = field(default_factory=dict)
    onnx: RunnerComparison | None = None

    @property
    def ingest_overhead_ratio(self) -> float:
        return round(self.ingest_chunks_per_s / self.encode_chunks_per_s, 3)

    def as_dict(self) -> dict:
        default = self.ask["default"].latency
        out = {
            "quick": self.quick, "cpus": self.cpus, "load_before": self.load_before, "load_after": self.load_after,
            "embedder": self.embedder, "default_corpus": asdict(self.default_corpus),
            "synthetic_corpus": asdict(self.synthetic_corpus), "ingest_chunks_per_s": self.ingest_chunks_per_s,
            "encode_chunks_per_s": self.encode_chunks_per_s, "ingest_overhead_ratio": self.ingest_overhead_ratio,
            "ask_p50_ms": default.p50_ms, "ask_p95_ms": default.p95_ms,
            "ask": {name: point.as_dict() for name, point in self.ask.items()},
            "ask_cli": _plain(self.ask_cli), "ask_cold_s": self.ask_cli.cold_start_s,
        }
        if self.serve is not None:
            out["serve"] = _plain(self.serve)
        if self.skipped:
            out["skipped"] = self.skipped
        if self.peers:
            out["peers"] = {name: comparison.as_dict() for name, comparison in self.peers.items()}
        if self.onnx is not None:
            out["onnx"] = self.onnx.as_dict()
        return out
