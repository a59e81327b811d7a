"""eval.beir on a hand-written BEIR fixture: loading, store reuse, document-level runs, ranx agreement, CLI."""

from dataclasses import replace
import hashlib
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from citeqa.cli import app
from eval.beir import BeirError, build_store, document_run, load_beir, published_baselines, score
from eval.metrics import mrr_at_k, ndcg_at_k, recall_at_k
from ingest.embed import Embedder, load_embedder
from store.chroma import open_store

TINY = Path(__file__).parent / "fixtures" / "beir_tiny"


@pytest.fixture(scope="module")
def embedder() -> Embedder:
    return load_embedder()


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Path:
    location = tmp_path_factory.mktemp("beir") / "store"
    steps = list(build_store(load_beir(TINY), open_store(location, create=True), embedder))
    assert steps[-1].report.new == 8
    return location


def test_load_keeps_judged_queries_and_hashes_documents() -> None:
    data = load_beir(TINY)
    assert data.name == "beir_tiny" and len(data.documents) == 8
    assert sorted(data.queries) == ["q1", "q2", "q3", "q4"]  # q5 has no judgments
    assert data.qrels["q1"] == {"d1": 1, "d8": 1}
    d1 = data.documents[0]
    assert d1.article_id == "d1" and d1.title == "Honeybee navigation" and d1.text.startswith("Honeybees communicate")
    assert d1.content_hash == hashlib.sha256((d1.title + d1.text).encode()).hexdigest()


def test_bad_qrels_line_names_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "qrels").mkdir()
    (tmp_path / "corpus.jsonl").write_text((TINY / "corpus.jsonl").read_text())
    (tmp_path / "queries.jsonl").write_text((TINY / "queries.jsonl").read_text())
    (tmp_path / "qrels" / "test.tsv").write_text("query-id\tcorpus-id\tscore\nq1\td1\n")
    with pytest.raises(BeirError, match=r"test.tsv:2: expected 'query-id<TAB>corpus-id<TAB>score'"):
        load_beir(tmp_path)
    (tmp_path / "corpus.jsonl").unlink()
    with pytest.raises(BeirError, match="must hold corpus.jsonl"):
        load_beir(tmp_path)


def test_published_baselines_come_from_the_readme(tmp_path: Path) -> None:
    rows = published_baselines(TINY)
    assert [(r.method, r.ndcg10, r.recall100) for r in rows] == [("Example BM25", 0.5, 0.9)]
    assert published_baselines(tmp_path) == []


def test_unchanged_corpus_is_not_re_embedded(store_dir: Path, embedder: Embedder) -> None:
    report = list(build_store(load_beir(TINY), open_store(store_dir), embedder))[-1].report
    assert (report.new, report.changed, report.unchanged, report.chunks) == (0, 0, 8, 0)


def test_store_with_other_articles_is_refused(store_dir: Path, embedder: Embedder) -> None:
    other = replace(load_beir(TINY), name="other")
    with pytest.raises(BeirError, match="must hold only the other corpus. Currently, it holds 8 other articles"):
        next(build_store(other, open_store(store_dir), embedder))


@pytest.mark.parametrize("mode", ["dense", "bm25", "hybrid"])
def test_document_runs_agree_with_our_metrics(mode: str, store_dir: Path, embedder: Embedder) -> None:
    data = load_beir(TINY)
    run = document_run(open_store(store_dir), embedder, data.queries, mode)
    for query_id, docs in run.items():
        assert list(docs.values()) == sorted(docs.values(), reverse=True)  # one entry per document, best first
    ranked = {q: list(docs) for q, docs in run.items()}
    assert ranked["q2"][0] == "d3" and ranked["q3"][0] == "d5"  # the easy ones
    scores = score(data.qrels, run)
    mean = lambda f, k: sum(f(ranked[q], set(rel), k) for q, rel in data.qrels.items()) / len(data.qrels)  # noqa: E731
    assert scores["NDCG@10"] == pytest.approx(mean(ndcg_at_k, 10))
    assert scores["Recall@100"] == pytest.approx(mean(recall_at_k, 100))
    assert scores["MRR@10"] == pytest.approx(mean(mrr_at_k, 10))


def test_cli_json_shape(store_dir: Path) -> None:
    result = CliRunner().invoke(app, ["eval", "--beir", str(TINY), "--store", str(store_dir), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert list(data) == ["dense", "bm25", "hybrid"]
    for values in data.values():
        assert list(values) == ["NDCG@10", "Recall@100", "MRR@10"]
        assert all(0.0 <= v <= 1.0 for v in values.values())


def test_cli_table_shows_published_rows(store_dir: Path) -> None:
    result = CliRunner().invoke(app, ["eval", "--beir", str(TINY), "--store", str(store_dir)])
    assert result.exit_code == 0, result.output
    assert "citeqa hybrid" in result.stdout and "published: Example BM25" in result.stdout


def test_cli_missing_dir_is_one_line(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["eval", "--beir", str(tmp_path), "--store", str(tmp_path / "s")])
    assert result.exit_code == 1
    assert result.stderr.strip() == f"error: a BEIR directory must hold corpus.jsonl. Currently, {tmp_path / 'corpus.jsonl'} does not exist"
