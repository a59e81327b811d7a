"""Build the word lists answering reads from lemminflect's lexicon (derived from the NIH SPECIALIST Lexicon).

- `app/models/verb_forms.txt`: lowercase forms that are only ever verbs ("gave", "won", "held").
  `app.required` reads it to tell a question's focus noun from the verb after it ("Which leader
  *gave* a speech?": the focus is the leader, not "gave").
- `app/models/proper_names.txt`: words the lexicon only knows capitalised ("Mongolia", "June",
  "English"). `app.truecase` gives a word typed in lowercase its capitals back, so "who leads
  mongolia" names Mongolia as "Who leads Mongolia?" does.
- `app/models/modifiers.txt`: lowercase words that are only ever adjectives or adverbs, never
  capitalised ("approximately", "nearly"). `app.question` reads it so that a question's first
  word, capitalised only because it opens the question ("Approximately how many…"), is no name.
- `app/models/common_words.txt`: words the lexicon only knows in lowercase ("national", "corporation",
  "fort"). `app.answer_type` reads it to tell a person's name ("Sadyr Japarov") from the name of an
  organisation or a place ("National Nuclear Corporation", "Fort Caroline") when a who question is answered.
- `app/models/either_case.txt`: lowercase words the lexicon also spells with a capital ("china", "may").
  With the other lists it tells a word the lexicon knows from one it does not ("sigend"), which
  `app.spelling` may read as the passages' word ("signed").

Loading lemminflect costs about 0.3 s of CPU, so answering reads these files instead.
`citeqa train lexicon` rewrites all five.
"""

import csv
import gzip
from collections import defaultdict
from functools import cache
from importlib import metadata, resources
from pathlib import Path

from citeqa.app.words import COMMON_WORDS, EITHER_CASE, MODIFIERS, PROPER_NAMES, VERB_FORMS

_VERB_TAGS = frozenset({"verb", "aux"})
_MODIFIER_TAGS = frozenset({"adj", "adv"})


@cache
def _table() -> dict[str, set[str]]:
    """Word form (as the lexicon spells it) -> its part-of-speech tags. Read once: both lists come from it."""
    table = resources.files("lemminflect") / "resources" / "lemma_lu.csv.gz"
    tags: defaultdict[str, set[str]] = defaultdict(set)
    with gzip.open(table.open("rb"), "rt", encoding="utf-8") as rows:
        for word, tag, *_ in csv.reader(rows):
            tags[word].add(tag.lower())
    return tags


def verb_only_forms() -> list[str]:
    """Sorted lowercase alphabetic words whose every entry in the lexicon is a verb form."""
    return sorted(w for w, t in _table().items() if t <= _VERB_TAGS and w.isalpha() and w.islower())


def proper_only_names() -> list[str]:
    """Sorted alphabetic words the lexicon spells only with a capital, none of them also a lowercase word."""
    forms: defaultdict[str, set[str]] = defaultdict(set)
    for word in _table():
        if word.isalpha():
            forms[word.lower()].add(word)
    return sorted(min(spellings) for lower, spellings in forms.items() if lower not in spellings and len(spellings) == 1)


def modifier_only_words() -> list[str]:
    """Sorted lowercase alphabetic words whose every entry is an adjective or adverb, and that the lexicon never
    spells with a capital (so "approximately", not "english")."""
    return [w for w in common_only_words() if _table()[w] <= _MODIFIER_TAGS]


def common_only_words() -> list[str]:
    """Sorted lowercase alphabetic words that the lexicon never spells with a capital."""
    return sorted(w for w in _table() if w.isalpha() and w.islower() and w not in _capitalised())


def either_case_words() -> list[str]:
    """Sorted lowercase alphabetic words that the lexicon also spells with a capital ("china", "may")."""
    return sorted(w for w in _table() if w.isalpha() and w.islower() and w in _capitalised())


@cache
def _capitalised() -> frozenset[str]:
    """The lowercase forms of the words the lexicon spells with a capital."""
    return frozenset(w.lower() for w in _table() if w.isalpha() and not w.islower())


def _write(path: Path, words: list[str], what: str) -> int:
    header = (
        f"# {what}, from lemminflect {metadata.version('lemminflect')}'s lemma table "
        "(NIH SPECIALIST Lexicon).\n# Rebuild: citeqa train lexicon\n"
    )
    path.write_text(header + "\n".join(words) + "\n", encoding="utf-8")
    return len(words)


def write_lexicon(
    verb_forms: Path = VERB_FORMS, proper_names: Path = PROPER_NAMES, modifiers: Path = MODIFIERS, common: Path = COMMON_WORDS,
    either_case: Path = EITHER_CASE,
) -> tuple[int, int, int, int, int]:
    """Write the five lists, each with a header naming its source and how to rebuild it; how many words each holds."""
    return (
        _write(verb_forms, verb_only_forms(), "Word forms that are only verbs"),
        _write(proper_names, proper_only_names(), "Words only ever spelled with a capital"),
        _write(modifiers, modifier_only_words(), "Lowercase words that are only adjectives or adverbs"),
        _write(common, common_only_words(), "Words only ever spelled in lowercase"),
        _write(either_case, either_case_words(), "Lowercase words also spelled with a capital"),
    )

