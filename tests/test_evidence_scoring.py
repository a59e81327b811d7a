"""Sentence scoring: name compounds count weaker than standalone mentions, an acronym counts as the names it
stands for, and author bios are not topical evidence."""

from dataclasses import replace

import numpy as np

from citeqa.app.answer_type import expected_type, has_type
from citeqa.app.evidence import score_sentences
from citeqa.app.question import parse
from citeqa.app.scorer import HAND_WEIGHTS
from citeqa.app.sentences import acronyms, antecedents, candidate_sentences, sentence_neighbours
from citeqa.app.qa import QA
from citeqa.app.terms import compound_terms
from citeqa.store.records import Chunk, Hit


def make_hit(article_id: str, paragraphs: list[list[str]], author: str | None = None) -> Hit:
    """A one-chunk hit whose sentences all share one vector, so only the lexical features tell them apart."""
    text = "\n".join(" ".join(sentences) for sentences in paragraphs)
    spans, at = [], 0
    for sentence in (s for sentences in paragraphs for s in sentences):
        start = text.index(sentence, at)
        spans.append((start, start + len(sentence)))
        at = start + len(sentence)
    chunk = Chunk(f"{article_id}:0", article_id, text, 0, 0, len(text), 50, tuple(spans), "Title", author)
    return Hit(chunk, 1.0, sentence_vectors=np.tile([1.0, 0.0], (len(spans), 1)))


def test_compound_terms_split_standalone_mentions_from_multi_name_compounds() -> None:
    standalone, inside = compound_terms("The China–Kyrgyzstan–Uzbekistan railway reached Kyrgyzstan")
    assert "kyrgyzstan" in standalone and "railway" in standalone
    assert inside == {"china", "uzbekistan"}
    assert compound_terms("Chinese-Uzbek trade grew")[1] == set()  # two names: a bilateral relation, not a route's name


def test_names_in_a_list_of_names_count_as_inside_a_compound() -> None:
    standalone, inside = compound_terms("The summit was attended by the presidents of Kazakhstan, Kyrgyzstan, Tajikistan, and Uzbekistan.")
    assert inside == {"kazakhstan", "kyrgyzstan", "tajikistan", "uzbekistan"}
    assert "presid" in standalone


def test_a_follow_up_about_a_country_needs_a_passage_naming_it_in_its_own_right() -> None:
    route = "The recently launched China-Kyrgyzstan-Uzbekistan railway project underscores the region's value for trade."
    trade = "Chinese-Uzbek bilateral trade reached $14 billion last year."
    hits = [make_hit("a", [[route]]), make_hit("b", [[trade]])]
    hits[0] = Hit(hits[0].chunk, 1.0, sentence_vectors=np.array([[1.0, 0.0]]))
    hits[1] = Hit(hits[1].chunk, 1.0, sentence_vectors=np.array([[0.9, 0.436]]))  # the route is closer to the query
    previous = "What was bilateral trade between Turkmenistan and China in 2024?"
    ranked = score_sentences(np.array([1.0, 0.0]), parse("What about in Uzbekistan's case?", previous), candidate_sentences(hits))
    assert ranked[0].text == trade


def test_a_country_named_only_inside_a_compound_counts_weaker_than_a_standalone_mention() -> None:
    compound = "President Xi discussed the China-Kyrgyzstan-Uzbekistan railway with President of Uzbekistan Shavkat Mirziyoyev."
    standalone = "Xi held talks with Kyrgyz President Sadyr Japarov."
    sentences = candidate_sentences([make_hit("a", [[compound]]), make_hit("b", [[standalone]])])
    ranked = score_sentences(np.array([1.0, 0.0]), parse("Who is the president of Kyrgyzstan?"), sentences)
    assert ranked[0].text == standalone and ranked[0].score > ranked[1].score


def test_a_compound_the_question_names_counts_in_full() -> None:
    sentence = "The China–Kyrgyzstan–Uzbekistan railway broke ground in December 2024."
    question = "When did the China–Kyrgyzstan–Uzbekistan railway break ground?"
    plain = sentence.replace("–", " ")  # the same names, not joined into a compound
    ranked = score_sentences(np.array([1.0, 0.0]), parse(question), candidate_sentences([make_hit("a", [[sentence]]), make_hit("b", [[plain]])]))
    coverage = {s.text: s.features["coverage"] for s in ranked}
    assert coverage[sentence] == coverage[plain] > 0.5


def test_acronyms_are_read_from_their_definitions_in_the_same_article() -> None:
    hit = make_hit("a", [["Xi backed the China-Kyrgyzstan-Uzbekistan (CKU) railway and the Shanghai Cooperation Organisation (SCO)."],
                         ["The Trans-Caspian Route (TITR) grew."]])
    assert acronyms(candidate_sentences([hit])) == {("a", "CKU"): "China Kyrgyzstan Uzbekistan", ("a", "SCO"): "Shanghai Cooperation Organisation"}


def test_a_sentence_using_an_acronym_covers_the_names_it_stands_for() -> None:
    later = "The CKU has been under discussion since 1997."
    question = "Since what year has the China–Kyrgyzstan–Uzbekistan railway been under discussion?"
    coverage = {}
    for article_id, opening in [("defined", "Xi backed the China-Kyrgyzstan-Uzbekistan (CKU) railway."), ("undefined", "Xi spoke.")]:
        sentences = candidate_sentences([make_hit(article_id, [[opening], ["Trade grew."], ["Leaders met."], [later]])])
        ranked = score_sentences(np.array([1.0, 0.0]), parse(question), sentences)
        coverage[article_id] = next(s.features["coverage"] for s in ranked if s.text == later)
    assert coverage["defined"] > coverage["undefined"] + 0.3


def test_the_author_bio_costs_a_sentence_unless_the_question_names_the_author() -> None:
    bio = ["Hao Nan is a fellow with the Ploughshares Fund.", "He previously served at the Trilateral Cooperation Secretariat."]
    body = ["The treaty was signed in Astana."]
    hits = [make_hit("with", [body, bio], author="Hao Nan"), make_hit("without", [body, bio])]
    for question, cost in [("Where did the cooperation secretariat serve?", -HAND_WEIGHTS["author_bio"]), ("Where did Hao Nan serve before?", 0.0)]:
        scores = {(s.article_id, s.text): s.score for s in score_sentences(np.array([1.0, 0.0]), parse(question), candidate_sentences(hits))}
        for sentence in bio:
            assert np.isclose(scores[("without", sentence)] - scores[("with", sentence)], cost)
        assert np.isclose(scores[("without", body[0])], scores[("with", body[0])])


def test_president_of_kyrgyzstan_is_not_answered_by_a_railway_named_after_it(qa: QA) -> None:
    answer = qa.ask("Who is the president of Kyrgyzstan?")
    assert "Japarov" in answer.text


def test_an_article_names_its_author_for_a_question_about_them(qa: QA) -> None:
    # The byline is metadata, not text: "Alyssa joined the Post…" names her only with the article's author.
    answer = qa.ask("Who is Alyssa Chen?")
    assert not answer.abstained and "reporter" in answer.text


def test_a_possessive_who_question_is_answered_by_the_name_under_its_title(qa: QA) -> None:
    # "President Xi Jinping joined the presidents of Kazakhstan…" names a president and Kazakhstan, not Kazakhstan's.
    assert qa.ask("Who is Kazakhstan's president?").text.startswith("Kassym-Jomart Tokayev")


def test_who_leads_a_country_is_answered_with_a_person_not_an_organisation(qa: QA) -> None:
    # A sentence about a corporation that will "lead" a consortium in Kazakhstan names nobody who leads it.
    assert qa.ask("Who is the president of Uzbekistan?").text.startswith("Shavkat Mirziyoyev")
    assert not qa.ask("Who leads Kazakhstan?").text.startswith("National Nuclear Corporation [")  # never given as the leader


def test_a_topical_question_is_not_answered_from_the_author_bio(qa: QA) -> None:
    answer = qa.ask("Which Central Asian nation is not a member of the Shanghai Cooperation Organisation?")
    assert "Turkmenistan" in answer.text and "previously served" not in answer.text


def test_a_question_naming_the_author_is_still_answered_from_the_bio(qa: QA) -> None:
    assert "Seoul" in qa.ask("Where is the Trilateral Cooperation Secretariat, where Hao Nan previously served?").text


def test_an_acronym_lets_the_sentence_with_the_answer_win(qa: QA) -> None:
    answer = qa.ask("Since what year has the China–Kyrgyzstan–Uzbekistan railway been under discussion?")
    assert "1997" in answer.text


def test_what_about_another_country_finds_its_own_figure(qa: QA) -> None:
    history = [{"role": "user", "content": "What was bilateral trade between Turkmenistan and China in 2024?"}]
    assert "14 billion" in qa.ask("What about in Uzbekistan's case?", history).text


def test_a_where_question_wants_a_named_place_after_a_preposition() -> None:
    question = "Where was the second China–Central Asia summit held?"
    assert expected_type(question) == "place"
    assert expected_type("In which city did the leaders meet?") == "place"
    assert has_type("The leaders gathered in Astana earlier this week.", question, "place")
    assert not has_type("The outcomes of the second summit are indicative of Beijing's reach.", question, "place")


def test_a_where_question_is_answered_first_by_the_sentence_naming_the_place(qa: QA) -> None:
    answer = qa.ask("Where was the second China–Central Asia summit held?")
    first_sentence = answer.text.split(". ")[0]
    assert "Astana" in first_sentence, answer.text


def test_a_required_term_no_retrieved_passage_names_marks_every_candidate() -> None:
    hits = [make_hit("a", [["China pledged 3,000 training places.", "Leaders met in Astana."]]),
            make_hit("b", [["The pipeline carries 55 bcm of gas."]])]
    sentences = candidate_sentences(hits)
    unseen = score_sentences(np.array([1.0, 0.0]), parse("How many troops did China pledge?"), sentences)
    assert {(s.features["focus_unseen"], s.features["number_unseen"]) for s in unseen} == {(1.0, 0.0)}  # no troops
    seen = score_sentences(np.array([1.0, 0.0]), parse("How many training places did China pledge?"), sentences)
    assert {(s.features["focus_unseen"], s.features["number_unseen"]) for s in seen} == {(0.0, 0.0)}
    fourth = score_sentences(np.array([1.0, 0.0]), parse("Where will the fourth summit be held?"), sentences)
    assert {s.features["number_unseen"] for s in fourth} == {1.0}  # no passage names a fourth one



def test_a_focus_noun_only_another_name_has_is_unseen_for_the_question() -> None:
    hits = [make_hit("a", [["Tajikistan's debt stands at 27 percent of its GDP.", "Kazakhstan traded $30 billion in 2024."]])]
    sentences = candidate_sentences(hits)
    kazakhstan = score_sentences(np.array([1.0, 0.0]), parse("What is the GDP of Kazakhstan?"), sentences)
    assert {s.features["focus_unseen"] for s in kazakhstan} == {1.0}  # "its GDP" is Tajikistan's
    tajikistan = score_sentences(np.array([1.0, 0.0]), parse("What is the GDP of Tajikistan?"), sentences)
    assert {s.features["focus_unseen"] for s in tajikistan} == {0.0}
    titled = make_hit("b", [["Kazakhstan traded $30 billion in 2024."]])
    titled = replace(titled, chunk=replace(titled.chunk, title="Kazakhstan's GDP grows"))  # only its title names GDP
    by_title = score_sentences(np.array([1.0, 0.0]), parse("What is the GDP of Kazakhstan?"), candidate_sentences([titled]))
    assert {s.features["focus_unseen"] for s in by_title} == {0.0}


def test_a_sentence_opening_with_a_pronoun_borrows_part_of_the_terms_of_the_sentence_before() -> None:
    hits = [make_hit("a", [["The agreement strengthens China's influence.", "But it also renews concerns over debt.",
                            "Debt concerns grew in Kyrgyzstan."]])]
    sentences = candidate_sentences(hits)
    held = antecedents(sentence_neighbours(sentences))
    assert "agreement" in held[1] and held[0] == frozenset() and held[2] == frozenset()  # only "it" points back
    scored = {s.text: s.features["coverage"] for s in score_sentences(np.array([1.0, 0.0]), parse("What concerns does the agreement raise?"), sentences)}
    pronoun, other = scored["But it also renews concerns over debt."], scored["Debt concerns grew in Kyrgyzstan."]
    assert 0 < other < pronoun < 1  # the agreement counts, at a share, for the sentence about "it"
