"""Word-level helpers shared by evidence scoring, fact merging and follow-up detection.

Terms are lowercased, stemmed content words in American spelling (breame's list of 1,730
British spellings: "centre" and "center" are one term); numbers are normalised so that
"3,000" and "3000" are the same term. No ranking or scoring policy lives here.
"""

import re
from collections.abc import Collection
from functools import lru_cache

import Stemmer
from breame.data.spelling_constants import BRITISH_ENGLISH_SPELLINGS
from citeqa.store.lexical import STOPWORDS_EN

_STEMMER = Stemmer.Stemmer("english")
_WORD = re.compile(r"\d[\d,.]*\d|\d|[^\W\d_]+(?:['’][^\W\d_]+)?", re.UNICODE)
_STOPWORDS = frozenset(STOPWORDS_EN) | frozenset(
    """what how when where which who whom whose why much many often long also did does doing done
    do can could would should may might must shall will has have had having am were been being its
    it's he she his her him they them their we our us you your i me my mine about above after again
    against all any because before below between both down during each few from further here into
    more most nor off once only other out over own same so some than too under until up very while
    one ones according tell told say says said get got""".split()
)


def is_stop_word(word: str) -> bool:
    """True for a lowercase word that carries no content of its own: "the", "what", "many"."""
    return word in _STOPWORDS


@lru_cache(maxsize=65536)
def _stem(word: str) -> str:
    return _STEMMER.stemWord(word)


def normalize_number(token: str) -> str:
    """Example: "3,000" -> "3000"; "1.5" -> "1.5"; "2024." -> "2024"."""
    return token.replace(",", "").rstrip(".")


ACRONYM = re.compile(r"\b[A-Z]{2,8}\b")  # "SCO", "NFL", "US"
_AMERICAN = re.compile(r"isation(?=s?$)")  # "modernisation" and "modernization" are one term, listed or not


def american(word: str) -> str:
    """The American spelling of a lowercase British one, else the word: users type "center" for an article's "centre".
    Example: "neighbourliness" -> "neighborliness"; "centres" -> "centers"; "treaty" -> "treaty"."""
    return _AMERICAN.sub("ization", BRITISH_ENGLISH_SPELLINGS.get(word, word))


@lru_cache(maxsize=65536)
def terms(text: str) -> tuple[str, ...]:
    """Content terms of `text`. Example: "The 3,000 training places" -> ("3000", "train", "place"); an acronym
    spelled like a stop word counts unless the whole text is in capitals ("the US said" -> ("us", "said")).

    Cached: the same retrieved sentences are scored again and again across questions.
    """
    found = []
    shouting = text.isupper() and " " in text.strip()  # a heading in capitals; "WHO" alone is a name
    for written in _WORD.findall(text.replace("’", "'")):
        word = written.lower()
        if word[0].isdigit():
            found.append(normalize_number(word))
        elif len(word) > 1 and ((base := word.removesuffix("'s")) not in _STOPWORDS or (written.isupper() and not shouting)):
            found.append(_stem(american(base.replace("'", ""))))  # "US" and "WHO" are names; "us", "who" not
    return tuple(found)


def numbers(text: str) -> set[str]:
    """Numeric terms. Example: "$209 million in 2025" -> {"209", "2025"}."""
    return {term for term in terms(text) if term[0].isdigit()}


# Capitalised names joined by hyphens or dashes: "China–Kyrgyzstan–Uzbekistan", "Chinese-Uzbek".
_COMPOUND = re.compile(r"\b[A-Z][\w'’]*(?:[-–—][A-Z][\w'’]*)+")
# A list of three or more names: "Kazakhstan, Kyrgyzstan, Tajikistan and the Republic of Uzbekistan".
_ITEM = r"(?:the )?[A-Z][\w'’-]*(?: (?:of )?[A-Z][\w'’-]*)*"
_LIST = re.compile(rf"\b{_ITEM}(?:, {_ITEM}){{2,}},? and {_ITEM}")


@lru_cache(maxsize=16384)
def compound_terms(text: str, min_parts: int = 3) -> tuple[frozenset[str], frozenset[str]]:
    """(terms outside name compounds and lists, terms only inside lists or compounds of `min_parts` or more names).

    Example: "The China–Kyrgyzstan–Uzbekistan railway reached Kyrgyzstan" ->
    ({"railway", "reach", "kyrgyzstan"}, {"china", "uzbekistan"}). Cached, like `terms`.
    """
    groups = [m.group() for m in _LIST.finditer(text)]
    rest = _LIST.sub(" ", text)
    compounds = [m.group() for m in _COMPOUND.finditer(rest) if len(re.split(r"[-–—]", m.group())) >= min_parts]
    rest = _COMPOUND.sub(lambda m: " " if m.group() in compounds else m.group(), rest)
    inside = {term for group in groups + compounds for term in terms(group)}
    standalone = frozenset(terms(rest))
    return standalone, frozenset(inside - standalone)


def contains_term(present: Collection[str], term: str) -> bool:
    """Term match that tolerates stemming gaps. Example: ({"fellow"}, "fellowship") -> True.

    One term is a prefix of the other, both at least 5 characters long.
    """
    if term in present:
        return True
    if len(term) < 5:
        return False
    return any(term[:k] in present for k in range(5, len(term))) or term in _long_prefixes(frozenset(present))


@lru_cache(maxsize=8192)
def _long_prefixes(present: frozenset[str]) -> frozenset[str]:
    """Every prefix of 5 or more characters of the terms in `present` (cached: sentences recur across questions)."""
    return frozenset(word[:k] for word in present for k in range(5, len(word) + 1))
