"""The unit vocabulary against its golden table (tests/golden/units.toml): every unit's dimension, amount of
the base unit and currency, and every precision's bit length."""

from __future__ import annotations

import math
import tomllib

import pytest

from chipmcp.core import compute, units
from conftest import ROOT

GOLDEN = tomllib.loads((ROOT / "tests" / "golden" / "units.toml").read_text(encoding="utf-8"))
BY_SYMBOL = {row["symbol"]: row for row in GOLDEN["unit"]}


def test_the_golden_table_lists_exactly_the_units_of_the_vocabulary() -> None:
    assert sorted(BY_SYMBOL) == sorted(units.UNITS)


@pytest.mark.parametrize("symbol", sorted(BY_SYMBOL))
def test_each_unit_has_its_dimension_base_amount_and_currency(symbol: str) -> None:
    unit, row = units.UNITS[symbol], BY_SYMBOL[symbol]
    assert (unit.symbol, unit.dimension, unit.currency) == (symbol, row["dimension"], row.get("currency"))
    assert math.isclose(unit.factor, row["base_amount"], rel_tol=1e-12)


def test_dimensions_are_those_of_the_units_and_text() -> None:
    assert {row["dimension"] for row in GOLDEN["unit"]} | {"text"} == units.DIMENSIONS


def test_each_precision_has_its_bit_length_in_the_order_answers_list_them() -> None:
    assert GOLDEN["precision_bits"] == units.PRECISION_BITS
    assert list(units.PRECISIONS) == list(GOLDEN["precision_bits"])


@pytest.mark.parametrize(
    ("amount", "source", "target", "expected"),
    [
        (1, "Tbps", "GB/s", 125.0),
        (8, "Gbps", "MB/s", 1000.0),
        (2, "MWh", "kWh", 2000.0),
        (3, "亿元", "万元", 3e4),
        (1, "十亿美元", "亿美元", 10.0),
        (1, "day", "hour", 24.0),
        (1, "year", "day", 365.0),
        (3600, "s", "hour", 1.0),
        (1.5, "GHz", "MHz", 1500.0),
        (1, "万GPU-hour", "K GPU-hour", 10.0),
        (2, "万台", "台", 2e4),
        (1, "亿港元", "港元", 1e8),
    ],
)
def test_conversions_within_a_dimension_follow_the_factors(amount: float, source: str, target: str, expected: float) -> None:
    assert math.isclose(float(compute.convert(amount, source, target)), expected, rel_tol=1e-12)


def test_the_vocabularies_of_sparsity_engine_and_bound() -> None:
    assert (units.SPARSITIES, units.ENGINES) == (("dense", "sparse"), ("vector", "tensor"))
    assert units.BOUNDS == ("approx", "over", "at_least", "at_most", "under")


@pytest.mark.parametrize(
    ("dimension", "printed", "stored"),
    [
        ("compute", "FLOP/s", "TFLOPS"),
        ("compute", "flop/s", "TFLOPS"),
        ("compute", "OP/s", "TOPS"),
        ("bytes", "byte", "GB"),
        ("bandwidth", "byte/s", "GB/s"),
        ("area", "mm^2", "mm²"),
        ("price", "USD", "USD"),
    ],
)
def test_a_dataset_column_is_stored_in_its_dimensions_unit_with_integer_operations_in_tops(
    dimension: str, printed: str, stored: str
) -> None:
    assert units.dataset_unit(dimension, printed) == stored
