"""Period spellings: every usual way of writing a year, half or quarter reads as one canonical period."""

from __future__ import annotations

import re

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from chipmcp.core import periods
from chipmcp.errors import InputError
from chipmcp.kb.records import PERIOD

years = st.integers(min_value=1969, max_value=2068)  # the years a two-digit spelling names (periods.POSIX_PIVOT)


@pytest.mark.parametrize(
    ("written", "canonical"),
    [
        ("FY25", "FY2025"),
        ("FY2025", "FY2025"),
        ("fy 2025", "FY2025"),
        ("FY25Q3", "FY2025Q3"),
        ("Q3 FY25", "FY2025Q3"),
        ("3QFY25", "FY2025Q3"),
        ("FY2026 Q1", "FY2026Q1"),
        ("1Q25", "2025Q1"),
        ("25Q1", "2025Q1"),
        ("2025Q1", "2025Q1"),
        ("Q1 2025", "2025Q1"),
        ("2025 q1", "2025Q1"),
        ("1H25", "2025H1"),
        ("25H1", "2025H1"),
        ("H1 2025", "2025H1"),
        ("2025H1", "2025H1"),
        ("2025年上半年", "2025H1"),
        ("2025年第三季度", "2025Q3"),
        ("2025年前三季度", "2025Q1-Q3"),
        ("1-3Q25", "2025Q1-Q3"),
        ("2025", "2025"),
        ("2025年", "2025"),
        ("2020-2024", "2020-2024"),
        ("2025-12-17", "2025-12-17"),
        ("2025-12", "2025-12"),
    ],
)
def test_usual_spellings_read_as_the_canonical_period(written: str, canonical: str) -> None:
    assert str(periods.parse(written)) == canonical


@pytest.mark.parametrize("written", ["", "Q5 2025", "next year", "2025H3", "FYQ3", "%"])
def test_what_is_not_a_period_is_an_input_error_naming_the_spellings(written: str) -> None:
    with pytest.raises(InputError, match="FY25Q3"):
        periods.parse(written)


@given(years, st.integers(min_value=1, max_value=4), st.booleans())
def test_every_quarter_spelling_is_the_same_period(year: int, quarter: int, fiscal: bool) -> None:
    fy, short = ("FY" if fiscal else ""), year % 100
    spellings = [f"{fy}{year}Q{quarter}", f"{fy}{short:02d}Q{quarter}", f"Q{quarter} {fy}{year}"]
    if not fiscal:
        spellings += [f"{quarter}Q{short:02d}", f"{year}年第{'一二三四'[quarter - 1]}季度"]
    else:
        spellings += [f"{quarter}QFY{short:02d}"]
    assert len({periods.parse(s) for s in spellings}) == 1


@given(years, st.integers(min_value=1, max_value=2))
def test_every_half_spelling_is_the_same_period_and_lies_within_its_year(year: int, half: int) -> None:
    short = year % 100
    parsed = {periods.parse(s) for s in (f"{year}H{half}", f"{half}H{short:02d}", f"{short:02d}H{half}", f"H{half} {year}")}
    assert len(parsed) == 1
    assert periods.parse(f"{year}H{half}").within(periods.parse(str(year)))
    assert not periods.parse(str(year)).within(periods.parse(f"{year}H{half}"))


@given(st.from_regex(PERIOD, fullmatch=True))
def test_every_period_the_knowledge_accepts_parses_back_to_itself(text: str) -> None:
    span = re.fullmatch(r"(?:FY)?(\d{4})-(?:FY)?(\d{4})", text)
    assume(not (span and int(span[2]) < int(span[1])))  # a reversed span of years: refused at build (below)
    parsed = periods.parse(text)
    assert periods.parse(str(parsed)) == parsed
    assert parsed.within(parsed)


@given(years)
def test_a_fiscal_year_and_the_calendar_year_are_different_periods(year: int) -> None:
    fiscal, calendar = periods.parse(f"FY{year}Q1"), periods.parse(f"{year}Q1")
    assert not fiscal.within(periods.parse(str(year))) and not calendar.within(periods.parse(f"FY{year}"))


def test_a_reversed_span_of_years_is_refused() -> None:
    with pytest.raises(InputError):
        periods.parse("2024-2020")


Period = periods.Period


@pytest.mark.parametrize(
    ("written", "period"),
    [
        ("2025H1", Period(False, (2025, 1, 1), (2025, 6, 31), "2025H1")),
        ("2025H2", Period(False, (2025, 7, 1), (2025, 12, 31), "2025H2")),
        ("2025年下半年", Period(False, (2025, 7, 1), (2025, 12, 31), "2025H2")),
        ("FY2025H2", Period(True, (2025, 7, 1), (2025, 12, 31), "FY2025H2")),
        ("2025Q1", Period(False, (2025, 1, 1), (2025, 3, 31), "2025Q1")),
        ("2025Q4", Period(False, (2025, 10, 1), (2025, 12, 31), "2025Q4")),
        ("2025年第二季度", Period(False, (2025, 4, 1), (2025, 6, 31), "2025Q2")),
        ("2025年第4季度", Period(False, (2025, 10, 1), (2025, 12, 31), "2025Q4")),
        ("2025年前两季度", Period(False, (2025, 1, 1), (2025, 6, 31), "2025Q1-Q2")),
        ("Q2-Q4 2025", Period(False, (2025, 4, 1), (2025, 12, 31), "2025Q2-Q4")),
        ("1Q-3Q25", Period(False, (2025, 1, 1), (2025, 9, 31), "2025Q1-Q3")),
        ("2025M3", Period(False, (2025, 3, 1), (2025, 3, 31), "2025-03")),
        ("2025年3月", Period(False, (2025, 3, 1), (2025, 3, 31), "2025-03")),
        ("2025年12月7日", Period(False, (2025, 12, 7), (2025, 12, 7), "2025-12-07")),
        ("FY2025", Period(True, (2025, 1, 1), (2025, 12, 31), "FY2025")),
        ("2025财年", Period(True, (2025, 1, 1), (2025, 12, 31), "FY2025")),
        ("fiscal year 2025", Period(True, (2025, 1, 1), (2025, 12, 31), "FY2025")),
        ("FY2020-FY2024", Period(True, (2020, 1, 1), (2024, 12, 31), "FY2020-FY2024")),
        ("2024-2024", Period(False, (2024, 1, 1), (2024, 12, 31), "2024-2024")),
        ("2025全年", Period(False, (2025, 1, 1), (2025, 12, 31), "2025")),
        (2025, Period(False, (2025, 1, 1), (2025, 12, 31), "2025")),
    ],
)
def test_a_period_is_its_first_and_last_day(written, period: periods.Period) -> None:
    parsed = periods.parse(written)
    assert (parsed, parsed.label) == (period, period.label)


@pytest.mark.parametrize("written", ["-2025", "25", "2025H3", "2025Q3-Q1", "2024-2020", "2025-13", "FY25H0", "2025Q0"])
def test_what_only_looks_like_a_period_is_refused(written: str) -> None:
    with pytest.raises(InputError, match=f"'{re.escape(written)}' is not a period. Write a year"):
        periods.parse(written)


def test_the_halves_of_a_year_meet_without_overlapping_and_each_lies_within_it() -> None:
    first, second, year = periods.parse("2024H1"), periods.parse("2024H2"), periods.parse("2024")
    assert first.end[:2] == (2024, 6) and second.start == (2024, 7, 1)
    assert first.within(year) and second.within(year)
    assert not first.within(second) and not second.within(first)
    assert not year.within(first)
    assert periods.parse("2024Q2").within(first) and not periods.parse("2024Q3").within(first)
    assert periods.parse("2024Q3").within(second) and not periods.parse("2024Q2").within(second)


def test_within_needs_the_same_calendar_and_both_ends_inside() -> None:
    assert periods.parse("2025Q3").within(periods.parse("2025"))
    assert not periods.parse("FY2025Q3").within(periods.parse("2025"))
    assert periods.parse("2025").within(periods.parse("2025"))
    assert not periods.parse("2024-2025").within(periods.parse("2025"))
    assert not periods.parse("2025-2026").within(periods.parse("2025"))


def test_a_year_a_span_and_the_years_a_span_touches() -> None:
    assert periods.parse("2025").is_year and periods.parse("FY2025").is_year
    assert not periods.parse("2025H1").is_year and not periods.parse("2025H2").is_year
    assert not periods.parse("2024-2025").is_year and not periods.parse("2025-12-31").is_year
    assert not periods.parse("2025-01").is_year
    span = periods.parse("2022-2024")
    assert span.is_span and not periods.parse("2025").is_span
    assert span.touches_year(2022) and span.touches_year(2024) and not span.touches_year(2023)
    assert not periods.parse("2024").touches_year(2024)


def test_a_figure_answers_a_question_about_a_period_it_lies_within_or_a_year_its_span_touches() -> None:
    assert periods.matches(periods.parse("2024"), "2024H2")
    assert not periods.matches(periods.parse("2024H1"), "2024H2")
    assert periods.matches(periods.parse("2024"), "2022-2024")
    assert not periods.matches(periods.parse("FY2024"), "2022-2024")
    assert not periods.matches(periods.parse("2024H2"), "2022-2024")
    assert periods.matches(periods.parse("FY2026Q1"), None, "", "FY2025Q3", "FY2026Q1")
    assert not periods.matches(periods.parse("2025"), None, "")


def test_calendar_reads_a_fiscal_period_on_the_calendar() -> None:
    assert periods.calendar(periods.parse("FY2025Q3")) == periods.parse("2025Q3")
    assert periods.calendar(periods.parse("FY2025Q3")).label == "2025Q3"
    assert str(periods.parse("2025H1")) == "2025H1"


def test_spellings_of_the_same_days_are_the_same_period_whatever_their_label() -> None:
    assert periods.parse("2025Q1-Q2") == periods.parse("2025H1")
    assert periods.parse("2025Q1-Q4") == periods.parse("2025") == periods.parse("2025-2025")
    assert periods.parse("2025Q1-Q2") != periods.parse("FY2025H1")
