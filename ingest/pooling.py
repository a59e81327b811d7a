"""Late chunking: sentence vectors mean-pooled from a passage's contextual token vectors."""

from collections.abc import Sequence

import numpy as np

from citeqa.ingest.sentences import Span


def pool_spans(tokens: np.ndarray, token_offsets: Sequence[tuple[int, int]] | np.ndarray, spans: Sequence[Span]) -> np.ndarray:
    """Mean of the token vectors inside each character span, normalized; zeros when a span has no tokens.

    `token_offsets[i]` is token i's (start, end) in the passage; special tokens have start == end.
    """
    offsets = np.asarray(token_offsets, dtype=np.int64).reshape(-1, 2)
    starts, ends = offsets[:, 0], offsets[:, 1]
    real = ends > starts
    tokens = tokens[: len(offsets)]
    pooled = np.zeros((len(spans), tokens.shape[1]), dtype=np.float32)
    for row, (start, end) in enumerate(spans):
        inside = real & (starts >= start) & (ends <= end)
        if inside.any():
            vector = tokens[inside].mean(axis=0)
            pooled[row] = vector / np.linalg.norm(vector)
    return pooled
