"""The kind of answer a question expects (a number, a date, a person) and whether a sentence has one.

"When did construction begin?" wants a sentence with a date in it, not merely one
about construction. Only the question's wording decides the type; anything that
is not clearly a number, date or person question gets no type.
"""

import re

# Capitalised on purpose: "may" the verb is not "May" the month.
_MONTHS = "January February March April May June July August September October November December Jan Feb Mar Apr Jun Jul Aug Sep Sept Oct Nov Dec"
_DAYS = "Monday Tuesday Wednesday Thursday Friday Saturday Sunday"
_DATE = re.compile(
    rf"\b(1[89]\d\d|20\d\d)\b|\b({_MONTHS.replace(' ', '|')})\b|\b({_DAYS.replace(' ', '|')})\b|\b\d{{1,2}}/\d{{1,2}}/\d{{2,4}}\b"
)
_NUMBER = re.compile(
    r"\b(?!(?:1[89]|20)\d\d\b)\d[\d,.]*|\b(one|two|three|four|five|six|seven|eight|nine|ten|dozen|hundred|thousand|million|billion|trillion)\b",
    re.IGNORECASE,
)
_NAME = re.compile(r"\b[A-Z][a-z]+(?:[- ][A-Z][a-z]+)+\b")

_ASKS_DATE = re.compile(
    r"^\s*(and )?when\b|\b(what|which) (year|date|day|month)\b|\bsince (what|which) year\b|\bin what year\b", re.IGNORECASE
)
_ASKS_NUMBER = re.compile(r"\bhow (many|much|long|far|big|large|fast|often)\b|\bwhat (percentage|share|amount|number)\b", re.IGNORECASE)
_ASKS_PERSON = re.compile(r"^\s*(and )?who\b", re.IGNORECASE)


def expected_type(question: str) -> str | None:
    """"date", "number", "person" or None. Example: "When did it begin?" -> "date"."""
    if _ASKS_DATE.search(question):
        return "date"
    if _ASKS_NUMBER.search(question):
        return "number"
    if _ASKS_PERSON.search(question):
        return "person"
    return None


def has_type(sentence: str, question: str, kind: str | None) -> bool:
    """True when `sentence` holds an answer of `kind` that the question itself does not contain."""
    if kind is None:
        return False
    pattern = {"date": _DATE, "number": _NUMBER, "person": _NAME}[kind]
    asked = {m.group().lower() for m in pattern.finditer(question)}
    return any(m.group().lower() not in asked for m in pattern.finditer(sentence))
