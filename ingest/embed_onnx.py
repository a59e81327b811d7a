"""The default embedder: the same sentence-transformers model exported to ONNX, quantized to int8.

Dynamic int8 quantization (per-channel weights, matrix multiplications only) runs about 3x
faster than torch fp32 on a CPU, and its vectors agree with the fp32 ones to a cosine of
~0.995, so stores built with either backend answer the same queries. The export is made
from the local model folder with torch and onnxruntime's quantizer (no `optimum`), once
per model, and cached in the caller's `cache_dir` (default `~/.cache/citeqa`; the CLI's `--cache-dir`).

Only models that pool by mean and use no query/passage prompts qualify (`onnx_compatible`);
others run with torch. One tokenization per passage gives both the model's input and the
token offsets that late chunking needs.
"""

import hashlib
import json
import logging
import os
import tempfile
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import cached_property
from pathlib import Path

import numpy as np

from citeqa.ingest.pooling import pool_spans
from citeqa.ingest.sentences import Span

log = logging.getLogger(__name__)

EXPORT_VERSION = 1  # bump when the export or quantization recipe changes: caches then re-export
_MODEL_FILE = "model_int8.onnx"
_INPUTS = ("input_ids", "attention_mask", "token_type_ids")


def default_cache_dir() -> Path:
    """Where exports are kept when the caller names no folder."""
    return Path.home() / ".cache" / "citeqa"


def onnx_compatible(model_dir: Path) -> bool:
    """True for a local sentence-transformers folder: transformer, mean pooling, no prompts, fast tokenizer."""
    try:
        modules = json.loads((model_dir / "modules.json").read_text())
        pooling = next(m for m in modules if m["type"].endswith("Pooling"))
        pooling_config = json.loads((model_dir / pooling["path"] / "config.json").read_text())
        st_config_path = model_dir / "config_sentence_transformers.json"
        st_config = json.loads(st_config_path.read_text()) if st_config_path.exists() else {}
    except (OSError, ValueError, KeyError, StopIteration):
        return False
    modes = {key for key, on in pooling_config.items() if key.startswith("pooling_mode") and on is True}
    return (
        modes == {"pooling_mode_mean_tokens"}
        and not any(st_config.get("prompts", {}).values())
        and (model_dir / "tokenizer.json").exists()
        and modules[0]["type"].endswith("Transformer")
    )


def exported_model(model_dir: Path, cache_dir: Path) -> Path:
    """The cached int8 ONNX file for `model_dir`, exporting it first when missing."""
    weights = sorted(model_dir.glob("*.safetensors")) or sorted(model_dir.glob("*.bin"))
    fingerprint = "|".join([str(model_dir.resolve()), str(EXPORT_VERSION)] +
                           [f"{w.name}:{w.stat().st_size}:{w.stat().st_mtime_ns}" for w in weights])
    target = cache_dir / "onnx" / hashlib.sha256(fingerprint.encode()).hexdigest()[:16] / _MODEL_FILE
    if not target.exists():
        _export_int8(model_dir, target)
    return target


def _export_int8(model_dir: Path, target: Path) -> None:
    """Export the transformer to ONNX and quantize it; written atomically, so concurrent exports are safe."""
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from transformers import AutoModel
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()
    log.info("exporting %s to int8 ONNX (once; cached in %s)", model_dir, target.parent)
    target.parent.mkdir(parents=True, exist_ok=True)
    model = AutoModel.from_pretrained(str(model_dir), attn_implementation="eager").eval()

    class LastHiddenState(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.model = model

        def forward(self, input_ids, attention_mask, token_type_ids):
            return self.model(input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids).last_hidden_state

    example = tuple(torch.ones((2, 8), dtype=torch.int64) for _ in _INPUTS)
    # The tracer's and quantizer's advice is for whoever writes the recipe, not for someone ingesting files.
    with tempfile.TemporaryDirectory(dir=target.parent) as work, warnings.catch_warnings(), _quiet_root_logger():
        warnings.simplefilter("ignore")
        fp32, int8 = Path(work) / "model.onnx", Path(work) / _MODEL_FILE
        torch.onnx.export(
            LastHiddenState(), example, str(fp32), input_names=list(_INPUTS), output_names=["last_hidden_state"],
            dynamic_axes={name: {0: "batch", 1: "sequence"} for name in (*_INPUTS, "last_hidden_state")},
            opset_version=17, dynamo=False,
        )
        quantize_dynamic(str(fp32), str(int8), weight_type=QuantType.QInt8, per_channel=True, op_types_to_quantize=["MatMul"])
        os.replace(int8, target)


@contextmanager
def _quiet_root_logger() -> Iterator[None]:
    """onnxruntime's quantizer warns through the root logger; silence warnings for the duration."""
    logging.disable(logging.WARNING)
    try:
        yield
    finally:
        logging.disable(logging.NOTSET)


class OnnxEmbedder:
    """A mean-pooling sentence-transformers model run as int8 ONNX; the `Embedder` interface."""

    batch_size = 32

    def __init__(self, model_id: str, model_dir: Path, cache_dir: Path | None = None) -> None:
        self.model_id = model_id
        self.model_dir = Path(model_dir)
        self.cache_dir = cache_dir or default_cache_dir()
        config = json.loads((self.model_dir / "sentence_bert_config.json").read_text())
        self.max_wordpieces = int(config.get("max_seq_length", 512))

    def _load_tokenizer(self):
        from tokenizers import Tokenizer

        return Tokenizer.from_file(str(self.model_dir / "tokenizer.json"))

    @cached_property
    def _tokenizer(self):
        """Neither truncating nor padding: for measuring texts (ingest only)."""
        tokenizer = self._load_tokenizer()
        tokenizer.no_truncation()
        tokenizer.no_padding()
        return tokenizer

    @cached_property
    def _batch_tokenizer(self):
        """Truncating at the model limit and padding each batch to its longest text (a query loads only this one)."""
        tokenizer = self._load_tokenizer()
        tokenizer.enable_truncation(self.max_wordpieces)
        tokenizer.enable_padding(pad_id=tokenizer.token_to_id("[PAD]") or 0)
        return tokenizer

    @cached_property
    def _session(self):
        import onnxruntime as ort

        try:
            path = exported_model(self.model_dir, self.cache_dir)
        except OSError as error:  # a cache folder that cannot be written: export for this process only
            log.warning("cannot keep the ONNX export in %s (%s); pass --cache-dir (CITEQA_CACHE_DIR) a writable folder", self.cache_dir, error)
            self.cache_dir = Path(tempfile.mkdtemp(prefix="citeqa-onnx-"))
            path = exported_model(self.model_dir, self.cache_dir)
        try:
            return ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
        except Exception as error:  # a damaged cache file (disk full, killed copy): export again
            log.warning("re-exporting the ONNX model: %s could not be loaded (%s)", path, error)
            path.unlink(missing_ok=True)
            return ort.InferenceSession(str(exported_model(self.model_dir, self.cache_dir)), providers=["CPUExecutionProvider"])

    @cached_property
    def _input_names(self) -> list[str]:
        return [i.name for i in self._session.get_inputs()]  # the export may drop an unused input

    @cached_property
    def dimension(self) -> int:  # type: ignore[override]
        return int(self.embed_queries(["dimension"]).shape[1])

    def fits(self, text: str) -> bool:
        """True when the model sees all of `text` (no truncation)."""
        if len(text.encode()) + self._special_tokens <= self.max_wordpieces:
            return True  # every token covers at least one byte of the text: no need to tokenize
        return len(self._tokenizer.encode(text).ids) <= self.max_wordpieces

    @cached_property
    def _special_tokens(self) -> int:
        """Tokens the tokenizer adds around any text ([CLS] and [SEP] for BERT)."""
        return len(self._tokenizer.encode("").ids)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Normalized query vectors, one row per text."""
        return self._encode(texts)[0]

    def embed_passages(
        self, texts: Sequence[str], sentence_spans: Sequence[Sequence[Span]]
    ) -> tuple[np.ndarray, list[np.ndarray]]:
        """Normalized passage vectors and, per passage, normalized vectors of its sentences (late chunking)."""
        return self._encode(texts, sentence_spans)

    def _encode(self, texts: Sequence[str], sentence_spans: Sequence[Sequence[Span]] | None = None) -> tuple[np.ndarray, list]:
        """Mean-pooled normalized vectors (batched longest first, as sentence-transformers does) and, when
        `sentence_spans` are given, each text's sentence vectors pooled from the same batch's token vectors."""
        order = np.argsort([-len(text) for text in texts], kind="stable")
        vectors: np.ndarray | None = None
        sentences: list = [None] * len(texts)
        for start in range(0, len(texts), self.batch_size):
            rows = order[start : start + self.batch_size]
            encodings = self._batch_tokenizer.encode_batch([texts[i] for i in rows])
            mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
            feed = {"input_ids": np.array([e.ids for e in encodings], dtype=np.int64), "attention_mask": mask,
                    "token_type_ids": np.array([e.type_ids for e in encodings], dtype=np.int64)}
            hidden = self._session.run(None, {name: feed[name] for name in self._input_names})[0]
            weights = mask[..., None].astype(np.float32)
            pooled = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
            if vectors is None:
                vectors = np.zeros((len(texts), pooled.shape[1]), dtype=np.float32)
            vectors[rows] = pooled / np.linalg.norm(pooled, axis=1, keepdims=True)
            if sentence_spans is not None:
                for j, i in enumerate(rows):
                    length = int(mask[j].sum())
                    sentences[i] = pool_spans(hidden[j, :length], encodings[j].offsets[:length], sentence_spans[i])
        return (vectors if vectors is not None else np.zeros((0, 0), dtype=np.float32)), sentences
