"""A name the question misspells is read as the articles spell it: "Tokaev" is the "Tokayev" of the passages.

Names are where newcomers misspell most (transliterated leaders, places), and a misspelt
name finds no passage that writes it, so answering would say the articles never mention it.
A capitalised word of the question that no candidate passage writes, but that is one edit
(two for long words) from a capitalised word that one does, is replaced by that word before
the question is searched and scored again. Accents are not counted as edits ("Celeron" is
one edit from "Céloron"), and the question's first word, capitalised by its place alone, may
be a misspelt common word ("Survivial is at the heart of…" reads "survival").
"""

import re
import unicodedata
from collections.abc import Sequence

from citeqa.app.terms import is_stop_word, terms
from citeqa.app.words import common_words, known_words
from citeqa.store.records import Hit

_CAPITALISED = re.compile(r"\b[A-Z][\w-]{4,}\b")  # 5 letters or more: short names are too close to each other
_LOWERCASE = re.compile(r"\b[a-z][\w-]{4,}\b")


def unwritten(names: Sequence[str], hits: Sequence[Hit]) -> set[str]:
    """Words of 5 letters or more in the question's `names` that no passage (text or title) writes, in any case."""
    words = {w for name in names for w in _CAPITALISED.findall(name)}
    if not words:
        return set()
    text = _passage_text(hits).lower()
    return {w for w in words if not re.search(rf"\b{re.escape(w.lower())}\b", text)}


def respelled(words: set[str], hits: Sequence[Hit], opening: str = "") -> dict[str, str]:
    """Misspelt word -> the passages' spelling, for each of `words` one edit (two from 8 letters up, accents not
    counted) from a capitalised word the passages write; `opening`, the question's first word, may also be one
    edit from a lowercase word they write. Example: ({"Tokaev"}, passages writing "Tokayev") -> {"Tokaev": "Tokayev"}."""
    if not words:
        return {}
    from rapidfuzz import process  # ~25 ms to import: only when a name is missing, off `citeqa ask`'s usual path
    from rapidfuzz.distance import Levenshtein

    text = _passage_text(hits)
    # Sorted: of two words as near, the same one in every process. A common word capitalised by its place ("While"
    # opening a sentence) is no name: "White House" is not the passages' "While House".
    common = common_words()
    written = sorted(w for w in set(_CAPITALISED.findall(text)) if w.lower() not in common)
    lowercase = sorted(set(_LOWERCASE.findall(text))) if opening in words else []
    fixes = {}
    for word in sorted(words - set(written)):  # a word these passages write as it is needs no respelling
        cutoff = 1 if len(word) < 8 else 2
        # "MPEG-3" is no misspelling of "MPEG-2": a name's numbers are kept as typed
        alike = [w for w in written if _digits(w) == _digits(word)]
        match = process.extractOne(word, alike, scorer=Levenshtein.distance, processor=fold_accents, score_cutoff=cutoff)
        if match is None and word == opening:
            match = process.extractOne(word.lower(), lowercase, scorer=Levenshtein.distance, processor=fold_accents, score_cutoff=cutoff)
        if match is not None:
            fixes[word] = match[0]
    return fixes


# Words a question opens with or asks by, whose typos ("waht", "mnay") cost the answer its kind.
_QUESTION_WORDS = ("what", "which", "when", "where", "whose", "many", "much", "long")
_MOST_TYPOS = 10  # a question with more unknown words than this is no typing slip: the first ten are read, no more
_TYPED = re.compile(r"(?<![\w'’-])[a-z]{4,}(?![\w'’-])")


def unknown_words(question: str) -> list[str]:
    """The question's lowercase words of 4 letters or more that neither the lexicon nor the stop words know, sorted
    ("sigend", "mnay")."""
    return sorted({w for w in _TYPED.findall(question) if w not in known_words() and not is_stop_word(w)})


_APOSTROPHE_AFTER = {"whats": 4, "hows": 3, "wheres": 5, "whens": 4, "whos": 3, "thats": 4, "theres": 5, "heres": 4, "youre": 3, "theyre": 4}
_CONTRACTED = re.compile(
    rf"\b(?:{'|'.join(_APOSTROPHE_AFTER)}|(?:do|does|did|is|are|was|were|has|have|had|could|would|should|ca|wo)nt)\b", re.IGNORECASE
)


def with_apostrophes(question: str) -> str:
    """Contractions typed without their apostrophe, given it back: "whats the capital" -> "what's the capital",
    "dont" -> "don't", so that they ask as typed with it."""
    def restore(match: re.Match) -> str:
        word = match.group()
        at = _APOSTROPHE_AFTER.get(word.lower(), len(word) - 1)
        return word[:at] + "'" + word[at:]

    return _CONTRACTED.sub(restore, question)


def unknown_names(question: str) -> tuple[str, ...]:
    """The question's unknown words, contractions typed without their apostrophe aside, capitalised: a name typed in
    lowercase that no lexicon knows ("what did lavrov say" -> ("Lavrov",)), or a typo nothing could fix."""
    return tuple(w.capitalize() for w in unknown_words(question) if not _CONTRACTED.fullmatch(w))  # "whats" unless restored


def respelled_lowercase(words: Sequence[str], hits: Sequence[Hit]) -> dict[str, str]:
    """Unknown lowercase word -> the passages' name one edit from it: "kazakstan" -> "Kazakhstan" (see `respelled`)."""
    fixes = respelled({w.capitalize() for w in words}, hits)
    return {w: fixes[w.capitalize()] for w in words if w.capitalize() in fixes}


def misspelt_words(words: Sequence[str], hits: Sequence[Hit]) -> dict[str, str]:
    """Unknown word -> the word meant, for each of `words` that no passage writes, one edit (a swap of two
    letters is one; two edits from 8 letters up) from a question word or, from 5 letters up, a lowercase word
    the passages write. Example: (["sigend"], passages writing "signed") -> {"sigend": "signed"}; ["mnay"] -> {"mnay": "many"}."""
    if not words:
        return {}
    from rapidfuzz import process
    from rapidfuzz.distance import OSA

    text = _passage_text(hits)
    written = sorted(set(re.findall(r"\b[a-z]{5,}\b", text)))  # sorted: of two words as near, the same one in every process
    fixes = {}
    for word in words[:_MOST_TYPOS]:
        if word in written:
            continue  # a rare word the articles use ("desertification") is no typo
        cutoff = 1 if len(word) < 8 else 2
        choices = list(_QUESTION_WORDS) + (written if len(word) >= 5 else [])
        match = process.extractOne(word, choices, scorer=OSA.distance, score_cutoff=cutoff)
        if match is not None and terms(match[0]) != terms(word):  # "leukocyte" for "leukocytes" is one term already
            fixes[word] = match[0]
    return fixes


def _passage_text(hits: Sequence[Hit]) -> str:
    """The passages' texts and their articles' titles, one after another."""
    return "\n".join(hit.chunk.text + "\n" + hit.chunk.title for hit in hits)


def _digits(word: str) -> str:
    return "".join(c for c in word if c.isdigit())


def opening_word(question: str) -> str:
    """The question's first word when only its place capitalises it: not when a capitalised word follows, as in a
    name ("Fielding H. Garrison believes…" -> ""). Example: "Survivial is at the heart of…" -> "Survivial"."""
    match = re.match(r"\W*(\w[\w-]*)(?:\W+(\w))?", question)
    if match is None or (match.group(2) or "a").isupper():
        return ""
    return match.group(1)


def fold_accents(word: str) -> str:
    """The word without its accents. Example: "Céloron" -> "Celoron"."""
    return "".join(c for c in unicodedata.normalize("NFKD", word) if not unicodedata.combining(c))


def respell(question: str, fixes: dict[str, str]) -> str:
    """The question with each misspelt word replaced. Example: ("When did Tokaev sign?", {"Tokaev": "Tokayev"})."""
    return re.sub(r"\b\w[\w'’-]*\b", lambda m: fixes.get(m.group(), m.group()), question)
