"""Required terms: the thing a "how many … is the X" question measures must be in the passage."""

from citeqa.app.qa import QA
from citeqa.app.required import required_terms
from citeqa.app.training.lexicon import common_only_words, either_case_words, modifier_only_words, proper_only_names, verb_only_forms
from citeqa.app.words import COMMON_WORDS, EITHER_CASE, MODIFIERS, PROPER_NAMES, VERB_FORMS, read_words


def test_the_measured_thing_is_required_along_with_the_unit() -> None:
    assert required_terms("How many kilometres long is the gas pipeline between Turkmenistan and China?") == {"kilomet", "pipelin"}  # "kilometres" in American spelling
    assert required_terms("How long is the railway expected to be?") == {"railway"}
    assert required_terms("How long is the China–Kyrgyzstan–Uzbekistan railway?") == set()  # a name is not a noun phrase here


def test_a_generic_head_noun_is_compared_by_its_stem_and_ends_the_focus() -> None:
    assert required_terms("What types of discipline did the teacher have access to?") == set()  # "types" is "type"
    assert required_terms("What is happening to the average age of teachers?") == set()  # "happening" is a verb
    assert required_terms("It resulted in what derogatory term for London?") == set()  # the answer is a term
    assert required_terms("What is the population of Turkmenistan?") == {"popul"}


def test_a_verb_after_the_answer_kind_is_not_its_focus() -> None:
    assert required_terms("Which leader gave a speech at the summit?") == set()  # "gave" is a verb, not a noun to find
    assert required_terms("Which leader won the vote in 1998?") == {"1998"}
    assert required_terms("What gas pipeline crosses Kazakhstan?") == {"pipelin"}  # a noun before the verb still counts



def test_a_name_or_a_possessor_before_the_focus_noun_is_not_the_focus() -> None:
    assert required_terms("What are Alyssa Chen's interests?") == {"interest"}  # not "chen": names are entities
    assert required_terms("what is the country's capital") == {"capit"}
    assert required_terms("Which Central Asian nation is not a member of the SCO?") == {"nation"}  # not "asian"
    assert required_terms("What work of Luther's is seen as a clear teaching?") == {"work"}  # "of" ends no possessor
    assert required_terms("What is the GDP of Kazakhstan?") == {"gdp"}  # an acronym can be the focus itself


def test_the_shipped_word_lists_are_what_the_lexicon_rebuilds() -> None:
    verbs, names = verb_only_forms(), proper_only_names()
    assert read_words(VERB_FORMS) == set(verbs) and read_words(PROPER_NAMES) == set(names)
    assert {"gave", "won", "held"} <= set(verbs) and not {"pipeline", "leads", "troops"} & set(verbs)
    assert {"Mongolia", "India", "June"} <= set(names) and not {"China", "May", "President"} & set(names)  # china, may: common words too
    modifiers = modifier_only_words()
    assert read_words(MODIFIERS) == set(modifiers)
    assert {"approximately", "nearly", "recent"} <= set(modifiers) and not {"english", "china", "central", "great"} & set(modifiers)
    common = common_only_words()
    assert read_words(COMMON_WORDS) == set(common)
    assert {"national", "corporation", "fort", "president"} <= set(common) and not {"china", "smith", "watt", "mongolia"} & set(common)
    either = either_case_words()
    assert read_words(EITHER_CASE) == set(either)
    assert {"china", "may", "turkey"} <= set(either) and not {"treaty", "mongolia", "sigend"} & set(either)


def test_a_length_of_another_thing_does_not_answer_the_question(qa: QA) -> None:
    assert qa.ask("How many kilometres long is the gas pipeline between Turkmenistan and China?").abstained
