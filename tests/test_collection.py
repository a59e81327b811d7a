"""Questions about the whole collection are answered from the stored metadata, each article named cited."""

import pytest

from citeqa.app.collection import LISTED, answer_collection
from citeqa.app.qa import QA
from citeqa.app.question import parse
from citeqa.store.records import ArticleRecord


def _article(n: int, date: str | None = None, source: str | None = None, author: str | None = None) -> ArticleRecord:
    return ArticleRecord(f"a{n}", f"Title {n}", "hash", author=author, date=date, source=source)


@pytest.mark.parametrize("question, intent", [
    ("What are the articles about?", "overview"), ("Summarize the articles", "overview"), ("How many articles are there?", "overview"),
    ("What topics do the articles cover?", "overview"), ("List the articles", "overview"),
    ("Which article is the most recent?", "newest"), ("Which article was published first?", "oldest"),
    ("Which outlets are the articles from?", "outlets"), ("Who published the articles?", "outlets"),
    ("Which articles mention the railway?", "which_articles"), ("Summarize the treaty", "fact"),
    ("How many countries signed the treaty?", "fact"), ("How many articles does the treaty have?", "fact"),
    ("How many articles are stored?", "overview"), ("List the articles about debt", "fact"), ("What are the concerns about the treaty?", "fact"),
])
def test_questions_about_the_collection_are_told_apart(question: str, intent: str) -> None:
    assert parse(question).intent == intent


def test_a_request_word_is_no_name() -> None:
    assert parse("Summarize the treaty").entities == ()
    assert parse("List the presidents of Kazakhstan").entities == ("Kazakhstan",)


def test_an_overview_names_every_article_newest_first_and_counts_the_rest() -> None:
    articles = [_article(n, date=f"2025-01-{n + 1:02d}") for n in range(LISTED + 3)]
    answer = answer_collection(parse("What are the articles about?"), articles)
    assert answer is not None and answer.text.startswith(f"There are {LISTED + 3} articles")
    assert [c.article_id for c in answer.citations] == [f"a{n}" for n in range(LISTED + 2, 2, -1)]
    assert "and 3 more" in answer.text


def test_the_newest_and_oldest_go_by_date_and_count_the_undated() -> None:
    articles = [_article(1, "2025-06-17"), _article(2, "2025-06-25"), _article(3)]
    newest = answer_collection(parse("Which article is the most recent?"), articles)
    oldest = answer_collection(parse("Which article was published first?"), articles)
    assert newest.citations[0].article_id == "a2" and oldest.citations[0].article_id == "a1"
    assert "1 of the 3 articles carry no date" in newest.text
    undated = answer_collection(parse("Which article is the newest?"), [_article(3)])
    assert undated.abstained and undated.citations == ()


def test_outlets_are_counted_and_one_article_of_each_cited() -> None:
    articles = [_article(1, source="Fortune"), _article(2, source="The Verge"), _article(3, source="Fortune"), _article(4)]
    answer = answer_collection(parse("Which outlets are the articles from?"), articles)
    assert answer.text.startswith("The articles come from 2 outlets: Fortune (2 articles) [1]; The Verge (1 article) [2].")
    assert "1 of the 4 articles name no outlet" in answer.text
    assert [c.article_id for c in answer.citations] == ["a1", "a2"]
    assert answer_collection(parse("List the outlets"), [_article(1)]).abstained


def test_the_default_corpus_overview_lists_its_five_articles(qa: QA) -> None:
    answer = qa.ask("What are the articles about?")
    assert answer.text.startswith("There are 5 articles") and len(answer.citations) == 5
    assert {c.article_id for c in answer.citations} == {a.article_id for a in qa.articles()}
    assert "Summarize" not in qa.ask("Summarize the articles").text


def test_an_overview_keeps_to_the_filtered_articles(qa: QA) -> None:
    dated = [a for a in qa.articles() if a.date]
    answer = qa.ask("What are the articles about?", since=min(a.date for a in dated))
    assert {c.article_id for c in answer.citations} == {a.article_id for a in dated}
