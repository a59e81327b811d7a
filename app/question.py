"""The `Question`: a question parsed once — terms, named entities, expected answer type, required terms, intent.

Every later stage (retrieval, features, composition, questions about the articles)
reads this object instead of re-parsing the string. `parse` is the only place that
looks at the question's wording; the previous user turn rides along for follow-ups.
"""

import re
from dataclasses import dataclass

from citeqa.app.answer_type import expected_type
from citeqa.app.required import new_terms, required_terms
from citeqa.app.sources import SourceMention
from citeqa.app.spelling import unknown_names
from citeqa.app.terms import ACRONYM, compound_terms, terms
from citeqa.app.truecase import restore_case
from citeqa.app.words import modifier_words

# A run of capitalised words (a name), allowing joiners inside: "Super Bowl 50", "China–Central Asia", "Xi Jinping".
# "and" joins none: "Kazakhstan and Mongolia" are two names.
_NAME = re.compile(r"(?<![\w'’])(?:[A-Z][\w'’.-]*|\d+)(?:(?:\s+|[-–—]|\s+(?:of|the|de)\s+)(?:[A-Z][\w'’.-]*|\d+))*")
# An acronym "of" a name is two things, a measure or office and its owner: "GDP of Uzbekistan" ("Bank of China" is one).
_ACRONYM_OF = re.compile(r"^([A-Z]{2,6})\s+of\s+(.+)$")
_POSSESSIVE = re.compile(r"['’]s?$")
_ALIAS = re.compile(r"(?<=[\w'’])\s*\([A-Z]{2,8}\)")
# "Who wrote the articles?", "Who are the authors?", "When were the articles published?": every article, not one.
_EVERY_ARTICLE = re.compile(r"\b(articles|pieces|stories|authors|writers|reporters)\b", re.I)
_DOC = r"(article|piece|story|document|text|file)"
_DOCS = r"(articles|pieces|stories|documents|texts|files)"
# A request's first word ("Summarize the treaty", "List the presidents") is no name.
_REQUESTS = "list name describe explain summarize summarise compare give show tell find define outline identify mention please"
_LEADING = frozenset(_REQUESTS.split()) | frozenset(
    """what which who whom whose when where why how is are was were do does did can could will would should
    has have had and but so also then in on at for of to by from according the a an if""".split()
)
# A follow-up with its own question word and verb asks anew ("What new areas did he name?"), one without ("And
# Kyrgyzstan?", "What about the fourth?") keeps the kind of answer the previous question asked for.
_ASKS_ANEW = re.compile(
    r"\b(what|which|who|whom|whose|when|where|why|how)\b(?!\s+about\b)(?:\s+[\w'’-]+){0,4}?\s+"
    r"(is|are|was|were|do|does|did|can|could|will|would|should|has|have|had)\b",
    re.I,
)
_MODIFIERS = modifier_words()  # a question's first word among these is capitalised by position only
_INTENTS = (
    ("author", re.compile(
        r"\bwho (wrote|writes|authored|penned|is the author|was the author)\b|\bauthors? of\b|\bwho (is|are|were) the (authors?|writers?|reporters?)\b"
        r"|\bwho (reported|covered|filed)\b.*\b(story|article|piece|report)\b",
        re.I,
    )),
    ("date", re.compile(r"\bwhen (was|were|did)\b.*\b(published|written|posted|released|come out|appear)\b|\bpublication date\b", re.I)),
    ("which_articles", re.compile(
        r"\b(which|what) (articles|pieces|stories|sources|of the articles)\b.*\b(discuss|mention|cover|talk about|say|report|describe)\w*\s+(?P<topic>.+)",
        re.I,
    )),
    # Questions about the whole collection (answered by app.collection).
    ("overview", re.compile(
        rf"^(what|which) (are|were|is) (the |these |those |all (of )?the |your )?{_DOCS}( all| mostly| mainly)? about\b"
        rf"|\b(summari[sz]e|overview of|summary of|sum up)\b( all)?( of)? (the |these |those |your )?{_DOCS}\b|^(summari[sz]e|sum up|give (me )?an overview)\W*$"
        rf"|\bhow many {_DOCS}( are there| do you have| are (stored|available|in (the|this) (store|collection)))?\W*$|^(list|show|name)( me)?( all)?( of)? (the |your )?({_DOCS}|titles)( you have| stored)?\W*$"
        rf"|\bwhat {_DOCS} (do you have|are (there|available|stored|in (the|this) (store|collection)))\b"
        rf"|\bwhat (topics|subjects|themes)\b.*\b({_DOCS}|cover)",
        re.I,
    )),
    ("oldest", re.compile(rf"\b(which|what) ({_DOC}|one)\b.*\b(oldest|earliest|first published|published first)\b", re.I)),
    ("newest", re.compile(rf"\b(which|what) ({_DOC}|one)\b.*\b(most recent|newest|latest|last published|published last)\b", re.I)),
    ("outlets", re.compile(
        r"\b(which|what) (outlets|publications|newspapers|news sites|websites|media outlets|publishers)\b"
        rf"|^(list|show|name)( me)? (the |all (of )?the )?(outlets|sources|publications|publishers)\b"
        rf"|\bwho published (the|these|those|all the) {_DOCS}\b|\b(which|what) sources (are|do) (the |these )?{_DOCS}\b",
        re.I,
    )),
)


@dataclass(frozen=True)
class Question:
    """One question, parsed. `previous` is the earlier user turn it leans on ("" when it stands alone)."""

    text: str
    previous: str = ""
    terms: tuple[str, ...] = ()
    previous_terms: tuple[str, ...] = ()
    answer_type: str | None = None  # "date", "number", "person", "place", … (see app.answer_type)
    required: frozenset[str] = frozenset()  # numbers, ordinals, focus nouns the evidence must name
    new_terms: frozenset[str] = frozenset()  # what a follow-up asks that its previous turn did not
    asked_inside: frozenset[str] = frozenset()  # names the question itself gives inside a compound
    entities: tuple[str, ...] = ()  # names in the question, as written: ("Mongolia",)
    unknown_names: tuple[str, ...] = ()  # words no lexicon knows, capitalised: names typed in lowercase ("Lavrov",)
    intent: str = "fact"  # "fact"; about the articles: "author", "date", "which_articles"; about the collection:
    # "overview", "newest", "oldest", "outlets"
    topic: str = ""  # for "which_articles": what the articles should discuss
    every_article: bool = False  # an "author" or "date" question about all the articles ("Who wrote the articles?")
    sources: tuple[SourceMention, ...] = ()  # stored outlets the question names (set by QA, which knows the store)
    aliases: tuple[tuple[str, str], ...] = ()  # (acronym, what the articles say it stands for): ("SCO", "Shanghai …")

    @property
    def asked(self) -> str:
        """The question as searched: each alias's name written before its acronym ("Shanghai Cooperation
        Organisation (SCO) summit"), so that articles that only spell it out are found too."""
        names = dict(self.aliases)
        return ACRONYM.sub(lambda m: f"{names[m.group()]} ({m.group()})" if m.group() in names else m.group(), self.text)

    @property
    def query(self) -> str:
        """What retrieval searches: a follow-up is searched together with its previous turn."""
        return f"{self.previous} {self.asked}" if self.previous else self.asked

    @property
    def numbers(self) -> set[str]:
        """Numeric terms of the question. Example: "What happened in 2025?" -> {"2025"}."""
        return {term for term in self.terms if term[0].isdigit()}

    @property
    def entity_terms(self) -> tuple[tuple[str, ...], ...]:
        """The terms of each entity. Example: ("Xi Jinping",) -> (("xi", "jinp"),)."""
        return tuple(found for found in (terms(e) for e in self.entities) if found)


def entities(text: str) -> tuple[str, ...]:
    """Capitalised names in a question, question words and sentence-initial words aside.

    Example: "Who is the president of Mongolia?" -> ("Mongolia",); "Did TechCrunch report it?" -> ("TechCrunch",).
    """
    found = []
    shouting = text.isupper()  # "WHO" is a name, unless the whole question is in capitals
    text = _ALIAS.sub("", text)  # "the Shanghai Cooperation Organisation (SCO)" names one thing
    for match in _NAME.finditer(text):
        words = match.group().split()
        if _opens_with_modifier(words, not text[: match.start()].strip(" \"“‘'(")):
            words = words[1:]  # "Approximately how many…", "As of 2017…", "Nearly 7…": capitalised by position only
        while words and words[0].lower() in _LEADING and not (words[0].isupper() and len(words[0]) > 1 and not shouting):
            words = words[1:]  # "Which NFL team" -> "NFL"; "Who" -> nothing
        name = _POSSESSIVE.sub("", " ".join(words).strip(" .-–—"))  # "Kazakhstan's leader" names Kazakhstan
        acronym_of = _ACRONYM_OF.match(name)
        found.extend(
            part for part in (acronym_of.groups() if acronym_of else (name,)) if part and not part.isdigit() and any(ch.isupper() for ch in part)
        )
    return tuple(dict.fromkeys(found))


def _opens_with_modifier(words: list[str], opens_question: bool) -> bool:
    """True when the question's first word is a lowercase adjective or adverb ("Approximately", "Nearly") not followed
    by another capitalised word: "New York" and "Central Asia" stay names."""
    if not opens_question or not words or words[0].lower() not in _MODIFIERS:
        return False
    return len(words) == 1 or not words[1][:1].isupper()


def parse(text: str, previous: str = "") -> Question:
    """Parse `text` (already cleaned) with the previous user turn it follows up on, if any."""
    intent, topic = "fact", ""
    for name, pattern in _INTENTS:
        match = pattern.search(text)
        if match:
            intent, topic = name, match.groupdict().get("topic") or ""
            break
    return Question(
        text=text,
        previous=previous,
        terms=terms(text),
        previous_terms=terms(previous) if previous else (),
        answer_type=expected_type(text) or (expected_type(previous) if previous and not _ASKS_ANEW.search(text) else None),
        required=frozenset(required_terms(text)),
        new_terms=frozenset(new_terms(text, previous)) if previous else frozenset(),
        asked_inside=compound_terms(text + " " + previous)[1],
        entities=entities(restore_case(text.lower() if text.isupper() else text)),  # "who leads mongolia" names Mongolia
        unknown_names=unknown_names(text),
        intent=intent,
        topic=topic,
        every_article=intent in ("author", "date") and bool(_EVERY_ARTICLE.search(text)),
    )
