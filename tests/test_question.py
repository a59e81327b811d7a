"""The Question is parsed once: entities, answer type, required terms, intent, follow-up context."""

from citeqa.app.question import entities, parse
from citeqa.app.terms import terms
from citeqa.app.truecase import as_passages_write


def test_entities_are_the_names_a_question_gives_question_words_aside() -> None:
    assert entities("Who is the president of Mongolia?") == ("Mongolia",)
    assert entities("Which NFL team represented the AFC at Super Bowl 50?") == ("NFL", "AFC", "Super Bowl 50")
    assert entities("Did TechCrunch report the outage before The Verge did?") == ("TechCrunch", "Verge")
    assert entities("What worries critics about the agreement?") == ()


def test_names_joined_by_and_or_an_acronym_of_a_name_are_several_things() -> None:
    assert entities("How much do Kazakhstan and Mongolia trade?") == ("Kazakhstan", "Mongolia")
    assert entities("What is the GDP of Uzbekistan?") == ("GDP", "Uzbekistan")
    assert entities("Who is the CEO of Tesla?") == ("CEO", "Tesla")
    assert entities("What did the Bank of China lend?") == ("Bank of China",)  # a name built with "of" stays one


def test_parse_fills_every_stage_input_once() -> None:
    question = parse("How many troops did the fourth summit send in 2027?")
    assert question.answer_type == "number"
    assert {"troop", "fourth", "2027"} <= question.required
    assert question.numbers == {"2027"}
    assert question.intent == "fact" and question.query == question.text


def test_a_follow_up_carries_its_previous_turn_and_what_it_adds() -> None:
    question = parse("And which article names its depositary?", "Which article bans joining alliances?")
    assert question.previous and question.query.startswith("Which article bans")
    assert question.new_terms == {"depositari"}


def test_questions_about_the_articles_get_their_intent() -> None:
    assert parse("Who wrote the piece on the second regional summit?").intent == "author"
    assert parse("Who reported the story about the friendship pact?").intent == "author"
    assert parse("Who reported the outbreak to the council?").intent == "fact"  # reported a fact, not a story
    assert parse("When was the transcript published?").intent == "date"
    which = parse("Which articles discuss the railway?")
    assert which.intent == "which_articles" and which.topic == "the railway?"


def test_a_question_opening_with_an_adverb_or_adjective_does_not_name_it() -> None:
    assert entities("Approximately how many people live in Warsaw?") == ("Warsaw",)
    assert entities("As of 2017, how many members did the EU have?") == ("EU",)
    assert entities("Nearly 7 million people visited what?") == ()
    assert entities("New York hosted what?") == ("New York",)  # a capitalised word follows: a name's first word


def test_a_name_typed_in_lowercase_is_still_a_name() -> None:
    assert parse("who leads mongolia").entities == ("Mongolia",)
    assert parse("what did india say about the summit").entities == ("India",)
    assert parse("what did china promise").entities == ()  # "china" is also a common word: left alone (the passages may say otherwise, see below)


def test_an_author_question_about_all_the_articles_is_marked_so() -> None:
    assert parse("Who wrote the articles?").every_article and parse("Who are the authors?").intent == "author"
    assert parse("When were the articles published?").every_article
    assert not parse("Who wrote the article about the pact?").every_article


def test_an_acronym_spelled_like_a_stop_word_is_a_name() -> None:
    assert terms("What does the US think?") == ("us", "think") and terms("let us go") == ("let", "go")
    assert parse("What did the WHO say about the summit?").entities == ("WHO",)
    assert parse("Who is the president?").entities == ()


def test_a_question_in_capitals_names_only_its_names() -> None:
    assert parse("WHO IS THE PRESIDENT OF MONGOLIA?").entities == ("Mongolia",)
    assert parse("WHO WON THE GAME?").entities == ()
    assert terms("ABOUT US") == ()  # a heading in capitals: its stop words stay stop words


def test_a_name_typed_in_lowercase_gets_the_capital_the_passages_give_it() -> None:
    passages = ["As of 2024, Kyrgyzstan runs a deficit with China. Tokayev signed.", "The Rhine River and the summit."]
    assert as_passages_write("how much does kyrgyzstan owe china", passages) == "how much does Kyrgyzstan owe China"
    assert as_passages_write("what did tokayev sign", passages) == "what did tokayev sign"  # only ever opens a sentence
    assert as_passages_write("how long is the river", passages) == "how long is the river"  # a common word: the user's
    assert as_passages_write("where was the summit", passages + ["The Summit opened."]) == "where was the summit"


def test_a_common_word_the_passages_capitalise_only_inside_longer_names_stays_common() -> None:
    passages = ["Trade with East Asia grew, as did trade with the Middle East and with China.", "Xi met President Xi Jinping."]
    assert as_passages_write("what sea bordered the empire to the east", passages) == "what sea bordered the empire to the east"
    assert as_passages_write("what did china say", passages) == "what did China say"  # standing alone as well
    assert as_passages_write("who did jinping meet", passages) == "who did Jinping meet"  # no common word: a name
    assert as_passages_write("what did china say", ["In Beijing, China Southern Airlines flew."]) == "what did china say"


def test_british_and_american_spellings_are_one_term() -> None:
    assert terms("cooperation centres") == terms("cooperation centers")
    assert terms("Good-Neighbourliness") == terms("good-neighborliness")
    assert terms("the organisation's defence programme") == terms("the organization's defense program")
    assert terms("modernisation") == terms("modernization")  # "-isation" beyond the list


def test_a_follow_up_asking_in_full_wants_its_own_kind_of_answer() -> None:
    previous = "who is the president of turkmenistan?"
    assert parse("what did he say he wanted to send to china?", previous).answer_type is None  # no name: what he said
    assert parse("And what about Kyrgyzstan?", "Who leads Kazakhstan?").answer_type == "person"  # the same ask again
    assert parse("and in 2023?", "How much was trade worth in 2024?").answer_type == "number"
    # words between the question word and its verb ("What new areas did…") still make it a question of its own
    assert parse("What new areas did he say his country would expand cooperation in?", previous).answer_type is None
