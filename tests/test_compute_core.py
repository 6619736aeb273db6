"""The compute core, function by function, on numbers chosen so that each operator and constant shows:
whole values and both ends of every interval."""

from __future__ import annotations

import math

import numpy as np
import pytest

from chipmcp.core import compute

NAN = math.nan


def same(got, expected) -> bool:
    """Arrays of one shape equal element by element (to floating-point rounding), NaN equal to NaN."""
    got, expected = np.asarray(got, dtype=float), np.asarray(expected, dtype=float)
    return got.shape == expected.shape and bool(np.allclose(got, expected, rtol=1e-12, atol=0.0, equal_nan=True))


def test_as_array_reads_none_as_nan_and_keeps_scalars_scalar() -> None:
    assert same(compute.as_array(None), NAN) and compute.as_array(None).shape == ()
    assert same(compute.as_array(3), 3.0) and compute.as_array(3).shape == ()
    assert same(compute.as_array([1, None, 2.5]), [1.0, NAN, 2.5])


def test_values_go_to_their_base_unit_by_the_unit_factors() -> None:
    assert same(compute.unit_factors(["TB/s", "Gbps", "亿元"]), [1e12, 1.25e8, 1e8])
    assert same(compute.to_base([2, None], compute.unit_factors(["GB", "MB"])), [2e9, NAN])


def test_compute_prefixes_step_by_the_p_base_and_g_is_a_thousandth_of_t() -> None:
    assert [compute.compute_factor(u) for u in ("GFLOPS", "TOPS", "PFLOPS", "EOPS")] == [1e-3, 1.0, 1e3, 1e6]
    assert [compute.compute_factor(u, 1024) for u in ("GOPS", "TFLOPS", "POPS", "EFLOPS")] == [1e-3, 1.0, 1024.0, 1024.0**2]
    with pytest.raises(ValueError, match="W is not a compute unit"):
        compute.compute_factor("W")


def test_si_compute_units_convert_by_their_factor_outside_the_p_convention() -> None:
    # A dataset's 1.979e15 FLOP/s is 1,979 TFLOPS whatever the P base.
    assert [compute.compute_factor(u, 1024) for u in ("FLOP/s", "OP/s")] == [1e-12, 1e-12]
    assert same(compute.convert(1.979e15, "FLOP/s", "TFLOPS", p_base=1024), 1979.0)


def test_convert_refuses_other_dimensions_and_other_currencies() -> None:
    assert same(compute.convert([1, 2], "PFLOPS", "TFLOPS", p_base=1024), [1024.0, 2048.0])
    assert same(compute.convert(1500, "W", "kW"), 1.5)
    with pytest.raises(ValueError, match=r"cannot convert W \(power\) to GB \(bytes\)"):
        compute.convert(1, "W", "GB")
    with pytest.raises(ValueError, match="元 and 美元 are different currencies; give an exchange rate"):
        compute.convert(1, "元", "美元")


def test_money_converts_scales_and_crosses_currencies_only_at_a_positive_rate() -> None:
    assert same(compute.convert_money([2, None], "亿元", "万元"), [2e4, NAN])
    assert same(compute.convert_money(1, "亿美元", "亿元", rate=7.0), 7.0)
    assert same(compute.convert_money(10, "元", "美元", rate=0.5), 5.0)  # a rate below one is a rate
    for rate in (None, 0.0, -1.0, math.inf, math.nan):
        with pytest.raises(ValueError, match="converting USD to CNY needs a positive exchange rate"):
            compute.convert_money(1, "美元", "元", rate=rate)
    with pytest.raises(ValueError, match="convert_money takes money units"):
        compute.convert_money(1, "W", "元")
    with pytest.raises(ValueError, match="convert_money takes money units"):
        compute.convert_money(1, "元", "W")


def test_spans_agree_end_by_end_and_never_on_a_missing_end() -> None:
    assert compute.spans_agree((1.0, 2.0), (1.0, 2.0 + 1e-12))
    assert not compute.spans_agree((1.0, 2.0), (1.0, 2.1))
    assert not compute.spans_agree((None, 2.0), (None, 2.0))
    assert not compute.spans_agree((1.0, 2.0), (1.0, None))
    assert compute.spans_agree((1.0, 1.0), (1.0 + 1e-10, 1.0), rel_tol=1e-9)


@pytest.mark.parametrize(
    ("printed", "value", "decimals"),
    [
        ("90.97%", 90.97, 2),
        ("同比增长91%", 91.0, 0),
        ("2664.000", 2664.0, 3),
        ("266,4 万", 266.4, 1),
        ("266,40 万", 266.4, 2),
        ("1,234", 1234.0, 0),
        ("1,234.5", 1234.5, 1),
        ("约一亿", 1.0, 0),
        ("三点五", 3.5, 1),
        ("1e20", 1e20, 0),
        ("-25%", -25.0, 0),
        ("0.125", 0.125, 3),
        ("x", 0.25, 2),
    ],
)
def test_printed_decimals_are_those_of_the_printed_number_equal_to_the_value(printed: str, value: float, decimals: int) -> None:
    assert compute.printed_decimals(printed, value) == decimals


def test_rounding_tolerance_is_half_the_last_place_capped_at_five_percent() -> None:
    assert compute.rounding_tolerance(0, 91.0) == 0.5
    assert compute.rounding_tolerance(2, 90.97) == 0.005
    assert compute.rounding_tolerance(0, 2.0) == 0.1  # 5% of 2 is below half a unit
    assert compute.rounding_tolerance(0, -2.0) == 0.1


def test_spans_agree_within_a_tolerance_on_both_ends() -> None:
    assert compute.spans_agree_within((91.0, 91.0), (90.5, 91.5), 0.5)
    assert not compute.spans_agree_within((91.0, 91.0), (90.49, 91.0), 0.5)
    assert not compute.spans_agree_within((91.0, 91.0), (91.0, 91.51), 0.5)


@pytest.mark.parametrize(
    ("a", "b", "tol_a", "tol_b", "k"),
    [
        (26.4, 264.0, 0.05, 0.5, 1),
        (2664.0, 266.4, 0.5, 0.05, -1),
        (1.0, 7.0, 0.5, 0.5, 0),
        (26.4, 26.4, 0.05, 0.05, 0),
        (0.0, 10.0, 0.5, 0.5, 0),
        (10.0, 0.0, 0.5, 0.5, 0),
        (-26.4, 264.0, 0.05, 0.5, 0),
        (-26.4, -264.0, 0.05, 0.5, 1),
        (1.0, 1e13, 0.5, 0.5, 0),
        (26.4, 270.0, 0.05, 0.5, 0),
        (26.4, 263.4, 0.05, 0.5, 0),
        (26.4, 263.6, 0.05, 0.5, 1),
        (1.0, 1e12, 0.5, 0.5, 12),
        (1.0, 10.0, 0.0, 0.0, 1),
        (1.0, 11.0, 0.0, 0.0, 0),
    ],
)
def test_power_of_ten_apart_finds_the_same_digits_shifted(a, b, tol_a, tol_b, k) -> None:
    assert compute.power_of_ten_apart(a, b, tol_a, tol_b) == k


@pytest.mark.parametrize(
    ("bound", "expected"),
    [
        ("over", (400.0, math.inf)),
        ("at_least", (400.0, math.inf)),
        ("under", (-math.inf, 500.0)),
        ("at_most", (-math.inf, 500.0)),
        ("approx", (380.0, 525.0)),
        (None, (400.0, 500.0)),
    ],
)
def test_a_bound_opens_or_widens_the_interval(bound, expected) -> None:
    assert compute.bounded_span(400.0, 500.0, bound) == expected
    assert compute.bounded_span(-100.0, -100.0, "approx") == (-105.0, -95.0)


def test_a_claim_interval_counts_the_bound_and_the_printed_rounding_in_base_units() -> None:
    assert compute.claim_interval(65.0, 65.0, None, "65亿美元", 1e8) == (64.5e8, 65.5e8)
    low, high = compute.claim_interval(1.0, 1.0, "approx", "约1亿美元", 1e8)
    assert (round(low), round(high)) == (0.9e8, 1.1e8)  # 5% of the bound, then 5% rounding of a one-digit number
    low, high = compute.claim_interval(14.5, 15.2, None, "14.50亿元至15.20亿元", 1.0)
    assert (low, high) == pytest.approx((14.495, 15.205))


def test_intervals_agree_when_the_highest_low_is_below_the_lowest_high() -> None:
    assert compute.intervals_agree([(1, 3), (2, 4), (3, 5)])
    assert not compute.intervals_agree([(1, 2), (2.5, 4)])
    assert compute.spans_overlap((1, 2), (2, 3)) and compute.spans_overlap((2, 3), (1, 2))
    assert not compute.spans_overlap((1, 2), (2.1, 3)) and not compute.spans_overlap((2.1, 3), (1, 2))


def test_safe_divide_gives_nan_for_a_zero_or_missing_divisor() -> None:
    assert same(compute.safe_divide(np.array([6.0, 6.0, 6.0, -6.0]), np.array([3.0, 0.0, NAN, 4.0])), [2.0, NAN, NAN, -1.5])


def test_rank_orders_best_first_either_way_and_missing_last_as_zero() -> None:
    values = np.array([3.0, NAN, 5.0, 1.0])
    assert compute.rank(values, True).tolist() == [2, 0, 1, 3]
    assert compute.rank(values, False).tolist() == [2, 0, 3, 1]


def test_cards_for_a_target_divide_by_utilization_and_round_up() -> None:
    assert compute.cards_for_target(1.0, 100.0) == 10
    assert compute.cards_for_target(1.0, 100.0, utilization=0.5) == 20
    assert compute.cards_for_target(1.0, 100.0, p_base=1024) == 11
    assert compute.cards_for_target(1.0, 300.0) == 4  # 3.33 cards: four


def test_servers_for_a_target_and_for_cards_round_up() -> None:
    assert compute.servers_for_target(10.0, 2.5) == 4
    assert compute.servers_for_target(10.0, 3.0) == 4
    assert compute.servers_for_target(1.0, 1.0, p_base=1024) == 2
    assert compute.servers_for_cards(17, 8) == 3 and compute.servers_for_cards(16, 8) == 2


def test_aggregate_sums_count_times_value() -> None:
    assert compute.aggregate(np.array([2.0, 3.0]), np.array([4, 5])) == 23.0


def test_training_cost_follows_six_n_d_over_cards_and_utilization() -> None:
    assert compute.training_flop(2.0, 3.0) == 36.0
    run = compute.estimate_training(1e9, 1e12, cards=100, card_tflops=100.0, mfu=0.5, price_per_gpu_hour=2.0)
    seconds = 6e21 / (100 * 100e12 * 0.5)
    assert run == compute.TrainingEstimate(6e21, seconds / 86400, 100 * seconds / 3600, 200 * seconds / 3600)
    assert compute.estimate_training(1e9, 1e12, 100, 100.0, 0.5).cost is None


def test_implied_mfu_is_work_over_peak_work_in_the_time() -> None:
    assert same(compute.implied_mfu(8.64e18, 10, 10.0, [1.0, 2.0]), [1.0, 0.5])
    assert same(compute.gpu_hour_cost([10.0, 20.0], 2.0), [20.0, 40.0])


def test_memory_for_weights_and_cards_to_hold_them() -> None:
    assert compute.weights_memory_gb(7e9, 2.0) == 14.0
    assert compute.cards_for_memory(14.0, 8.0) == 2 and compute.cards_for_memory(16.0, 8.0) == 2
    assert compute.cards_for_memory(0.0, 8.0) == 1
    assert compute.BYTES_PER_PARAMETER == {
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


def test_growth_is_positive_for_a_rise_and_negative_for_a_fall_on_both_ends() -> None:
    assert same(compute.growth(np.array([100.0, 100.0]), np.array([150.0, 80.0])), [50.0, -20.0])
    assert same(compute.growth(0.0, 5.0), NAN)


def test_cagr_compounds_over_the_years_and_needs_the_end_after_the_start() -> None:
    assert same(compute.cagr(100.0, 121.0, 2), 10.0)
    assert same(compute.cagr(100.0, 110.0, 1), 10.0)  # one year apart: the year-on-year growth
    assert same(compute.cagr(100.0, 150.0, 0.5), 125.0)
    assert same(compute.cagr(np.array([100.0, 100.0]), np.array([100.0, 81.0]), 2.0), [0.0, -10.0])
    for years in (0, -1):
        with pytest.raises(ValueError, match="a CAGR needs the end period after the start period"):
            compute.cagr(1.0, 2.0, years)
    assert same(compute.cagr(100.0, -50.0, 2), NAN)


def test_tidy_rounds_to_significant_digits_and_drops_what_is_not_finite() -> None:
    assert compute.tidy(1600.0000000000002) == 1600.0
    assert compute.tidy(0.123456789) == 0.123457
    assert compute.tidy(-987654321.0, digits=3) == -988000000.0
    assert compute.tidy(0.0) == 0.0 and compute.tidy(None) is None
    assert compute.tidy(math.nan) is None and compute.tidy(math.inf) is None


def test_interval_arithmetic_keeps_both_ends() -> None:
    assert compute.interval_scale(2.0, 3.0, 4) == (8.0, 12.0)
    assert compute.interval_divide((10.0, 20.0), (2.0, 5.0)) == (2.0, 10.0)
    assert all(math.isnan(x) for x in compute.interval_divide((1.0, 2.0), (0.0, 1.0)))
    assert all(math.isnan(x) for x in compute.interval_divide((1.0, 2.0), (1.0, math.inf)))
    got = compute.intervals_divided([(10.0, 20.0), (1.0, 1.0), (3.0, 3.0)], [(2.0, 5.0), (0.0, 1.0), (1.0, NAN)])
    assert got[0] == (2.0, 10.0) and all(math.isnan(x) for x in (*got[1], *got[2]))
    assert compute.interval_sum_of_products([1.0, 10.0], [2.0, 20.0], [3, 4]) == (43.0, 86.0)


def test_dominance_rank_ties_overlapping_intervals_and_ranks_missing_zero() -> None:
    lows, highs = [10.0, 5.0, 6.0, NAN, 1.0], [12.0, 7.0, 8.0, NAN, 2.0]
    assert compute.dominance_rank(lows, highs, True) == [1, 2, 2, 0, 4]
    assert compute.dominance_rank(lows, highs, False) == [4, 2, 2, 0, 1]
    assert compute.dominance_rank([1.0, 2.0], [2.0, 3.0], True) == [1, 1]  # touching ends tie


def test_dominance_rank_counts_for_each_row_the_rows_whose_whole_interval_beats_it() -> None:
    """Against the rule written as a matrix (row i beats row j when i's interval lies wholly on the better
    side of j's; missing rows rank 0 and beat no one), over random comparisons of up to 20 rows with shared
    ends, ties, missing ends and infinities."""
    rng = np.random.default_rng(24)
    for _ in range(400):
        n = int(rng.integers(1, 21))
        lows = rng.choice([1.0, 2.0, 3.0, 4.0, 5.0, NAN, math.inf], size=n, p=[0.18] * 5 + [0.07, 0.03])
        highs = lows + rng.choice([0.0, 1.0, 2.0], size=n)
        lows[rng.random(n) < 0.05] = NAN  # a row missing only one end
        present = np.isfinite(lows) & np.isfinite(highs)
        for higher in (True, False):
            better = lows[:, None] > highs[None, :] if higher else highs[:, None] < lows[None, :]
            better &= present[:, None] & present[None, :]
            expected = np.where(present, 1 + better.sum(axis=0), 0).tolist()
            assert compute.dominance_rank(lows.tolist(), highs.tolist(), higher) == expected


def test_dominance_rank_refuses_lows_and_highs_of_different_lengths() -> None:
    # A row without its other end is a caller's error, not a row to drop from the ranks.
    with pytest.raises(ValueError, match=r"zip\(\) argument 2 is shorter than argument 1"):
        compute.dominance_rank([1.0, 2.0], [3.0], True)
    with pytest.raises(ValueError, match=r"zip\(\) argument 2 is longer than argument 1"):
        compute.dominance_rank([1.0], [3.0, 4.0], False)


def test_total_and_spread_skip_missing_values() -> None:
    assert compute.total([1.0, None, 2.5]) == 3.5 and compute.total([None, None]) is None
    assert compute.spread([2.0, None, 8.0, -1.0, 0.0]) == 4.0
    assert compute.spread([2.0, None]) is None
    assert compute.spread([0.5, 2.0]) == 4.0


def test_sort_order_is_stable_either_way() -> None:
    keys = np.array([2.0, 1.0, 2.0, 3.0])
    assert compute.sort_order(keys, descending=True) == [3, 0, 2, 1]
    assert compute.sort_order(keys, descending=False) == [1, 0, 2, 3]


def test_masks_positions_and_ranks() -> None:
    assert compute.flags([True, False]).tolist() == [True, False]
    assert compute.mask(4, [0, 2]).tolist() == [True, False, True, False]
    assert compute.positions(np.array([False, True, True])).tolist() == [1, 2]
    assert compute.ranks_of([2, 0, 1]).tolist() == [1.0, 2.0, 0.0]


@pytest.mark.parametrize(
    ("op", "expected"),
    [
        (">", [False, False, True]),
        (">=", [False, True, True]),
        ("<", [True, False, False]),
        ("<=", [True, True, False]),
        ("=", [False, True, False]),
        ("!=", [True, False, True]),
    ],
)
def test_an_interval_condition_tests_the_whole_interval(op: str, expected: list[bool]) -> None:
    lows, highs = np.array([1.0, 4.0, 6.0]), np.array([4.0, 6.0, 8.0])
    value = {">": 4.0, ">=": 4.0, "<": 6.0, "<=": 6.0, "=": 5.0, "!=": 5.0}[op]
    assert compute.interval_holds(lows, highs, op, value).tolist() == expected


def test_an_unknown_interval_condition_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown comparison '~'"):
        compute.interval_holds(np.array([1.0]), np.array([2.0]), "~", 1.0)


def test_tpp_is_compute_times_bits_and_a_sparse_figure_counts_half() -> None:
    assert compute.total_processing_performance(100.0, 200.0, 16) == (1600.0, 3200.0)
    assert compute.total_processing_performance(100.0, 200.0, 16, sparse=True) == (800.0, 1600.0)
    assert compute.interval_max([(1.0, 5.0), (2.0, 3.0)]) == (2.0, 5.0)


@pytest.mark.parametrize(
    ("low", "high", "op", "threshold", "expected"),
    [
        (5.0, 6.0, ">", 4.0, True),
        (4.0, 6.0, ">", 4.0, None),
        (1.0, 2.0, ">", 4.0, False),
        (4.0, 6.0, ">=", 4.0, True),
        (3.0, 6.0, ">=", 4.0, None),
        (1.0, 3.0, "<", 4.0, True),
        (1.0, 4.0, "<", 4.0, None),
        (1.0, 4.0, "<=", 4.0, True),
        (1.0, 5.0, "<=", 4.0, None),
        (5.0, 6.0, "<=", 4.0, False),
        (None, 6.0, ">", 4.0, None),
        (5.0, None, ">", 4.0, None),
        (NAN, 6.0, ">", 4.0, None),
        (5.0, NAN, ">", 4.0, None),
        (NAN, 6.0, "<", 4.0, None),
        (2.0, NAN, ">", 4.0, None),
    ],
)
def test_holds_is_true_for_all_false_for_none_and_unknown_between(low, high, op, threshold, expected) -> None:
    assert compute.holds(low, high, op, threshold) is expected


def test_three_valued_and_and_or() -> None:
    assert [compute.all_hold(r) for r in ([True, True], [True, None], [None, False], [])] == [True, None, False, True]
    assert [compute.any_holds(r) for r in ([False, False], [False, None], [None, True], [])] == [False, None, True, False]


def test_headroom_gives_difference_and_ratio_of_both_ends() -> None:
    assert compute.headroom(3000.0, 6000.0, 4800.0) == ((-1800.0, 1200.0), (0.625, 1.25))


def test_a_reported_interval_against_a_derived_one() -> None:
    assert compute.interval_versus((100.0, 100.0), (90.0, 95.0)) == ((5.0, 10.0), (100 / 95, 100 / 90), False)
    assert compute.interval_versus((100.0, 100.0), (98.5, 99.0)) == ((1.0, 1.5), (100 / 99, 100 / 98.5), True)
    assert compute.interval_versus((90.0, 90.0), (91.0, 92.0))[2] is True
    assert compute.interval_versus((90.0, 90.0), (93.0, 94.0))[2] is False
    assert compute.interval_versus((100.0, 100.0), (95.0, 95.0), agree_within=0.06)[2] is True
    assert compute.interval_versus((2.0, 2.0), (1.0, 1.0), agree_within=1.0)[2] is True  # exactly at the upper edge
    assert compute.interval_versus((0.5, 0.5), (1.0, 1.0), agree_within=0.5)[2] is True  # exactly at the lower edge


def test_wall_clock_days_and_overhead() -> None:
    assert compute.wall_clock_days(480.0, 10) == 2.0
    assert compute.overhead_between(130.0, 100.0) == pytest.approx(0.3)
    assert (compute.HOURS_PER_DAY, compute.DAYS_PER_YEAR) == (24.0, 365.0)


def test_servers_needed_from_a_card_figure_or_a_server_figure() -> None:
    assert compute.servers_needed(1.0, 1000, 8, card_tflops=100.0) == (10, 2)
    assert compute.servers_needed(1.0, 1000, 8, utilization=0.5, card_tflops=100.0) == (20, 3)
    assert compute.servers_needed(10.0, 1000, 8, server_tflops=2500.0) == (32, 4)
    assert compute.servers_needed(1.0, 1024, 8, server_tflops=512.0) == (16, 2)


@pytest.mark.parametrize(
    ("value", "printed", "bound", "computed", "agrees"),
    [
        (91.0, "91%", None, (90.6, 90.6), True),
        (91.0, "91%", None, (90.4, 90.4), False),
        (91.0, "91%", None, (91.6, 91.6), False),
        (100.0, "约100", "approx", (104.0, 104.0), True),
        (100.0, "100.0", None, (104.0, 104.0), False),
        (5.0, "5", None, (4.0, 6.0), True),
        (5.0, "5", None, (5.6, 7.0), False),
        (5.0, "5", None, (3.0, 4.4), False),
    ],
)
def test_printed_agrees_within_printed_rounding_or_the_bound(value, printed, bound, computed, agrees) -> None:
    assert compute.printed_agrees(value, printed, bound, computed) is agrees


# --- the float-noise guards, each at its edge: a guard wider than stated would merge distinct figures ----------


def test_spans_agree_within_one_part_in_a_billion_and_one_trillionth_absolute() -> None:
    assert compute.spans_agree((1.0, 1.0), (1.0 + 0.5e-9, 1.0 + 0.5e-9))
    assert not compute.spans_agree((1.0, 1.0), (1.0 + 1.5e-9, 1.0 + 1.5e-9))
    assert compute.spans_agree((0.0, 0.0), (0.5e-12, 0.5e-12))
    assert not compute.spans_agree((0.0, 0.0), (1.5e-12, 1.5e-12))


def test_a_printed_number_equals_the_value_only_within_one_part_in_a_billion() -> None:
    assert compute.printed_decimals("2664.000", 2664.0000004) == 3  # 1.5e-10 apart: the printed number
    assert compute.printed_decimals("2664.000", 2664.000004) == 6  # 1.5e-9 apart: the value's own decimals
    assert compute.printed_decimals("0.0000000000015", 0.0) == 0  # 1.5e-12 from zero is not zero


def test_only_a_single_comma_not_before_three_digits_is_a_decimal_comma() -> None:
    assert compute.printed_decimals("12,34,5", 2.5) == 1  # two commas: grouping, never '12.34.5'


def test_spans_agree_within_the_tolerance_with_a_billionth_of_it_and_a_trillionth_to_spare() -> None:
    assert compute.spans_agree_within((1e-12, 1e-12), (0.0, 0.0), 0.0)
    assert not compute.spans_agree_within((1.5e-12, 1.5e-12), (0.0, 0.0), 0.0)
    assert not compute.spans_agree_within((0.0, 0.0), (1.0 + 1.5e-9, 0.0), 1.0)


@pytest.mark.parametrize(
    ("a", "b", "tolerance_a", "tolerance_b", "k"),
    [
        (0.0, 5.0, 0.05, 0.5, 0),
        (0.0, -5.0, 0.05, 0.5, 0),
        (-5.0, 0.0, 0.5, 0.05, 0),
        (-2.64, 26.4, 0.005, 0.05, 0),  # opposite signs
        (-2.64, -26.4, 0.005, 0.05, 1),
        (0.5, 5.0, 0.05, 0.5, 1),  # below one
        (0.05, 0.5, 0.005, 0.05, 1),
        (1.0, 10.0, 0.5, 5.0, 1),
        (26.4, 264.7, 0.05, 5.0, 0),  # 0.7 off: beyond 26.4's rounding scaled (0.5), though within 264.7's (5)
        (1.0, 11.0000000005, 0.1, 1.0, 1),  # 1.0000000005 off, within 1 × (1 + 1e-9)
        (1.0, 11.0000000015, 0.1, 1.0, 0),
        (1.0, 10.0000000000015, 0.0, 0.0, 0),  # 1.5e-12 off with no rounding at all
        (2e-13, 1e-12, 0.0, 0.0, 1),  # 2e-12 and 1e-12: exactly the trillionth the guard allows
    ],
)
def test_power_of_ten_apart_needs_nonzero_values_of_one_sign_within_the_finer_rounding(
    a: float, b: float, tolerance_a: float, tolerance_b: float, k: int
) -> None:
    assert compute.power_of_ten_apart(a, b, tolerance_a, tolerance_b) == k


def test_counts_of_cards_and_servers_round_float_noise_below_a_billionth_away_but_not_more() -> None:
    assert compute.cards_for_target(0.0030000000004, 1.0) == 3  # 3.0000000004 cards: noise
    assert compute.cards_for_target(0.003000000004, 1.0) == 4  # 3.000000004 cards: a fourth is needed
    assert compute.servers_for_target(3.0000000004, 1.0) == 3
    assert compute.servers_for_target(3.000000004, 1.0) == 4
    assert compute.cards_for_memory(3.0000000004, 1.0) == 3
    assert compute.cards_for_memory(3.000000004, 1.0) == 4


def test_interval_divide_takes_any_positive_divisor_even_below_one() -> None:
    assert compute.interval_divide((1.0, 2.0), (0.5, 0.8)) == (1.25, 4.0)


def test_when_lower_is_better_touching_ends_tie_too() -> None:
    assert compute.dominance_rank([1.0, 2.0], [2.0, 3.0], False) == [1, 1]


@pytest.mark.parametrize("value", [2.0, 3.0])
def test_equal_holds_at_either_end_of_the_interval(value: float) -> None:
    assert compute.interval_holds(np.array([2.0]), np.array([3.0]), "=", value).tolist() == [True]


@pytest.mark.parametrize(
    ("op", "value", "expected"),
    [
        # [1, 4], [4, 6], [6, 8] and the single value [5, 5]: some point of each passes, at the ends too
        (">", 6.0, [False, False, True, False]),
        (">=", 6.0, [False, True, True, False]),
        ("<", 4.0, [True, False, False, False]),
        ("<=", 4.0, [True, True, False, False]),
        ("=", 4.0, [True, True, False, False]),
        ("=", 6.0, [False, True, True, False]),
        ("!=", 5.0, [True, True, True, False]),
    ],
)
def test_an_interval_condition_may_hold_for_some_point_of_the_interval(op: str, value: float, expected: list[bool]) -> None:
    lows, highs = np.array([1.0, 4.0, 6.0, 5.0]), np.array([4.0, 6.0, 8.0, 5.0])
    assert compute.interval_may_hold(lows, highs, op, value).tolist() == expected


def test_interval_versus_takes_each_end_of_a_derived_range() -> None:
    # reported [10, 12] - derived [8, 9] is [1, 4]; 9.5 agrees with [10, 20] within 10% of its low end only.
    assert compute.interval_versus((10.0, 12.0), (8.0, 9.0))[0] == (1.0, 4.0)
    assert compute.interval_versus((9.5, 9.5), (10.0, 20.0), agree_within=0.1)[2] is True
    assert compute.interval_versus((5.0, 30.0), (10.0, 20.0))[2] is True  # a reported range agrees where it overlaps


@pytest.mark.parametrize(
    ("computed", "bound", "agrees"),
    [
        ((100.5 + 2.5e-10, 101.0), None, True),  # '100' covers 99.5–100.5, with a billionth of 0.5 to spare
        ((100.5 + 7.5e-10, 101.0), None, False),
        ((99.0, 99.5 - 2.5e-10), None, True),
        ((99.0, 99.5 - 7.5e-10), None, False),
        ((94.0, 94.0), "approx", False),  # '约100' covers 95–105, not 94
        ((95.5, 95.5), "approx", True),
    ],
)
def test_a_printed_100_agrees_within_its_rounding_to_a_billionth_and_约_within_five_percent(computed, bound, agrees) -> None:
    assert compute.printed_agrees(100.0, "100", bound, computed) is agrees


def test_a_printed_zero_agrees_with_exactly_zero() -> None:
    assert compute.printed_agrees(0.0, "0", None, (0.0, 0.0)) is True  # no rounding: both ends inclusive


@pytest.mark.parametrize(
    ("ends", "from_unit", "to_unit", "p_base", "expected"),
    [
        ((2.0, 3.0), "PFLOPS", "TFLOPS", 1000, (2000.0, 3000.0)),
        ((2.0, 3.0), "PFLOPS", "TFLOPS", 1024, (2048.0, 3072.0)),
        ((1500.0, None), "TFLOPS", "PFLOPS", 1000, (1.5, NAN)),
        ((None, 64.0), "GB", "TB", 1000, (NAN, 0.064)),
        ((700.0, 1000.0), "W", "kW", 1000, (0.7, 1.0)),
    ],
)
def test_convert_ends_gives_the_array_forms_ends_as_floats_nan_for_a_missing_one(ends, from_unit, to_unit, p_base, expected) -> None:
    got = compute.convert_ends(*ends, from_unit, to_unit, p_base)
    assert all(type(end) is float for end in got)
    assert same(got, expected) and same(got, compute.convert(list(ends), from_unit, to_unit, p_base))


def test_convert_ends_reads_p_as_a_thousand_t_unless_told() -> None:
    assert compute.convert_ends(1.0, 2.0, "PFLOPS", "TFLOPS") == (1000.0, 2000.0)


def test_convert_ends_refuses_another_dimension_or_another_currency_naming_both_units() -> None:
    with pytest.raises(ValueError, match=r"cannot convert GB \(bytes\) to W \(power\)"):
        compute.convert_ends(1.0, 2.0, "GB", "W")
    with pytest.raises(ValueError, match="亿元 and 亿美元 are different currencies"):
        compute.convert_ends(1.0, 2.0, "亿元", "亿美元")


@pytest.mark.parametrize(
    ("ends", "from_unit", "to_unit", "expected"),
    [((3.0, 4.0), "亿元", "万元", (30000.0, 40000.0)), ((None, 250.0), "万元", "亿元", (NAN, 0.025))],
)
def test_convert_money_ends_gives_the_array_forms_two_ends_within_one_currency(ends, from_unit, to_unit, expected) -> None:
    got = compute.convert_money_ends(*ends, from_unit, to_unit)
    assert same(got, expected) and same(got, compute.convert_money(list(ends), from_unit, to_unit))


def test_convert_money_ends_refuses_what_is_not_money_on_either_side_and_a_change_of_currency() -> None:
    for pair in (("GB", "亿元"), ("亿元", "GB")):
        with pytest.raises(ValueError, match="convert_money takes money units"):
            compute.convert_money_ends(1.0, 2.0, *pair)
    with pytest.raises(ValueError, match="converting CNY to USD needs a positive exchange rate"):
        compute.convert_money_ends(1.0, 2.0, "亿元", "亿美元")


def test_interval_divide_is_nan_when_the_divisor_may_be_zero_at_either_end() -> None:
    assert same(compute.interval_divide((1.0, 2.0), (0.0, 4.0)), (NAN, NAN))
    assert same(compute.interval_divide((1.0, 2.0), (-1.0, 4.0)), (NAN, NAN))
    assert same(compute.interval_divide((1.0, 2.0), (2.0, 0.0)), (NAN, NAN))
    assert compute.interval_divide((1.0, 2.0), (2.0, 4.0)) == (0.25, 1.0)


# --- the array forms of bulk catalog columns (chipmcp.reasoning.bulk_cells) ----------------------------------


def test_nans_gives_that_many_missing_figures_and_none_for_zero() -> None:
    assert same(compute.nans(3), [NAN, NAN, NAN])
    assert compute.nans(0).shape == (0,)


def test_floats_reads_none_as_nan_and_keeps_an_empty_column_one_dimensional() -> None:
    assert same(compute.floats([1, None, 2.5]), [1.0, NAN, 2.5])
    assert compute.floats([]).shape == (0,) and compute.floats([None]).shape == (1,)


def test_among_marks_the_labels_that_are_one_of_those_wanted() -> None:
    vendors = compute.labels(["huawei", "nvidia", "cambricon", "huawei"])
    assert vendors.shape == (4,) and compute.labels([]).shape == (0,)
    assert compute.among(vendors, ["huawei", "kunlunxin"]).tolist() == [True, False, False, True]
    assert compute.among(vendors, []).tolist() == [False, False, False, False]
    assert compute.among(compute.labels(["华为", "寒武纪"]), ["寒武纪"]).tolist() == [False, True]


@pytest.mark.parametrize(
    ("from_unit", "to_unit", "p_base"),
    [("PFLOPS", "TFLOPS", 1000), ("PFLOPS", "TFLOPS", 1024), ("TFLOPS", "PFLOPS", 1000), ("GB", "TB", 1000), ("W", "kW", 1000)],
)
def test_convert_ends_all_gives_convert_ends_of_each_figure_exactly(from_unit: str, to_unit: str, p_base: int) -> None:
    lows, highs = [2.0, None, 1500.0, 0.3], [3.0, 64.0, None, 0.7]
    got_low, got_high = compute.convert_ends_all(compute.floats(lows), compute.floats(highs), from_unit, to_unit, p_base)
    one_by_one = [compute.convert_ends(lo, hi, from_unit, to_unit, p_base) for lo, hi in zip(lows, highs, strict=True)]
    assert np.array_equal(got_low, [e[0] for e in one_by_one], equal_nan=True)
    assert np.array_equal(got_high, [e[1] for e in one_by_one], equal_nan=True)


def test_convert_ends_all_multiplies_both_ends_by_the_p_convention() -> None:
    low, high = compute.convert_ends_all(np.array([2.0, NAN]), np.array([3.0, 5.0]), "PFLOPS", "TFLOPS")
    assert same(low, [2000.0, NAN]) and same(high, [3000.0, 5000.0])
    low, high = compute.convert_ends_all(np.array([2.0]), np.array([3.0]), "PFLOPS", "TFLOPS", 1024)
    assert same(low, [2048.0]) and same(high, [3072.0])


def test_convert_ends_all_refuses_what_convert_ends_refuses() -> None:
    with pytest.raises(ValueError, match=r"cannot convert GB \(bytes\) to W \(power\)"):
        compute.convert_ends_all(np.array([1.0]), np.array([2.0]), "GB", "W")
    with pytest.raises(ValueError, match="亿元 and 亿美元 are different currencies"):
        compute.convert_ends_all(np.array([1.0]), np.array([2.0]), "亿元", "亿美元")


@pytest.mark.parametrize(("from_unit", "to_unit"), [("亿元", "万元"), ("万元", "亿元"), ("元", "亿元"), ("百万美元", "亿美元")])
def test_convert_money_ends_all_gives_convert_money_ends_of_each_figure_exactly(from_unit: str, to_unit: str) -> None:
    lows, highs = [3.0, None, 250.0, 0.7], [4.0, 1.1, None, 0.9]
    got_low, got_high = compute.convert_money_ends_all(compute.floats(lows), compute.floats(highs), from_unit, to_unit)
    one_by_one = [compute.convert_money_ends(lo, hi, from_unit, to_unit) for lo, hi in zip(lows, highs, strict=True)]
    assert np.array_equal(got_low, [e[0] for e in one_by_one], equal_nan=True)
    assert np.array_equal(got_high, [e[1] for e in one_by_one], equal_nan=True)


def test_convert_money_ends_all_scales_both_ends_within_one_currency() -> None:
    low, high = compute.convert_money_ends_all(np.array([3.0, NAN]), np.array([4.0, 250.0]), "亿元", "万元")
    assert same(low, [30000.0, NAN]) and same(high, [40000.0, 2500000.0])
    low, high = compute.convert_money_ends_all(np.array([250.0]), np.array([500.0]), "万元", "亿元")
    assert same(low, [0.025]) and same(high, [0.05])


def test_convert_money_ends_all_refuses_what_is_not_money_and_a_change_of_currency() -> None:
    with pytest.raises(ValueError, match="convert_money takes money units"):
        compute.convert_money_ends_all(np.array([1.0]), np.array([2.0]), "GB", "亿元")
    with pytest.raises(ValueError, match="converting CNY to USD needs a positive exchange rate"):
        compute.convert_money_ends_all(np.array([1.0]), np.array([2.0]), "亿元", "亿美元")


def test_tidy_all_is_tidy_of_every_value_six_digits_unless_told_nan_for_what_is_not_finite() -> None:
    values = np.array([1600.0000000000002, NAN, math.inf, 0.0, -0.000123456789, 1.2345678, 1600.0000000000002, -math.inf])
    assert np.array_equal(compute.tidy_all(values), [1600.0, NAN, NAN, 0.0, -0.000123457, 1.23457, 1600.0, NAN], equal_nan=True)
    assert np.array_equal(compute.tidy_all(values, 3), [1600.0, NAN, NAN, 0.0, -0.000123, 1.23, 1600.0, NAN], equal_nan=True)
    expected = [compute.tidy(float(v)) for v in values]
    assert np.array_equal(compute.tidy_all(values), [NAN if e is None else e for e in expected], equal_nan=True)
    assert compute.tidy_all(np.array([])).shape == (0,)


def test_any_positive_need_takes_at_least_one_card_or_server_however_small() -> None:
    assert compute.cards_for_target(1e-12, 376.0) == 1  # the billionth rounding guard must not reach zero
    assert compute.servers_for_target(1e-12, 3.0) == 1
    assert compute.cards_for_memory(1e-12, 64.0) == 1
    assert compute.servers_needed(1e-12, 1000, 8, card_tflops=376.0) == (1, 1)


def test_days_at_an_mfu_is_the_inverse_of_the_implied_mfu() -> None:
    days = compute.days_at_mfu(2.15e25, 1000, 376.0, 1.0)
    assert days == pytest.approx(2.15e25 / (1000 * 376e12) / 86400)
    assert float(compute.implied_mfu(2.15e25, 1000, 376.0, days)) == pytest.approx(1.0)
    assert compute.days_at_mfu(2.15e25, 1000, 376.0, 0.5) == pytest.approx(2 * days)
