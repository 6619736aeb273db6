"""Reporting periods: every usual spelling of a year, half, quarter, month, day or span of years → one value.

FY25 = FY2025; 1Q25 = 25Q1 = Q1 2025 = 2025年第一季度 = 2025Q1; 1H25 = 2025H1 = 2025年上半年; FY25Q3 =
3QFY25; 2025年前三季度 = 2025Q1-Q3. A fiscal year (FY2025, a company's own calendar) is never the calendar
year 2025: the two do not cover each other. A period is its first and last day, so "lies within" is a
comparison of dates, and the knowledge base's spellings (knowledge/README.md `period`) parse back to
themselves.

A two-digit year takes the century POSIX (and Python's `strptime('%y')`) gives it: 69–99 are 1969–1999,
00–68 are 2000–2068. So FY99 is FY1999, as anyone writing it means, not FY2099, and FY25 is FY2025.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

from chipmcp.errors import InputError

Day = tuple[int, int, int]

SPELLINGS = (
    "a year (2025, FY25), a half (2025H1, 1H25), a quarter (2025Q3, 1Q25, FY25Q3), "
    "the first quarters (2025Q1-Q3), a month (2025-03), a day (2025-12-17) or years (2020-2024)"
)

_YEAR = r"(?P<fy>FY)?(?P<year>\d{4}|\d{2})"
_PATTERNS = [
    re.compile(p)
    for p in (
        rf"^{_YEAR}$",
        rf"^{_YEAR}(?P<kind>[HQ])(?P<n>[1-4])$",  # 2025Q1, 25Q1, FY25Q3, 2025H1
        rf"^(?P<kind>[HQ])(?P<n>[1-4]){_YEAR}$",  # Q1 2025, H1 2025, Q3 FY25
        rf"^(?P<n>[1-4])(?P<kind>[HQ]){_YEAR}$",  # 1Q25, 1H25, 3QFY25
        rf"^{_YEAR}Q(?P<n>[1-4])-Q?(?P<last>[1-4])$",  # 2025Q1-Q3
        rf"^Q(?P<n>[1-4])-Q(?P<last>[1-4]){_YEAR}$",  # Q1-Q3 2025
        rf"^(?P<n>[1-4])Q?-(?P<last>[1-4])Q{_YEAR}$",  # 1-3Q25, 1Q-3Q25
        rf"^{_YEAR}(M|-)(?P<month>0?[1-9]|1[0-2])$",  # 2025-03, 2025M3
        r"^(?P<year>\d{4})-(?P<month>0[1-9]|1[0-2])-(?P<day>0[1-9]|[12]\d|3[01])$",  # 2025-12-17
        r"^(?P<fy>FY)?(?P<year>\d{4})-(?P<fy2>FY)?(?P<end>\d{4})$",  # 2020-2024
    )
]
# Chinese spellings rewritten to the Latin ones before matching: (pattern, replacement), in this order.
_CHINESE: list[tuple[re.Pattern[str], Callable[[re.Match[str]], str]]] = [
    (re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日"), lambda m: f"{m[1]}-{int(m[2]):02d}-{int(m[3]):02d}"),
    (re.compile(r"(\d{4})年(\d{1,2})月"), lambda m: f"{m[1]}-{int(m[2]):02d}"),
    (re.compile(r"上半年"), lambda m: "H1"),
    (re.compile(r"下半年"), lambda m: "H2"),
    (re.compile(r"前([二两三])季度"), lambda m: "Q1-Q" + {"二": "2", "两": "2", "三": "3"}[m[1]]),
    (re.compile(r"第?([一二三四1-4])季度"), lambda m: "Q" + str("一二三四".find(m[1]) + 1 if m[1] in "一二三四" else m[1])),
    (re.compile(r"年度?|全年"), lambda m: ""),
]


@dataclass(frozen=True)
class Period:
    """A stretch of time by its first and last day (a day field of 31 stands for a month's end)."""

    fiscal: bool
    start: Day
    end: Day
    label: str = field(compare=False)

    def __str__(self) -> str:
        return self.label

    def within(self, other: Period) -> bool:
        """True when every day of this period lies in `other`, on the same calendar (fiscal or not)."""
        return self.fiscal == other.fiscal and other.start <= self.start and self.end <= other.end

    @property
    def is_year(self) -> bool:
        return self.start[1:] == (1, 1) and self.end[1:] == (12, 31) and self.start[0] == self.end[0]

    @property
    def is_span(self) -> bool:
        return self.start[0] != self.end[0]

    def touches_year(self, year: int) -> bool:
        """A span of years that starts or ends in `year` (a 2022-2024 CAGR is reported for 2024)."""
        return self.is_span and year in (self.start[0], self.end[0])


def parse(text: str | int) -> Period:
    """The period a user or a knowledge file wrote; InputError naming the accepted spellings otherwise."""
    shown = str(text).strip()
    period = _parse(shown)
    if period is None:
        raise InputError(f"'{shown}' is not a period. Write {SPELLINGS}.")
    return period


def matches(query: Period, *labels: str | None) -> bool:
    """Whether a figure labelled `labels` (its period and any alias) answers a question about `query`:
    the figure's period lies within the query's, or it is a span of years starting or ending in the year asked."""
    for label in labels:
        if not label:
            continue
        period = stored(label)
        if period.within(query) or (query.is_year and period.fiscal == query.fiscal and period.touches_year(query.start[0])):
            return True
    return False


def calendar(period: Period) -> Period:
    """The same stretch on the calendar: FY2025 → 2025, for a company whose fiscal year is the calendar year."""
    return Period(False, period.start, period.end, period.label.replace("FY", ""))


@lru_cache(maxsize=4096)
def stored(label: str) -> Period:
    """A period as the knowledge base stores it (validated at build, so it always parses)."""
    return parse(label)


@lru_cache(maxsize=1024)
def _parse(text: str) -> Period | None:
    key = unicodedata.normalize("NFKC", text).upper()
    if key.lstrip().startswith("-"):  # '-2025' is a negative number, not a period
        return None
    fiscal_word = any(word in key for word in ("财年", "財年", "FISCAL"))
    for word in ("财年", "財年", "FISCAL YEAR", "FISCAL"):
        key = key.replace(word, "")
    for pattern, replace in _CHINESE:
        key = pattern.sub(replace, key)
    key = re.sub(r"[\s_/]+", "", key)
    for candidate in dict.fromkeys((key, key.replace("-", ""))):
        for pattern in _PATTERNS:
            found = pattern.match(candidate)
            if found:
                return _period(found.groupdict(), fiscal_word)
    return None


def _period(parts: dict[str, str | None], fiscal_word: bool) -> Period | None:
    fiscal = fiscal_word or bool(parts.get("fy")) or bool(parts.get("fy2"))
    fy = "FY" if fiscal else ""
    if len(parts["year"] or "") == 2 and not fiscal and parts.get("n") is None:
        return None  # a bare '25' is a number, not a year
    year = _year(_matched(parts, "year"))
    if end_digits := parts.get("end"):
        end = int(end_digits)
        if end < year:
            return None
        return Period(fiscal, (year, 1, 1), (end, 12, 31), f"{fy}{year:04d}-{fy}{end:04d}")
    if day_digits := parts.get("day"):
        month, day = int(_matched(parts, "month")), int(day_digits)
        return Period(fiscal, (year, month, day), (year, month, day), f"{year:04d}-{month:02d}-{day:02d}")
    if month_digits := parts.get("month"):
        month = int(month_digits)
        return Period(fiscal, (year, month, 1), (year, month, 31), f"{fy}{year:04d}-{month:02d}")
    if (n_digit := parts.get("n")) is None:
        return Period(fiscal, (year, 1, 1), (year, 12, 31), f"{fy}{year:04d}")
    first = int(n_digit)
    if parts.get("kind") == "H":
        if first > 2:
            return None
        return Period(fiscal, (year, 6 * first - 5, 1), (year, 6 * first, 31), f"{fy}{year:04d}H{first}")
    last = int(last_digit) if (last_digit := parts.get("last")) else first
    if last < first:
        return None
    label = f"{fy}{year:04d}Q{first}" + (f"-Q{last}" if last != first else "")
    return Period(fiscal, (year, 3 * first - 2, 1), (year, 3 * last, 31), label)


def _matched(parts: dict[str, str | None], group: str) -> str:
    """A group that every pattern reaching this point has, so it matched."""
    digits = parts[group]
    assert digits is not None, group
    return digits


def _year(digits: str) -> int:
    if len(digits) == 4:
        return int(digits)
    return int(digits) + (1900 if int(digits) >= POSIX_PIVOT else 2000)


POSIX_PIVOT = 69  # the first two-digit year read as 19xx
