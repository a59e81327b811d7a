"""Smoke test of `citeqa bench --quick --json` (tiny sizes, real model, real Chroma) and its small helpers."""

import json

import pytest
import typer
from typer.testing import CliRunner

from citeqa.bench_cmd import parse_scales
from citeqa.cli import app
from citeqa.eval.bench.corpora import corpora, skipped
from citeqa.eval.bench.result import Wordpieces
from citeqa.eval.bench.settings import DEFAULT_SQUAD, BenchSettings
from citeqa.eval.bench.timing import latency
from citeqa.eval.bench.wordpieces import wordpieces
from citeqa.eval.bench.synthetic import synthetic_documents

REQUIRED = ("ingest_chunks_per_s", "encode_chunks_per_s", "ingest_overhead_ratio", "ask_p50_ms", "ask_p95_ms")


def test_quick_bench_prints_the_required_keys_and_compares_the_runners(tmp_path):
    result = CliRunner().invoke(app, ["bench", "--quick", "--json", "--torch", "--scale", "200", "--cache-dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    for key in REQUIRED:
        assert out[key] > 0, key
    assert out["synthetic_corpus"]["chunks"] > 0
    assert out["ask"]["200"]["chunks"] == 200 and out["ask"]["200"]["p95_ms"] >= out["ask"]["200"]["p50_ms"]
    assert "OnnxEmbedder" in out["embedder"]
    assert out["ask_cold_s"] == out["ask_cli"]["cold_start_s"] > 0 and out["ask_cli"]["imports_torch"] is False
    runners = out["onnx"]
    assert runners["cosine_to_fp32"]["min"] > 0.98  # int8 vectors stand in for fp32 ones
    assert runners["torch_ingest_overhead_ratio"] > 0 and runners["ingest_vs_torch_encode"] > 0
    with_squad = DEFAULT_SQUAD.is_file()  # ../shared beside the clone; a bare clone has none
    for corpus in ("default", "squad") if with_squad else ("default",):
        assert runners[corpus]["onnx"]["Recall@5"] > 0 and runners[corpus]["torch"]["Recall@5"] > 0
    assert ("squad" in runners) == with_squad
    assert out.get("skipped", []) == skipped(BenchSettings(compare_torch=True))


def test_a_missing_squad_file_is_named_as_skipped(tmp_path):
    absent = tmp_path / "dev-v1.1.json.zip"
    assert skipped(BenchSettings(squad=absent)) == []  # nothing asked for it
    [note] = skipped(BenchSettings(squad=absent, compare_torch=True))
    assert note.startswith("SQuAD corpus:") and str(absent) in note
    assert [c.name for c in corpora(BenchSettings.quick_settings(squad=absent))] == ["default"]


def test_synthetic_documents_are_deterministic():
    sentences = [f"Sentence number {i} says something." for i in range(30)]
    first, again = synthetic_documents(sentences, 3, 10, seed=7), synthetic_documents(sentences, 3, 10, seed=7)
    assert first == again
    assert synthetic_documents(sentences, 3, 10, seed=8) != first
    assert all(doc.text.count(".") == 10 for doc in first)


def test_wordpieces_counts_what_a_truncating_model_never_sees():
    class Words:  # one word piece per space-separated word, with character offsets
        def __call__(self, text, **_):
            spans, start = [], 0
            for word in text.split(" "):
                spans.append((start, start + len(word)))
                start += len(word) + 1
            return {"input_ids": list(range(len(spans))), "offset_mapping": spans}

    text = "a b c d e f g h"
    # limit 6 -> 4 word pieces per window: one window over everything sees half of it
    assert wordpieces(Words(), 6, {"x": text}, [("x", 0, text)]).fraction_embedded == 0.5
    halves = [("x", 0, "a b c d"), ("x", 8, "e f g h")]
    assert wordpieces(Words(), 6, {"x": text}, halves) == Wordpieces(
        chunks=2, truncated_chunks=0, article_wordpieces=8, embedded_wordpieces=8, fraction_embedded=1.0
    )


def test_latency_and_scale_parsing():
    assert latency([10.0, 20.0, 30.0]).p50_ms == 20.0
    assert parse_scales("10000,100_000") == (10000, 100000)
    with pytest.raises(typer.BadParameter, match="comma-separated"):
        parse_scales("ten")
