"""Outlet and date parsing: explicit filters and the outlets/dates a question names."""

import pytest

from citeqa.app.sources import FilterError, SourceFilter, find_dates, mentions, parse_date, source_filter
from citeqa.app.yesno import is_yes_no, order_claims
from citeqa.store.records import ArticleRecord

OUTLETS = ["TechCrunch", "The Verge", "The Age", "Fortune", "The Independent - Life and Style", "The Independent - Sports"]
RECORDS = [
    ArticleRecord("a", "A", "h", date="2023-10-31", source="TechCrunch"),
    ArticleRecord("b", "B", "h", date="2023-11-02", source="The Verge"),
    ArticleRecord("c", "C", "h", source="The Verge"),
]


def test_dates_are_read_in_the_usual_spellings():
    assert parse_date("2023-11-01") == parse_date("November 1, 2023") == parse_date("1 Nov 2023") == "2023-11-01"
    assert [iso for _, _, iso in find_dates("on October 7, 2023, and on 2023-12-15")] == ["2023-10-07", "2023-12-15"]
    assert find_dates("February 30, 2023") == []


@pytest.mark.parametrize("bad", ["yesterday", "2023-13-01", "November 2023", "2023-11-01 and more"])
def test_a_bad_date_is_one_clear_line(bad):
    with pytest.raises(FilterError, match="is not a date. Write it as YYYY-MM-DD"):
        parse_date(bad)


def test_a_filter_admits_one_outlet_in_a_date_range():
    wanted = source_filter(RECORDS, "the verge", since="2023-11-01")
    assert wanted == SourceFilter("The Verge", "2023-11-01", None)
    assert [r.article_id for r in RECORDS if wanted.admits(r)] == ["b"]  # "c" has no date: outside any range
    assert [r.article_id for r in RECORDS if source_filter(RECORDS, until="2023-10-31").admits(r)] == ["a"]
    assert not source_filter(RECORDS).active


def test_an_unknown_outlet_or_an_empty_range_is_one_line():
    with pytest.raises(FilterError, match=r"No stored article is from 'Wired'. Stored outlets: TechCrunch, The Verge"):
        source_filter(RECORDS, "Wired")
    with pytest.raises(FilterError, match="is after --until"):
        source_filter(RECORDS, since="2023-12-01", until="2023-11-01")


def test_questions_name_stored_outlets_with_the_dates_beside_them():
    found = mentions(
        "Did the TechCrunch article published on October 31, 2023, agree with 'The Verge' and the Fortune piece?", OUTLETS
    )
    assert [(m.outlets, m.date) for m in found] == [(("TechCrunch",), "2023-10-31"), (("The Verge",), None), (("Fortune",), None)]
    assert [m.outlets for m in mentions("according to techcrunch, as reported by the verge", OUTLETS)] == [("TechCrunch",), ("The Verge",)]


def test_a_common_phrase_is_not_an_outlet_and_a_section_head_means_all_its_sections():
    assert mentions("He retired at the age of 30, The Verge said.", OUTLETS)[0].outlets == ("The Verge",)
    assert len(mentions("He retired at the age of 30, The Verge said.", OUTLETS)) == 1
    assert mentions("as The Independent reported", OUTLETS)[0].outlets == (
        "The Independent - Life and Style", "The Independent - Sports",
    )
    assert mentions("Did the TechCrunch report come first?", []) == ()


def test_yes_no_questions_and_the_order_they_claim():
    assert is_yes_no("Does the TechCrunch article suggest that …?")
    assert is_yes_no("Between the Fortune report on October 4, 2023, and The Verge report, was there a change?")
    assert not is_yes_no("Who is the individual reported by both The Verge and TechCrunch?")
    assert not is_yes_no("Considering the features in The Verge and a report by Bloomberg, which model, is it, sold best?")
    text = "Does the 'Fortune' article published before the 'The Verge' article suggest …, and the subsequent TechCrunch report?"
    assert order_claims(text, mentions(text, OUTLETS)) == [(0, 1), (1, 2)]
    after = "After the TechCrunch report on December 12, 2023, did The Verge report the same?"
    assert order_claims(after, mentions(after, OUTLETS)) == [(0, 1)]
