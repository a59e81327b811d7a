"""Questions about the articles themselves: who wrote one, when it was published, which discuss a topic, who a byline is.

Answers come from the stored article metadata (author, date, title) and are cited
like any other claim. Author and date evidence is the sentence naming the author
when the article has one (a bio line), else the metadata itself, marked by offsets
of -1. Questions that are not about the articles return None and go to
ordinary extractive answering.
"""

import re
from collections.abc import Callable, Sequence

import numpy as np

from citeqa.app.answer import Answer, Citation, Evidence
from citeqa.app.compose import with_markers
from citeqa.app.question import Question
from citeqa.app.sentences import Sentence, candidate_sentences
from citeqa.app.terms import terms
from citeqa.store.records import ArticleRecord, Hit

_VERBS = {"author": "was written by", "date": "was published on"}


def _metadata(article: ArticleRecord, field: str) -> str | None:
    """The article's "author" or "date" field."""
    return article.author if field == "author" else article.date


def _named(text: str, articles: Sequence[ArticleRecord], by_title: bool) -> list[ArticleRecord]:
    """Articles whose author (or, with `by_title`, full title) `text` names."""
    lowered = text.lower()
    return [
        a for a in articles
        if (a.author and a.author.lower() in lowered) or (by_title and a.title and a.title.lower() in lowered)
    ]


def _target(
    question: Question, articles: Sequence[ArticleRecord], ranked: Sequence[Sentence],
    title_similarity: Callable[[Sequence[str]], np.ndarray], previous_answer: str = "",
) -> ArticleRecord | None:
    """The article a question is about: named by its author, else, for a follow-up ("When was it published?"),
    the one article the previous answer named, else best by title and content match among the articles that
    carry the field asked for (an author for "who wrote", a date for "when published")."""
    named = _named(question.text, articles, by_title=False)
    if len(named) == 1:
        return named[0]
    if question.previous and not named:
        named = _named(previous_answer, articles, by_title=True)
        if len(named) == 1:
            return named[0]
    by_id = {a.article_id: a for a in articles if _metadata(a, question.intent)}
    best_content: dict[str, float] = {}
    for sentence in ranked:  # best first: each article's best score (an offset shared by all articles changes nothing)
        best_content.setdefault(sentence.article_id, sentence.score)
    candidates = [by_id[i] for i in best_content if i in by_id]
    if not candidates:
        return None
    titles = title_similarity([a.title for a in candidates])
    scores = [best_content[a.article_id] + float(t) for a, t in zip(candidates, titles)]
    return candidates[int(np.argmax(scores))]


def _metadata_evidence(article: ArticleRecord, ranked: Sequence[Sentence], field: str, value: str) -> Evidence:
    for sentence in ranked:
        if sentence.article_id == article.article_id and value.lower() in sentence.text.lower():
            return Evidence(sentence.text, sentence.span[0], sentence.span[1])
    return Evidence(f"{field}: {value}", -1, -1)


def cite_article(article: ArticleRecord, evidence: Sequence[Evidence], marker: int = 1) -> Citation:
    """The citation of `article` by `marker`, backed by `evidence` (a sentence, or a metadata field at offsets -1)."""
    return Citation(marker, article.article_id, article.title, article.author, article.date, tuple(evidence))


def answer_about(
    question: Question,
    load_articles: Callable[[], Sequence[ArticleRecord]],
    ranked: Sequence[Sentence],
    retrieved: Sequence[str],
    title_similarity: Callable[[Sequence[str]], np.ndarray],
    load_all_hits: Callable[[], Sequence[Hit]],
    previous_answer: str = "",
) -> Answer | None:
    """An Answer from article metadata, or None when the question is not about the articles.

    `ranked` are the scored sentences of the top passages; `load_all_hits` reads every retrieved
    candidate, searched only when listing which articles discuss a topic; `previous_answer` is the
    conversation's last reply, which tells a follow-up's "it" apart.
    """
    if question.intent in ("author", "date"):
        if question.every_article:
            return _every_article(question.intent, load_articles(), ranked, retrieved)
        article = _target(question, load_articles(), ranked, title_similarity, previous_answer)
        if article is None or not _metadata(article, question.intent):
            return None  # the metadata is silent; ordinary answering may still find it in the text
        text, citation = _claim(article, question.intent, 1, ranked)
        return Answer(text=text, citations=(citation,), retrieved=tuple(retrieved))
    if question.intent == "which_articles":
        return _which_articles(question.topic, load_articles(), candidate_sentences(load_all_hits()), retrieved)
    return None


_WHO_IS = re.compile(r"^\s*who\s+(?:is|was)\s+(?P<name>[^?]+?)\s*\??\s*$", re.IGNORECASE)


def answer_who_wrote(question: Question, articles: Sequence[ArticleRecord], ranked: Sequence[Sentence], retrieved: Sequence[str]) -> Answer | None:
    """For "Who is Nigel Li?" when no text says: '“Beijing Strengthens Ties…” was written by Nigel Li [1].', the
    article whose byline is that name; None when the question asks about no author of one article."""
    match = _WHO_IS.match(question.text)
    if match is None:
        return None
    name = match.group("name").lower()
    named = [a for a in articles if a.author and a.author.lower() == name]
    if len(named) != 1:
        return None
    text, citation = _claim(named[0], "author", 1, ranked)
    return Answer(text=text, citations=(citation,), retrieved=tuple(retrieved))


def _claim(article: ArticleRecord, field: str, marker: int, ranked: Sequence[Sentence]) -> tuple[str, Citation]:
    """'“Title” was written by Author [marker].' and its citation; the article carries the field."""
    value = _metadata(article, field)
    text = with_markers(f"“{article.title}” {_VERBS[field]} {value}.", [marker])
    return text, cite_article(article, [_metadata_evidence(article, ranked, field.capitalize(), value)], marker)


def _every_article(field: str, articles: Sequence[ArticleRecord], ranked: Sequence[Sentence], retrieved: Sequence[str]) -> Answer | None:
    """Each article's author (or date), one cited claim per article; the articles that carry none are counted."""
    known = [a for a in articles if _metadata(a, field)]
    if not known:
        return None
    claims = [_claim(article, field, marker, ranked) for marker, article in enumerate(known, 1)]
    parts = [text for text, _ in claims]
    missing = len(articles) - len(known)
    if missing:
        parts.append(f"{missing} of the {len(articles)} articles name no {field}.")
    return Answer(text=" ".join(parts), citations=tuple(c for _, c in claims), retrieved=tuple(retrieved))


def _which_articles(
    topic: str, articles: Sequence[ArticleRecord], sentences: Sequence[Sentence], retrieved: Sequence[str]
) -> Answer | None:
    """List every article with a sentence that contains all of the topic's terms (its first such sentence)."""
    wanted = set(terms(topic))
    by_id = {a.article_id: a for a in articles}
    found: dict[str, Sentence] = {}
    for sentence in sentences:
        if sentence.article_id in found or sentence.article_id not in by_id or not wanted:
            continue
        if wanted <= set(terms(sentence.text)) and len(terms(sentence.text)) > len(wanted):
            found[sentence.article_id] = sentence
    if not found:
        return None
    parts, citations = [], []
    for marker, (article_id, sentence) in enumerate(found.items(), 1):
        article = by_id[article_id]
        parts.append(f"“{article.title}” [{marker}]")
        citations.append(cite_article(article, [Evidence(sentence.text, sentence.span[0], sentence.span[1])], marker))
    listing = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    count = "One article discusses" if len(parts) == 1 else f"{len(parts)} articles discuss"
    text = f"{count} {topic.strip().rstrip('?.!')}: {listing}."
    return Answer(text=text, citations=tuple(citations), retrieved=tuple(retrieved))
