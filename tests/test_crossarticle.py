"""Questions across articles on a small real sample of MultiHop-RAG: outlet/date filters (API, CLI, page), evidence
from each named outlet, a bridging answer, Yes/No comparisons, a temporal question decided by dates, a null query.

Nine benchmark articles (with their outlet/date sidecars) are copied into a temporary folder and ingested by
the real pipeline with the real packaged model; questions are the benchmark's own where it has one.
"""

import json
import re
import subprocess
from pathlib import Path

import pytest
from gradio_client import Client
from playwright.sync_api import expect

from citeqa.app.qa import QA, QuestionError
from citeqa.ingest.pipeline import ingest
from citeqa.store.chroma import open_store
from tests.conftest import CITEQA, ROOT, _env, serving
from tests.test_web_page import ANSWER_SECONDS, ask, chromium_page
from tests.shared_data import BENCHMARKS, copy_multihop_articles, needs_benchmarks

pytest_plugins = ["tests.model_fixtures"]
pytestmark = needs_benchmarks

SAMPLE = (  # Sam Bankman-Fried's trial in TechCrunch, The Verge and Fortune
    "009_d06e96f91a22317a", "010_883e01bc82e19cf5", "011_eb046c4ddbd31a8f", "030_8438207b101080d5",
    "031_db1376690f8c6a1d", "053_038eabdb237efe3f", "083_3aca53cc10e003bd", "175_65f314cd109de5f0",
    "226_8c45ace0c9f63f21",
)


@pytest.fixture(scope="module")
def sample_store(tmp_path_factory, embedder) -> Path:
    folder = copy_multihop_articles(SAMPLE, tmp_path_factory.mktemp("multihop") / "articles")
    location = folder.parent / "store"
    for _ in ingest([folder], open_store(location, create=True), embedder):
        pass
    return location


@pytest.fixture(scope="module")
def qa(sample_store) -> QA:
    return QA.open(sample_store)


def _outlets(qa: QA, answer) -> list[str]:
    by_id = {r.article_id: r for r in qa.articles()}
    return [by_id[c.article_id].source for c in answer.citations]


def _quotes_are_in_their_articles(qa: QA, answer) -> None:
    for citation in answer.citations:
        text = qa.store.article_text(citation.article_id)
        for evidence in citation.evidence:
            assert text[evidence.char_start : evidence.char_end] == evidence.text


def test_the_store_keeps_outlet_and_date_from_the_sidecars(qa):
    record = next(r for r in qa.articles() if r.article_id == "175_65f314cd109de5f0")
    assert (record.source, record.date) == ("The Verge", "2023-09-28")


def test_bridging_question_names_the_shared_person_citing_each_outlet(qa):
    question = json.loads((BENCHMARKS / "multihop_rag" / "qa.jsonl").read_text().splitlines()[0])["question"]
    assert "both The Verge and TechCrunch" in question
    answer = qa.ask(question)
    assert answer.text.startswith("Sam Bankman-Fried — The Verge [1]: “") and "; TechCrunch [2]: “" in answer.text
    assert _outlets(qa, answer) == ["The Verge", "TechCrunch"]  # one cited sentence from each named outlet
    assert all(len(c.evidence) == 1 for c in answer.citations)
    _quotes_are_in_their_articles(qa, answer)


def test_yes_comparison_cites_both_outlets(qa):
    answer = qa.ask(  # mh_0422, gold "Yes"
        "Does the TechCrunch article suggest that Sam Bankman-Fried's actions were motivated by personal gain, "
        "while The Verge article focuses on his challenges in managing FTX and Alameda Research due to their growth?"
    )
    assert answer.text.split()[0] == "Yes" and not answer.abstained
    assert sorted(set(_outlets(qa, answer))) == ["TechCrunch", "The Verge"]
    _quotes_are_in_their_articles(qa, answer)


def test_no_comparison_when_the_reports_are_asked_to_clash(qa):
    answer = qa.ask(  # mh_2087, gold "no"
        "Was there inconsistency in the portrayal of Sam Bankman-Fried's actions related to the FTX collapse between the "
        "TechCrunch report published on October 1, 2023, and the TechCrunch report published on October 7, 2023?"
    )
    assert answer.text.split()[0] == "No"
    assert set(_outlets(qa, answer)) == {"TechCrunch"} and len(answer.citations) == 2  # two TechCrunch articles


VERGE_JURY = "The Verge report on the jury finally hearing from Sam Bankman-Fried"  # dated 2023-10-28
TECHCRUNCH_START = "the TechCrunch report on how SBF and FTX got here as his trial starts"  # 2023-10-01 … 10-07


@pytest.mark.parametrize(("first", "second", "verdict"), [(VERGE_JURY, TECHCRUNCH_START, "No"), (TECHCRUNCH_START, VERGE_JURY, "Yes")])
def test_temporal_order_is_decided_by_the_articles_dates(qa, first, second, verdict):
    answer = qa.ask(f"Was {first} published before {second}?")
    assert answer.text.split()[0] == verdict
    dated = {source: citation.date for source, citation in zip(_outlets(qa, answer), answer.citations)}
    assert dated["TechCrunch"] < dated["The Verge"]  # every TechCrunch article here predates the jury hearing him
    if verdict == "No":
        assert f"The Verge's article is dated {dated['The Verge']}, after TechCrunch's of {dated['TechCrunch']}" in answer.text


def test_null_query_abstains_citing_nothing(qa):
    answer = qa.ask(  # the shape of MultiHop-RAG's null queries: the articles never mention these people
        "Considering the information from a TechCrunch article detailing Gary Burrell's contributions to GPS technology "
        "and a Verge piece discussing his philanthropic efforts, which university received donations from Burrell?"
    )
    assert answer.abstained and answer.citations == ()


def test_api_source_and_date_filters(qa):
    fortune = qa.ask("What did the prosecution say about Sam Bankman-Fried?", source="fortune")
    assert fortune.citations and set(_outlets(qa, fortune)) == {"Fortune"}
    assert set(fortune.retrieved) == {"031_db1376690f8c6a1d"}
    late = qa.ask("What did the prosecution say about Sam Bankman-Fried?", since="2023-10-07", until="October 31, 2023")
    dates = {r.article_id: r.date for r in qa.articles()}
    assert late.retrieved and all("2023-10-07" <= dates[a] <= "2023-10-31" for a in late.retrieved)
    with pytest.raises(QuestionError, match="^No stored article is from 'Wired'"):
        qa.ask("Who is on trial?", source="Wired")
    with pytest.raises(QuestionError, match="is not a date"):
        qa.ask("Who is on trial?", since="last week")


def test_cli_source_filter_and_its_one_line_errors(sample_store):
    def ask(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [*CITEQA, "ask", "Who is on trial for fraud?", "--store", str(sample_store), *args, "--json"],
            capture_output=True, text=True, env=_env(), cwd=ROOT, timeout=300,
        )

    done = ask("--source", "The Verge", "--until", "2023-10-30")
    assert done.returncode == 0, done.stderr
    payload = json.loads(done.stdout)
    verge = {"053_038eabdb237efe3f", "083_3aca53cc10e003bd", "175_65f314cd109de5f0"}
    assert payload["citations"] and {c["article_id"] for c in payload["citations"]} <= verge
    assert set(payload["retrieved"]) == {"175_65f314cd109de5f0", "053_038eabdb237efe3f"}  # the one of 2023-10-31 is out
    for args, says in ((("--source", "Wired"), "No stored article is from 'Wired'"), (("--since", "2023-02-30"), "is not a date")):
        failed = ask(*args)
        assert failed.returncode == 1 and says in failed.stderr
        assert "Traceback" not in failed.stderr and len(failed.stderr.strip().splitlines()) == 1


@pytest.fixture(scope="module")
def sample_server(sample_store):
    with serving(sample_store, sample_store.parent / "serve.log") as server:
        yield server


def test_page_api_chat_filtered_takes_the_source_and_date_settings(sample_server):
    client = Client(sample_server.url, verbose=False)
    question = "What did the prosecution say about Sam Bankman-Fried?"
    data = client.predict(question, [], 8, "extractive", False, "Fortune", "", "", api_name="/chat_filtered")
    assert data["citations"] and {c["article_id"] for c in data["citations"]} == {"031_db1376690f8c6a1d"}
    dated = client.predict(question, [], 8, "extractive", False, "", "2023-10-28", "", api_name="/chat_filtered")
    assert set(dated["retrieved"]) == {"053_038eabdb237efe3f", "083_3aca53cc10e003bd"}
    with pytest.raises(Exception, match="is not a date"):
        client.predict(question, [], 8, "extractive", False, "", "soon", "", api_name="/chat_filtered")


def test_page_settings_offer_the_stored_outlets_and_filter_by_them(sample_server):
    with chromium_page() as page:
        page.goto(sample_server.url)
        page.locator("#citeqa-question textarea").wait_for(timeout=ANSWER_SECONDS)
        page.get_by_text("Settings").click()
        page.locator("#citeqa-source input").click()
        options = page.get_by_role("option")
        outlets = ["Any outlet", "Cnbc | World Business News Leader", "Fortune", "TechCrunch", "The Verge"]
        expect(options).to_have_text([re.compile(rf"^\W*{re.escape(name)}$") for name in outlets])  # Gradio draws "✓ " before each
        options.filter(has_text="The Verge").click()
        page.locator("#citeqa-until input, #citeqa-until textarea").fill("2023-09-30")
        answer = ask(page, "What did the prosecution say about Sam Bankman-Fried?")
        # the one Verge article before October: each source reads "<marker> <title>"
        expect(answer.locator(".citeqa-source-title")).to_have_text([re.compile(r"^\d+\s*The FTX trial is bigger than Sam Bankman-Fried$")])
