"""How much of each article the model actually sees, counted in the model's own word pieces."""

import functools
from collections.abc import Iterable

import numpy as np

from citeqa.eval.bench.result import Wordpieces
from citeqa.ingest.embed import resolve_model


def hf_tokenizer(embedder):
    """The model's Hugging Face tokenizer (offsets, word-piece counts), whichever runner embeds; loaded once."""
    return _hf_tokenizer(resolve_model(embedder.model_id)[1])


@functools.cache
def _hf_tokenizer(path: str):
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(path)


def wordpieces(tokenizer, limit: int, texts: dict[str, str], spans: Iterable[tuple[str, int, str]]) -> Wordpieces:
    """Word pieces embedded and the share of the articles inside at least one embedded window.

    `spans` are (article_id, char start in the article, text handed to the model). The model
    reads the first `limit` - 2 word pieces of each text (2 are [CLS]/[SEP]); the rest is cut.
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
    return Wordpieces(chunks, truncated, total, embedded, round(inside / total, 4) if total else 0.0)
