"""Late chunking: sentence vectors mean-pooled from a passage's contextual token vectors."""

from collections.abc import Sequence

import numpy as np

from citeqa.ingest.sentences import Span


def pool_spans(tokens: np.ndarray, token_offsets: Sequence[tuple[int, int]] | np.ndarray, spans: Sequence[Span]) -> np.ndarray:
    """Mean of the token vectors inside each character span, normalized; zeros when a span has no tokens.

    `token_offsets[i]` is token i's (start, end) in the passage; special tokens have start == end.
    """
    offsets = np.asarray(token_offsets, dtype=np.int64).reshape(-1, 2)
    tokens = tokens[: len(offsets)]
    pooled = np.zeros((len(spans), tokens.shape[1]), dtype=np.float32)
    if not len(spans) or not len(offsets):
        return pooled
    bounds = np.asarray(spans, dtype=np.int64).reshape(-1, 2)
    starts, ends = offsets[:, 0], offsets[:, 1]
    # One matrix product for all spans: row r of `inside` marks the real tokens within span r.
    inside = (ends > starts)[None, :] & (starts[None, :] >= bounds[:, :1]) & (ends[None, :] <= bounds[:, 1:])
    sums = inside.astype(np.float32) @ tokens.astype(np.float32, copy=False)
    norms = np.linalg.norm(sums, axis=1)
    found = inside.any(axis=1) & (norms > 0)
    pooled[found] = sums[found] / norms[found, None]  # the mean's direction: normalizing makes the count cancel
    return pooled
