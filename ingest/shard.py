"""Sharded ingest: which share of a corpus one of N ingest processes owns.

`Shard.parse("2/3")` is the second of three shares (1-based). An article belongs to
the shard given by a stable hash of its article id (the file stem), so a file's shard
never changes as other files come and go, and every process computes the same split
without talking to the others. A shard embeds, re-embeds and prunes only the articles
it owns; the store's article records, filtered by ownership, are its manifest.
"""

import hashlib
from dataclasses import dataclass

from citeqa.errors import SettingsError


@dataclass(frozen=True)
class Shard:
    """Share `index` (1-based) of `count` shares."""

    index: int = 1
    count: int = 1

    def __post_init__(self) -> None:
        if self.count < 1 or not 1 <= self.index <= self.count:
            raise SettingsError(f"A shard is I/N with 1 <= I <= N, e.g. 1/2 and 2/2. Currently, it is {self.index}/{self.count}")

    @classmethod
    def parse(cls, text: str) -> "Shard":
        """ "2/3" -> Shard(2, 3); ValueError (one line) for anything else."""
        index, slash, count = text.strip().partition("/")
        if not slash or not index.strip().isdigit() or not count.strip().isdigit():
            raise SettingsError(f"--shard must be I/N with 1 <= I <= N, e.g. --shard 1/2. Currently, it is {text!r}")
        return cls(int(index), int(count))

    def owns(self, article_id: str) -> bool:
        """True when the article with this id is in this share. Example: Shard(1, 1).owns("a") -> True."""
        if self.count == 1:
            return True
        digest = hashlib.sha256(article_id.encode("utf-8", "surrogatepass")).digest()
        return int.from_bytes(digest[:8], "big") % self.count == self.index - 1

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"


WHOLE = Shard()
