"""The peers of `citeqa bench --peers` (LlamaIndex, Haystack) end to end on three real articles, and their scoring."""

import sys

import pytest

from citeqa.eval.bench.corpora import Corpus, default_documents
from citeqa.eval.bench.peers import PeerUnavailable
from citeqa.eval.bench.retrieval import article_scores, peer_run
from citeqa.eval.bench.settings import DEFAULT_ARTICLES
from citeqa.eval.bench.wordpieces import hf_tokenizer
from citeqa.eval.dataset import DEFAULT_DATASET, read_examples
from citeqa.ingest.embed import load_embedder, resolve_model

LIBRARIES = {"llamaindex": "llama_index.core", "haystack": "haystack"}


@pytest.fixture(autouse=True)
def no_telemetry(monkeypatch):
    monkeypatch.setenv("HAYSTACK_TELEMETRY_ENABLED", "False")  # as `citeqa bench` sets it; read when haystack is imported


@pytest.fixture(scope="module")
def tiny():
    docs = default_documents(DEFAULT_ARTICLES)[:3]
    ids = {d.article_id for d in docs}
    examples = [e for e in read_examples(DEFAULT_DATASET) if e.answerable and not e.history and set(e.sources) <= ids][:6]
    corpus = Corpus("tiny", docs, [(d.article_id, f"{d.title}\n\n{d.text}") for d in docs],
                    [e.question for e in examples], [e.sources for e in examples], rounds=2, all_gold=True)
    return corpus, load_embedder()


@pytest.mark.parametrize("peer", sorted(LIBRARIES))
def test_a_peer_indexes_and_ranks_real_articles(peer, tiny, tmp_path):
    pytest.importorskip(LIBRARIES[peer], reason=f"{peer} is not installed (the bench extra: pip install -e '.[bench]')")
    corpus, embedder = tiny
    run = peer_run(peer, corpus, resolve_model(embedder.model_id)[1], hf_tokenizer(embedder), embedder.max_wordpieces, tmp_path)
    assert run.articles == 3 and run.ingest_s > 0
    assert run.wordpieces.chunks >= 3 and 0 < run.wordpieces.fraction_embedded <= 1.0
    assert run.latency.n == 2 * len(corpus.questions) and run.latency.p95_ms >= run.latency.p50_ms > 0
    scores = run.scores
    assert scores.questions == len(corpus.questions)
    for value in (scores.hit_1, scores.recall_1, scores.recall_5, scores.mrr_5, scores.all_gold_5):
        assert 0 <= value <= 1
    assert scores.recall_5 > 0.5  # one source among three articles: a working retriever finds it


def test_the_rankings_a_peer_returns_are_the_corpus_article_ids(tiny):
    pytest.importorskip("haystack", reason="haystack-ai is not installed (the bench extra: pip install -e '.[bench]')")
    from citeqa.eval.bench.peers import haystack

    corpus, embedder = tiny
    run = haystack.run(corpus.peer_texts, corpus.questions, resolve_model(embedder.model_id)[1], None, rounds=1)
    ids = {a for a, _ in corpus.peer_texts}
    assert len(run.rankings) == len(corpus.questions)
    assert all(ranking and set(ranking) <= ids and len(ranking) == len(set(ranking)) for ranking in run.rankings)
    texts = dict(corpus.peer_texts)
    assert all(texts[n.article_id][n.start:n.end] == n.embedded_text for n in run.nodes)  # spans point into the article


def test_all_gold_counts_only_questions_with_every_source_in_the_top_five():
    rankings = [["a", "b", "x"], ["a", "x", "y", "z", "w", "b"], ["b"]]
    sources = [("a", "b"), ("a", "b"), ("b",)]
    scores = article_scores(rankings, sources, all_gold=True)
    assert scores.all_gold_5 == round(2 / 3, 4)
    assert scores.hit_1 == 1.0
    assert article_scores(rankings, sources).all_gold_5 is None and "all-gold@5" not in article_scores(rankings, sources).as_dict()


def test_a_missing_peer_library_is_one_clear_line(monkeypatch):
    from citeqa.eval.bench.peers import haystack

    monkeypatch.setitem(sys.modules, "haystack", None)  # what an environment without haystack-ai imports
    with pytest.raises(PeerUnavailable) as caught:
        haystack.run([("a", "text")], ["q"], "unused", None)
    assert str(caught.value) == "haystack-ai is not installed (haystack); run: pip install -e '.[bench]'"
