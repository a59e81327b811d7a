"""`QA`: the question-answering entry point shared by the CLI, the web page and the evaluation.

One QA object holds an open store and a loaded embedding model (both costly to
set up) and answers many questions. Per question: check it, expand follow-ups
with the previous turn, retrieve (hybrid), score evidence sentences, then answer
from article metadata when the question is about the articles, else extractively.
Generation with a language model is optional and lives in `app.generate`.
"""

import logging
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from citeqa.app.about import answer_about, answer_who_wrote
from citeqa.app.across import answer_across
from citeqa.app.answer import Answer
from citeqa.app.collection import answer_collection
from citeqa.app.compose import ComposeSettings, abstention, absent_entities, compose
from citeqa.app.crossarticle import search_sources
from citeqa.app.evidence import Reranker, score_sentences
from citeqa.app.followup import expand, previous_answer, requoted
from citeqa.app.question import Question, parse
from citeqa.app import small_talk
from citeqa.app.scorer import DEFAULT_SCORER, Scorer
from citeqa.errors import CiteqaError
from citeqa.app.spelling import misspelt_words, opening_word, respell, respelled, respelled_lowercase, unknown_words, with_apostrophes, unwritten
from citeqa.app.truecase import as_passages_write
from citeqa.app.sentences import Sentence, candidate_sentences, has_acronym, spelled_out, spells_out
from citeqa.app.retrieve import Candidate, RetrievalSettings, cap_per_article, rank_articles, read_hits
from citeqa.app.sources import FilterError, SourceFilter, find_dates, mentions, source_filter, stored_outlets
from citeqa.ingest.embed import Embedder, load_embedder
from citeqa.store.chroma import Store, StoreError, open_store, reopen_store
from citeqa.store.connection import as_store_error
from citeqa.store.hidden import HiddenArticles
from citeqa.store.records import ArticleRecord, Hit

MAX_QUESTION_CHARS = 2000
_ARTICLES_TTL_SECONDS = 5.0
SPELLED_OUT_PASSAGES = 2  # passages read beyond `k` that name a question's acronym only in full
logger = logging.getLogger(__name__)


class QuestionError(CiteqaError, ValueError):
    """The question cannot be asked (for example, it is empty)."""


@dataclass(frozen=True)
class AnswerSettings:
    """Everything that shapes an answer; each front end maps its flags onto these."""

    retrieval: RetrievalSettings = field(default_factory=RetrievalSettings)
    compose: ComposeSettings | None = None  # None: the scorer's calibrated abstain threshold, default margins
    mode: str = "extractive"


def clean_question(question: str) -> tuple[str, tuple[str, ...]]:
    """(question to answer, notices). Raises QuestionError for an empty question."""
    if not isinstance(question, str):
        raise QuestionError(f"The question must be text. Currently, it is {type(question).__name__}")
    text = "".join(ch if ch.isprintable() or ch in "\n\t" else " " for ch in question).strip()
    if not text:
        raise QuestionError("The question is empty. Type a question about the articles.")
    if len(text) > MAX_QUESTION_CHARS:
        notice = f"Your question was {len(text):,} characters long; only the first {MAX_QUESTION_CHARS:,} were used."
        return text[:MAX_QUESTION_CHARS], (notice,)
    return text, ()


_NAME_LOOKUP = 3  # passages read per name that those retrieved lack


@dataclass(frozen=True)
class Findings:
    """One question's parse, retrieval and scored candidate sentences (best first)."""

    question: Question
    notices: tuple[str, ...]
    vector: np.ndarray  # the standalone query's embedding (a follow-up read with the question it follows)
    candidates: list[Candidate]
    hits: list[Hit]
    ranked: list[Sentence]
    source_filter: SourceFilter = SourceFilter()


class QA:
    """Answers questions from one store with one embedding model."""

    def __init__(
        self,
        store: Store,
        embedder: Embedder,
        settings: AnswerSettings = AnswerSettings(),
        generator=None,
        scorer: Scorer | None = None,
        reranker: Reranker | None = None,
    ) -> None:
        self.store = store
        self.embedder = embedder
        self.settings = settings
        self.generator = generator
        self.scorer = scorer or Scorer.load(DEFAULT_SCORER)
        self.reranker = reranker if reranker is not None else _default_reranker(self.scorer)
        self.compose_settings = settings.compose or ComposeSettings(abstain_below=self.scorer.abstain_below)
        self._articles: list[ArticleRecord] = []
        self._articles_at = -_ARTICLES_TTL_SECONDS
        self._store_broken = False
        self._reopen_lock = threading.Lock()

    @classmethod
    def open(
        cls,
        location: str | Path,
        model: str | None = None,
        settings: AnswerSettings = AnswerSettings(),
        generator=None,
        scorer: Scorer | None = None,
    ) -> "QA":
        """Open an existing store with the model it was built with (or `model`, which must match)."""
        store = open_store(location)
        built_with = store.settings.embedding_model if store.settings else None
        if built_with is None:
            raise StoreError(f"The store at {location} is empty. Run: citeqa ingest data/articles --store {location}")
        embedder = load_embedder(model or built_with)
        if embedder.model_id != built_with:
            store.check_model(embedder.model_id, store.settings.chunking)
        return cls(store, embedder, settings, generator, scorer)

    def hiding(self, article_ids: Iterable[str]) -> "QA":
        """This QA with `article_ids` hidden from every search (out-of-corpus questions; see `store.hidden`)."""
        view = HiddenArticles(self.store, self.articles(), article_ids)
        return QA(view, self.embedder, self.settings, self.generator, self.scorer, self.reranker)

    @property
    def generative_available(self) -> bool:
        return self.generator is not None

    @contextmanager
    def store_guard(self) -> Iterator[None]:
        """Store failures inside this block become one-line StoreErrors; the next use re-opens the store.

        A local store's files can be moved, deleted or damaged under a running server; Chroma then
        raises its own errors (e.g. "no such table: collections") and keeps failing even after the
        files are restored, so the store is opened afresh on the next question.
        """
        if self._store_broken:
            with self._reopen_lock:  # one re-open, not one per waiting request
                if self._store_broken:
                    self.store = reopen_store(self.store.location)
                    self._store_broken = False
                    self._articles_at = -_ARTICLES_TTL_SECONDS
        try:
            yield
        except Exception as err:
            failure = as_store_error(err, self.store.location)
            if failure is None:
                raise
            self._store_broken = True
            if failure is err:
                raise
            logger.warning("store failure: %r", err)
            raise failure from err

    def articles(self) -> list[ArticleRecord]:
        """Stored article records, re-read at most every few seconds."""
        if time.monotonic() - self._articles_at > _ARTICLES_TTL_SECONDS:
            self._articles = self.store.articles()
            self._articles_at = time.monotonic()
        return self._articles

    def ask(
        self, question: str, history: Sequence[dict] | None = None, k: int | None = None, mode: str | None = None,
        source: str | None = None, since: str | None = None, until: str | None = None,
    ) -> Answer:
        """Answer one question (with optional chat history); never cites unsupported articles.

        `source`, `since`, `until` keep the answer to one outlet's articles and a date range (ISO dates).
        """
        answer = None
        for answer in self.stream(question, history, k, mode, source, since, until):
            pass
        assert isinstance(answer, Answer)  # stream always ends with the Answer
        return answer

    def stream(
        self, question: str, history: Sequence[dict] | None = None, k: int | None = None, mode: str | None = None,
        source: str | None = None, since: str | None = None, until: str | None = None,
    ) -> Iterator[str | Answer]:
        """Yield the answer text as it grows, then the final Answer."""
        chat = small_talk.reply(clean_question(question)[0])
        if chat is not None:  # "thanks!": nothing to search, cite or hand a language model
            yield Answer(text=chat, abstained=True)
            return
        with self.store_guard():
            extractive = self._extractive(question, history, k, source, since, until)
        if (mode or self.settings.mode) == "generative" and self.generator is not None:
            yield from self.generator.stream(extractive, history, question=clean_question(question)[0])
            return
        words = extractive.text.split(" ")
        for end in range(1, len(words) + 1, 4):
            yield " ".join(words[:end])
        yield extractive

    def evidence(
        self, question: str, history: Sequence[dict] | None = None, k: int | None = None,
        source: str | None = None, since: str | None = None, until: str | None = None,
    ) -> Findings:
        """Parse, retrieve and score: everything answering needs, before anything is said."""
        text, notices = clean_question(question)
        text = with_apostrophes(text)  # "whats the capital…" asks as "what's the capital…" does
        try:
            wanted = source_filter(self.articles(), source, since, until)
        except FilterError as err:
            raise QuestionError(str(err)) from None
        retrieval = self.settings.retrieval if k is None else replace(self.settings.retrieval, k=k)
        parsed = replace(parse(text, expand(text, history)[1]), sources=mentions(text, stored_outlets(self.articles())))
        vectors, candidates, top = self._search(parsed, wanted, retrieval)
        cased = as_passages_write(text, [hit.chunk.text for hit in top])
        if cased != text:  # "kyrgyzstan" is the passages' "Kyrgyzstan": a name of the question, as a capitalised one is
            text = cased
            parsed = replace(parse(text, parsed.previous), sources=parsed.sources)
        missing = unwritten(parsed.entities, top)
        unknown = unknown_words(text)
        passages = read_hits(self.store, candidates) if missing or unknown else []
        names = respelled(missing, passages, opening_word(text)) if missing else {}
        typos = misspelt_words(unknown, passages)
        names |= respelled_lowercase([w for w in unknown if w not in typos], passages)  # "kazakstan": "Kazakhstan"
        if names or typos:  # "Tokaev" is the passages' "Tokayev", "sigend" "signed": search and score the question so
            text = respell(text, names | typos)
            notices += tuple(
                f"Read {', '.join(f'“{a}” as “{b}”' for a, b in fixes.items())}{why}."
                for fixes, why in ((names, ", as the articles spell it"), (typos, "")) if fixes
            )
            parsed = replace(parse(text, parsed.previous), sources=parsed.sources)
            vectors, candidates, top = self._search(parsed, wanted, retrieval)
        # An acronym defined in any candidate passage, not only the few read for answering: passages that only spell
        # it out ("Shanghai Cooperation Organization" for "SCO") are searched for with its name and read as well.
        aliases = spelled_out(text, read_hits(self.store, candidates)) if has_acronym(text) else {}
        if aliases:
            parsed = replace(parsed, aliases=tuple(aliases.items()))
            _, _, more = self._search(parsed, wanted, retrieval)
            read = {hit.chunk.chunk_id for hit in top}
            top = top + [hit for hit in more if hit.chunk.chunk_id not in read and spells_out(hit.chunk.text, aliases)][:SPELLED_OUT_PASSAGES]
        top = top + self._naming(parsed, wanted, top)
        # Retrieval uses the expanded query; sentences are scored mostly against the new question.
        sentence_vector = vectors[0] if not parsed.previous else _unit(vectors[0] + vectors[1])
        ranked = score_sentences(sentence_vector, parsed, candidate_sentences(top), self.scorer, self.reranker)
        if parsed.previous and parsed.answer_type:  # "How long is it?" is not answered by the quote that had no length
            reply = previous_answer(history)
            ranked = [s for s in ranked if s.features.get("answer_type", 0.0) > 0 or not requoted(s.text, reply)]
        return Findings(parsed, notices, vectors[-1], candidates, top, ranked, wanted)

    def _search(
        self, parsed: Question, wanted: SourceFilter, retrieval: RetrievalSettings
    ) -> tuple[np.ndarray, list[Candidate], list[Hit]]:
        """(the query vectors, the ranked candidates, the passages read) for a parsed question."""
        # The question itself scores sentences; the query searched (a follow-up with the question it follows, the
        # acronyms spelled out) finds passages.
        vectors = self.embedder.embed_queries([parsed.text] + ([parsed.query] if parsed.query != parsed.text else []))
        candidates = search_sources(self.store, parsed, vectors[-1], self.articles(), wanted, retrieval)
        read = max(retrieval.k, 2 * len(parsed.sources))  # room for every named source's best passages
        return vectors, candidates, read_hits(self.store, cap_per_article(candidates, read, retrieval.per_article))

    def _naming(self, parsed: Question, wanted: SourceFilter, top: Sequence[Hit]) -> list[Hit]:
        """Passages naming what the question names when none of those read does ("TUMAS" in a line retrieval ranked
        low): read and scored too, so that "none of them mentions X" is said only when no admitted article does."""
        absent = absent_entities(parsed, top)
        if not absent:
            return []
        allowed = wanted.admitted(self.articles())
        read = {hit.chunk.chunk_id for hit in top}
        named = [chunk_id for name in absent for chunk_id, _ in self.store.lexical_search(name, _NAME_LOOKUP, allowed)]
        return self.store.get_hits([chunk_id for chunk_id in dict.fromkeys(named) if chunk_id not in read])

    def absent_names(self, found: Findings) -> list[str]:
        """Names the question gives that no retrieved passage, outlet or author holds: answering abstains on them
        before any scoring."""
        parsed = found.question
        # A question naming outlets also names their articles' dates, which the articles carry outside their text.
        dated = [parsed.text[start:end] for start, end, _ in find_dates(parsed.text)] if parsed.sources else []
        return absent_entities(parsed, found.hits, _names(self.articles()) + dated)

    def _extractive(
        self, question: str, history: Sequence[dict] | None, k: int | None, source: str | None, since: str | None, until: str | None
    ) -> Answer:
        found = self.evidence(question, history, k, source, since, until)
        parsed, retrieved = found.question, rank_articles(found.candidates)
        absent = self.absent_names(found)
        answer = answer_across(parsed, found.ranked, self.articles(), found.source_filter, retrieved, absent)
        answer = answer or answer_collection(parsed, [a for a in self.articles() if found.source_filter.admits(a)])
        answer = answer or answer_about(
            parsed, self.articles, found.ranked, retrieved, lambda titles: self.embedder.embed_queries(titles) @ found.vector,
            lambda: read_hits(self.store, found.candidates), previous_answer(history),
        )
        confidence = found.ranked[0].score if found.ranked else None
        if answer is None:
            answer = abstention(retrieved, absent) if absent else compose(found.ranked, parsed, retrieved, self.compose_settings)
            if answer.abstained:  # "Who is Nigel Li?" with no bio in the text: the byline still says who
                answer = answer_who_wrote(parsed, self.articles(), found.ranked, retrieved) or answer
            if absent:
                confidence = float("-inf")  # nothing retrieved can answer, whatever the scores
        explain = tuple(
            {"article_id": s.article_id, "text": s.text, "score": round(s.score, 4),
             "contributions": {k: round(v, 4) for k, v in self.scorer.contributions(s.features).items()}}
            for s in found.ranked[:3]
        )
        return replace(
            answer, hits=tuple(found.hits), notices=found.notices + answer.notices, query=parsed.query,
            confidence=confidence, explain=explain,
        )


def _names(articles: Sequence[ArticleRecord]) -> list[str]:
    """Names the articles carry outside their text: outlets and authors ("according to TechCrunch")."""
    return [name for a in articles for name in (a.source, a.author) if name]


def _default_reranker(scorer: Scorer) -> Reranker | None:
    """The shipped cross-encoder when the scorer was fitted with one, else None."""
    if scorer.rerank_weight == 0.0:
        return None
    from citeqa.app.rerank import DEFAULT_RERANKER, Reranker  # onnxruntime session: only when used

    return Reranker.load(DEFAULT_RERANKER)


def _unit(vector: np.ndarray) -> np.ndarray:
    return vector / (np.linalg.norm(vector) or 1.0)
