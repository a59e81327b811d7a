"""Both embedders (int8 ONNX, the default, and torch fp32) against the model's own `encode`, on real corpus chunks.

The oracle is a second, independently loaded SentenceTransformer from the packaged
model folder: chunk vectors must equal its normalized `encode` output (torch) or agree
with it to a cosine of 0.98 (int8), and the late-chunked sentence vectors must be unit
vectors, one per sentence span.
"""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from transformers import AutoTokenizer

from citeqa.errors import SettingsError
from citeqa.ingest.chunk import chunk_document
from citeqa.ingest.embed import SentenceTransformerEmbedder, load_embedder, resolve_model
from citeqa.ingest.embed_onnx import OnnxEmbedder
from citeqa.ingest.load import load_document
from citeqa.store.records import ChunkSettings

from tests.model_fixtures import ARTICLES


GRANT_QUESTION = "How much grant money did Xi promise?"
MIN_COSINE = {"onnx": 0.98, "torch": 0.999}  # to the fp32 model's own vectors


@pytest.fixture(scope="module", params=["onnx", "torch"])
def backend(request) -> str:
    return request.param


@pytest.fixture(scope="module")
def model(backend, embedder):
    """The session's default embedder for "onnx"; a torch one loaded here for "torch"."""
    return embedder if backend == "onnx" else SentenceTransformerEmbedder()


@pytest.fixture(scope="module")
def oracle():
    from sentence_transformers import SentenceTransformer

    _, path = resolve_model("all-MiniLM-L6-v2")
    return SentenceTransformer(path, device="cpu")


@pytest.fixture(scope="module")
def chunks(embedder):
    docs = [load_document(p) for p in sorted(ARTICLES.glob("*.txt"))]
    return [c for d in docs for c in chunk_document(d, ChunkSettings(), embedder.fits)]


def relative_spans(chunk):
    return [(a - chunk.char_start, b - chunk.char_start) for a, b in chunk.sentences]


def test_the_default_model_is_the_packaged_minilm_run_as_int8_onnx(embedder) -> None:
    assert isinstance(embedder, OnnxEmbedder)
    assert embedder.model_id == "sentence-transformers/all-MiniLM-L6-v2"
    assert embedder.dimension == 384
    assert embedder.max_wordpieces == 256
    assert SentenceTransformerEmbedder("sentence-transformers/all-MiniLM-L6-v2").model_id == embedder.model_id


def test_passage_vectors_equal_model_encode(backend, model, oracle, chunks) -> None:
    sample = chunks[::3]
    vectors, sentence_vectors = model.embed_passages([c.text for c in sample], [relative_spans(c) for c in sample])
    expected = oracle.encode([c.text for c in sample], normalize_embeddings=True, batch_size=32, show_progress_bar=False)
    assert vectors.shape == (len(sample), 384)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    cosines = np.sum(vectors * expected, axis=1)
    assert cosines.min() > MIN_COSINE[backend]
    # Sentence vectors: one unit vector per sentence span, in span order.
    assert len(sentence_vectors) == len(sample)
    for chunk, rows in zip(sample, sentence_vectors):
        assert rows.shape == (len(chunk.sentences), 384)
        np.testing.assert_allclose(np.linalg.norm(rows, axis=1), 1.0, atol=1e-5)


def test_late_chunked_sentence_vectors_follow_their_sentences(model, oracle, chunks) -> None:
    chunk = max(chunks, key=lambda c: len(c.sentences))
    _, (rows,) = model.embed_passages([chunk.text], [relative_spans(chunk)])
    alone = oracle.encode([chunk.sentence_text(s) for s in chunk.sentences], normalize_embeddings=True, show_progress_bar=False)
    similarity = rows @ alone.T
    # Each sentence's contextual vector is nearest to that same sentence embedded alone, for most sentences.
    hits = int(np.sum(similarity.argmax(axis=1) == np.arange(len(rows))))
    assert hits >= 0.7 * len(rows), similarity.round(2)


def test_query_vectors_are_normalized_model_queries(backend, model, oracle) -> None:
    queries = [GRANT_QUESTION, "Where was the summit held?"]
    got = model.embed_queries(queries)
    expected = oracle.encode_query(queries, normalize_embeddings=True, show_progress_bar=False)
    assert got.shape == (2, 384)
    np.testing.assert_allclose(np.linalg.norm(got, axis=1), 1.0, atol=1e-5)
    assert np.sum(got * expected, axis=1).min() > MIN_COSINE[backend]


def test_a_grant_question_ranks_the_grant_sentence_first(model, chunks) -> None:
    grant_chunks = [c for c in chunks if "grant" in c.text and c.article_id.startswith(("003", "004"))]
    assert grant_chunks
    question = model.embed_queries([GRANT_QUESTION])[0]
    for chunk in grant_chunks:
        _, (rows,) = model.embed_passages([chunk.text], [relative_spans(chunk)])
        best = chunk.sentence_text(chunk.sentences[int(np.argmax(rows @ question))])
        assert "grant" in best and "1.5 billion yuan" in best, best


def test_fits_measures_word_pieces_with_special_tokens(model) -> None:
    assert model.fits("China pledged a grant.")
    tokenizer = AutoTokenizer.from_pretrained(resolve_model("all-MiniLM-L6-v2")[1])
    assert len(tokenizer("x " * 254)["input_ids"]) == 256  # 254 pieces + [CLS] + [SEP]
    assert model.fits("x " * 254)
    assert not model.fits("x " * 255)
    assert not model.fits("wow!!!!!!!! " * 40)  # 40 cl100k tokens' worth of words, ~360 word pieces


def test_the_backend_argument_selects_the_runner() -> None:
    assert isinstance(load_embedder(backend="torch"), SentenceTransformerEmbedder)
    assert isinstance(load_embedder(), OnnxEmbedder)
    assert isinstance(load_embedder(backend="onnx"), OnnxEmbedder)
    with pytest.raises(SettingsError, match="must be one of onnx, torch. Currently, it is 'tensorrt'"):
        load_embedder(backend="tensorrt")


def test_a_model_that_does_not_mean_pool_runs_with_torch(tmp_path: Path) -> None:
    _, source = resolve_model("all-MiniLM-L6-v2")
    copy = tmp_path / "cls-pooling-model"
    shutil.copytree(source, copy, copy_function=os.symlink)  # weights linked, not copied
    pooling = copy / "1_Pooling" / "config.json"
    config = json.loads(pooling.read_text()) | {"pooling_mode_mean_tokens": False, "pooling_mode_cls_token": True}
    pooling.unlink()
    pooling.write_text(json.dumps(config))
    assert isinstance(load_embedder(str(copy)), SentenceTransformerEmbedder)
    assert isinstance(load_embedder(source), OnnxEmbedder)


def test_the_export_is_cached_and_a_damaged_cache_file_is_exported_again(tmp_path: Path) -> None:
    source = Path(resolve_model("all-MiniLM-L6-v2")[1])
    vector = OnnxEmbedder("m", source, cache_dir=tmp_path).embed_queries([GRANT_QUESTION])
    (cached,) = tmp_path.rglob("*.onnx")
    exported_at = cached.stat().st_mtime_ns
    np.testing.assert_array_equal(OnnxEmbedder("m", source, cache_dir=tmp_path).embed_queries([GRANT_QUESTION]), vector)
    assert cached.stat().st_mtime_ns == exported_at  # loaded, not exported again
    cached.write_bytes(cached.read_bytes()[:4096])  # e.g. a copy killed half-way
    np.testing.assert_allclose(OnnxEmbedder("m", source, cache_dir=tmp_path).embed_queries([GRANT_QUESTION]), vector, atol=1e-6)
    assert cached.stat().st_size > 10_000_000


def test_an_unwritable_cache_folder_still_gives_a_working_model(tmp_path: Path, caplog) -> None:
    source = Path(resolve_model("all-MiniLM-L6-v2")[1])
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    model = OnnxEmbedder("m", source, cache_dir=blocked / "cache")
    assert model.embed_queries([GRANT_QUESTION]).shape == (1, 384)
    assert "CITEQA_CACHE_DIR" in caplog.text


# Printed by the `citeqa ask` process as it exits: which heavy libraries its answer path imported.
_IMPORT_PROBE = ("import atexit, sys; atexit.register(lambda: print('imported:', sorted(m for m in "
                 "('torch', 'sentence_transformers', 'transformers', 'gradio', 'matplotlib', 'bm25s', 'scipy', 'numba') if m in sys.modules), "
                 "file=sys.stderr)); from citeqa.cli import run; run()")


def test_ask_with_a_cached_export_never_imports_torch(tmp_path: Path) -> None:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "GRADIO_ANALYTICS_ENABLED": "False"}
    store = tmp_path / "store"
    cli = [sys.executable, "-c", "from citeqa.cli import run; run()"]
    subprocess.run([*cli, "ingest", str(ARTICLES), "--store", str(store)], check=True, capture_output=True, env=env)
    asked = subprocess.run([sys.executable, "-c", _IMPORT_PROBE, "ask", GRANT_QUESTION, "--store", str(store), "--json"],
                           capture_output=True, text=True, env=env)
    assert asked.returncode == 0, asked.stderr
    assert json.loads(asked.stdout)["citations"]  # a real, cited answer
    assert "imported: []" in asked.stderr
