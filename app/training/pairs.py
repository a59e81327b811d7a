"""Training pairs and scoring groups for the reranker, read from the shared benchmarks folder.

A `Pair` is (question, sentence, label): label 1 when the sentence states the answer.
A `Group` is one question with every sentence of its gold paragraph and the index of
the answer sentence (None for an unanswerable question): the unit of evaluation.
Sentences come from the engine's own splitter, so the model learns what it will score.
Only train splits are turned into pairs; `squad_groups` also serves the test split.
Inputs are sorted and every sample uses a seeded RNG, so the pairs are the same on every run.
"""

import hashlib
import json
import random
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from citeqa.ingest.sentences import split_sentences
from citeqa.store.lexical import LexicalIndex


@dataclass(frozen=True)
class Pair:
    question: str
    sentence: str
    label: int
    origin: str  # "squad", "squad2", "multihop" or "multihop_null"


@dataclass(frozen=True)
class Group:
    question_id: str
    question: str
    article: str
    paragraph: int
    sentences: tuple[str, ...]
    answer_index: int | None  # None: unanswerable from this paragraph
    answers: tuple[str, ...] = ()


@dataclass(frozen=True)
class PairCounts:
    """How many pairs each question gives (the sample-size knobs)."""

    paragraph_negatives: int = 2  # hardest other sentences of the gold paragraph (BM25 order)
    article_negatives: int = 1  # BM25-similar sentences from other paragraphs of the article
    unanswerable_negatives: int = 3  # most BM25-similar sentences of an unanswerable question's paragraph
    multihop_negatives: int = 1  # per evidence fact: BM25-similar other sentences of its article
    null_negatives: int = 2  # per MultiHop-RAG null query: BM25-similar sentences of the corpus


def article_stem(title: str) -> str:
    """The benchmarks' file stem of a title. Example: "Super Bowl 50" -> "Super_Bowl_50"."""
    return re.sub(r"[^0-9A-Za-z]+", "_", title)


def sentences_of(text: str) -> list[str]:
    return [text[a:b] for a, b in split_sentences(text)]


class Benchmarks:
    """Readers over `../shared/benchmarks` (never copied into the repository)."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        if not (self.root / "splits.json").exists():
            raise FileNotFoundError(f"No benchmarks folder at {self.root} (splits.json is missing)")

    @cached_property
    def splits(self) -> dict:
        return json.loads((self.root / "splits.json").read_text())

    @cached_property
    def squad_v1(self) -> dict[str, list[dict]]:
        """Article stem -> its paragraphs (`context`, `qas`) from the SQuAD v1.1 dev zip."""
        with zipfile.ZipFile(self.root / "squad_v1.1" / "dev-v1.1.json.zip") as archive:
            data = json.loads(archive.read("dev-v1.1.json"))["data"]
        return {article_stem(a["title"]): a["paragraphs"] for a in data}

    @cached_property
    def squad_v2_unanswerable(self) -> list[tuple[str, str, str, int]]:
        """(id, question, article stem, paragraph index) of SQuAD 2.0's unanswerable questions, in file order."""
        base = self.root / "squad_v2.0"
        meta = {m["id"]: m for m in _jsonl(base / "qa_meta.jsonl")}
        return [(q["id"], q["question"], meta[q["id"]]["article"], int(meta[q["id"]]["paragraph"]))
                for q in _jsonl(base / "qa.jsonl") if meta[q["id"]]["is_impossible"]]

    def squad_v2_paragraphs(self, article: str) -> list[str]:
        """Paragraph texts of a SQuAD 2.0 article file (its first line is the title)."""
        lines = (self.root / "squad_v2.0" / "articles" / f"{article}.txt").read_text(encoding="utf-8").splitlines()
        return lines[1:]

    def multihop_dev(self) -> Iterator[tuple[str, str, dict]]:
        """(id, question, meta) of MultiHop-RAG queries in the dev split."""
        base = self.root / "multihop_rag"
        dev = set(self.splits["multihop_rag"]["dev"])
        meta = {m["id"]: m for m in _jsonl(base / "qa_meta.jsonl")}
        for q in _jsonl(base / "qa.jsonl"):
            if q["id"] in dev and _sha_even(q["id"]):
                yield q["id"], q["question"], meta[q["id"]]

    def multihop_article(self, stem: str) -> str:
        return (self.root / "multihop_rag" / "articles" / f"{stem}.txt").read_text(encoding="utf-8")

    def multihop_stems(self) -> list[str]:
        return sorted(p.name[: -len(".txt")] for p in (self.root / "multihop_rag" / "articles").glob("*.txt"))


def _jsonl(path: Path) -> Iterator[dict]:
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                yield json.loads(line)


def _sha_even(query_id: str) -> bool:
    """The dev rule of splits.json, checked again here: first byte of sha256(id) even."""
    return hashlib.sha256(query_id.encode()).digest()[0] % 2 == 0


def holdout_articles(train_articles: Iterable[str], n: int) -> list[str]:
    """`n` train articles kept aside for choosing the checkpoint and threshold (by name hash: stable)."""
    return sorted(sorted(train_articles, key=lambda a: hashlib.sha256(a.encode()).hexdigest())[:n])


def squad_groups(bench: Benchmarks, articles: Iterable[str]) -> list[Group]:
    """Answerable (v1.1, answer sentence = the one holding `answer_start`) and unanswerable (2.0)
    questions of `articles`, each with the sentences of its gold paragraph; sorted by id."""
    wanted = set(articles)
    groups = []
    for stem in sorted(wanted & set(bench.squad_v1)):
        for p, paragraph in enumerate(bench.squad_v1[stem]):
            context = paragraph["context"]
            spans = split_sentences(context)
            texts = tuple(context[a:b] for a, b in spans)
            for qa in paragraph["qas"]:
                start = qa["answers"][0]["answer_start"]
                index = next((i for i, (a, b) in enumerate(spans) if a <= start < b), None)
                if index is None:
                    continue  # the answer starts in whitespace between sentences: no single sentence holds it
                answers = tuple(sorted({a["text"] for a in qa["answers"]}))
                groups.append(Group(qa["id"], qa["question"], stem, p, texts, index, answers))
    for qid, question, stem, p in bench.squad_v2_unanswerable:
        if stem in wanted:
            texts = tuple(sentences_of(bench.squad_v2_paragraphs(stem)[p]))
            if texts:
                groups.append(Group(qid, question, stem, p, texts, None))
    return sorted(groups, key=lambda g: g.question_id)


class _ArticleIndex:
    """BM25 over the sentences of one article, remembering each sentence's paragraph."""

    def __init__(self, paragraphs: list[tuple[str, ...]]) -> None:
        self.entries = [(p, s) for p, sentences in enumerate(paragraphs) for s in sentences]
        self.index = LexicalIndex.build([str(i) for i in range(len(self.entries))], [s for _, s in self.entries], stamp="")

    def ranked(self, question: str) -> list[tuple[int, str]]:
        """(paragraph, sentence) of every sentence sharing a term with `question`, most similar first."""
        return [self.entries[int(i)] for i, _ in self.index.search(question, len(self.entries))]


def _contains_answer(sentence: str, answers: Iterable[str]) -> bool:
    lowered = sentence.lower()
    return any(a.strip() and a.strip().lower() in lowered for a in answers)


def squad_pairs(bench: Benchmarks, groups: list[Group], counts: PairCounts) -> list[Pair]:
    """Pairs from SQuAD groups: the answer sentence (positive), the hardest other sentences of the
    paragraph and BM25-similar sentences of other paragraphs (negatives; never one containing the answer
    text), and for unanswerable questions the paragraph's most similar sentences (negatives)."""
    indexes: dict[tuple[str, bool], _ArticleIndex] = {}
    pairs = []
    for g in groups:
        answerable = g.answer_index is not None
        key = (g.article, answerable)
        if key not in indexes:
            paragraphs = ([tuple(sentences_of(p["context"])) for p in bench.squad_v1[g.article]] if answerable
                          else [tuple(sentences_of(text)) for text in bench.squad_v2_paragraphs(g.article)])
            indexes[key] = _ArticleIndex(paragraphs)
        ranked = indexes[key].ranked(g.question)
        if not answerable:
            same = [s for p, s in ranked if p == g.paragraph][: counts.unanswerable_negatives]
            pairs += [Pair(g.question, s, 0, "squad2") for s in same]
            continue
        answer = g.sentences[g.answer_index]
        pairs.append(Pair(g.question, answer, 1, "squad"))
        usable = [(p, s) for p, s in ranked if s != answer and not _contains_answer(s, g.answers)]
        same = [s for p, s in usable if p == g.paragraph][: counts.paragraph_negatives]
        other = [s for p, s in usable if p != g.paragraph][: counts.article_negatives]
        pairs += [Pair(g.question, s, 0, "squad") for s in same + other]
    return pairs


def multihop_pairs(bench: Benchmarks, counts: PairCounts, limit: int | None = None, seed: int = 0) -> list[Pair]:
    """MultiHop-RAG dev pairs: each evidence fact's sentences in its article (positives; the fact itself
    when the splitter's sentences do not contain it), BM25-similar other sentences of that article
    (negatives); for null queries, the most BM25-similar sentences of the whole corpus (negatives)."""
    queries = sorted(bench.multihop_dev())
    if limit is not None:
        queries = random.Random(seed).sample(queries, min(limit, len(queries)))
    articles: dict[str, tuple[str, list[tuple[int, int]], _ArticleIndex]] = {}

    def article(stem: str):
        if stem not in articles:
            text = bench.multihop_article(stem)
            spans = split_sentences(text)
            articles[stem] = (text, spans, _ArticleIndex([tuple(text[a:b] for a, b in spans)]))
        return articles[stem]

    pairs: list[Pair] = []
    nulls = []
    for qid, question, meta in queries:
        if meta["answer_kind"] == "null":
            nulls.append(question)
            continue
        for fact in meta["evidence"]:
            text, spans, index = article(fact["source"])
            start = text.find(fact["fact"])
            if start >= 0:
                end = start + len(fact["fact"])
                positives = [text[a:b] for a, b in spans if a < end and b > start]
            else:
                positives = [fact["fact"]]
            pairs += [Pair(question, s, 1, "multihop") for s in positives]
            negatives = [s for _, s in index.ranked(question)
                         if s not in positives and s not in fact["fact"] and fact["fact"] not in s]
            pairs += [Pair(question, s, 0, "multihop") for s in negatives[: counts.multihop_negatives]]
    if nulls:
        stems = bench.multihop_stems()
        corpus = [s for stem in stems for s in sentences_of(bench.multihop_article(stem))]
        index = LexicalIndex.build([str(i) for i in range(len(corpus))], corpus, stamp="")
        for question in nulls:
            for i, _ in index.search(question, counts.null_negatives):
                pairs.append(Pair(question, corpus[int(i)], 0, "multihop_null"))
    return pairs


def training_pairs(bench: Benchmarks, holdout: int, counts: PairCounts, squad_limit: int | None = None,
                   multihop_limit: int | None = None, seed: int = 0) -> tuple[list[Pair], list[Group]]:
    """(shuffled training pairs, held-out validation groups) from the train splits only.

    `squad_limit`/`multihop_limit` cap the number of questions used (a seeded sample), for small runs.
    """
    train = bench.splits["squad"]["train_articles"]
    held = holdout_articles(train, holdout)
    fit_groups = squad_groups(bench, [a for a in train if a not in held])
    if squad_limit is not None:
        fit_groups = sorted(random.Random(seed).sample(fit_groups, min(squad_limit, len(fit_groups))),
                            key=lambda g: g.question_id)
    pairs = squad_pairs(bench, fit_groups, counts) + multihop_pairs(bench, counts, multihop_limit, seed)
    random.Random(seed).shuffle(pairs)
    return pairs, validation_groups(bench, holdout)


def validation_groups(bench: Benchmarks, holdout: int) -> list[Group]:
    """The questions of the held-out train articles (never turned into training pairs)."""
    return squad_groups(bench, holdout_articles(bench.splits["squad"]["train_articles"], holdout))
