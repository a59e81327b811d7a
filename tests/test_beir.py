"""eval.beir and eval.fit on a hand-written BEIR fixture: loading, store reuse, document-level runs, ranx
agreement, CLI, and the grid search that fits retrieval on a train split."""

from dataclasses import replace
import hashlib
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from citeqa.cli import app
from citeqa.app.retrieve import RetrievalSettings
from citeqa.eval.beir import BeirError, build_store, document_run, load_beir, published_baselines, score
from citeqa.eval.fit import DEFAULT_GRID, Grid, fit
from citeqa.eval.metrics import mrr_at_k, ndcg_at_k, recall_at_k
from citeqa.ingest.embed import Embedder
from citeqa.store.chroma import open_store
from citeqa.store.lexical import Bm25Params

TINY = Path(__file__).parent / "fixtures" / "beir_tiny"


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
    assert d1.article_id == "d1" and d1.title == "Honeybee navigation"
    assert d1.text.startswith("Honeybee navigation\n\nHoneybees communicate")  # the title opens the text, as in any article
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
    assert scores["nDCG@10"] == pytest.approx(mean(ndcg_at_k, 10))
    assert scores["Recall@100"] == pytest.approx(mean(recall_at_k, 100))
    assert scores["MRR@10"] == pytest.approx(mean(mrr_at_k, 10))


def test_cli_json_shape(store_dir: Path) -> None:
    result = CliRunner().invoke(app, ["eval", "--beir", str(TINY), "--store", str(store_dir), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert list(data) == ["dense", "bm25", "hybrid"]
    for values in data.values():
        assert list(values) == ["nDCG@10", "Recall@100", "MRR@10"]
        assert all(0.0 <= v <= 1.0 for v in values.values())


def test_cli_table_shows_published_rows(store_dir: Path) -> None:
    result = CliRunner().invoke(app, ["eval", "--beir", str(TINY), "--store", str(store_dir)])
    assert result.exit_code == 0, result.output
    assert "citeqa hybrid" in result.stdout and "published: Example BM25" in result.stdout


def test_cli_missing_dir_is_one_line(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["eval", "--beir", str(tmp_path), "--store", str(tmp_path / "s")])
    assert result.exit_code == 1
    assert result.stderr.strip() == f"error: a BEIR directory must hold corpus.jsonl. Currently, {tmp_path / 'corpus.jsonl'} does not exist"


def test_the_train_split_has_its_own_queries() -> None:
    train, test = load_beir(TINY, split="train"), load_beir(TINY)
    assert sorted(train.queries) == ["q10", "q11", "q12", "q6", "q7", "q8", "q9"] and not set(train.queries) & set(test.queries)
    assert train.qrels["q10"] == {"d8": 1, "d1": 1}


def test_fit_picks_the_best_grid_point_and_replays_the_retrieval_ask_runs(store_dir: Path, embedder: Embedder) -> None:
    data = load_beir(TINY, split="train")
    settings = (RetrievalSettings(fusion="scores", dense_weight=0.9), RetrievalSettings(fusion="scores", dense_weight=0.1),
                RetrievalSettings(), RetrievalSettings(fusion="scores"))
    grid = Grid(bm25=(Bm25Params(), Bm25Params(k1=0.9, b=0.4)), retrieval=settings)
    result = fit(open_store(store_dir), embedder, data, grid)
    assert [(p.bm25, p.retrieval) for p in result.points] == [(b, s) for b in grid.bm25 for s in settings]  # grid order
    scores = [p.ndcg10 for p in result.points]
    assert result.best == result.points[scores.index(max(scores))]  # the best, the first of equals
    assert len(set(scores)) > 1  # the sample tells the settings apart
    # With the store's own BM25 (default parameters), each point's figure is what the real search path gives.
    store = open_store(store_dir)
    for point in result.points[: len(settings)]:
        run = document_run(store, embedder, data.queries, "hybrid", settings=point.retrieval)
        ranked = {q: list(docs) for q, docs in run.items()}
        expected = sum(ndcg_at_k(ranked[q], set(rel), 10) for q, rel in data.qrels.items()) / len(data.qrels)
        assert point.ndcg10 == pytest.approx(expected, abs=1e-6)
    assert set(result.train) == {"dense", "bm25", "hybrid", "bm25 (reference)", "hybrid (reference)", "hybrid (ask's candidates)"}
    assert result.train["hybrid"]["nDCG@10"] == pytest.approx(result.best.ndcg10, abs=1e-4)
    again = fit(open_store(store_dir), embedder, data, grid)
    assert again.best == result.best  # deterministic


def test_the_defaults_are_a_point_of_the_fitting_grid() -> None:
    assert Bm25Params() in DEFAULT_GRID.bm25 and RetrievalSettings() in DEFAULT_GRID.retrieval
