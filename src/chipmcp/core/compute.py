"""The compute core: every piece of arithmetic chipmcp does, on numpy arrays, with no I/O and no MCP.

Conventions, stated once:
- Compute prefixes: 1 P = 1000 T by default; `p_base=1024` reads 1 P = 1024 T and 1 E = 1024 P, as
  some report tables do (minsheng-2025h1's 千P算力8卡机台数 row).
- Money scales (万, 亿, million) convert within one currency; across currencies only with a rate given.
- Missing figures are NaN; results derived from a NaN are NaN, never a guess.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, SupportsFloat

from chipmcp.core.units import DIMENSIONS, UNITS


class _LazyNumpy:
    """numpy, imported at the first arithmetic rather than at import: the server registers its tools
    (which import this module) before its first answer, and numpy is a fifth of a cold start."""

    def __getattr__(self, name: str):
        import numpy

        globals()["np"] = numpy  # from now on `np` is numpy itself: no indirection on hot paths
        return getattr(numpy, name)


if TYPE_CHECKING:
    import numpy as np
else:
    np = _LazyNumpy()

__all__ = ["DIMENSIONS"]

_COMPUTE_STEPS = {"G": -1, "T": 0, "P": 1, "E": 2}  # powers of the P convention above TFLOPS


def as_array(values: Sequence[SupportsFloat | None] | np.ndarray | float | None) -> np.ndarray:
    if values is None:
        return np.array(np.nan)
    if isinstance(values, (int, float)):
        return np.array(float(values))
    return np.array([np.nan if v is None else float(v) for v in values], dtype=float)


def nans(size: int) -> np.ndarray:
    """`size` missing figures (NaN)."""
    return np.full(size, np.nan)


def floats(values: Sequence[float | None]) -> np.ndarray:
    """as_array of a column of plain numbers and None (a query's), NaN for None, in one conversion."""
    return np.array(values, dtype=float).reshape(len(values))


def unit_factors(units: Sequence[str]) -> np.ndarray:
    """Factors from each unit to its dimension's base unit."""
    return np.array([UNITS[u].factor for u in units], dtype=float)


def to_base(values: Sequence[float | None], factors: np.ndarray) -> np.ndarray:
    return as_array(values) * factors


def compute_factor(unit: str, p_base: int = 1000) -> float:
    """TFLOPS per one `unit` of compute under the P convention (TOPS counts as TFLOPS here)."""
    if UNITS[unit].dimension != "compute":
        raise ValueError(f"{unit} is not a compute unit")
    if unit[0] not in _COMPUTE_STEPS:  # FLOP/s, OP/s: SI units, outside the P convention
        return UNITS[unit].factor / UNITS["TFLOPS"].factor
    return float(p_base) ** _COMPUTE_STEPS[unit[0]] if unit[0] != "G" else 1e-3


def convert(values: Sequence[float | None] | np.ndarray | float | None, from_unit: str, to_unit: str, p_base: int = 1000) -> np.ndarray:
    """Convert between units of one dimension (and one currency)."""
    source, target = UNITS[from_unit], UNITS[to_unit]
    if source.dimension != target.dimension:
        raise ValueError(f"cannot convert {from_unit} ({source.dimension}) to {to_unit} ({target.dimension})")
    if source.currency != target.currency:
        raise ValueError(f"{from_unit} and {to_unit} are different currencies; give an exchange rate")
    return as_array(values) * _conversion_factor(from_unit, to_unit, p_base)


def _conversion_factor(from_unit: str, to_unit: str, p_base: int) -> float:
    source, target = UNITS[from_unit], UNITS[to_unit]
    if source.dimension == "compute":
        return compute_factor(from_unit, p_base) / compute_factor(to_unit, p_base)
    return source.factor / target.factor


def convert_ends(low: float | None, high: float | None, from_unit: str, to_unit: str, p_base: int = 1000) -> tuple[float, float]:
    """`convert` of one figure's two ends, as plain floats (NaN for a missing end): the same products as the
    array form, without numpy's per-call cost, which would dominate two numbers."""
    source, target = UNITS[from_unit], UNITS[to_unit]
    if source.dimension != target.dimension:
        raise ValueError(f"cannot convert {from_unit} ({source.dimension}) to {to_unit} ({target.dimension})")
    if source.currency != target.currency:
        raise ValueError(f"{from_unit} and {to_unit} are different currencies; give an exchange rate")
    factor = _conversion_factor(from_unit, to_unit, p_base)
    return _float(low) * factor, _float(high) * factor


def convert_ends_all(
    lows: np.ndarray, highs: np.ndarray, from_unit: str, to_unit: str, p_base: int = 1000
) -> tuple[np.ndarray, np.ndarray]:
    """`convert_ends` of many figures in one unit at once (NaN for a missing end): the same product per end."""
    convert_ends(None, None, from_unit, to_unit, p_base)  # the same refusals
    factor = _conversion_factor(from_unit, to_unit, p_base)
    return np.asarray(lows, dtype=float) * factor, np.asarray(highs, dtype=float) * factor


def convert_money_ends_all(lows: np.ndarray, highs: np.ndarray, from_unit: str, to_unit: str) -> tuple[np.ndarray, np.ndarray]:
    """`convert_money_ends` of many figures in one unit at once: the same operations, in the same order."""
    convert_money_ends(None, None, from_unit, to_unit)  # the same refusals
    source, target = UNITS[from_unit], UNITS[to_unit]
    return (
        np.asarray(lows, dtype=float) * source.factor / target.factor,
        np.asarray(highs, dtype=float) * source.factor / target.factor,
    )


def _float(value: SupportsFloat | None) -> float:
    return math.nan if value is None else float(value)


def convert_money(values: Sequence[float | None] | float | None, from_unit: str, to_unit: str, rate: float | None = None) -> np.ndarray:
    """Money between scales and, with `rate` (units of the target currency per one source unit), currencies."""
    source, target = UNITS[from_unit], UNITS[to_unit]
    if source.dimension != "money" or target.dimension != "money":
        raise ValueError("convert_money takes money units")
    amounts = as_array(values) * source.factor
    if source.currency != target.currency:
        if rate is None or not math.isfinite(rate) or rate <= 0:
            raise ValueError(f"converting {source.currency} to {target.currency} needs a positive exchange rate")
        amounts = amounts * rate
    return amounts / target.factor


def convert_money_ends(low: float | None, high: float | None, from_unit: str, to_unit: str) -> tuple[float, float]:
    """`convert_money` of one figure's two ends within one currency, as plain floats (NaN for a missing end):
    the same operations, in the same order, as the array form."""
    source, target = UNITS[from_unit], UNITS[to_unit]
    if source.dimension != "money" or target.dimension != "money":
        raise ValueError("convert_money takes money units")
    if source.currency != target.currency:
        raise ValueError(f"converting {source.currency} to {target.currency} needs a positive exchange rate")
    return _float(low) * source.factor / target.factor, _float(high) * source.factor / target.factor


def spans_agree(a: tuple[float | None, float | None], b: tuple[float | None, float | None], rel_tol: float = 1e-9) -> bool:
    """Whether two figures (a value is a span of zero width) say the same thing."""
    return all(
        x is not None and y is not None and math.isclose(x, y, rel_tol=rel_tol, abs_tol=1e-12) for x, y in zip(a, b, strict=True)
    )


APPROX_TOLERANCE = 0.05  # '约3P' covers figures within 5% of 3P
_NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")


def printed_decimals(printed: str, value: float) -> int:
    """How many decimals `value` was printed with: those of the number in `printed` that equals it
    ('90.97%' → 2, '同比增长91%' → 0, '2664.000' → 3, '266,4 万' → 1); when no number in the token equals
    the value (it is spelled in words, or scaled), the decimals of the value itself."""
    for token in _NUMBER.findall(printed):
        readings = [token.replace(",", "")]
        if token.count(",") == 1 and not re.search(r",\d{3}(?!\d)", token):
            readings.append(token.replace(",", "."))  # a decimal comma: '266,4'
        for reading in readings:
            if math.isclose(float(reading), abs(value), rel_tol=1e-9, abs_tol=1e-12):
                return len(reading.partition(".")[2])
    text = repr(float(value))
    if "e" in text:
        return 0
    fraction = text.partition(".")[2]
    return 0 if fraction == "0" else len(fraction)


def rounding_tolerance(decimals: int, value: float) -> float:
    """How far a printed number can be from what it rounds: half a unit of its last printed place, but never
    more than 约's 5% of it, so '1P' (one digit) is not a rounding of 672T while '2P' is one of 1979T."""
    return min(0.5 * 10.0**-decimals, abs(value) * APPROX_TOLERANCE)


def spans_agree_within(a: tuple[float, float], b: tuple[float, float], tolerance: float) -> bool:
    """Two values (or ranges, end by end) agree when the difference is within the coarser rounding:
    91% agrees with 90.97%, −25% with −24.86%, 264 does not with 26.4."""
    return all(abs(x - y) <= tolerance * (1 + 1e-9) + 1e-12 for x, y in zip(a, b, strict=True))


def power_of_ten_apart(a: float, b: float, tolerance_a: float, tolerance_b: float, max_power: int = 12) -> int:
    """k ≠ 0 when b is a × 10^k with the same printed digits (26.4 vs 264 → 1; 2664 vs 266.4 → −1), else 0:
    within the finer of the two roundings, so 1 and 7 are not '10 apart'."""
    if a == 0 or b == 0 or (a > 0) != (b > 0):
        return 0
    k = round(math.log10(abs(b) / abs(a)))
    if k == 0 or abs(k) > max_power:
        return 0
    slack = min(tolerance_a * 10.0**k, tolerance_b)
    return k if abs(a * 10.0**k - b) <= slack * (1 + 1e-9) + 1e-12 else 0


def bounded_span(low: float, high: float, bound: str | None) -> tuple[float, float]:
    """The interval a figure allows: '超400%' is [400, ∞), '不到95' is (-∞, 95], '约97' is 97 ± 5%."""
    match bound:
        case "over" | "at_least":
            return low, math.inf
        case "under" | "at_most":
            return -math.inf, high
        case "approx":
            return low - abs(low) * APPROX_TOLERANCE, high + abs(high) * APPROX_TOLERANCE
        case _:
            return low, high


def claim_interval(low: float, high: float, bound: str | None, printed: str, factor: float) -> tuple[float, float]:
    """What a figure allows, in base units, once its bound and its printed rounding are counted: '约1亿美元' is
    0.95–1.05亿, '65亿美元' 64.5–65.5亿 (the rule the build compares figures by). Scalars: plain floats, as
    numpy's per-call cost would dominate two numbers."""
    tolerance = max(rounding_tolerance(printed_decimals(printed, end), end) for end in (low, high))
    lo, hi = bounded_span(low, high, bound)
    return (lo - tolerance) * factor, (hi + tolerance) * factor


def intervals_agree(intervals: Sequence[tuple[float, float]]) -> bool:
    """Whether every interval overlaps every other (on a line: the highest low is below the lowest high)."""
    return max(low for low, _ in intervals) <= min(high for _, high in intervals)


def spans_overlap(a: tuple[float, float], b: tuple[float, float]) -> bool:
    return not (a[1] < b[0] or b[1] < a[0])


# --- division and ranking --------------------------------------------------------------------------------


def safe_divide(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    """Element-wise division giving NaN where the denominator is 0 or missing."""
    numerator, denominator = np.asarray(numerator, dtype=float), np.asarray(denominator, dtype=float)
    out = np.full(np.broadcast(numerator, denominator).shape, np.nan)
    np.divide(numerator, denominator, out=out, where=np.isfinite(denominator) & (denominator != 0))
    return out


def rank(values: np.ndarray, higher_is_better: bool) -> np.ndarray:
    """1 for the best; missing values rank last (0 means no value)."""
    values = np.asarray(values, dtype=float)
    keyed = np.where(np.isfinite(values), -values if higher_is_better else values, np.inf)
    order = np.argsort(keyed, kind="stable")
    ranks = np.empty(len(values), dtype=int)
    ranks[order] = np.arange(1, len(values) + 1)
    return np.where(np.isfinite(values), ranks, 0)


# --- clusters -------------------------------------------------------------------------------------------


def cards_for_target(target_pflops: float, card_tflops: float, utilization: float = 1.0, p_base: int = 1000) -> int:
    """Cards needed so that cards × card_tflops × utilization reaches target_pflops: at least one for any
    positive target, however small (the rounding that drops float noise must not round a need to none)."""
    needed = target_pflops * p_base / (card_tflops * utilization)
    return _at_least_one(needed)


def servers_for_target(target_pflops: float, server_pflops: float, p_base: int = 1000) -> int:
    """Servers needed when each server delivers `server_pflops` (as some reports print per server)."""
    return _at_least_one(target_pflops * (p_base / 1000) / server_pflops)


def _at_least_one(needed: float) -> int:
    """`needed` rounded up, float noise below a billionth dropped; one for any positive need."""
    rounded = math.ceil(round(needed, 9))
    return max(1, rounded) if needed > 0 else rounded


def servers_for_cards(cards: int, cards_per_server: int) -> int:
    """Servers to hold `cards` at `cards_per_server` each (the last one may be partly filled)."""
    return math.ceil(cards / cards_per_server)


def aggregate(per_chip: np.ndarray, counts: np.ndarray) -> float:
    """Σ per_chip × count over a system's parts."""
    return float(np.sum(np.asarray(per_chip, dtype=float) * np.asarray(counts, dtype=float)))


# --- training and serving --------------------------------------------------------------------------------


@dataclass(frozen=True)
class TrainingEstimate:
    total_flop: float
    days: float
    gpu_hours: float
    cost: float | None


def training_flop(parameters: float, tokens: float) -> float:
    """The 6·N·D rule: forward and backward passes cost about six FLOPs per parameter per token."""
    return 6.0 * parameters * tokens


def estimate_training(
    parameters: float, tokens: float, cards: int, card_tflops: float, mfu: float, price_per_gpu_hour: float | None = None
) -> TrainingEstimate:
    flop = training_flop(parameters, tokens)
    seconds = flop / (cards * card_tflops * 1e12 * mfu)
    gpu_hours = cards * seconds / 3600
    cost = None if price_per_gpu_hour is None else gpu_hours * price_per_gpu_hour
    return TrainingEstimate(flop, seconds / 86400, gpu_hours, cost)


def implied_mfu(total_flop: float, cards: int, card_tflops: float, days: np.ndarray | float) -> np.ndarray:
    """The utilization a run must have had: FLOPs done over peak FLOPs available in that time."""
    available = cards * card_tflops * 1e12 * np.asarray(days, dtype=float) * 86400
    return total_flop / available


def days_at_mfu(total_flop: float, cards: int, card_tflops: float, mfu: float) -> float:
    """Days `total_flop` takes on `cards` at `mfu` of their peak: implied_mfu's inverse."""
    return total_flop / (cards * card_tflops * 1e12 * mfu) / 86400


def gpu_hour_cost(gpu_hours: np.ndarray | Sequence[float], price_per_gpu_hour: float) -> np.ndarray:
    return np.asarray(gpu_hours, dtype=float) * price_per_gpu_hour


def weights_memory_gb(parameters: float, bytes_per_parameter: float) -> float:
    """Memory the weights alone take (no KV cache, activations or optimizer state)."""
    return parameters * bytes_per_parameter / 1e9


def cards_for_memory(needed_gb: float, per_card_gb: float) -> int:
    """Fewest cards whose memory together holds `needed_gb`."""
    return max(1, math.ceil(round(needed_gb / per_card_gb, 9)))


BYTES_PER_PARAMETER = {
    "fp64": 8.0,
    "fp32": 4.0,
    "int16": 2.0,
    "tf32": 4.0,
    "fp16": 2.0,
    "bf16": 2.0,
    "fp8": 1.0,
    "int8": 1.0,
    "fp6": 0.75,
    "fp4": 0.5,
    "int4": 0.5,
}


# --- growth ----------------------------------------------------------------------------------------------


def growth(previous: np.ndarray | float, current: np.ndarray | float) -> np.ndarray:
    """Period-on-period growth in percent; works element-wise on low/high pairs."""
    return (safe_divide(np.asarray(current, dtype=float), np.asarray(previous, dtype=float)) - 1.0) * 100


def cagr(start: np.ndarray | float, end: np.ndarray | float, years: float) -> np.ndarray:
    """Compound annual growth rate in percent between two values `years` apart."""
    if years <= 0:
        raise ValueError("a CAGR needs the end period after the start period")
    ratio = safe_divide(np.asarray(end, dtype=float), np.asarray(start, dtype=float))
    with np.errstate(invalid="ignore"):
        return (np.power(ratio, 1.0 / years) - 1.0) * 100


# --- intervals --------------------------------------------------------------------------------------------
# A figure is an interval: a point is [v, v], a range keeps both ends. Every aggregate, ratio and ranking
# below carries both ends, so a range is never cut to one of them.


def tidy(value: float | None, digits: int = 6) -> float | None:
    """`value` rounded to `digits` significant digits (unit conversions leave 1600.0000000000002); NaN → None."""
    if value is None or not math.isfinite(value):
        return None
    if value == 0:
        return 0.0
    return float(round(value, digits - 1 - math.floor(math.log10(abs(value)))))


def tidy_all(values: np.ndarray, digits: int = 6) -> np.ndarray:
    """`tidy` of every value, NaN where it gives None: each distinct value rounded once, by `tidy` itself
    (Python's correctly rounded `round`, which numpy's rounding does not always equal in the last digit)."""
    values = np.asarray(values, dtype=float)
    out = np.full(values.shape, np.nan)
    finite = np.isfinite(values)
    distinct, back = np.unique(values[finite], return_inverse=True)
    out[finite] = np.array([tidy(float(v), digits) for v in distinct], dtype=float)[back]
    return out


def interval_scale(low: float, high: float, factor: float) -> tuple[float, float]:
    """[low, high] × factor for factor ≥ 0 (a count, a number of systems, hours in a day)."""
    # Two numbers: plain float products (the same IEEE operations numpy would do, without its per-call cost).
    return float(low) * float(factor), float(high) * float(factor)


def interval_divide(a: tuple[float, float], b: tuple[float, float]) -> tuple[float, float]:
    """[a] ÷ [b] for positive intervals: the smallest quotient is a's low over b's high. NaN when b may be 0."""
    (a_low, a_high), (b_low, b_high) = (_float(end) for end in a), (_float(end) for end in b)
    if not (math.isfinite(b_low) and math.isfinite(b_high)) or b_low <= 0 or b_high <= 0:
        return math.nan, math.nan
    return a_low / b_high, a_high / b_low


def intervals_divided(numerators: Sequence[tuple[float, float]], divisors: Sequence[tuple[float, float]]) -> list[tuple[float, float]]:
    """Positive intervals ÷ positive intervals, pair by pair, in one array operation (interval_divide for
    several at once): low ÷ the divisor's high, high ÷ its low; NaN where a divisor may be 0."""
    ends, by = np.array(numerators, dtype=float).reshape(-1, 2), np.array(divisors, dtype=float).reshape(-1, 2)
    with np.errstate(divide="ignore", invalid="ignore"):  # those quotients are replaced by NaN below
        quotients = ends / by[:, ::-1]
    quotients[~(np.isfinite(by).all(axis=1) & (by > 0).all(axis=1))] = np.nan
    return [(float(low), float(high)) for low, high in quotients]


def interval_sum_of_products(lows: Sequence[float], highs: Sequence[float], counts: Sequence[float]) -> tuple[float, float]:
    """Σ countᵢ × [lowᵢ, highᵢ]: a system's total from its parts."""
    ends = np.array([lows, highs], dtype=float) * np.asarray(counts, dtype=float)
    return float(ends[0].sum()), float(ends[1].sum())


def dominance_rank(lows: Sequence[float], highs: Sequence[float], higher_is_better: bool) -> list[int]:
    """1 + the number of others certainly better (their whole interval beats this one's); overlapping
    intervals tie. Missing (NaN) rows get 0 and beat no one."""
    # At most twenty rows (a comparison's): plain comparisons, which cost less than making the arrays would.
    rows = [(float(low), float(high)) for low, high in zip(lows, highs, strict=True)]
    finite = [math.isfinite(low) and math.isfinite(high) for low, high in rows]
    present = [row for row, ok in zip(rows, finite, strict=True) if ok]
    if higher_is_better:  # another row is better when its low is above this row's high
        return [1 + sum(other_low > high for other_low, _ in present) if ok else 0 for (_, high), ok in zip(rows, finite, strict=True)]
    return [1 + sum(other_high < low for _, other_high in present) if ok else 0 for (low, _), ok in zip(rows, finite, strict=True)]


# --- industry figures -----------------------------------------------------------------------------------


def total(values: Sequence[float | None]) -> float | None:
    """Sum of the reported values (missing ones skipped); None when none is reported."""
    array = as_array(values)
    return float(np.nansum(array)) if np.isfinite(array).any() else None


def spread(values: Sequence[float | None]) -> float | None:
    """Largest over smallest positive value: how far apart estimates of one quantity are (None below two)."""
    array = as_array(values)
    array = array[np.isfinite(array) & (array > 0)]
    return float(array.max() / array.min()) if len(array) >= 2 else None


def sort_order(keys: np.ndarray, descending: bool) -> list[int]:
    """Row indices ordered by `keys` (stable: equal keys keep their order), highest first when descending."""
    keys = np.asarray(keys, dtype=float)
    return [int(i) for i in np.argsort(-keys if descending else keys, kind="stable")]


# --- columns: one value per entity of a catalog, filtered and ordered at once ------------------------------
# find_chips tests thousands of entities with one array operation per condition (chipmcp.reasoning.catalog_index);
# each function here is the vectorised form of the rule a single cell is tested by.


def flags(values: Sequence[bool]) -> np.ndarray:
    """A boolean mask."""
    return np.array(values, dtype=bool).reshape(len(values))


def codes(values: Iterable[int], size: int) -> np.ndarray:
    """`size` small integers (a label's place among a few distinct ones) as an array, read from an iterator."""
    return np.fromiter(values, dtype=np.int64, count=size)


def filled(size: int, code: int) -> np.ndarray:
    """`size` copies of one small integer (every entity's code before any is read), made at once: a generator
    read by `codes` takes a millisecond per 25,000."""
    return np.full(size, code, dtype=np.int64)


def labels(values: Sequence[str]) -> np.ndarray:
    """Text labels (a vendor, a kind) as an array a filter tests at once (`among`)."""
    return np.array(values, dtype=str).reshape(len(values))


def among(labels_: np.ndarray, wanted: Sequence[str]) -> np.ndarray:
    """Where a label is one of `wanted`."""
    return np.isin(labels_, np.array(list(wanted), dtype=str))


def mask(size: int, positions: Sequence[int]) -> np.ndarray:
    """A mask of `size` entries, true at `positions`."""
    out = np.zeros(size, dtype=bool)
    out[np.asarray(positions, dtype=int)] = True
    return out


def positions(where: np.ndarray) -> np.ndarray:
    """The indices where a mask is true, in order."""
    return np.flatnonzero(where)


def ranks_of(order: Sequence[int]) -> np.ndarray:
    """The inverse of an ordering: rank[order[k]] = k."""
    out = np.empty(len(order), dtype=float)
    out[np.asarray(order, dtype=int)] = np.arange(len(order), dtype=float)
    return out


def interval_holds(lows: np.ndarray, highs: np.ndarray, op: str, value: float) -> np.ndarray:
    """Where each [low, high] passes `op value` as a whole: ≥/> test the low end, ≤/< the high end, = needs
    the value inside the interval, != outside it."""
    match op:
        case ">":
            return lows > value
        case ">=":
            return lows >= value
        case "<":
            return highs < value
        case "<=":
            return highs <= value
        case "=":
            return (lows <= value) & (value <= highs)
        case "!=":
            return ~((lows <= value) & (value <= highs))
        case _:
            raise ValueError(f"unknown comparison {op!r}")


def interval_may_hold(lows: np.ndarray, highs: np.ndarray, op: str, value: float) -> np.ndarray:
    """Where some point of each [low, high] passes `op value` (one variant of an a/b pair, one claim of a
    contested figure): ≥/> test the high end, ≤/< the low end, = needs the value inside, != any other point."""
    match op:
        case ">":
            return highs > value
        case ">=":
            return highs >= value
        case "<":
            return lows < value
        case "<=":
            return lows <= value
        case "=":
            return (lows <= value) & (value <= highs)
        case "!=":
            return ~((lows == value) & (highs == value))
        case _:
            raise ValueError(f"unknown comparison {op!r}")


# --- export-control indicators ----------------------------------------------------------------------------
# TPP (total processing performance) = peak TOPS or TFLOPS × the operation's bit length; performance density
# = TPP ÷ die area in mm². Thresholds come from the knowledge base (control classes), never from here.

_COMPARISONS: dict[str, Callable[[float, float], bool]] = {
    ">": lambda x, t: x > t,
    ">=": lambda x, t: x >= t,
    "<": lambda x, t: x < t,
    "<=": lambda x, t: x <= t,
}


def total_processing_performance(low: float, high: float, bits: int, sparse: bool = False) -> tuple[float, float]:
    """TPP of a compute interval in T(FL)OPS. A sparse figure counts half: sparsity doubles the printed peak."""
    return interval_scale(low, high, bits * (0.5 if sparse else 1.0))


def interval_max(intervals: Sequence[tuple[float, float]]) -> tuple[float, float]:
    """The largest of several intervals, end by end: [max of lows, max of highs]."""
    return _largest([_float(low) for low, _ in intervals]), _largest([_float(high) for _, high in intervals])


def _largest(values: list[float]) -> float:
    """max as numpy takes it: NaN when any value is NaN (Python's max would depend on where it stands)."""
    return math.nan if any(math.isnan(v) for v in values) else max(values)


def holds(low: float | None, high: float | None, op: str, threshold: float) -> bool | None:
    """Whether `x op threshold` holds for every x in [low, high] (True), for none (False), or for only some of
    them, or x is unknown (None). The comparisons are monotone, so testing both ends decides it."""
    if low is None or high is None or math.isnan(low) or math.isnan(high):
        return None
    at_low, at_high = _COMPARISONS[op](low, threshold), _COMPARISONS[op](high, threshold)
    return at_low if at_low == at_high else None


def all_hold(results: Sequence[bool | None]) -> bool | None:
    """Three-valued AND: false if any is false, unknown if any is unknown, else true."""
    return False if False in results else (None if None in results else True)


def any_holds(results: Sequence[bool | None]) -> bool | None:
    """Three-valued OR: true if any is true, unknown if any is unknown, else false."""
    return True if True in results else (None if None in results else False)


def headroom(low: float, high: float, threshold: float) -> tuple[tuple[float, float], tuple[float, float]]:
    """How far [low, high] sits from a threshold: (value − threshold) and value ÷ threshold, both as intervals
    (negative differences and ratios below 1 are under the line)."""
    # Two numbers: plain float arithmetic (the same IEEE operations numpy would do, without its per-call cost).
    low, high, threshold = float(low), float(high), float(threshold)
    return (low - threshold, high - threshold), (low / threshold, high / threshold)


def interval_versus(
    reported: tuple[float, float], derived: tuple[float, float], agree_within: float = 0.02
) -> tuple[tuple[float, float], tuple[float, float], bool]:
    """A reported interval against one derived otherwise (a system's own figure against its parts' total):
    (reported − derived) and reported ÷ derived as intervals, and whether they agree — some point of each
    within `agree_within` (relative) of the other, so a printed figure rounded from the sum still agrees."""
    r, d = np.array(reported, dtype=float), np.array(derived, dtype=float)
    difference = (float(r[0] - d[1]), float(r[1] - d[0]))
    ratio = interval_divide(reported, derived)
    agree = bool(r[0] <= d[1] * (1 + agree_within) and d[0] * (1 - agree_within) <= r[1])
    return difference, ratio, agree


# --- cluster totals as cells, and reading a printed figure against a computed one -----------------------

HOURS_PER_DAY = 24.0
DAYS_PER_YEAR = 365.0


def wall_clock_days(gpu_hours: float, cards: int) -> float:
    """Days a run of `gpu_hours` takes on `cards` cards all busy throughout."""
    return float(np.float64(gpu_hours) / cards / HOURS_PER_DAY)


def servers_needed(
    target_pflops: float,
    p_base: int,
    cards_per_server: int,
    utilization: float = 1.0,
    card_tflops: float | None = None,
    server_tflops: float | None = None,
) -> tuple[int, int]:
    """(cards, servers) reaching `target_pflops` (1P = p_base T), from a per-card figure or, given
    `server_tflops`, from a per-server one (servers rounded up, each holding cards_per_server cards)."""
    if server_tflops is not None:
        servers = servers_for_target(target_pflops, server_tflops / p_base, p_base=1000)
        return servers * cards_per_server, servers
    if card_tflops is None:
        raise ValueError("servers_needed needs card_tflops or server_tflops")
    cards = cards_for_target(target_pflops, card_tflops, utilization, p_base)
    return cards, servers_for_cards(cards, cards_per_server)


def printed_agrees(printed_value: float, printed: str, bound: str | None, computed: tuple[float, float]) -> bool:
    """Whether a computed value (or range) is what a report printed as `printed_value`: within the rounding of
    its printed digits, within 5% for 约, or inside a computed range widened by that rounding."""
    tolerance = rounding_tolerance(printed_decimals(printed, printed_value), printed_value)
    if bound == "approx":
        tolerance = max(tolerance, abs(printed_value) * APPROX_TOLERANCE)
    return computed[0] - tolerance * (1 + 1e-9) <= printed_value <= computed[1] + tolerance * (1 + 1e-9)


def overhead_between(total: float, part: float) -> float:
    """The share `total` exceeds `part` by (system power over its chips' power: 0.3 = +30%)."""
    return float(np.float64(total) / part - 1.0)
