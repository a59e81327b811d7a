"""An acronym the articles define is searched in full too: an article that never writes "SCO" can still answer."""

from dataclasses import replace

from citeqa.app.qa import QA
from citeqa.app.question import parse
from citeqa.app.sentences import spelled_out, spells_out, with_aliases
from citeqa.app.terms import terms
from citeqa.store.records import Chunk, Hit


def _passages(text: str) -> list[Hit]:
    span = (0, len(text))
    return [Hit(Chunk("a:0", "a", text, 0, 0, len(text), 30, (span,)), 1.0)]


def test_a_defined_acronym_is_searched_with_its_name_before_it() -> None:
    defined = _passages("Rahmon wants the Shanghai Cooperation Organisation (SCO) to play a bigger role.")
    aliases = spelled_out("Where is the next SCO summit?", defined)
    assert aliases == {"SCO": "Shanghai Cooperation Organisation"}
    question = replace(parse("Where is the next SCO summit?"), aliases=tuple(aliases.items()))
    assert question.query == "Where is the next Shanghai Cooperation Organisation (SCO) summit?"
    assert question.entities == ("SCO",)  # scoring reads the question as asked
    assert spelled_out("Where is the next SCO summit?", _passages("The SCO met in Tianjin.")) == {}  # not defined there
    assert spelled_out("Is the Shanghai Cooperation Organisation (SCO) growing?", defined) == {}  # already spelled out
    assert spelled_out("WHERE IS THE NEXT SCO SUMMIT?", defined) == {}  # capitals throughout: no acronym to tell


def test_a_text_that_spells_out_the_name_names_the_acronym() -> None:
    aliases = (("SCO", "Shanghai Cooperation Organisation"),)
    assert "sco" in with_aliases(set(terms("the 25th Shanghai Cooperation Organization summit")), aliases)
    assert "sco" not in with_aliases(set(terms("the Shanghai summit")), aliases)
    named = {"SCO": "Shanghai Cooperation Organisation"}
    assert spells_out("the 25th Shanghai Cooperation Organization summit", named)
    assert not spells_out("the Shanghai Cooperation Organization (SCO) summit", named)  # found by "SCO" already


def test_a_name_and_its_acronym_in_brackets_are_one_entity() -> None:
    assert parse("Where is the next Shanghai Cooperation Organisation (SCO) summit?").entities == ("Shanghai Cooperation Organisation",)


def test_british_and_american_spellings_of_ization_are_one_term() -> None:
    assert terms("Organisation") == terms("Organization") and terms("globalisations") == terms("globalizations")


def test_an_acronym_question_finds_the_article_that_only_spells_it_out(qa: QA) -> None:
    # Only one article writes "SCO" (and defines it); the article saying where the next summit is spells it out.
    answer = qa.ask("Where will the next SCO summit be?")
    assert answer.text.startswith("Tianjin [1]"), answer.text
