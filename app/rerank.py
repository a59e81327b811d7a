"""The cross-encoder reranker: P(sentence states the answer to the question), int8 ONNX on the CPU.

A MiniLM cross-encoder fine-tuned on train-split pairs (see `app/models/reranker/README.md`
and `citeqa train reranker`). Runs with onnxruntime and tokenizers only: no torch import.
One session, one intra-op thread by default: scoring a handful of candidate sentences is
latency-bound, and a second thread buys little on a shared 2-core machine.
"""

from collections.abc import Sequence
from pathlib import Path

import numpy as np

DEFAULT_RERANKER = Path(__file__).resolve().parent / "models" / "reranker"
_MODEL_FILE = "model.onnx"
_TOKENIZER_FILE = "tokenizer.json"


class Reranker:
    """Scores (question, sentence) pairs with the exported cross-encoder."""

    batch_size = 32

    def __init__(self, session, tokenizer) -> None:
        self._session = session
        self._tokenizer = tokenizer
        self._input_names = [i.name for i in session.get_inputs()]
        self._pad_id = tokenizer.token_to_id("[PAD]") or 0

    @classmethod
    def load(cls, path: Path = DEFAULT_RERANKER, threads: int = 1) -> "Reranker":
        """The reranker in folder `path` (model.onnx + tokenizer.json); FileNotFoundError when absent."""
        import onnxruntime as ort
        from tokenizers import Tokenizer

        path = Path(path)
        for name in (_MODEL_FILE, _TOKENIZER_FILE):
            if not (path / name).is_file():
                raise FileNotFoundError(f"No reranker at {path}: {name} is missing")
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        session = ort.InferenceSession(str(path / _MODEL_FILE), options, providers=["CPUExecutionProvider"])
        return cls(session, Tokenizer.from_file(str(path / _TOKENIZER_FILE)))

    def score(self, question: str, sentences: Sequence[str]) -> np.ndarray:
        """P(sentence answers question) in [0, 1], one per sentence (batched, similar lengths together)."""
        encodings = self._tokenizer.encode_batch([(question, s) for s in sentences])
        order = np.argsort([len(e.ids) for e in encodings], kind="stable")
        logits = np.zeros(len(sentences), dtype=np.float64)
        for start in range(0, len(order), self.batch_size):
            rows = order[start : start + self.batch_size]
            width = max(len(encodings[i].ids) for i in rows)
            feed = {name: np.zeros((len(rows), width), dtype=np.int64) for name in ("input_ids", "attention_mask", "token_type_ids")}
            feed["input_ids"][:] = self._pad_id
            for j, i in enumerate(rows):
                e, n = encodings[i], len(encodings[i].ids)
                feed["input_ids"][j, :n] = e.ids
                feed["attention_mask"][j, :n] = 1
                feed["token_type_ids"][j, :n] = e.type_ids
            logits[rows] = self._session.run(None, {name: feed[name] for name in self._input_names})[0][:, 0]
        return 0.5 * (1.0 + np.tanh(0.5 * logits))  # the logistic sigmoid, without overflow
