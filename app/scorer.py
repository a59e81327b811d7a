"""The sentence scorer: a linear model over the feature table, fitted on public train splits, with its threshold.

A sentence's score is `bias + Σ weight·feature` (plus the reranker's weighted logit
for the top candidates), scaled so that one unit equals one unit of the dense
cosine; the answer abstains when the best sentence scores under `abstain_below`,
a threshold chosen on dev data for a stated false-abstention rate. Both live in
one JSON file (`app/models/scorer.json`) written by `citeqa train scorer` with the
figures it was fitted and calibrated on.
"""

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from citeqa.app.features import NAMES

DEFAULT_SCORER = Path(__file__).parent / "models" / "scorer.json"
UNREAD = -10.0  # added to a candidate the reranker did not read: it ranks after every one it did
# The hand-set formula the scorer started from (and the starting point when no model file exists).
HAND_WEIGHTS = {
    "dense": 1.0, "coverage": 0.25, "answer_type": 0.12, "typed_phrase": 0.12, "missing_required": -0.5, "author_bio": -0.3,
}


class ScorerError(Exception):
    """A scorer file is missing, unreadable or does not match the feature table."""


@dataclass(frozen=True)
class Scorer:
    """Weights by feature name, a bias, the reranker's weight, and the calibrated abstain threshold."""

    weights: dict[str, float] = field(default_factory=lambda: dict(HAND_WEIGHTS))
    bias: float = 0.0
    rerank_weight: float = 0.0  # weight of the reranker's logit; 0 when fitted without one
    rerank_top: int = 8  # candidates (by the score without the reranker) that the reranker reads
    abstain_below: float = 0.5
    training: dict = field(default_factory=dict)  # what it was fitted on and the figures it reached

    def __post_init__(self) -> None:
        unknown = sorted(set(self.weights) - set(NAMES))
        if unknown:
            raise ScorerError(f"the scorer names features the table lacks: {', '.join(unknown)}")

    @property
    def vector(self) -> np.ndarray:
        return np.array([self.weights.get(name, 0.0) for name in NAMES])

    def score(self, rows: np.ndarray) -> np.ndarray:
        """Scores of feature rows (one per sentence), without the reranker."""
        return rows @ self.vector + self.bias if len(rows) else np.zeros(0)

    def reread(self, scores: np.ndarray) -> np.ndarray:
        """Indices of the candidates the reranker reads: the best `rerank_top` by `scores`, best first (ties keep order)."""
        return np.argsort(-scores, kind="stable")[: self.rerank_top]

    def with_reranker(self, scores: np.ndarray, probabilities: np.ndarray) -> np.ndarray:
        """Scores once the reranker has read `reread(scores)` (giving `probabilities`, in that order); the
        candidates it did not read rank after every one it did."""
        final = scores + UNREAD
        top = self.reread(scores)
        final[top] = scores[top] + self.rerank_term(probabilities)
        return final

    def rerank_term(self, probabilities: np.ndarray) -> np.ndarray:
        """What the reranker adds to a score, from its probabilities."""
        clipped = np.clip(probabilities, 1e-4, 1 - 1e-4)
        return self.rerank_weight * np.log(clipped / (1 - clipped))

    def contributions(self, features: dict[str, float]) -> dict[str, float]:
        """Feature name -> weight × value, the largest first: why a sentence scored as it did."""
        parts = {name: self.weights.get(name, 0.0) * value for name, value in features.items() if name in self.weights}
        return dict(sorted(parts.items(), key=lambda kv: -abs(kv[1])))

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(asdict(self), indent=1) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: Path = DEFAULT_SCORER) -> "Scorer":
        """The scorer in `path`; the hand-set formula when the default file does not exist yet."""
        if not path.exists() and path == DEFAULT_SCORER:
            return cls()
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            return cls(**data)
        except (OSError, ValueError, TypeError) as err:
            raise ScorerError(f"the scorer file {path} cannot be read ({err})") from None

