"""`app.about`: questions about the articles themselves, answered from the default corpus store's metadata."""

import re

from citeqa.app.about import answer_about
from citeqa.app.answer import Answer
from citeqa.app.qa import QA
from citeqa.app.retrieve import rank_articles, read_hits

NAN = "000_bdeb36cea8cbc411"  # "China builds bridges on uneven ground ...", with a bio line "Hao Nan is ..."
LI = "002_c6e3273c7bb3a7d5"  # "Beijing Strengthens Ties with Central Asia ...", byline "Author: Nigel Li", 06/25/2025
CHEN = "004_43fe3f8e97f79a18"  # "China and Central Asian leaders cap summit ...", Alyssa Chen, 17 Jun 2025


def about(qa: QA, question: str) -> Answer | None:
    """`answer_about` on the parse, retrieval and scored sentences the engine finds for `question`."""
    found = qa.evidence(question)
    return answer_about(
        found.question, qa.store.articles, found.ranked, rank_articles(found.candidates),
        lambda titles: qa.embedder.embed_queries(titles) @ found.vector, lambda: read_hits(qa.store, found.candidates),
    )


def test_who_wrote_quotes_the_sentence_that_names_the_author(qa: QA) -> None:
    answer = about(qa, "Who wrote the article about China building bridges on uneven ground?")
    assert answer is not None
    assert answer.text == "“China builds bridges on uneven ground in Central Asia with new collective treaty” was written by Hao Nan [1]."
    (citation,) = answer.citations
    assert (citation.marker, citation.article_id, citation.author) == (1, NAN, "Hao Nan")
    (evidence,) = citation.evidence
    assert evidence.text.startswith("Hao Nan is ")  # the bio line, quoted at its offsets
    assert qa.store.article_text(NAN)[evidence.char_start : evidence.char_end] == evidence.text


def test_who_wrote_cites_the_byline_from_metadata_when_the_text_has_none_left(qa: QA) -> None:
    answer = about(qa, "Who wrote the article about Beijing strengthening ties with Central Asia?")
    assert answer is not None
    assert answer.text == "“Beijing Strengthens Ties with Central Asia at Second Regional Summit” was written by Nigel Li [1]."
    (citation,) = answer.citations
    assert citation.article_id == LI
    assert [(e.text, e.char_start, e.char_end) for e in citation.evidence] == [("Author: Nigel Li", -1, -1)]


def test_when_published_cites_the_date_from_metadata_when_no_sentence_states_it(qa: QA) -> None:
    answer = about(qa, "When was the article about the friendship pact and aid pledge published?")
    assert answer is not None
    assert answer.text.endswith("was published on 2025-06-17 [1].")
    (citation,) = answer.citations
    assert citation.article_id == CHEN
    assert [(e.text, e.char_start, e.char_end) for e in citation.evidence] == [("Date: 2025-06-17", -1, -1)]


def test_which_articles_lists_each_article_with_a_sentence_holding_the_topic(qa: QA) -> None:
    answer = about(qa, "Which articles discuss the Treaty of Permanent Good-Neighborliness?")
    assert answer is not None
    assert answer.text.startswith("5 articles discuss the Treaty of Permanent Good-Neighborliness: ")
    assert [c.marker for c in answer.citations] == [1, 2, 3, 4, 5]
    assert CHEN in {c.article_id for c in answer.citations}  # its summit report spells it "Good-Neighbourliness"
    for citation in answer.citations:
        assert f"[{citation.marker}]" in answer.text
        (evidence,) = citation.evidence
        assert re.search(r"permanent good-neighbou?rliness", evidence.text.lower())
        assert qa.store.article_text(citation.article_id)[evidence.char_start : evidence.char_end] == evidence.text


def test_a_question_about_the_news_is_left_to_ordinary_answering(qa: QA) -> None:
    assert about(qa, "How much grant money did Xi promise?") is None


def test_a_follow_up_about_it_means_the_article_the_previous_answer_named(qa: QA) -> None:
    asked = "Who wrote the article on the second regional summit?"
    for reply, date in [("It was written by Nigel Li [1].", "2025-06-25"),
                        ("“China and Central Asian leaders cap summit with friendship pact and aid pledge” is by its staff [1].", "2025-06-17")]:
        history = [{"role": "user", "content": asked}, {"role": "assistant", "content": reply}]
        answer = qa.ask("When was it published?", history)
        assert date in answer.text, (reply, answer.text)


def test_who_a_byline_is_says_what_they_wrote_when_no_text_says_more(qa: QA) -> None:
    answer = qa.ask("who is nigel li")
    assert answer.text == "“Beijing Strengthens Ties with Central Asia at Second Regional Summit” was written by Nigel Li [1]."
    assert [c.article_id for c in answer.citations] == [LI]
    assert "reporter" in qa.ask("Who is Alyssa Chen?").text  # her bio says more than her byline
    assert qa.ask("Who is Nigel Lin?").abstained  # no byline of that name


def test_who_wrote_the_articles_names_every_article_with_an_author(qa: QA) -> None:
    stored = qa.articles()
    with_author = [a for a in stored if a.author]
    for question in ("Who wrote the articles?", "who are the authors"):
        answer = qa.ask(question)
        assert sorted(c.article_id for c in answer.citations) == sorted(a.article_id for a in with_author), answer.text
        assert all(a.author in answer.text for a in with_author)
        assert f"{len(stored) - len(with_author)} of the {len(stored)} articles name no author" in answer.text
    single = qa.ask("Who wrote the article about the friendship pact?")
    assert len(single.citations) == 1  # one article asked about: one answer
