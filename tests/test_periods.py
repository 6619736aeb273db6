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


@pytest.mark.parametrize(("written", "canonical"), [
    ("FY25", "FY2025"), ("FY2025", "FY2025"), ("fy 2025", "FY2025"), ("FY25Q3", "FY2025Q3"),
    ("Q3 FY25", "FY2025Q3"), ("3QFY25", "FY2025Q3"), ("FY2026 Q1", "FY2026Q1"),
    ("1Q25", "2025Q1"), ("25Q1", "2025Q1"), ("2025Q1", "2025Q1"), ("Q1 2025", "2025Q1"), ("2025 q1", "2025Q1"),
    ("1H25", "2025H1"), ("25H1", "2025H1"), ("H1 2025", "2025H1"), ("2025H1", "2025H1"),
    ("2025年上半年", "2025H1"), ("2025年第三季度", "2025Q3"), ("2025年前三季度", "2025Q1-Q3"), ("1-3Q25", "2025Q1-Q3"),
    ("2025", "2025"), ("2025年", "2025"), ("2020-2024", "2020-2024"), ("2025-12-17", "2025-12-17"),
    ("2025-12", "2025-12"),
])
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
