"""Whose a focus noun is: a sentence giving it to another name does not hold it for the question."""

from citeqa.app.binding import owned_elsewhere
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
