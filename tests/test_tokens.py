"""Offline tiktoken: the packaged rank file seeds tiktoken's cache; counts match real tiktoken.

The oracle is `tiktoken.get_encoding("cl100k_base")` itself (after seeding), plus
token ids published in tiktoken's own docs ("hello world" -> [15339, 1917]) so
the check does not only compare the file with itself.
"""

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import tiktoken

from citeqa.ingest.tokens import count_tokens, encoding, seed_tiktoken_cache, tiktoken_cache_dir

ROOT = Path(__file__).resolve().parent.parent
ARTICLE = ROOT / "data" / "articles" / "004_43fe3f8e97f79a18.txt"
RANK_SHA256 = "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7"
CACHE_NAME = hashlib.sha1(b"https://openaipublic.blob.core.windows.net/encodings/cl100k_base.tiktoken").hexdigest()
SAMPLES = [
    "hello world",
    "China pledged 1.5 billion yuan ($209 million) in grant assistance.",
    "Astana — “Xi Jinping” said, naïvely: 中亚峰会 🇰🇿 2025-06-17\n\n  tabs\tand   spaces",
    "",
]


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_count_tokens_matches_tiktoken_on_real_text() -> None:
    seed_tiktoken_cache()
    oracle = tiktoken.get_encoding("cl100k_base")
    texts = [*SAMPLES, ARTICLE.read_text(encoding="utf-8")]
    for text in texts:
        assert count_tokens(text) == len(oracle.encode_ordinary(text))
        assert encoding().encode_ordinary(text) == oracle.encode_ordinary(text)
    assert oracle.encode("hello world") == [15339, 1917]  # published ids, independent of our seeding
    assert count_tokens("hello world") == 2


def test_seeding_an_empty_cache_dir_writes_the_exact_file(tmp_path, monkeypatch) -> None:
    cache = tmp_path / "empty-cache"
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(cache))
    assert tiktoken_cache_dir() == cache
    seeded = seed_tiktoken_cache()
    assert seeded == cache / CACHE_NAME  # the name tiktoken.load looks up: sha1 of the URL
    assert _sha256(seeded) == RANK_SHA256
    assert sorted(p.name for p in cache.iterdir()) == [CACHE_NAME]  # no temp file left behind


def test_a_corrupt_cached_file_is_replaced(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(tmp_path))
    (tmp_path / CACHE_NAME).write_bytes(b"not a rank file")
    assert _sha256(seed_tiktoken_cache()) == RANK_SHA256


def test_cache_dir_follows_tiktoken_rules(monkeypatch, tmp_path) -> None:
    monkeypatch.delenv("TIKTOKEN_CACHE_DIR", raising=False)
    monkeypatch.setenv("DATA_GYM_CACHE_DIR", str(tmp_path / "gym"))
    assert tiktoken_cache_dir() == tmp_path / "gym"
    monkeypatch.delenv("DATA_GYM_CACHE_DIR")
    assert tiktoken_cache_dir().name == "data-gym-cache"


# A fresh interpreter whose sockets cannot connect: any download attempt fails loudly.
_NO_NETWORK = """
import json, socket, sys
def refuse(*args, **kwargs):
    raise OSError("network access attempted in an offline test")
socket.socket.connect = refuse
socket.create_connection = refuse
from citeqa.ingest.tokens import count_tokens, encoding
import tiktoken
text = sys.argv[1]
print(json.dumps({"ours": count_tokens(text), "tiktoken": tiktoken.get_encoding("cl100k_base").encode_ordinary(text),
                  "ids": encoding().encode_ordinary(text)}))
"""


def test_works_offline_from_an_empty_cache_dir(tmp_path) -> None:
    cache = tmp_path / "fresh"
    env = {**os.environ, "TIKTOKEN_CACHE_DIR": str(cache), "HTTPS_PROXY": "http://127.0.0.1:9", "HTTP_PROXY": "http://127.0.0.1:9"}
    text = SAMPLES[2]
    done = subprocess.run(
        [sys.executable, "-c", _NO_NETWORK, text], env=env, cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    got = json.loads(done.stdout)
    assert got["ours"] == len(got["tiktoken"]) == len(tiktoken.get_encoding("cl100k_base").encode_ordinary(text))
    assert got["ids"] == got["tiktoken"]
    assert _sha256(cache / CACHE_NAME) == RANK_SHA256

