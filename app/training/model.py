"""The cross-encoder: MiniLM reads the (question, sentence) pair; its token vectors, mean-pooled, give one logit.

Mean pooling, not the [CLS] pooler of `AutoModelForSequenceClassification`: all-MiniLM-L6-v2
was trained to put meaning in the mean of its token vectors, and its [CLS] vector barely varies
from input to input, so a [CLS] head starts blind and can settle on the base rate.
"""

from pathlib import Path

import torch
from transformers import AutoModel
from transformers.utils import logging as transformers_logging

transformers_logging.disable_progress_bar()  # the weight-loading bar would land in the command's output

HEAD_FILE = "head.pt"


class MeanPoolCrossEncoder(torch.nn.Module):
    def __init__(self, encoder) -> None:
        super().__init__()
        self.encoder = encoder
        self.head = torch.nn.Linear(encoder.config.hidden_size, 1)

    def forward(self, input_ids, attention_mask, token_type_ids):
        """Logits, shape (batch, 1)."""
        hidden = self.encoder(input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids).last_hidden_state
        mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
        return self.head((hidden * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1e-9))

    @classmethod
    def from_base(cls, base: Path, seed: int) -> "MeanPoolCrossEncoder":
        """The base encoder with a new head, initialised from `seed`."""
        encoder = AutoModel.from_pretrained(str(base), attn_implementation="eager")
        torch.manual_seed(seed)
        return cls(encoder)

    def save(self, folder: Path) -> None:
        self.encoder.save_pretrained(str(folder))
        torch.save(self.head.state_dict(), Path(folder) / HEAD_FILE)

    @classmethod
    def load(cls, folder: Path) -> "MeanPoolCrossEncoder":
        model = cls(AutoModel.from_pretrained(str(folder), attn_implementation="eager"))
        model.head.load_state_dict(torch.load(Path(folder) / HEAD_FILE))
        return model.eval()
