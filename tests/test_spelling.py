"""A word the question misspells, name or not, is read as the articles spell it, and the answer says so."""

from citeqa.app.qa import QA
from citeqa.app.spelling import misspelt_words, opening_word, respell, respelled, respelled_lowercase, unknown_names, unknown_words, unwritten, with_apostrophes
from citeqa.store.records import Chunk, Hit


def _passages(*texts: str) -> list[Hit]:
    return [Hit(Chunk(f"a{i}:0", f"a{i}", t, 0, 0, len(t), 20, ((0, len(t)),), title="Summit"), 1.0) for i, t in enumerate(texts)]


def test_a_name_one_edit_from_a_written_name_is_respelled() -> None:
    passages = _passages("President Kassym-Jomart Tokayev signed 24 agreements.", "Kazakhstan and China met.")
    assert unwritten(("Tokaev",), passages) == {"Tokaev"} and unwritten(("Tokayev",), passages) == set()
    assert respelled({"Tokaev"}, passages) == {"Tokaev": "Tokayev"}
    assert respelled({"Kazakstan"}, passages) == {"Kazakstan": "Kazakhstan"}
    assert respelled({"Mongolia"}, passages) == {}  # nothing near: the articles do not mention it
    assert respell("When did Tokaev sign?", {"Tokaev": "Tokayev"}) == "When did Tokayev sign?"


def test_a_name_with_another_number_is_another_name() -> None:
    passages = _passages("MPEG-2 and MPEG-4 boxes are needed.", "Apollo 11 landed.")
    assert respelled({"MPEG-3"}, passages) == {}  # not MPEG-2 or MPEG-4: "MPEG-3" is another standard
    assert respelled({"MPEGG-4"}, passages) == {"MPEGG-4": "MPEG-4"}


def test_accents_are_not_edits() -> None:
    passages = _passages("Céloron's expedition reached the Ohio.")
    assert respelled({"Celeron"}, passages) == {"Celeron": "Céloron"}  # one edit once the accent is folded; two with it


def test_the_opening_word_may_be_a_misspelt_common_word() -> None:
    passages = _passages("For workers, survival is at the heart of necessity-based entrepreneurship.")
    question = "Survivial is at the heart of what concept?"
    assert opening_word(question) == "Survivial" and opening_word("  ¿Tokaev?") == "Tokaev"
    assert opening_word("Fielding H. Garrison believes what?") == ""  # a name: "Fielding" is no misspelt "feeling"
    assert respelled({"Survivial"}, passages, opening_word(question)) == {"Survivial": "survival"}
    assert respelled({"Survivial"}, passages) == {}  # inside a question, a capitalised word is a name: names only


def test_a_common_word_opening_a_sentence_is_no_name_to_respell_to() -> None:
    passages = _passages("While the treaty was signed, the White Sea froze.", "Whale watchers met.")
    assert respelled({"White"}, _passages("While the treaty was signed, no one objected.")) == {}  # not "While House"
    assert respelled({"Whita"}, passages) == {"Whita": "White"}  # a capitalised word that can be a name still can


def test_a_name_the_wider_passages_write_as_it_is_is_not_respelled() -> None:
    assert respelled({"English"}, _passages("Below is the English translation.", "Engliss is no word.")) == {}


def test_a_name_the_question_spells_right_gets_no_respelling_notice(qa: QA) -> None:
    answer = qa.ask("Which article translates the treaty text into English?")
    assert not any("as the articles spell it" in notice for notice in answer.notices)


def test_short_names_are_never_respelled() -> None:
    assert unwritten(("Iran",), _passages("Iraq signed.")) == set()  # under five letters: too close to others


def test_a_misspelt_leader_is_found_and_the_answer_says_how_it_was_read(qa: QA) -> None:
    answer = qa.ask("How many agreements did Tokaev sign?")
    assert not answer.abstained and "24" in answer.text
    assert any("“Tokaev” as “Tokayev”" in notice for notice in answer.notices)


def test_a_word_no_lexicon_knows_is_read_as_the_passages_word_one_edit_away() -> None:
    passages = _passages("The leaders signed the treaty on desertification control.", "Leukocytes and embryos.")
    question = "who sigend the tretay on desertification and leukocyte embroys, and how mnay"
    words = unknown_words(question)
    assert "who" not in words and "signed" not in words  # stop words and words the lexicon knows are never typos
    fixes = misspelt_words(words, passages)
    assert fixes == {"sigend": "signed", "tretay": "treaty", "embroys": "embryos", "mnay": "many"}  # a swap is one edit
    assert misspelt_words(["laeders"], passages) == {"laeders": "leaders"}
    assert misspelt_words(["zqxwv"], passages) == {}  # nothing near


def test_a_misspelt_word_gets_the_answer_its_spelling_would_and_says_how_it_was_read(qa: QA) -> None:
    typed, meant = qa.ask("who sigend the treaty"), qa.ask("who signed the treaty")
    assert typed.text == meant.text
    assert "Read “sigend” as “signed”." in typed.notices
    assert qa.ask("how mnay countries signed the treaty").text.startswith("five")  # "how many" asks for a number


def test_a_word_no_lexicon_knows_is_a_name_typed_in_lowercase() -> None:
    assert unknown_names("what did lavrov say about the treaty?") == ("Lavrov",)
    assert unknown_names("whats the gdp of kazakhstan and why dont they say") == ()  # contractions, known words
    passages = _passages("President Kassym-Jomart Tokayev met leaders of Kazakhstan.")
    assert respelled_lowercase(["kazakstan"], passages) == {"kazakstan": "Kazakhstan"}
    assert respelled_lowercase(["lavrov"], passages) == {}


def test_a_lowercase_name_no_article_mentions_abstains_and_a_misspelt_one_is_read_as_written(qa: QA) -> None:
    answer = qa.ask("what did lavrov say about the treaty?")
    assert answer.abstained and "none of them mentions Lavrov" in answer.text
    answer = qa.ask("who is the president of kazakstan")
    assert "Tokayev" in answer.text and any("“kazakstan” as “Kazakhstan”" in n for n in answer.notices)


def test_a_contraction_typed_without_its_apostrophe_asks_as_with_it(qa: QA) -> None:
    assert with_apostrophes("whats the capital? why dont they say") == "what's the capital? why don't they say"
    assert with_apostrophes("Wheres the summit") == "Where's the summit"
    assert qa.ask("whats the capital of kazakhstan").text.startswith("Astana")  # a place question, as "what's" is
