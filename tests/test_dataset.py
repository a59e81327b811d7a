"""The shipped evaluation set is well formed and grounded; the reader reports bad lines."""

from collections import Counter
from pathlib import Path

import pytest

from citeqa.eval.dataset import DEFAULT_DATASET, DatasetError, Example, read_examples, unknown_sources
from citeqa.eval.metrics import normalize_answer
from citeqa.ingest.load import load_document

ARTICLES = Path(__file__).resolve().parents[1] / "data" / "articles"
MINIMUMS = {
    ("single",): 15,
    ("multi",): 8,
    ("number", "date"): 10,
    ("who", "where", "which"): 8,
    ("paraphrase",): 8,
    ("metadata",): 4,
    ("unanswerable",): 10,
    ("followup",): 5,
}


@pytest.fixture(scope="module")
def shipped() -> list[Example]:
    return read_examples(DEFAULT_DATASET)


@pytest.fixture(scope="module")
def article_texts() -> dict[str, str]:
    """Normalised article text, plus the author and ISO date the loader finds (metadata answers)."""
    texts = {}
    for path in ARTICLES.glob("*.txt"):
        doc = load_document(path)
        metadata = " ".join(value for value in (doc.author, doc.date) if value)
        texts[path.stem] = f" {normalize_answer(path.read_text(encoding='utf-8'))} {normalize_answer(metadata)} "
    return texts


def test_shipped_dataset_size_and_type_mix(shipped: list[Example]) -> None:
    assert len(shipped) >= 60
    counts = Counter(example.type for example in shipped)
    for types, minimum in MINIMUMS.items():
        assert sum(counts[t] for t in types) >= minimum, (types, counts)
    assert set(counts) <= {t for types in MINIMUMS for t in types}, counts


def test_shipped_unanswerable_and_followups(shipped: list[Example]) -> None:
    unanswerable = [e for e in shipped if not e.answerable]
    assert all(not e.answers and not e.sources for e in unanswerable)
    assert all(e.answerable for e in shipped if e.type not in ("unanswerable", "followup"))
    followups = [e for e in shipped if e.type == "followup"]
    assert len(followups) >= 5
    for example in followups:
        assert [m["role"] for m in example.history] == ["user", "assistant"], example.id


def test_shipped_sources_exist(shipped: list[Example], article_texts: dict[str, str]) -> None:
    assert len(article_texts) == 5
    assert unknown_sources(shipped, article_texts) == []


def test_every_answer_occurs_in_one_of_its_sources(
    shipped: list[Example], article_texts: dict[str, str]
) -> None:
    missing = [
        (example.id, answer)
        for example in shipped
        for answer in example.answers
        if not any(f" {normalize_answer(answer)} " in article_texts[s] for s in example.sources)
    ]
    assert missing == []


def test_the_newcomer_dev_set_is_grounded_in_the_articles(article_texts: dict[str, str]) -> None:
    newcomer = read_examples(DEFAULT_DATASET.parent / "newcomer_dev.jsonl")
    assert len(newcomer) == 108 and sum(not e.answerable for e in newcomer) == 24
    assert unknown_sources(newcomer, article_texts) == []
    missing = [
        (example.id, answer)
        for example in newcomer
        if example.answers
        and not any(f" {normalize_answer(a)} " in article_texts[s] for a in example.answers for s in example.sources)
    ]
    assert missing == []  # each answerable question has an answer, verbatim, in one of its sources


# --- reader errors -----------------------------------------------------------------

GOOD = '{"id": "q1", "question": "Where?", "answers": ["Astana"], "sources": ["a1"]}'


def write(tmp_path: Path, *lines: str) -> Path:
    path = tmp_path / "set.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_reads_fields_and_skips_blank_lines(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        GOOD,
        "",
        '{"id": "q2", "type": "followup", "question": "And the first?", "answers": [], "sources": [],'
        ' "history": [{"role": "user", "content": "Where?"}, {"role": "assistant", "content": "Astana [1]."}]}',
    )
    first, second = read_examples(path)
    assert first == Example(id="q1", question="Where?", answers=("Astana",), sources=("a1",))
    assert first.answerable and not second.answerable
    assert second.type == "followup" and second.history[1] == {"role": "assistant", "content": "Astana [1]."}


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('{"id": "q2" "question": "x"}', r"set\.jsonl:2: invalid JSON \(Expecting ',' delimiter\)"),
        ('["q2"]', r":2: expected a JSON object, got list"),
        ('{"id": "q2", "answers": [], "sources": []}', r":2: missing field 'question'"),
        ('{"id": "q2", "question": "x", "answers": "Astana", "sources": ["a1"]}', r":2: 'answers' must be a list of strings"),
        ('{"id": "q2", "question": "x", "answers": ["A"], "sources": [3]}', r":2: 'sources' must be a list of strings"),
        ('{"id": 2, "question": "x", "answers": [], "sources": []}', r":2: 'id' must be a string, got 2"),
        ('{"id": "q2", "question": "x", "answers": ["A"], "sources": []}', r":2: an answerable item needs 'sources'"),
        ('{"id": "q2", "question": "x", "answers": [], "sources": ["a1"]}', r":2: an item with 'sources' needs 'answers'"),
        ('{"id": "q2", "question": "x", "answers": [], "sources": [], "answer": "A"}', r":2: unknown field 'answer'"),
        ('{"id": "q1", "question": "x", "answers": [], "sources": []}', r":2: duplicate id 'q1' \(first on line 1\)"),
        (
            '{"id": "q2", "question": "x", "answers": [], "sources": [], "history": [{"role": "system", "content": "s"}]}',
            r":2: history\[0\] role must be 'user' or 'assistant', got 'system'",
        ),
        (
            '{"id": "q2", "question": "x", "answers": [], "sources": [], "history": [{"role": "user"}]}',
            r":2: history\[0\] must be an object with 'role' and 'content'",
        ),
    ],
)
def test_bad_line_is_reported_with_path_and_line(tmp_path: Path, line: str, message: str) -> None:
    with pytest.raises(DatasetError, match=message):
        read_examples(write(tmp_path, GOOD, line))


def test_empty_and_missing_files(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match="has no examples"):
        read_examples(write(tmp_path, "", "  "))
    with pytest.raises(DatasetError, match="evaluation set not found: .*nope.jsonl"):
        read_examples(tmp_path / "nope.jsonl")


def test_unknown_sources(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        GOOD,
        '{"id": "q2", "question": "x", "answers": ["A"], "sources": ["zz", "a1", "b9"]}',
    )
    assert unknown_sources(read_examples(path), {"a1"}) == ["b9", "zz"]
    assert unknown_sources(read_examples(path), ["a1", "b9", "zz"]) == []


def test_a_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "bom.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + GOOD.encode("utf-8") + b"\n")
    assert [example.id for example in read_examples(path)] == ["q1"]


def test_a_non_utf8_byte_is_reported_by_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "latin1.jsonl"
    second = '{"id": "q2", "question": "Caf\u00e9?", "answers": [], "sources": []}'
    path.write_bytes(GOOD.encode("utf-8") + b"\n\n" + second.encode("latin-1") + b"\n")
    with pytest.raises(DatasetError) as err:
        read_examples(path)
    assert str(err.value) == f"{path}:3: not UTF-8 (byte 0xe9 at column 30); re-save the file as UTF-8"
