"""The kind of answer a question expects (a number, a date, a person, a place) and whether a sentence has one.

"When did construction begin?" wants a sentence with a date in it, not merely one
about construction. Only the question's wording decides the type; anything that
is not clearly a number, date, person or place question gets no type.
"""

import re
from dataclasses import dataclass

from citeqa.app.required import ORDINALS, asked_ordinals
from citeqa.app.terms import contains_term, terms
from citeqa.app.truecase import is_proper_name
from citeqa.app.words import common_words

# Capitalised on purpose: "may" the verb is not "May" the month.
_MONTHS = "January February March April May June July August September October November December Jan Feb Mar Apr Jun Jul Aug Sep Sept Oct Nov Dec"
_DAYS = "Monday Tuesday Wednesday Thursday Friday Saturday Sunday"
_YEAR = r"(?:1\d\d\d|20\d\d)"  # 1000-2099: "in 1654" says when as much as "in 2025" does
_DATE = re.compile(
    rf"\b{_YEAR}s?\b|\b\d{{1,2}}(?:st|nd|rd|th) century\b|\b(?:years|decades|centuries|millennia) ago\b|\b({_MONTHS.replace(' ', '|')})\b|\b({_DAYS.replace(' ', '|')})\b|\b\d{{1,2}}/\d{{1,2}}/\d{{2,4}}\b"
)
_NUMBER = re.compile(
    r"\b(?!(?:1[89]|20)\d\d\b)\d[\d,.]*|\b(one|two|three|four|five|six|seven|eight|nine|ten|dozen|hundred|thousand|million|billion|trillion)\b",
    re.IGNORECASE,
)
_CAPITALISED = r"[A-Z][a-z]+"
_NAME = re.compile(rf"\b{_CAPITALISED}(?:[- ]{_CAPITALISED})+\b")
# A name with the title it is given: "President of Uzbekistan Shavkat Mirziyoyev". It answers a who question only
# when the title is the question's own words (then cut off): "Bank of Japan Masaaki Shirakawa" is no name.
_TITLED_NAME = re.compile(rf"\b{_CAPITALISED}(?:(?:[- ]| of ){_CAPITALISED})+\b")
# A calendar date: a day with a month, a month with a year, or a numeric date ("17 June", "June 2025", "06/25/2025").
_CALENDAR = re.compile(
    rf"\b\d{{1,2}} ({_MONTHS.replace(' ', '|')})\b|\b({_MONTHS.replace(' ', '|')}) \d{{1,4}}\b|\b\d{{1,2}}/\d{{1,2}}/\d{{2,4}}\b"
)
# A named place after a preposition of place: "in Astana", "at the Kremlin", "near Xi'an".
# A named place after a noun for one: "the city of Xian", "the capital of Xi'an".
_PLACE_NOUNS = r"city|town|village|capital|port|province|region|county|district|state"
_PLACE = re.compile(
    rf"\b(?:in|at|near|from)\s+(?!(?:{_MONTHS.replace(' ', '|')}|{_DAYS.replace(' ', '|')})\b)(?:the\s+)?[A-Z][\w'’-]+"
    rf"|\b(?:{_PLACE_NOUNS}) of [A-Z][\w'’-]+"
)
_FREQUENCY = re.compile(
    r"\b(annual(ly)?|biennial(ly)?|yearly|monthly|weekly|daily|every (other|\w+) (day|week|month|year)s?|once|twice|\w+ times)\b",
    re.IGNORECASE,
)

_ASKS_CALENDAR = re.compile(r"\b(what|which) (is |was |are |were )?(the )?dates?\b", re.IGNORECASE)
_ASKS_DATE = re.compile(
    r"^\s*(and )?when\b|\b(what|which) (is |was )?(the )?(year|day|month)\b|\bsince (what|which) year\b|\bin what year\b", re.IGNORECASE
)
_ASKS_DAY = re.compile(r"\b(day|weekday)\b", re.IGNORECASE)
_ASKS_FREQUENCY = re.compile(r"\bhow often\b", re.IGNORECASE)
_ASKS_NUMBER = re.compile(
    r"\bhow (many|much|long|far|big|large|fast)\b|\bwhat (percentage|share|amount|number)\b|\b(worth|value of|cost of|price of)\b"
    r"|^\s*(and )?what (will|would|did|does|do) .+ cost\b",
    re.IGNORECASE,
)
_ASKS_PERSON = re.compile(r"^\s*(and )?who\b", re.IGNORECASE)
_ASKS_PLACE = re.compile(
    r"^\s*(and )?where\b|\b(in )?(what|which) (cit(?:y|ies)|countr(?:y|ies)|towns?|places?|capitals?|regions?|states?|nations?)\b"
    r"|^\s*(and )?what(?: is|'s|’s| was)\b(?: the (?:capital|location|venue|birthplace|headquarters) of\b|.*['’]s (?:capital|location|venue|birthplace|headquarters)\?*$)",
    re.IGNORECASE,
)


_PATTERNS = {"calendar": _CALENDAR, "date": _DATE, "frequency": _FREQUENCY, "number": _NUMBER, "person": _NAME, "place": _PLACE}
STRICT_TYPES = ("calendar", "date", "frequency", "number")  # a sentence without one cannot answer
_LEADING_PREPOSITION = re.compile(r"^\s*(?:and\s+)?(since|in|on|by|within|until|after|before|from|for)\s+(?:what|which|how)\b", re.IGNORECASE)


# A search-box query ("treaty signing date", "summit location") names the kind of answer with a noun.
_QUESTION_WORD = re.compile(r"\b(what|which|who|whom|whose|when|where|why|how)\b", re.IGNORECASE)
_KEYWORD_TYPES = (
    ("calendar", re.compile(r"\bdates?\b", re.IGNORECASE)),
    ("date", re.compile(r"\b(year|month)\b", re.IGNORECASE)),
    ("place", re.compile(r"\b(location|venue|place|city)\b", re.IGNORECASE)),
    ("number", re.compile(r"\b(length|size|population|cost|price|amount|capacity|value|volume)\b", re.IGNORECASE)),
)


def expected_type(question: str) -> str | None:
    """A kind from _PATTERNS, or None. Example: "When did it begin?" -> "date"; "treaty signing date" -> "calendar"."""
    if not _QUESTION_WORD.search(question):
        return next((kind for kind, noun in _KEYWORD_TYPES if noun.search(question)), None)
    if _ASKS_CALENDAR.search(question):
        return "calendar"
    if _ASKS_FREQUENCY.search(question):
        return "frequency"
    if _ASKS_DATE.search(question):
        return "date"
    if _ASKS_NUMBER.search(question):
        return "number"
    if _ASKS_PERSON.search(question):
        return "person"
    if _ASKS_PLACE.search(question):
        return "place"
    return None


def has_type(sentence: str, question: str, kind: str | None) -> bool:
    """True when `sentence` holds an answer of `kind` that the question itself does not contain, in the measure the
    question names (kilometres for "How many kilometres…": "55 bcm" is no answer there), for a who question a name
    that reads as a person's ("Sadyr Japarov", not "National Nuclear Corporation")."""
    if kind == "number" and (_asked_measure(question) is not None or _COUNTS.search(question)):
        return bool(phrase_spans(sentence, question, kind))
    if kind == "person":
        return any(looks_like_person(phrase.text) for phrase in phrase_spans(sentence, question, kind))
    return bool(_answers(sentence, question, kind))


def looks_like_person(name: str) -> bool:
    """True when a capitalised phrase reads as a person's name: it ends in a run of words that are no common English
    word, two of them or one that is no known proper name ("Japarov", not "Asian"). Examples: "Kyrgyz President
    Sadyr Japarov", "Thomas Newcomen" -> True; "National Nuclear Corporation", "Central Asian", "Fort Caroline" -> False."""
    words = re.split(r"[\s-]+", name.strip())
    run: list[str] = []
    for word in reversed(words):
        if word.lower() in common_words():
            break
        run.append(word)
    return len(run) >= 2 or any(not is_proper_name(w) for w in run)


def without_title(name: str) -> str:
    """A person's name without the title or country before it, cut after its last common English word and the
    place a title's "of" names: "Turkmenistan President Serdar Berdimuhamedov" -> "Serdar Berdimuhamedov";
    "President of Uzbekistan Shavkat Mirziyoyev" -> "Shavkat Mirziyoyev"; "Sadyr Japarov" stays."""
    words = name.split(" ")
    last_common = max((i for i, word in enumerate(words) if word.lower() in common_words()), default=-1)
    start = last_common + 1
    if last_common >= 0:  # "President of (the) Uzbekistan …": the title's place is no part of the name
        place = start
        while place < len(words) and words[place] in ("of", "the"):
            place += 1
        while place > start and place < len(words) and is_proper_name(words[place]):
            place += 1
        if place == len(words):  # "Bank of America": a title and its place, no person's name after them
            return name
        start = place
    return " ".join(words[start:]) if start < len(words) else name


def _answers(sentence: str, question: str, kind: str | None) -> list[re.Match]:
    if kind is None:
        return []
    pattern = _PATTERNS[kind]
    asked = {m.group().lower() for m in pattern.finditer(question)}
    ordinals = asked_ordinals(question)
    found = [m for m in pattern.finditer(sentence) if m.group().lower() not in asked and not _of_another(sentence, m.start(), m.end(), ordinals)]
    if kind == "date" and not _ASKS_DAY.search(question):  # "on Tuesday" says when only to "which day…?"
        found = [m for m in found if m.group() not in _DAYS.split()]
    if kind == "number":
        return [m for m in found if not is_label(sentence, m.start(), m.end()) and not is_ordinal(sentence, m.end())]
    return found


# A capitalised word right before a number: "Article 11", "Chapter 3", "Super Bowl 50", "Boeing 747".
_LABEL_WORD = re.compile(r"(?:^|(?<=[\s(\"“‘']))[A-Z][a-z]+\s$")


def is_label(sentence: str, start: int, end: int) -> bool:
    """True when the number at sentence[start:end] names something rather than counts it: it follows a capitalised
    word inside the sentence ("under Article 11"), or opens it as a heading ("Article 15: This Treaty…", or the
    heading on a line of its own).

    A sentence's capitalised first word before a number ("About 500 people came") is not a label.
    """
    word = _LABEL_WORD.search(sentence[:start])
    if word is None:
        return False
    opens = not sentence[: word.start()].strip(" \"“‘'(")
    rest = sentence[end:]
    return not opens or rest.lstrip(" \t").startswith((":", "\n"))


def has_typed_phrase(sentence: str, question: str, kind: str | None) -> bool:
    """True when the answer stands where the question's own words put it: after its leading preposition ("Since what
    year…" and "…since 1997"), or for a who question under the title it asks about (below)."""
    return bool(typed_answers(sentence, question, kind)) or (kind == "person" and _titled_as_asked(sentence, question))


def _titled_as_asked(sentence: str, question: str) -> bool:
    """True when a person's name follows a title of two or more of the question's words: "President of Kazakhstan
    Kassym-Jomart Tokayev" for "Who is Kazakhstan's president?" (not "President Xi Jinping", titled by one)."""
    asked, asked_terms = question.lower(), frozenset(terms(question))
    for match in _TITLED_NAME.finditer(sentence):
        words = match.group().strip(" ,.").split()
        cut = next((i for i, word in enumerate(words) if not _is_asked(word, asked, asked_terms)), len(words))
        title = [word for word in words[:cut] if word.lower() not in _FUNCTION_WORDS]
        if len(title) >= 2 and cut < len(words) and looks_like_person(" ".join(words[cut:])):
            return True
    return False


def typed_answers(sentence: str, question: str, kind: str | None) -> set[str]:
    """Answers of `kind` that follow the question's leading preposition. Example: "Since what year…", "…since 1997" -> {"1997"}."""
    preposition = _LEADING_PREPOSITION.search(question)
    if preposition is None:
        return set()
    word = preposition.group(1).lower()
    return {
        m.group()
        for m in _answers(sentence, question, kind)
        if re.search(rf"\b{word}\s+(?:\S+\s+){{0,2}}$", sentence[: m.start()], re.IGNORECASE)
    }


# A unit a quantity carries: "55 bcm", "the 523-kilometer railway", "15 million tons".
_UNIT = (
    r"(?:yuan|dollars|euros|pounds|people|tons?|tonnes?|bcm|barrels?|km|kilomet(?:er|re)s?|miles?|met(?:er|re)s?|kg|"
    r"kilograms?|hectares?|acres?|[kmg]wh?|megawatts?|gigawatts?|years?|months?|weeks?|days?|hours?|minutes?|degrees?)\b"
)
# "how many *kilometres*", "how much *money*": the unit within two words of the question word
_ASKED = r"\bhow (?:many|much|long|far|big|large|heavy|tall|high|wide|deep)\W+(?:\w+\W+){0,2}?"
# The measure a question names, what a phrase (or the word right after it) must carry to be in that measure, and
# whether any amount answers when the sentence has none in it: crowd questions say "share" of a sum as often as of a
# percentage. Checked in order: a share asked for is a percentage even where money is spent ("What share of the budget…").
_PERCENT = re.compile(r"%|\bper ?cent\b|\b(?:halves|thirds|quarters|fifths)\b")  # "two-thirds" is a share as much as "67%" is
_MONEY = re.compile(r"[$€£¥]|\b(yuan|renminbi|rmb|dollars?|euros?|usd|eur)\b", re.IGNORECASE)
# "How many countries…" counts things: "$64.2 billion" and "11%" count none (a count of dollars is asked as such).
_COUNTS = re.compile(r"\bhow many\b", re.IGNORECASE)
_LENGTH = r"kilomet(?:er|re)s?|km|miles?|met(?:er|re)s?|feet|foot"
_DURATION = r"years?|months?|weeks?|days?|hours?|minutes?|decades?|centur(?:y|ies)"
_AMOUNTS = re.compile(r"\bhow much\b", re.IGNORECASE)
_COUNT_WORD = re.compile(r"one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve", re.IGNORECASE)
_COUNTED = re.compile(  # a plural noun other than a unit: "two countries", "three centres"; not "five tons"
    rf"(?!(?:{_LENGTH}|{_DURATION}|tons|tonnes|kilograms|pounds|barrels|acres|hectares|dollars|euros|points)$)[a-z]+s"
)
_MEASURES = (
    (re.compile(r"\b(percentage|percent)\b|%", re.IGNORECASE), _PERCENT, False),
    (re.compile(r"\b(share|proportion)\b", re.IGNORECASE), _PERCENT, True),
    (
        re.compile(
            rf"{_ASKED}(?:money|dollars|euros|yuan)\b|\bhow much\b.*\b(cost|costs|spend|spent|pay|paid|invest|invested|"
            r"lend|lent|loan|owe|owed|fund|funded|raise|raised|earn|earned|charge|charged)\b|\b(cost|price) of\b|^\s*(and )?what\b.*\bcost\b",
            re.IGNORECASE,
        ),
        _MONEY,
        False,
    ),
    (
        re.compile(rf"{_ASKED}(?:kilomet(?:er|re)s|km|miles|met(?:er|re)s|feet)\b", re.IGNORECASE),
        re.compile(rf"\b(?:{_LENGTH})\b", re.IGNORECASE),
        False,
    ),
    (
        re.compile(rf"{_ASKED}(?:tons|tonnes|kilograms|kg|pounds)\b", re.IGNORECASE),
        re.compile(r"\b(tons?|tonnes?|kilograms?|kg|pounds?|lbs?)\b", re.IGNORECASE),
        False,
    ),
    (
        re.compile(rf"{_ASKED}(?:years|months|weeks|days|hours|minutes)\b", re.IGNORECASE),
        re.compile(rf"\b(?:{_DURATION})\b", re.IGNORECASE),
        False,
    ),
    # No unit named: "How long is the railway?" asks for a length or a duration, "How far…" for a distance; "$19.9 billion" is neither.
    (re.compile(r"\bhow long\b", re.IGNORECASE), re.compile(rf"\b(?:{_LENGTH}|{_DURATION})\b", re.IGNORECASE), False),
    (re.compile(r"\bhow (?:far|tall|deep|wide)\b", re.IGNORECASE), re.compile(rf"\b(?:{_LENGTH})\b", re.IGNORECASE), False),
)
_NEXT_WORD = re.compile(r"[\s-]*[^\W\d_]+|[\s]*[%$€£¥]")

# A phrase that answers on its own: a full date, an amount with its magnitude, a name, a place.
_PHRASES = {
    "calendar": re.compile(
        rf"\b(?:\d{{1,2}} (?:{_MONTHS.replace(' ', '|')})(?: \d{{4}})?|(?:{_MONTHS.replace(' ', '|')}) \d{{1,2}}(?:, \d{{4}})?|(?:{_MONTHS.replace(' ', '|')}) \d{{4}}|\d{{1,2}}/\d{{1,2}}/\d{{2,4}})\b"
    ),
    "date": re.compile(
        rf"\b(?:\d{{1,2}} (?:{_MONTHS.replace(' ', '|')})(?: \d{{4}})?|(?:{_MONTHS.replace(' ', '|')}) \d{{1,2}}(?:, \d{{4}})?|(?:{_MONTHS.replace(' ', '|')}) \d{{4}}|(?:the )?{_YEAR}s|{_YEAR}|\d{{1,2}}(?:st|nd|rd|th) century)\b"
    ),
    "number": re.compile(
        rf"(?:[$€£¥]\s?)?\b\d[\d,.]*\d?(?:\s?(?:%|percent|per cent)|\s(?:million|billion|trillion|thousand|hundred)(?:\s{_UNIT})?|[\s-]{_UNIT})?"
        r"|\b(?:two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|fifty|hundreds|thousands|millions)(?:[\s-](?:halves|thirds|quarters|fifths))?\b"
    ),
    "person": _NAME,
    # "in May 2023", "on Tuesday": a month or a day after the preposition says when, not where
    "place": re.compile(
        rf"(?:(?<=\bin )|(?<=\bat )|(?<=\bnear )|(?<=\bfrom )|(?<=\bcity of )|(?<=\btown of )|(?<=\bcapital of )|(?<=\bprovince of ))(?!(?:{_MONTHS.replace(' ', '|')}|{_DAYS.replace(' ', '|')})\b)"
        r"(?:the )?[A-Z][\w'’-]+(?: [A-Z][\w'’-]+)*"
    ),
}


_FUNCTION_WORDS = frozenset("by the a an in at on of from near and with".split())
_BARE_YEAR = re.compile(_YEAR)  # "2024" alone says when, not how much or how many
_ORDINAL_SUFFIX = re.compile(r"(?:st|nd|rd|th)\b")


@dataclass(frozen=True)
class Phrase:
    """A short answer in a sentence: `text` verbatim, and the span of the whole match, the question's own words
    included ("Tajik President Emomali Rahmon" for "Who leads Tajikistan?" -> text "Emomali Rahmon")."""

    text: str
    start: int
    end: int


_ORDINAL_WORD = re.compile(rf"\b(?:{'|'.join(ORDINALS)})\b", re.IGNORECASE)


def _of_another(sentence: str, start: int, end: int, asked_ordinals: frozenset[str]) -> bool:
    """True when an answer belongs to another ordinal than the one asked: the last one before it, or failing that the
    first after it. For "…the second summit?", "It is only the second time the summit has been held, with the first
    hosted by the city of Xian" gives Xian to the first; "The first was held in May, the second in June" May to the first."""
    if not asked_ordinals:
        return False
    ordinals = list(_ORDINAL_WORD.finditer(sentence))
    before = [m for m in ordinals if m.end() <= start]
    owner = before[-1] if before else next((m for m in ordinals if m.start() >= end), None)
    return owner is not None and owner.group().lower() not in asked_ordinals


def is_ordinal(sentence: str, end: int) -> bool:
    """True when the number ending at `end` is an ordinal ("the 25th summit"): it ranks something, it does not count it."""
    return bool(_ORDINAL_SUFFIX.match(sentence, end))


def phrase_spans(sentence: str, question: str, kind: str | None, elsewhere: str = "") -> list[Phrase]:
    """Short answers of `kind` in `sentence` that the question does not already contain, in sentence order.

    A hyphenated run of capitalised words is a person's name ("Kassym-Jomart Tokayev") unless one of its parts
    stands on its own in the sentence or in `elsewhere` (other retrieved text): then it joins names of places or
    peoples ("China-Central Asia", "Sino-Kazakh").
    """
    pattern = _PHRASES.get(kind or "")
    if pattern is None:
        return []
    asked, asked_terms = question.lower(), frozenset(terms(question))
    found: dict[str, Phrase] = {}
    titled = list(_TITLED_NAME.finditer(sentence)) if kind == "person" else []
    ordinals = asked_ordinals(question)
    for match in titled + list(pattern.finditer(sentence)):
        if _of_another(sentence, match.start(), match.end(), ordinals):
            continue
        words = match.group().strip(" ,.").split()
        if kind in ("person", "place"):  # "Kyrgyz President Sadyr Japarov" asked about the president -> "Sadyr Japarov"
            while words and _is_asked(words[0], asked, asked_terms):
                words = words[1:]
        if kind == "person" and len(words) >= 3 and is_proper_name(words[0]) and sentence[: match.start()].endswith("of "):
            words = words[1:]  # "President of Uzbekistan Shavkat Mirziyoyev": the title's place, then the person
        if kind == "person" and any(_is_asked(w, asked, asked_terms) and w.lower() not in common_words() for w in words):
            continue  # "President Xi Jinping" for "Who did Xi meet?": the person asked about, not the answer
        phrase = " ".join(words)
        if kind == "person" and (" of " in phrase or _joins_names(phrase, sentence + "\n" + elsewhere)):
            continue
        if kind == "number" and (
            _BARE_YEAR.fullmatch(phrase) or is_label(sentence, match.start(), match.end()) or is_ordinal(sentence, match.end())
        ):
            continue
        if phrase and not _says(asked, phrase.lower()) and phrase not in found:
            found[phrase] = Phrase(phrase, match.start(), match.end())
    phrases = sorted(found.values(), key=lambda phrase: phrase.start)
    return in_asked_measure(phrases, sentence, question) if kind == "number" else phrases


def _says(text: str, phrase: str) -> bool:
    """True when `phrase` stands in `text` as words of its own: "ten" is not in "how often"."""
    return re.search(rf"(?<![\w-]){re.escape(phrase)}(?![\w-])", text) is not None


def _is_asked(word: str, asked: str, asked_terms: frozenset[str]) -> bool:
    """True when a name's leading word is the question's own ("President", "Uzbekistan" for "the Uzbek president")
    or a function word: it is cut off the short answer."""
    lowered = word.lower()
    return lowered in asked or lowered in _FUNCTION_WORDS or any(contains_term(asked_terms, term) for term in terms(word))


def in_asked_measure(phrases: list[Phrase], sentence: str, question: str) -> list[Phrase]:
    """The phrases in the measure the question names: a percentage for "What share of GDP…", money for "How much did
    it cost?", kilometres for "How many kilometres…" ("55 bcm" is none of those). A question naming no measure
    keeps them all; so does a share question without a percentage, which falls back to any amount."""
    measure = _asked_measure(question)
    if measure is None:
        if _COUNTS.search(question):
            return [p for p in phrases if not any(m.search(p.text) or _carried_after(m, sentence, p) for m in (_MONEY, _PERCENT))]
        if _AMOUNTS.search(question):  # "How much trade…" is not answered by "the two countries"
            return [p for p in phrases if not (_COUNT_WORD.fullmatch(p.text) and _carried_after(_COUNTED, sentence, p))]
        return phrases
    _, carries, any_amount_else = measure
    kept = [p for p in phrases if carries.search(p.text) or _carried_after(carries, sentence, p)]
    return kept or (phrases if any_amount_else else [])


def _asked_measure(question: str) -> tuple[re.Pattern, re.Pattern, bool] | None:
    """The first `_MEASURES` row whose question pattern the question matches, or None when it names no measure."""
    return next((row for row in _MEASURES if row[0].search(question)), None)


def _carried_after(carries: re.Pattern, sentence: str, phrase: Phrase) -> bool:
    """True when the word right after the phrase is the measure: "five years", "three-kilometre"."""
    word = _NEXT_WORD.match(sentence, phrase.end)
    return bool(word and carries.fullmatch(word.group().lstrip(" -\t")))


def _joins_names(phrase: str, text: str) -> bool:
    """True when a hyphenated phrase is a compound of names that also stand alone in `text`."""
    parts = re.split(r"\s*[-–—]\s*", phrase)
    if len(parts) < 2:
        return False
    return any(_says(text, part) for part in parts)


def answer_phrases(sentence: str, question: str, kind: str | None, elsewhere: str = "") -> list[str]:
    """The text of `phrase_spans`. Example: ("The summit was held in Astana.", "Where was the summit held?", "place") -> ["Astana"]."""
    return [phrase.text for phrase in phrase_spans(sentence, question, kind, elsewhere)]
