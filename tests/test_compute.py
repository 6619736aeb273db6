"""The compute core on its own: units, derived metrics, clusters, training, growth."""

from __future__ import annotations

import math
import tomllib

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from chipmcp.core import compute
from chipmcp.core.units import UNITS
from conftest import ROOT

REPORTS = tomllib.loads((ROOT / "tests" / "golden" / "report_arithmetic.toml").read_text(encoding="utf-8"))

finite = st.floats(min_value=1e-6, max_value=1e9, allow_nan=False, allow_infinity=False)
units_by_dimension: dict[str, list[str]] = {}
for unit in UNITS.values():
    units_by_dimension.setdefault(f"{unit.dimension}/{unit.currency}", []).append(unit.symbol)
convertible = [pair for pair in units_by_dimension.values() if len(pair) > 1]


@given(value=finite, group=st.sampled_from(convertible), data=st.data(), p_base=st.sampled_from([1000, 1024]))
def test_converting_there_and_back_returns_the_value(value: float, group: list[str], data, p_base: int) -> None:
    a, b = data.draw(st.sampled_from(group)), data.draw(st.sampled_from(group))
    there = compute.convert(value, a, b, p_base)
    back = compute.convert(there, b, a, p_base)
    assert math.isclose(float(back), value, rel_tol=1e-9)


def test_the_p_convention_is_explicit() -> None:
    assert float(compute.convert(1, "PFLOPS", "TFLOPS")) == 1000
    assert float(compute.convert(1, "PFLOPS", "TFLOPS", p_base=1024)) == 1024
    assert float(compute.convert(1, "EFLOPS", "TFLOPS", p_base=1024)) == 1024 * 1024


def test_money_never_crosses_currencies_without_a_rate() -> None:
    assert float(compute.convert_money(14.5, "亿元", "万元")) == pytest.approx(145000)
    with pytest.raises(ValueError, match="exchange rate"):
        compute.convert_money(1, "亿美元", "亿元")
    assert float(compute.convert_money(1, "亿美元", "亿元", rate=7.1)) == pytest.approx(7.1)


def test_rank_puts_missing_values_last_with_rank_zero() -> None:
    assert list(compute.rank(np.array([400.0, np.nan, 310.0]), higher_is_better=False)) == [2, 0, 1]
    assert list(compute.rank(np.array([376.0, 148.0]), higher_is_better=True)) == [1, 2]


@pytest.mark.parametrize("row", REPORTS["servers_per_thousand_p"], ids=lambda r: r["printed"])
def test_servers_per_thousand_p_follow_the_reports_convention(row: dict) -> None:
    servers = compute.servers_for_target(1000, row["server_pflops"], p_base=1024)
    assert abs(servers - row["servers"]) <= row.get("slack", 0)


def test_deepseek_v3_cost_is_gpu_hours_times_price() -> None:
    given = REPORTS["deepseek_v3_cost"]
    costs = compute.gpu_hour_cost(given["gpu_hours"], given["price_per_gpu_hour"])
    assert list(np.round(costs / 1e6, 3)) == given["costs_million"]
    assert round(float(costs.sum()) / 1e6, 3) == given["total_million"]


def test_gpt4_implied_mfu_range() -> None:
    mfu = compute.implied_mfu(2.15e25, 25_000, 312, np.array([90, 100]))
    assert 0.31 < mfu[1] < mfu[0] < 0.36


@pytest.mark.parametrize("row", REPORTS["capex_cagr"], ids=lambda r: r["what"])
def test_capex_cagr_matches_the_report(row: dict) -> None:
    assert round(float(compute.cagr(row["start"], row["end"], row["years"])), 2) == row["printed"]


def test_training_estimate_uses_six_n_d() -> None:
    job = compute.estimate_training(7e9, 1e12, 1000, 1000, 0.5, price_per_gpu_hour=2.0)
    assert job.total_flop == 6 * 7e9 * 1e12
    assert job.gpu_hours == pytest.approx(6 * 7e9 * 1e12 / (1000e12 * 0.5) / 3600)
    assert job.cost == pytest.approx(job.gpu_hours * 2.0)


def test_servers_hold_every_card_the_last_one_partly_filled() -> None:
    assert compute.servers_for_cards(8, 8) == 1
    assert compute.servers_for_cards(9, 8) == 2
    assert compute.servers_for_cards(10_000, 8) == 1250


def test_a_claim_allows_its_bound_and_its_printed_rounding() -> None:
    low, high = compute.claim_interval(1, 1, "approx", "约为1亿美元", 1e8)
    assert math.isclose(low, 0.9e8) and math.isclose(high, 1.1e8)  # 约 ±5%, and '1' rounds within 5% of itself
    assert compute.claim_interval(65, 65, None, "65亿美元", 1e8) == (64.5e8, 65.5e8)


def test_intervals_agree_only_when_every_one_overlaps_every_other() -> None:
    assert compute.intervals_agree([(1, 2), (1.5, 3), (1.9, 5)])
    assert not compute.intervals_agree([(1, 2), (1.5, 3), (2.5, 5)])


def test_intervals_divided_pair_by_pair_and_nan_for_a_divisor_that_may_be_zero() -> None:
    (implied, widened, unknown) = compute.intervals_divided([(557.6, 557.6), (10, 20), (1, 1)], [(0.1, 0.1), (2, 4), (0, 1)])
    assert math.isclose(implied[0], 5576) and widened == (2.5, 10.0) and all(math.isnan(x) for x in unknown)


_INTERVAL_RULE = {
    ">": lambda lo, hi, v: lo > v,
    ">=": lambda lo, hi, v: lo >= v,
    "<": lambda lo, hi, v: hi < v,
    "<=": lambda lo, hi, v: hi <= v,
    "=": lambda lo, hi, v: lo <= v <= hi,
    "!=": lambda lo, hi, v: not lo <= v <= hi,
}


@given(
    ends=st.lists(st.tuples(st.integers(0, 20), st.integers(0, 5)), max_size=30),
    op=st.sampled_from(sorted(_INTERVAL_RULE)),
    value=st.integers(-1, 26),
)
def test_a_column_condition_decides_each_interval_as_the_single_cell_rule(ends, op, value) -> None:
    lows = [float(lo) for lo, _ in ends]
    highs = [float(lo + width) for lo, width in ends]
    held = compute.interval_holds(compute.as_array(lows), compute.as_array(highs), op, float(value))
    assert held.tolist() == [_INTERVAL_RULE[op](lo, hi, value) for lo, hi in zip(lows, highs, strict=True)]


def test_masks_positions_and_ranks_invert_each_other() -> None:
    where = compute.mask(6, [4, 1])
    assert where.tolist() == [False, True, False, False, True, False]
    assert compute.positions(where).tolist() == [1, 4]
    assert compute.ranks_of([2, 0, 1]).tolist() == [1.0, 2.0, 0.0]
    assert compute.flags([]).shape == (0,)
