"""Figures of a sentence scorer on groups (question + the sentences of its gold paragraph).

- `auc`: area under the ROC curve separating answerable from unanswerable questions by the
  best sentence score (0.5 is chance);
- `unanswerable_abstained`: share of unanswerable questions abstained on when the threshold
  is set so that at most `false_abstention` of the answerable ones are;
- `top1`: share of answerable questions whose answer sentence scores highest.
"""

from collections.abc import Callable, Sequence

import numpy as np
from sklearn.metrics import roc_auc_score

from citeqa.app.training.pairs import Group

Scorer = Callable[[str, Sequence[str]], np.ndarray]


def threshold_at(answerable_best: np.ndarray, false_abstention: float) -> float:
    """The highest threshold abstaining (score < threshold) on at most `false_abstention` of answerable questions."""
    ordered = np.sort(answerable_best)
    return float(ordered[min(int(np.floor(false_abstention * len(ordered))), len(ordered) - 1)])


def figures(groups: Sequence[Group], score: Scorer, false_abstention: float = 0.05) -> dict:
    """The three figures above, plus counts and the threshold used."""
    best, answerable, top1 = [], [], []
    for g in groups:
        scores = np.asarray(score(g.question, g.sentences), dtype=np.float64)
        best.append(scores.max())
        answerable.append(g.answer_index is not None)
        if g.answer_index is not None:
            top1.append(int(np.argmax(scores)) == g.answer_index)
    best_a, answerable_a = np.array(best), np.array(answerable)
    result: dict = {"answerable": int(answerable_a.sum()), "unanswerable": int((~answerable_a).sum())}
    if top1:
        result["top1"] = round(float(np.mean(top1)), 4)
    if answerable_a.all() or not answerable_a.any():
        return result
    threshold = threshold_at(best_a[answerable_a], false_abstention)
    result["auc"] = round(float(roc_auc_score(answerable_a, best_a)), 4)
    result["threshold"] = round(threshold, 6)
    result["false_abstention"] = round(float(np.mean(best_a[answerable_a] < threshold)), 4)
    result["unanswerable_abstained"] = round(float(np.mean(best_a[~answerable_a] < threshold)), 4)
    return result
