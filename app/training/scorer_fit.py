"""Fit the sentence scorer (logistic regression over the feature table) and calibrate its abstain threshold.

Rows come from the real pipeline: each training question is parsed, retrieved and
its candidate sentences featurised exactly as when answering. A sentence is a
positive when it comes from a gold source and contains a known answer; every
sentence of an unanswerable question is a negative. Questions are split by a hash
of their id into a fitting part and a calibration part; the threshold is the
score under which `false_abstention` of the calibration part's answerable
questions fall, and the figures on that part go into the model file. With a
reranker, a second fit weighs the first score against the reranker's logit on the
top candidates. Deterministic: same data, same file.
"""

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

import numpy as np

from citeqa.app.features import NAMES
from citeqa.app.qa import QA, Findings
from citeqa.app.scorer import Scorer
from citeqa.app.sentences import Sentence
from citeqa.eval.dataset import Example

CALIBRATION_SHARE = 0.25  # of the questions, by id hash, held out of the fit to choose the threshold
NEWS_SOURCE = "default_dev"  # the shipped news set: in the domain users ask about, so it weighs more than its size
NEWS_SHARE = 0.5  # of the fit's total weight (chosen on the held-out train questions among 0.3, 0.5, 0.7)


@dataclass(frozen=True)
class QuestionRows:
    """One training question: its candidates' feature rows, labels, and where it came from."""

    id: str
    source: str  # the training set's name
    answerable: bool
    rows: np.ndarray
    labels: np.ndarray
    texts: tuple[str, ...]  # candidate sentence texts (for the reranker)
    question: str


def supports(sentence: Sentence, example: Example) -> bool:
    """True when the sentence is from a gold source and contains one of the known answers."""
    text = sentence.text.lower()
    return sentence.article_id in example.sources and any(answer.lower() in text for answer in example.answers)


def collect(qa: QA, examples: Iterable[Example], source: str) -> list[QuestionRows]:
    """Feature rows for every fact question (questions about the articles' metadata are answered otherwise)."""
    found = []
    for example in examples:
        rows = question_rows(example, qa.evidence(example.question, list(example.history) or None), source)
        if rows is not None:
            found.append(rows)
    return found


def question_rows(example: Example, evidence: Findings, source: str) -> QuestionRows | None:
    """One question's candidates as training rows; None for a question the scorer never sees."""
    if evidence.question.intent != "fact" or not evidence.ranked:
        return None
    ranked = evidence.ranked
    return QuestionRows(
        example.id, source, example.answerable,
        np.array([[s.features[name] for name in NAMES] for s in ranked]),
        np.array([example.answerable and supports(s, example) for s in ranked], dtype=int),
        tuple(s.text for s in ranked), evidence.question.query,  # what answering hands the reranker
    )


def held_out(question_id: str) -> bool:
    """True for the calibration part. Stable across runs and machines."""
    return hashlib.sha256(question_id.encode("utf-8")).digest()[0] < 256 * CALIBRATION_SHARE


def _fit(x: np.ndarray, y: np.ndarray, weight: np.ndarray) -> tuple[np.ndarray, float]:
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(C=1.0, max_iter=5000)
    model.fit(x, y, sample_weight=weight)
    return model.coef_[0], float(model.intercept_[0])


def _question_weights(questions: Sequence[QuestionRows], news_share: float) -> dict[str, float]:
    """Per-question weight: the shipped news set gets `news_share` of the total weight; the other sets share
    the rest in proportion to their sizes."""
    counts: dict[str, int] = {}
    for q in questions:
        counts[q.source] = counts.get(q.source, 0) + 1
    if NEWS_SOURCE not in counts or len(counts) == 1:
        return {q.id: 1.0 for q in questions}
    others = len(questions) - counts[NEWS_SOURCE]
    per_question = {s: (news_share / n if s == NEWS_SOURCE else (1.0 - news_share) / others) for s, n in counts.items()}
    return {q.id: per_question[q.source] * len(questions) for q in questions}


def _spread(values: np.ndarray) -> float:
    return float(np.std(values)) or 1.0


def figures(scorer: Scorer, questions: Sequence[QuestionRows], reranked: dict[str, np.ndarray] | None) -> dict:
    """On held-out questions: answer sentence ranked first, abstention curve area, and the rates at the threshold."""
    from sklearn.metrics import roc_auc_score

    best, first_right, answerable = [], [], []
    for q in questions:
        scores = final_scores(scorer, q, reranked)
        best.append(float(scores.max()))
        answerable.append(q.answerable)
        if q.answerable:
            first_right.append(bool(q.labels[int(np.argmax(scores))]))
    best_arr, ans = np.array(best), np.array(answerable)
    auc = float(roc_auc_score(ans, best_arr)) if ans.any() and (~ans).any() else None
    return {
        "questions": len(questions),
        "answer_sentence_first": float(np.mean(first_right)) if first_right else None,
        "abstention_auc": auc,
        "false_abstention": float(np.mean(best_arr[ans] < scorer.abstain_below)) if ans.any() else None,
        "unanswerable_abstained": float(np.mean(best_arr[~ans] < scorer.abstain_below)) if (~ans).any() else None,
    }


def fit_scorer(
    questions: Sequence[QuestionRows],
    false_abstention: float = 0.05,
    reranker=None,
    rerank_top: int = 8,
    news_share: float = NEWS_SHARE,
) -> Scorer:
    """The fitted and calibrated scorer.

    Scores are scaled to the spread of the hand-set formula's, so composition's margins ("within 0.06
    of the best") keep their meaning. The threshold lets `false_abstention` of the held-out answerable
    questions abstain, averaged over the training sets so that the news set counts as much as SQuAD.
    """
    fitting = [q for q in questions if not held_out(q.id)]
    calibration = [q for q in questions if held_out(q.id)]
    weight_of = _question_weights(fitting, news_share)
    x = np.concatenate([q.rows for q in fitting])
    y = np.concatenate([q.labels for q in fitting])
    w = np.concatenate([np.full(len(q.labels), weight_of[q.id]) for q in fitting])
    coef, bias = _fit(x, y, w)
    if coef[NAMES.index("dense")] <= 0:
        raise ValueError("the fit gave the dense cosine no positive weight; the training data look wrong")
    scale = _spread(Scorer().score(x)) / _spread(x @ coef)
    scorer = Scorer(weights={n: float(c * scale) for n, c in zip(NAMES, coef)}, bias=bias * scale, rerank_top=rerank_top)
    reranked = None
    if reranker is not None:
        scorer, reranked = _fit_reranker_weight(scorer, questions, reranker, weight_of)
    scorer = replace(scorer, abstain_below=calibrated_threshold(scorer, calibration, reranked, false_abstention))
    by_source = sorted({q.source for q in questions})
    training = {
        "features": list(NAMES),
        "false_abstention_target": false_abstention,
        "news_share": news_share,
        "fitted_on": {s: sum(1 for q in fitting if q.source == s) for s in by_source},
        "calibrated_on": {s: sum(1 for q in calibration if q.source == s) for s in by_source},
        "rows": int(len(y)),
        "positives": int(y.sum()),
        "calibration": figures(scorer, calibration, reranked),
        "calibration_by_source": {
            s: figures(scorer, [q for q in calibration if q.source == s], reranked) for s in by_source
        },
    }
    return replace(scorer, training=training)


def final_scores(scorer: Scorer, question: QuestionRows, reranked: dict[str, np.ndarray] | None) -> np.ndarray:
    """The question's candidate scores as answering computes them (the reranker's included when given)."""
    scores = scorer.score(question.rows)
    return scores if reranked is None else scorer.with_reranker(scores, reranked[question.id])


def calibrated_threshold(scorer: Scorer, calibration: Sequence[QuestionRows], reranked, false_abstention: float) -> float:
    """The threshold whose false abstention, averaged over the training sets, is `false_abstention`."""
    by_source: dict[str, list[float]] = {}
    for q in calibration:
        if q.answerable:
            by_source.setdefault(q.source, []).append(float(final_scores(scorer, q, reranked).max()))
    candidates = sorted(v for values in by_source.values() for v in values)
    if not candidates:
        return scorer.abstain_below

    def mean_false(t: float) -> float:
        return float(np.mean([np.mean(np.asarray(v) < t) for v in by_source.values()]))

    allowed = [t for t in candidates if mean_false(t) <= false_abstention]
    return max(allowed) if allowed else candidates[0]


def _fit_reranker_weight(
    scorer: Scorer, questions: Sequence[QuestionRows], reranker, weight_of: dict[str, float]
) -> tuple[Scorer, dict[str, np.ndarray]]:
    """Weigh the first score against the reranker's logit on each question's top candidates."""
    reranked, x, y, w = {}, [], [], []
    for q in questions:
        scores = scorer.score(q.rows)
        top = scorer.reread(scores)
        probabilities = reranker.score(q.question, [q.texts[i] for i in top])
        reranked[q.id] = probabilities
        if q.id in weight_of:
            clipped = np.clip(probabilities, 1e-4, 1 - 1e-4)
            x.extend(zip(scores[top], np.log(clipped / (1 - clipped))))
            y.extend(q.labels[top])
            w.extend([weight_of[q.id]] * len(top))
    (first, second), bias = _fit(np.array(x), np.array(y), np.array(w))
    if first <= 0:
        raise ValueError("the second fit gave the first score no positive weight")
    # Keep the first score's scale: divide the second fit by the first score's weight.
    return replace(scorer, bias=scorer.bias + bias / first, rerank_weight=float(second / first)), reranked
