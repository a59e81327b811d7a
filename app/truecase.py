"""Capitals a user left out: "who leads mongolia" names Mongolia just as "Who leads Mongolia?" does.

A word typed in lowercase gets its capital back when the lexicon only ever spells it with one
(`app/models/proper_names.txt`: "Mongolia", "June", "English"). A word that is also a common
word ("china", "may", "turkey") is left alone, and so is any word the user capitalised. Once
passages are retrieved, they decide for the words the lexicon lacks or also spells in lowercase:
what they only ever write with a capital ("Kyrgyzstan", "China") is a name (`as_passages_write`), unless it is a
common word they capitalise only inside longer names ("east" of "East Asia" and "the Middle East").
"""

import re
from collections.abc import Sequence

from citeqa.app.words import common_words, either_case_words, proper_names

_PROPER = {name.lower(): name for name in proper_names()}
_WORD = re.compile(r"[^\W\d_]+")


def is_proper_name(word: str) -> bool:
    """True when the lexicon only ever spells `word` (in any case) with a capital. Example: "asian" -> True."""
    return word.lower() in _PROPER


def restore_case(text: str) -> str:
    """`text` with each lowercase word that is only ever a proper name capitalised. Example: "who leads mongolia" -> "who leads Mongolia"."""
    return _WORD.sub(lambda m: _PROPER.get(m.group(), m.group()) if m.group().islower() else m.group(), text)


def as_passages_write(text: str, passages: Sequence[str]) -> str:
    """`text` with each lowercase word the passages write only with a capital, where they write it at least once
    inside a sentence, capitalised as they write it. Names the lexicon lacks ("kyrgyzstan", "tokayev") are names
    here because the articles spell them so, and so is "china" where they only write "China". A word the lexicon
    only spells in lowercase ("river" of "the Rhine River") stays: the user means the common word; so does one it also
    spells in lowercase that the passages capitalise only inside a longer name ("to the east" and "East Asia").

    Example: ("how much does kyrgyzstan owe china", ["Kyrgyzstan owes China …"]) -> "how much does Kyrgyzstan owe China".
    """
    lowercase = {m.group() for m in _WORD.finditer(text) if m.group().islower() and len(m.group()) > 1}
    if not lowercase:
        return text
    spelled: dict[str, set[str]] = {}
    inside: set[str] = set()
    alone: set[str] = set()
    for passage in passages:
        for m in _WORD.finditer(passage):
            word = m.group().lower()
            if word in lowercase:
                spelled.setdefault(word, set()).add(m.group())
                if not _opens_sentence(passage, m.start()):
                    inside.add(word)
                if not _in_longer_name(passage, m.start(), m.end()):
                    alone.add(word)
    capital = {
        word: min(forms) for word, forms in spelled.items()
        if word in inside and all(form[0].isupper() for form in forms) and word not in common_words()
        and (word in alone or word not in either_case_words())
    }
    return _WORD.sub(lambda m: capital.get(m.group(), m.group()), text) if capital else text


def _in_longer_name(passage: str, start: int, end: int) -> bool:
    """True when a capitalised word has a capitalised neighbour across one space: "East" of "East Asia" or "the
    Middle East" (where the lexicon's common word "east" is part of a name, so a question's "to the east" is no name)."""
    before = re.search(r"([^\W\d_]+) $", passage[:start])
    after = re.match(r" ([^\W\d_]+)", passage[end:])
    capital_before = before is not None and before.group(1)[0].isupper() and not _opens_sentence(passage, before.start(1))
    capital_after = after is not None and after.group(1)[0].isupper()
    return capital_before or capital_after


def _opens_sentence(passage: str, at: int) -> bool:
    """True when the word at `at` is the first of its sentence or line (capitalised by its place alone)."""
    before = passage[:at].rstrip(" \t\"“‘'(")
    return not before or before[-1] in ".!?:\n"
