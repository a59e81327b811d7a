"""Tests for ingest.load / clean / metadata on the real corpus and small real fixtures."""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path

import pytest

from citeqa.ingest.clean import split_paragraphs, strip_markdown
from citeqa.ingest.load import MAX_FILE_BYTES, LoadError, content_hash, load_document
from citeqa.ingest.metadata import bio_author, parse_date

ROOT = Path(__file__).resolve().parent.parent
ARTICLES = ROOT / "data" / "articles"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
A000, A002, A003, A004 = (next(ARTICLES.glob(f"{n}_*.txt")) for n in ("000", "002", "003", "004"))


def raw_lines(path: Path) -> list[str]:
    return [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def paragraphs(text: str) -> list[str]:
    return text.split("\n\n")


# --- the default corpus ---------------------------------------------------------------

@pytest.mark.parametrize("path", sorted(ARTICLES.glob("*.txt")), ids=lambda p: p.stem[:3])
def test_corpus_title_is_first_line_and_body_is_verbatim(path: Path) -> None:
    doc = load_document(path)
    lines = raw_lines(path)
    assert doc.article_id == path.stem
    assert doc.content_hash == hashlib.sha256(path.read_bytes()).hexdigest() == content_hash(path)
    if path != A004:
        assert doc.title == lines[0]
    # Cleaning only drops whole lines: every paragraph kept is a line of the file, in order.
    kept = paragraphs(doc.text)
    assert all(p in lines for p in kept)
    assert [line for line in lines if line in kept] == [p for p in lines if p in set(kept)]
    assert doc.title not in kept


def test_corpus_metadata() -> None:
    d000, d002, d004 = load_document(A000), load_document(A002), load_document(A004)
    assert (d002.author, d002.date) == ("Nigel Li", "2025-06-25")
    assert (d004.author, d004.date) == ("Alyssa Chen", "2025-06-17")  # Published wins over the page date
    assert d004.title == "China and Central Asian leaders cap summit with friendship pact and aid pledge"
    assert d000.author == "Hao Nan"
    assert d000.text.endswith("and the ASEAN–China Centre in Beijing, China.")  # the bio stays


FURNITURE_004 = [
    "Wednesday, June 18, 2025",
    "China and Central Asian leaders cap summit with friendship pact and aid pledge",
    "Xi Jinping heads to energy-rich Kazakhstan for China-Central Asia summit",
    "Xi to meet Central Asian leaders as both sides seek ‘stronger coordination’",
    "China’s Xi urges Israel, Iran to ‘de-escalate’, says Beijing can be peacemaker",
    "discover more stories from",
    "Central Asia",
    "Xi boosts China ties in resource-rich Central Asia",
    "Alyssa Chen",
    "Published: 10:04pm, 17 Jun 2025",
    "Why Russia might be warming to China’s presence in Central Asia",
    "China, US top negotiators agree on ‘framework’ that will need approval from Xi and Trump",
    "Xi Jinping and Vladimir Putin hold talks on SCO sidelines in Kazakhstan",
    "No comments:",
    "Post a Comment",
]


def test_004_furniture_removed_and_every_body_line_kept() -> None:
    doc = load_document(A004)
    kept = paragraphs(doc.text)
    for line in FURNITURE_004:
        assert line not in kept, line
    title_line = raw_lines(A004)[1]
    assert title_line.startswith(doc.title + " - Alyssa Chen Published:")
    body = [line for line in raw_lines(A004) if line not in FURNITURE_004 and line != title_line]
    for line in body:
        assert line in kept, line
    assert "along with a trade facilitation platfo" in doc.text  # truncated, but body text
    assert "Photo: Xinhua" in doc.text
    assert kept.count("Beijing commits more than a billion yuan to a region at the heart of its "
                      "infrastructure and security interests") == 1  # the dek, once
    assert len(kept) == len(body)


def test_002_furniture_removed_and_every_body_line_kept() -> None:
    doc = load_document(A002)
    kept = paragraphs(doc.text)
    furniture = ["Recent Articles", "Author: Nigel Li", "06/25/2025"]
    for line in furniture:
        assert line not in kept
    body = [line for line in raw_lines(A002)[1:] if line not in furniture]
    assert kept == body  # section headings such as "Kazakhstan" are body, not furniture
    assert "Kazakhstan" in kept and "China-Central Asian Relations reaching new heights?" in kept


def test_003_trailing_related_posts_removed() -> None:
    doc = load_document(A003)
    assert not doc.text.endswith("Related Posts")
    assert paragraphs(doc.text) == raw_lines(A003)[1:-1]


# --- other formats --------------------------------------------------------------------

def test_html_metadata_and_boilerplate() -> None:
    doc = load_document(FIXTURES / "news_article.html")
    assert doc.title == "Leaders sign water-sharing accord at river summit"
    assert (doc.author, doc.date, doc.source) == ("Maria Lopez", "2025-06-18", "The Daily Example")
    assert "SHOULD-NOT-APPEAR" not in doc.text
    assert not doc.text.startswith(doc.title)
    assert "“This is the first time all five of us have agreed on numbers,” the host said" in doc.text
    assert "closing session — a point" in doc.text  # dashes and quotes verbatim


def test_markdown_front_matter_and_syntax_stripped() -> None:
    doc = load_document(FIXTURES / "notes_article.md")
    assert doc.title == "Rail corridor finally breaks ground"
    assert (doc.author, doc.date, doc.source) == ("Sam Okoro", "2025-06-20", "Field Notes")
    assert paragraphs(doc.text) == [
        "The new line will run for 523 kilometres through three countries, according to the project office.",
        "What it carries",
        "Up to 15 million tonnes of cargo a year.",
        "Passenger services from 2030, if funding holds.",
        "Planners expect the journey to Europe to take about ten days.",
        "Reference-style links keep their text too.",
    ]


def test_markdown_without_front_matter_uses_first_heading(tmp_path: Path) -> None:
    path = tmp_path / "plain.md"
    path.write_text("Intro line before the heading.\n\n# The Real Title\n\nBody with snake_case_name kept.\n")
    doc = load_document(path)
    assert doc.title == "The Real Title"
    assert paragraphs(doc.text) == ["Intro line before the heading.", "Body with snake_case_name kept."]


def make_pdf(lines: list[str], info: dict[str, str]) -> bytes:
    """A minimal one-page PDF with real text operators (Helvetica), built by hand."""
    def esc(s: str) -> str:
        return s.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    stream = "BT /F1 11 Tf 72 740 Td 14 TL " + " ".join(f"({esc(s)}) Tj T*" for s in lines) + " ET"
    info_dict = " ".join(f"/{k} ({esc(v)})" for k, v in info.items())
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        "/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        f"<< /Length {len(stream)} >>\nstream\n{stream}\nendstream",
        f"<< {info_dict} >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for n, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{n} 0 obj\n{body}\nendobj\n".encode("latin-1")
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += "".join(f"{o:010d} 00000 n \n" for o in offsets).encode()
    trailer = f"<< /Size {len(objects) + 1} /Root 1 0 R /Info 6 0 R >>"
    out += f"trailer\n{trailer}\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def test_pdf_text_and_metadata(tmp_path: Path) -> None:
    path = tmp_path / "report.pdf"
    path.write_bytes(make_pdf(
        ["Summit Report", "The six leaders signed the treaty in Astana on Tuesday.",
         "China pledged grant assistance for development projects."],
        {"Title": "Summit Report", "Author": "Lee Park"},
    ))
    doc = load_document(path)
    assert (doc.title, doc.author) == ("Summit Report", "Lee Park")
    assert "The six leaders signed the treaty in Astana on Tuesday." in doc.text
    assert "China pledged grant assistance for development projects." in doc.text
    assert "Summit Report" not in doc.text


def test_pdf_without_title_metadata_uses_first_line(tmp_path: Path) -> None:
    path = tmp_path / "untitled.pdf"
    body = "The accord was signed on Tuesday by five states."
    path.write_bytes(make_pdf(["Water Accord Signed", body], {}))
    doc = load_document(path)
    assert doc.title == "Water Accord Signed"
    assert doc.text == body


def test_damaged_pdf_is_a_load_error(tmp_path: Path) -> None:
    path = tmp_path / "broken.pdf"
    path.write_bytes(b"%PDF-1.4\nthis is not really a pdf\n")
    with pytest.raises(LoadError, match=r"broken\.pdf: PDF"):
        load_document(path)


# --- sidecar and hashing --------------------------------------------------------------

def test_sidecar_overrides_heuristics_and_changes_hash(tmp_path: Path) -> None:
    article = tmp_path / "a1.txt"
    article.write_bytes(A002.read_bytes())
    before = content_hash(article)
    sidecar = tmp_path / "a1.meta.json"
    overrides = {"author": "Someone Else", "date": "June 3, 2024", "source": "The Diplomat"}
    sidecar.write_text(json.dumps(overrides))
    doc = load_document(article)
    assert (doc.author, doc.date, doc.source) == ("Someone Else", "2024-06-03", "The Diplomat")
    assert doc.title == raw_lines(A002)[0]  # not in the sidecar: heuristics still apply
    assert doc.content_hash == content_hash(article) != before
    sidecar.write_text(json.dumps({"author": None, "title": "Better Title"}))
    doc2 = load_document(article)
    assert (doc2.author, doc2.title, doc2.date) == (None, "Better Title", "2025-06-25")
    assert doc2.content_hash == content_hash(article) != doc.content_hash


@pytest.mark.parametrize("content", ["{not json", "[1, 2]", '{"author": 3}', '{"title": ""}'])
def test_malformed_sidecar_names_the_sidecar(tmp_path: Path, content: str) -> None:
    (tmp_path / "a1.txt").write_text("Title\nBody sentence one that is long enough to count as prose.\n")
    (tmp_path / "a1.meta.json").write_text(content)
    with pytest.raises(LoadError, match=r"a1\.meta\.json: malformed metadata sidecar") as err:
        load_document(tmp_path / "a1.txt")
    assert "\n" not in str(err.value)


# --- bad input ------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("empty.txt", b"", r"empty\.txt: file is empty"),
        ("blank.txt", b"  \n\n\t \n", r"blank\.txt: file is empty"),
        ("nbsp.txt", "\u00a0\n\u00a0 \n".encode(), r"nbsp\.txt: file contains only whitespace"),
        ("image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x01", r"image\.txt: looks like a binary file"),
        ("ctrl.md", bytes(range(1, 9)) * 20, r"ctrl\.md: looks like a binary file"),
        ("bytes.txt", b"Bad bytes \x81\x8f\x9d here", r"bytes\.txt: text is not UTF-8"),
        ("title_only.txt", b"Just a title\n", r"title_only\.txt: no body text"),
        ("page.docx", b"whatever", r"page\.docx: unsupported file type '\.docx'"),
        ("fake.pdf", b"hello, not a pdf", r"fake\.pdf: not a PDF"),
    ],
)
def test_bad_input_is_one_line_load_error(tmp_path: Path, name: str, data: bytes, message: str) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(LoadError, match=message) as err:
        load_document(path)
    assert "\n" not in str(err.value)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(LoadError, match=r"nope\.txt: cannot read file"):
        load_document(tmp_path / "nope.txt")


def test_size_limit_small(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    path.write_text("Title\n" + "A sentence of body text. " * 100)
    with pytest.raises(LoadError, match=r"big\.txt: file is 2,506 bytes, over the 1,000-byte limit"):
        load_document(path, max_bytes=1000)
    assert load_document(path, max_bytes=5000).title == "Title"


def test_50mb_file_refused_quickly_by_default(tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    with path.open("wb") as fh:
        block = b"A sentence of body text.\n" * 40_000  # ~1 MB
        for _ in range(50):
            fh.write(block)
    assert path.stat().st_size > MAX_FILE_BYTES
    start = time.perf_counter()
    with pytest.raises(LoadError, match=r"huge\.txt: file is [\d,]+ bytes, over the 20,971,520-byte limit"):
        load_document(path)
    assert time.perf_counter() - start < 0.5  # refused from stat(), not after reading


def test_cp1252_file_loads_with_correct_characters(tmp_path: Path) -> None:
    path = tmp_path / "legacy.txt"
    path.write_bytes("Café notes\nThe café — naïve but “honest” — opened on Tuesday.\n".encode("cp1252"))
    doc = load_document(path)
    assert doc.title == "Café notes"
    assert doc.text == "The café — naïve but “honest” — opened on Tuesday."


def test_utf8_bom_and_utf16_load(tmp_path: Path) -> None:
    text = "Título\nUm parágrafo com acentuação — e travessão.\n"
    (tmp_path / "bom.txt").write_bytes(text.encode("utf-8-sig"))
    (tmp_path / "u16.txt").write_bytes(text.encode("utf-16"))
    for name in ("bom.txt", "u16.txt"):
        doc = load_document(tmp_path / name)
        assert (doc.title, doc.text) == ("Título", "Um parágrafo com acentuação — e travessão.")


# --- helpers --------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("06/25/2025", "2025-06-25"),
        ("25/06/2025", "2025-06-25"),
        ("25.06.2025", "2025-06-25"),
        ("Wednesday, June 18, 2025", "2025-06-18"),
        ("10:04pm, 17 Jun 2025", "2025-06-17"),
        ("17 June 2025", "2025-06-17"),
        ("Sept. 3rd, 2024", "2024-09-03"),
        ("2025-06-17T10:04:00+08:00", "2025-06-17"),
        ("Article 1", None),
        ("Central Asia", None),
        ("02/30/2025", None),
        ("The treaty was signed on June 17, 2025.", None),
    ],
)
def test_parse_date(text: str, iso: str | None) -> None:
    assert parse_date(text) == iso


def test_bio_author_is_conservative() -> None:
    assert bio_author(["Body.", "Jane Roe is a senior correspondent for the paper."]) == "Jane Roe"
    assert bio_author(["Body.", "Central Asia is a region of five states."]) is None
    assert bio_author(["Body.", "Xi is set to host the summit."]) is None


def test_split_paragraphs_unwraps_hard_wrapped_lines() -> None:
    text = "Title\n\nThe treaty was signed\nin Astana on Tuesday.\nNext paragraph.\n\u00a0\n\n\nLast one.  \n"
    assert split_paragraphs(text) == [
        "Title", "The treaty was signed in Astana on Tuesday.", "Next paragraph.", "Last one.",
    ]


def test_strip_markdown_setext_heading_and_code() -> None:
    source = "Heading Here\n============\n\nText *with* __bold__.\n\n```\ncode line\n```\n"
    paras, headings = strip_markdown(source)
    assert (paras, headings) == (["Heading Here", "Text with bold.", "code line"], {0: 1})


def test_markdown_section_headings_are_never_taken_for_related_links(tmp_path: Path) -> None:
    path = tmp_path / "report.md"
    path.write_text(
        "# Annual Report\n\n## Summary of the year in review\n\n## Where the money went this year\n\n"
        "## What the board decided in June\n\nThe board met four times and approved the budget in June.\n\n"
        "## How the new rail line will be paid for\n\nFunding comes from three partner governments.\n"
    )
    doc = load_document(path)
    assert doc.title == "Annual Report"
    assert "Where the money went this year" in doc.text
    assert "How the new rail line will be paid for" in doc.text


def test_text_without_headline_keeps_its_first_paragraph(tmp_path: Path) -> None:
    first = ("The six leaders met in Astana on Tuesday and signed a treaty that commits them to "
             "permanent good-neighbourliness, friendly cooperation and the peaceful settlement of all "
             "their disputes.")
    path = tmp_path / "prose.txt"
    path.write_text(f"{first}\nA second paragraph follows here.\n")
    doc = load_document(path)
    assert doc.title.startswith("The six leaders met in Astana") and doc.title.endswith("…")
    assert paragraphs(doc.text) == [first, "A second paragraph follows here."]


def test_notes_without_prose_keep_headline_like_lines(tmp_path: Path) -> None:
    lines = ["Shopping for the summit trip", "Warm coat for Astana evenings", "Visa papers for Kazakhstan",
             "Adapter plugs and spare batteries"]
    path = tmp_path / "notes.txt"
    path.write_text("\n".join(lines) + "\n")
    assert paragraphs(load_document(path).text) == lines[1:]


def test_byline_variants(tmp_path: Path) -> None:
    body = "The accord was signed on Tuesday by all five governments in the capital."
    cases = {
        "By Jane Roe\nPublished: 3 March 2024": ("Jane Roe", "2024-03-03"),
        "Jane Roe Published: 10:04pm, 17 Jun 2025": ("Jane Roe", "2025-06-17"),
        "Jane Roe\nPublished: 17 Jun 2025\nUpdated: 19 Jun 2025": ("Jane Roe", "2025-06-17"),
        "Friday, June 20, 2025\nAuthor: Jane Roe": ("Jane Roe", "2025-06-20"),
    }
    for n, (head, expected) in enumerate(cases.items()):
        path = tmp_path / f"b{n}.txt"
        path.write_text(f"Accord Signed\n{head}\n{body}\n")
        doc = load_document(path)
        assert (doc.title, (doc.author, doc.date), doc.text) == ("Accord Signed", expected, body), head


def test_content_hash_unreadable_is_load_error(tmp_path: Path) -> None:
    with pytest.raises(LoadError, match=r"gone\.txt: cannot read file"):
        content_hash(tmp_path / "gone.txt")
