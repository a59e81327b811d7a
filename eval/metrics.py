"""Evaluation metrics as pure functions: retrieval, answers, citations, statistics.

Scope: article-level retrieval metrics with binary relevance (recall, MRR, nDCG at k),
SQuAD-style answer normalisation, containment and token F1, citation precision and
recall, a latency percentile, and a paired bootstrap confidence interval.

Non-goals: no I/O, no logging, no knowledge of the pipeline or of `Example`; graded
relevance and chunk-level relevance are out of scope (citations are per article).
"""

from collections import Counter
from collections.abc import Collection, Sequence
import re
import unicodedata

import numpy as np

# Apostrophes join ("Xi'an" -> "xian", "China's" -> "chinas"); other punctuation splits.
_APOSTROPHES = "'\u2018\u2019\u02bc\u2032`"
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")
_DECIMAL = re.compile(r"(?<=\d)\.(?=\d)")
_ARTICLES = frozenset({"a", "an", "the"})
_DECIMAL_MARK = "\ue000"  # placeholder that survives punctuation stripping


def _top_k(retrieved: Sequence[str], relevant: Collection[str], k: int) -> list[str]:
    """Check arguments; return the first k distinct retrieved ids."""
    if k <= 0:
        raise ValueError(f"k must be greater than 0. Currently, k is {k}")
    if not relevant:
        raise ValueError(f"relevant must contain at least one id. Currently, relevant is {relevant!r}")
    return list(dict.fromkeys(retrieved))[:k]


def recall_at_k(retrieved: Sequence[str], relevant: Collection[str], k: int) -> float:
    """Share of relevant ids among the first k distinct retrieved ids.

    Example: recall_at_k(["a", "x", "b"], {"a", "b", "c"}, 2) -> 1/3
    """
    top = _top_k(retrieved, relevant, k)
    wanted = set(relevant)
    return sum(1 for doc in top if doc in wanted) / len(wanted)


def mrr_at_k(retrieved: Sequence[str], relevant: Collection[str], k: int) -> float:
    """Reciprocal rank of the first relevant id within the first k, else 0.

    Example: mrr_at_k(["x", "a", "b"], {"a", "b"}, 3) -> 1/2
    """
    wanted = set(relevant)
    for rank, doc in enumerate(_top_k(retrieved, relevant, k), start=1):
        if doc in wanted:
            return 1.0 / rank
    return 0.0


def ndcg_at_k(retrieved: Sequence[str], relevant: Collection[str], k: int) -> float:
    """Binary nDCG: sum of 1/log2(rank+1) over relevant hits, over the ideal DCG.

    The ideal ranking puts min(k, |relevant|) relevant ids first.
    Example: ndcg_at_k(["x", "a"], {"a"}, 2) -> (1/log2(3)) / 1 = 0.6309...
    """
    wanted = set(relevant)
    top = _top_k(retrieved, relevant, k)
    dcg = sum(1.0 / np.log2(rank + 1) for rank, doc in enumerate(top, start=1) if doc in wanted)
    ideal = sum(1.0 / np.log2(rank + 1) for rank in range(1, min(k, len(wanted)) + 1))
    return float(dcg / ideal)


def normalize_answer(text: str) -> str:
    """Lowercase; drop punctuation, symbols and a/an/the; unify numbers; collapse spaces.

    Thousands separators go ("3,000" -> "3000"), decimal points stay ("1.5"),
    dashes and other punctuation become spaces, apostrophes are removed.
    Example: "The US$209-million grant’s 3,000 places" -> "us 209 million grants 3000 places"
    """
    text = unicodedata.normalize("NFKC", text).lower()
    text = _THOUSANDS.sub("", text)
    text = _DECIMAL.sub(_DECIMAL_MARK, text)
    text = "".join("" if ch in _APOSTROPHES else ch for ch in text)
    text = "".join(
        " " if unicodedata.category(ch)[0] in "PSZC" and ch != _DECIMAL_MARK else ch
        for ch in text
    )
    text = text.replace(_DECIMAL_MARK, ".")
    return " ".join(token for token in text.split() if token not in _ARTICLES)


def _check_answers(answers: Sequence[str]) -> None:
    if not answers:
        raise ValueError(
            "answers must contain at least one known answer (unanswerable items are "
            f"scored by abstention). Currently, answers is {list(answers)!r}"
        )


def answer_match(answer: str, answers: Sequence[str]) -> bool:
    """True when some known answer occurs, whole words, in the normalised answer.

    Known answers that normalise to nothing (e.g. "the") never match.
    Example: answer_match("China pledged US$209 million.", ["$209 million"]) -> True
    """
    _check_answers(answers)
    haystack = f" {normalize_answer(answer)} "
    for known in answers:
        needle = normalize_answer(known)
        if needle and f" {needle} " in haystack:
            return True
    return False


def is_yes_no(answers: Sequence[str]) -> bool:
    """Whether every known answer is a bare Yes or No. Example: ["no"] -> True, ["Sam Altman"] -> False."""
    return bool(answers) and all(normalize_answer(known) in ("yes", "no") for known in answers)


def yes_no_match(answer: str, answers: Sequence[str]) -> bool:
    """Strict Yes/No: the answer's first word is the known one. Example: ("No, the dates differ.", ["no"]) -> True."""
    _check_answers(answers)
    words = normalize_answer(answer).split()
    return bool(words) and words[0] in {normalize_answer(known) for known in answers}


def lenient_match(answer: str, answers: Sequence[str]) -> bool:
    """MultiHop-RAG's own scorer: correct when the answer shares any word with a known answer.

    Example: lenient_match("Bankman-Fried was tried", ["Sam Bankman-Fried"]) -> True.
    """
    _check_answers(answers)
    words = set(normalize_answer(answer).split())
    return any(words & set(normalize_answer(known).split()) for known in answers)


def token_f1(answer: str, answers: Sequence[str]) -> float:
    """SQuAD token F1 of the normalised answer, maximised over the known answers.

    Example: token_f1("3,000 training places", ["3,000 training opportunities"]) -> 2/3
    """
    _check_answers(answers)
    predicted = normalize_answer(answer).split()
    best = 0.0
    for known in answers:
        gold = normalize_answer(known).split()
        common = sum((Counter(predicted) & Counter(gold)).values())
        if common:
            precision, recall = common / len(predicted), common / len(gold)
            best = max(best, 2 * precision * recall / (precision + recall))
    return best


def citation_precision(cited: Collection[str], sources: Collection[str]) -> float | None:
    """Share of distinct cited articles that state the answer; None when nothing is cited.

    Example: citation_precision(["a", "x"], {"a", "b"}) -> 0.5
    """
    cited_set = set(cited)
    if not cited_set:
        return None
    return len(cited_set & set(sources)) / len(cited_set)


def citation_recall(cited: Collection[str], sources: Collection[str]) -> float | None:
    """Share of the source articles that are cited; None when there are no sources.

    Example: citation_recall(["a"], {"a", "b"}) -> 0.5
    """
    source_set = set(sources)
    if not source_set:
        return None
    return len(source_set & set(cited)) / len(source_set)


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0-100) with linear interpolation, as numpy computes it.

    Example: percentile([10, 20, 30, 40], 50) -> 25.0
    """
    if not 0 <= q <= 100:
        raise ValueError(f"q must be between 0 and 100. Currently, q is {q}")
    if len(values) == 0:
        raise ValueError("values must not be empty. Currently, values is []")
    return float(np.percentile(np.asarray(values, dtype=float), q))


def bootstrap_ci(
    values_a: Sequence[float], values_b: Sequence[float], n: int = 1000, seed: int = 0
) -> tuple[float, float, float]:
    """Mean of per-question differences a - b with a paired bootstrap 95% interval.

    Questions are resampled with replacement n times (seeded, so deterministic);
    the interval is the 2.5th..97.5th percentile of the resampled means.
    Example: bootstrap_ci([1, 1, 1], [0, 0, 0]) -> (1.0, 1.0, 1.0)
    """
    if len(values_a) != len(values_b):
        raise ValueError(
            "values_a and values_b must have the same length (paired per question). "
            f"Currently, the lengths are {len(values_a)} and {len(values_b)}"
        )
    if len(values_a) == 0:
        raise ValueError("values_a and values_b must not be empty. Currently, both are empty")
    if n <= 0:
        raise ValueError(f"n must be greater than 0. Currently, n is {n}")
    diffs = np.asarray(values_a, dtype=float) - np.asarray(values_b, dtype=float)
    rng = np.random.default_rng(seed)
    means = diffs[rng.integers(0, len(diffs), size=(n, len(diffs)))].mean(axis=1)
    low, high = np.percentile(means, [2.5, 97.5])
    return float(diffs.mean()), float(low), float(high)


def abstention_curve(answerable: Sequence[float], unanswerable: Sequence[float]) -> dict:
    """How well the answer's confidence tells answerable from unanswerable questions.

    As the abstain threshold moves, (false abstention, unanswerable abstained) trace a
    curve; its area is the ROC AUC (scikit-learn) of confidence for "answerable".
    Also the share of unanswerable questions abstained at 5% false abstention.
    Example: answerable [0.9, 0.8], unanswerable [0.1] -> area 1.0.
    """
    if not answerable or not unanswerable:
        return {"abstention_auc": None, "abstained_at_5pct_false": None, "abstention_curve": []}
    from sklearn.metrics import roc_auc_score, roc_curve

    labels = np.r_[np.ones(len(answerable)), np.zeros(len(unanswerable))]
    scores = -np.r_[answerable, unanswerable]  # abstaining is predicting "unanswerable" from a low score
    false_pos, true_pos, _ = roc_curve(1 - labels, scores)  # x: answerable abstained, y: unanswerable abstained
    at_5 = float(max(y for x, y in zip(false_pos, true_pos) if x <= 0.05))
    points = [[round(float(x), 4), round(float(y), 4)] for x, y in zip(false_pos, true_pos)]
    return {
        "abstention_auc": float(roc_auc_score(labels, -scores)),
        "abstained_at_5pct_false": at_5,
        "abstention_curve": points,
    }
