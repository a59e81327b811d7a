"""Export a fine-tuned cross-encoder checkpoint to int8 ONNX plus the tokenizer file `app.rerank` reads.

The recipe is `ingest.embed_onnx`'s for the bi-encoder: `torch.onnx.export` (opset 17, dynamic
batch and sequence axes), then onnxruntime's dynamic quantization (per-channel int8 weights,
MatMul), here also of the word-embedding table (Gather): the committed file shrinks from 59 to
23 MB (metrics.json records the int8 model's distance from the fp32 checkpoint). The graph
outputs the raw logit; the runtime applies the sigmoid.
"""

import logging
import tempfile
import warnings
from pathlib import Path

INPUTS = ("input_ids", "attention_mask", "token_type_ids")
MODEL_FILE = "model.onnx"
TOKENIZER_FILE = "tokenizer.json"

log = logging.getLogger(__name__)


def export_int8(checkpoint: Path, out: Path, max_length: int) -> None:
    """Write `out/model.onnx` (int8) and `out/tokenizer.json` (truncating pairs at `max_length`)."""
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from tokenizers import Tokenizer

    from citeqa.app.training.model import MeanPoolCrossEncoder
    from citeqa.ingest.embed_onnx import _quiet_root_logger

    out.mkdir(parents=True, exist_ok=True)
    model = MeanPoolCrossEncoder.load(checkpoint)
    example = tuple(torch.ones((2, 8), dtype=torch.int64) for _ in INPUTS)
    with tempfile.TemporaryDirectory(dir=out) as work, warnings.catch_warnings(), _quiet_root_logger():
        warnings.simplefilter("ignore")
        fp32 = Path(work) / "fp32.onnx"
        torch.onnx.export(
            model, example, str(fp32), input_names=list(INPUTS), output_names=["logits"],
            dynamic_axes={**{name: {0: "batch", 1: "sequence"} for name in INPUTS}, "logits": {0: "batch"}},
            opset_version=17, dynamo=False,
        )
        quantize_dynamic(str(fp32), str(out / MODEL_FILE), weight_type=QuantType.QInt8, per_channel=True,
                         op_types_to_quantize=["MatMul", "Gather"])
    tokenizer = Tokenizer.from_file(str(checkpoint / TOKENIZER_FILE))
    tokenizer.no_padding()
    tokenizer.enable_truncation(max_length, strategy="longest_first")
    tokenizer.save(str(out / TOKENIZER_FILE))
