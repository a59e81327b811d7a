"""Whose a focus noun or an ordinal is: a sentence giving it to another name or noun does not hold it for the question."""

from citeqa.app.binding import ordinals_elsewhere, owned_elsewhere, said_first
from citeqa.app.qa import QA
from tests.store_fixtures import default_store, qa  # noqa: F401  (fixtures)

_ASTANA = "The signing took place in Astana, Kazakhstan’s capital, during the second summit."


def test_a_noun_given_to_another_name_is_owned_elsewhere() -> None:
    assert owned_elsewhere(_ASTANA, {"capit"}, [("turkmenistan",)]) == {"capit"}
    assert owned_elsewhere("The capital of Kazakhstan is Astana.", {"capit"}, [("turkmenistan",)]) == {"capit"}
    debt = "Tajikistan’s total external debt stands at $3.2 billion, around 27 percent of its GDP."
    assert owned_elsewhere(debt, {"gdp"}, [("kazakhstan",)]) == {"gdp"}  # "its": the last name before it
    assert owned_elsewhere(debt, {"gdp"}, [("tajikistan",)]) == frozenset()


def test_a_noun_of_the_question_s_own_name_or_of_no_name_is_kept() -> None:
    assert owned_elsewhere(_ASTANA, {"capit"}, [("kazakhstan",)]) == frozenset()
    assert owned_elsewhere("Ashgabat is the capital of Turkmenistan.", {"capit"}, [("turkmenistan",)]) == frozenset()
    assert owned_elsewhere("The capital of Kazakhstan moved, and the capital grew.", {"capit"}, [("turkmenistan",)]) == frozenset()
    assert owned_elsewhere(_ASTANA, {"capit"}, []) == frozenset()  # the question names nobody: nothing to contradict


def test_another_country_s_capital_does_not_answer_for_this_one(qa: QA) -> None:
    assert "Astana" in qa.ask("What is Kazakhstan's capital?").text.split("—")[0]
    assert "Astana" not in qa.ask("What is the capital of Turkmenistan?").text


_XIAN = "It is only the second time the summit has been held, with the first hosted by the Chinese city of Xian two years ago."


def test_an_ordinal_on_another_noun_and_what_another_ordinal_says_are_not_the_question_s() -> None:
    held = ordinals_elsewhere(_XIAN, "Which city hosted the second summit?")
    assert {"second", "host", "citi", "xian"} <= held and "summit" not in held  # "second time"; the first was hosted
    assert ordinals_elsewhere("The first was held in Xian, the second in Astana.", "Where was the second held?") == {"xian", "held"}
    inaugural = "The inaugural summit was hosted in Xi'an, a city on the Silk Road."
    assert "host" in ordinals_elsewhere(inaugural, "Which city hosted the second summit?")  # "inaugural" says first


def test_an_ordinal_on_the_asked_noun_or_before_a_verb_is_kept() -> None:
    second = "Which city hosted the second summit?"
    assert ordinals_elsewhere("Leaders met in Astana for the second China-Central Asia summit.", second) == frozenset()
    assert ordinals_elsewhere("The second was held in Astana.", second) == frozenset()
    assert ordinals_elsewhere("The summit, the second, was held in Astana.", second) == frozenset()
    assert ordinals_elsewhere(_XIAN, "Which city hosted the first summit?") == {"summit", "held", "time"}
    assert ordinals_elsewhere(_XIAN, "Which city hosted the summit?") == frozenset()  # no ordinal asked


def test_the_city_of_another_summit_does_not_answer_for_this_one(qa: QA) -> None:
    assert qa.ask("Which city hosted the second summit?").text.startswith("Astana")
    assert qa.ask("Which city hosted the first summit?").text.startswith(("Xian", "Xi’an"))  # the articles spell it both ways
    assert qa.ask("Which Chinese city will host the third summit?").abstained  # the articles say China, no city


def test_inaugural_says_first() -> None:
    assert said_first("The inaugural Central Asian Summit was hosted in Xi'an.") == {"first"}
    assert said_first("Its maiden voyage ended in 1912.") == {"first"}
    assert said_first("The second summit was held in Astana.") == frozenset()
