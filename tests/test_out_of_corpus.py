"""Out-of-corpus questions: a store view that hides articles, the evaluation rows and training negatives it yields."""

import numpy as np

from citeqa.app.qa import QA
from citeqa.app.training.out_of_corpus import collect_out_of_corpus
from citeqa.store.hidden import HiddenArticles
from citeqa.app.training.scorer_fit import QuestionRows, _question_weights
from citeqa.eval.dataset import DEFAULT_DATASET, out_of_corpus, read_examples
from citeqa.eval.run import iter_rows
from citeqa.store.records import article_of
from tests.store_fixtures import default_store, qa  # noqa: F401  (fixtures)


def test_a_hidden_article_is_never_found_and_searches_still_fill_up(qa: QA) -> None:
    vector = qa.embedder.embed_queries(["How much grant money did Xi promise?"])[0]
    everything = qa.store.nearest(vector, 10)
    hidden = article_of(everything[0][0])
    view = HiddenArticles(qa.store, qa.store.articles(), [hidden])
    for found in (view.nearest(vector, 10), view.lexical_search("grant money Xi promise", 10)):
        assert found and all(article_of(chunk_id) != hidden for chunk_id, _ in found)
    assert len(view.nearest(vector, 10)) == 10 == len(everything)
    assert hidden not in {a.article_id for a in view.articles()}


def test_an_evaluation_row_of_an_out_of_corpus_question_never_retrieves_the_hidden_article(qa: QA) -> None:
    example = next(e for e in read_examples(DEFAULT_DATASET) if e.answerable and e.type == "single")
    seen = next(iter_rows(qa, [example], k=5, warm_up=False))
    assert example.sources[0] in seen["retrieved"]
    row = next(iter_rows(qa, [out_of_corpus(example)], k=5, warm_up=False))
    assert row["type"] == "out_of_corpus" and not row["answerable"]
    assert row["retrieved"] and not set(row["retrieved"]) & set(example.sources)
    assert not set(row["cited"]) & set(example.sources)
    assert row["correct"] == row["abstained"]


def test_questions_asked_without_their_article_become_negatives_from_other_articles(qa: QA) -> None:
    examples = [e for e in read_examples(DEFAULT_DATASET) if e.answerable and e.type == "single"][:8]
    found = collect_out_of_corpus(qa, examples, "ooc")
    assert found, "every question was left out"
    by_id = {e.id + "-ooc": e for e in examples}
    for q in found:
        assert not q.answerable and q.labels.sum() == 0 and q.source == "ooc"
        assert q.id in by_id
    # the same questions with their articles visible do find a supporting sentence
    assert any(qa.evidence(e.question).ranked[0].article_id in e.sources for e in examples)


def test_the_news_set_keeps_its_share_and_the_others_split_the_rest_by_size() -> None:
    def q(i: int, source: str) -> QuestionRows:
        return QuestionRows(f"{source}-{i}", source, True, np.zeros((1, 1)), np.zeros(1), ("",), "")

    questions = [q(i, "default_dev") for i in range(10)] + [q(i, "squad") for i in range(60)] + [q(i, "ooc") for i in range(30)]
    weight = _question_weights(questions, news_share=0.5)
    total = {s: sum(weight[x.id] for x in questions if x.source == s) for s in ("default_dev", "squad", "ooc")}
    assert np.isclose(total["default_dev"], 50) and np.isclose(total["squad"], 2 * total["ooc"])
    assert np.isclose(sum(total.values()), len(questions))
