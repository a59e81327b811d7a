"""Questions about the collection as a whole: what the articles are, which is the newest, which outlets they come from.

"What are the articles about?", "How many articles are there?", "Summarize the articles",
"Which article is the most recent?", "Which outlets are the articles from?" are often the
first things a user asks of a folder of articles. No passage answers them, so extractive
answering would quote whichever sentence is nearest. They are answered from the stored
metadata instead; each article named is cited by the metadata field that says so (marked by
offsets of -1, as `app.about` does).
"""

from collections import Counter
from collections.abc import Sequence

from citeqa.app.about import cite_article
from citeqa.app.answer import Answer, Evidence
from citeqa.app.question import Question
from citeqa.store.records import ArticleRecord

LISTED = 10  # articles named one by one in an overview; the rest are counted


def answer_collection(question: Question, articles: Sequence[ArticleRecord]) -> Answer | None:
    """The Answer to a question about the whole collection, or None for any other question."""
    if question.intent == "overview":
        return _overview(articles)
    if question.intent in ("newest", "oldest"):
        return _newest(articles, oldest=question.intent == "oldest")
    if question.intent == "outlets":
        return _outlets(articles)
    return None


def _overview(articles: Sequence[ArticleRecord]) -> Answer:
    """Each article's title with its byline, newest first."""
    if not articles:
        return Answer(text="There are no articles to ask about: ingest a folder of articles, or widen the filters.", abstained=True)
    listed = sorted(articles, key=lambda a: (a.date or "", a.title), reverse=True)[:LISTED]
    parts, citations = [], []
    for marker, article in enumerate(listed, 1):
        byline = ", ".join(v for v in (article.author, article.source, article.date) if v)
        parts.append(f"“{article.title}”{f' ({byline})' if byline else ''} [{marker}]")
        citations.append(cite_article(article, [Evidence(f"Title: {article.title}", -1, -1)], marker))
    count = "one article" if len(articles) == 1 else f"{len(articles)} articles"
    more = f"; and {len(articles) - len(listed)} more" if len(articles) > len(listed) else ""
    text = f"There {'is' if len(articles) == 1 else 'are'} {count}: " + "; ".join(parts) + f"{more}. Ask about any of them."
    return Answer(text=text, citations=tuple(citations))


def _newest(articles: Sequence[ArticleRecord], oldest: bool) -> Answer:
    """The most recent (or the earliest) dated article."""
    dated = sorted((a for a in articles if a.date), key=lambda a: (a.date or "", a.title))
    if not dated:
        return Answer(text=f"None of the {len(articles)} articles carries a publication date.", abstained=True)
    article = dated[0] if oldest else dated[-1]
    which = "earliest" if oldest else "most recent"
    undated = len(articles) - len(dated)
    note = f" {undated} of the {len(articles)} articles carry no date." if undated else ""
    text = f"The {which} article is “{article.title}”, published on {article.date} [1].{note}"
    return Answer(text=text, citations=(cite_article(article, [Evidence(f"Date: {article.date}", -1, -1)]),))


def _outlets(articles: Sequence[ArticleRecord]) -> Answer:
    """The outlets the articles come from, with how many articles each; one article of each cited."""
    counts = Counter(a.source for a in articles if a.source)
    if not counts:
        return Answer(text=f"None of the {len(articles)} articles names the outlet it comes from.", abstained=True)
    first = {a.source: a for a in reversed(articles) if a.source}
    parts, citations = [], []
    for marker, (source, n) in enumerate(counts.most_common(LISTED), 1):
        parts.append(f"{source} ({n} article{'s' if n > 1 else ''}) [{marker}]")
        citations.append(cite_article(first[source], [Evidence(f"Source: {source}", -1, -1)], marker))
    unnamed = len(articles) - sum(counts.values())
    note = f" {unnamed} of the {len(articles)} articles name no outlet." if unnamed else ""
    more = f"; and {len(counts) - LISTED} more" if len(counts) > LISTED else ""
    text = f"The articles come from {len(counts)} outlet{'s' if len(counts) > 1 else ''}: " + "; ".join(parts) + f"{more}.{note}"
    return Answer(text=text, citations=tuple(citations))

