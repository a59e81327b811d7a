"""Capitals a user left out: "who leads mongolia" names Mongolia just as "Who leads Mongolia?" does.

A word typed in lowercase gets its capital back when the lexicon only ever spells it with one
(`app/models/proper_names.txt`: "Mongolia", "June", "English"). A word that is also a common
word ("china", "may", "turkey") is left alone, and so is any word the user capitalised.
"""

import re

from citeqa.app.words import PROPER_NAMES, read_words

_PROPER = {name.lower(): name for name in read_words(PROPER_NAMES)}
_WORD = re.compile(r"[^\W\d_]+")


def is_proper_name(word: str) -> bool:
    """True when the lexicon only ever spells `word` (in any case) with a capital. Example: "asian" -> True."""
    return word.lower() in _PROPER


def restore_case(text: str) -> str:
    """`text` with each lowercase word that is only ever a proper name capitalised. Example: "who leads mongolia" -> "who leads Mongolia"."""
    return _WORD.sub(lambda m: _PROPER.get(m.group(), m.group()) if m.group().islower() else m.group(), text)
