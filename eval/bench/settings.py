"""What `citeqa bench` measures and at which sizes; where its default data sit."""

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from citeqa.errors import SettingsError

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_ARTICLES = ROOT / "data" / "articles"
DEFAULT_BENCHMARKS = ROOT.parent / "shared" / "benchmarks"  # holds multihop_rag/ for --peers
DEFAULT_SQUAD = DEFAULT_BENCHMARKS / "squad_v1.1" / "dev-v1.1.json.zip"

Step = Callable[[str], None]  # told what is being measured now, for a progress line


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
    multihop_questions: int = 300  # a seeded sample of MultiHop-RAG's answerable test-half queries (1,103)
    serve: bool = True
    ask_cli_runs: int = 5  # `citeqa ask` processes timed after a first one; the median is reported
    seed: int = 0
    cache_dir: Path = Path(".citeqa")
    articles: Path = DEFAULT_ARTICLES
    squad: Path = DEFAULT_SQUAD
    benchmarks: Path = DEFAULT_BENCHMARKS

    def __post_init__(self) -> None:
        for name in ("synthetic_articles", "ask_rounds", "squad_questions", "multihop_questions", "ask_cli_runs"):
            if getattr(self, name) < 1:
                raise SettingsError(f"{name} must be greater than 0. Currently, {name} is {getattr(self, name)}")
        if any(n < 1 for n in self.scales):
            raise SettingsError(f"scales must be positive chunk counts. Currently, scales is {self.scales}")

    @classmethod
    def quick_settings(cls, **overrides) -> "BenchSettings":
        return cls(**{"quick": True, "scales": (300,), "synthetic_articles": 2, "ask_rounds": 1, "squad_questions": 20, "multihop_questions": 20,
                      "serve": False, "ask_cli_runs": 1, **overrides})
