"""A name the question misspells is read as the articles spell it: "Tokaev" is the "Tokayev" of the passages.

Names are where newcomers misspell most (transliterated leaders, places), and a misspelt
name finds no passage that writes it, so answering would say the articles never mention it.
A capitalised word of the question that no candidate passage writes, but that is one edit
(two for long words) from a capitalised word that one does, is replaced by that word before
the question is searched and scored again.
"""

import re
from collections.abc import Sequence

from citeqa.store.records import Hit

_CAPITALISED = re.compile(r"\b[A-Z][\w-]{4,}\b")  # 5 letters or more: short names are too close to each other


def unwritten(names: Sequence[str], hits: Sequence[Hit]) -> set[str]:
    """Words of 5 letters or more in the question's `names` that no passage (text or title) writes, in any case."""
    words = {w for name in names for w in _CAPITALISED.findall(name)}
    if not words:
        return set()
    text = "\n".join(hit.chunk.text + "\n" + hit.chunk.title for hit in hits).lower()
    return {w for w in words if not re.search(rf"\b{re.escape(w.lower())}\b", text)}


def respelled(words: set[str], hits: Sequence[Hit]) -> dict[str, str]:
    """Misspelt word -> the passages' spelling, for each of `words` one edit (two from 8 letters up) from a
    capitalised word the passages write. Example: ({"Tokaev"}, passages writing "Tokayev") -> {"Tokaev": "Tokayev"}."""
    if not words:
        return {}
    from rapidfuzz import process  # ~25 ms to import: only when a name is missing, off `citeqa ask`'s usual path
    from rapidfuzz.distance import Levenshtein

    written = {w for hit in hits for w in _CAPITALISED.findall(hit.chunk.text + "\n" + hit.chunk.title)}
    fixes = {}
    for word in words - written:  # a word these passages write as it is needs no respelling
        match = process.extractOne(word, written, scorer=Levenshtein.distance, score_cutoff=1 if len(word) < 8 else 2)
        if match is not None:
            fixes[word] = match[0]
    return fixes


def respell(question: str, fixes: dict[str, str]) -> str:
    """The question with each misspelt word replaced. Example: ("When did Tokaev sign?", {"Tokaev": "Tokayev"})."""
    return re.sub(r"\b\w[\w'’-]*\b", lambda m: fixes.get(m.group(), m.group()), question)
