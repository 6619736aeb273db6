"""The unit vocabulary: every unit a figure may carry, its dimension and its factor to the base unit.

Pure data, no I/O. `chipmcp build` rejects a unit missing here; the compute core converts with these
factors. Base units: FLOP/s, byte, byte/s, W, J·3.6e6 (kWh), m·1e-9 (nm), Hz·1e6 (MHz), one unit of
the currency, one item, percent, one hour, FLOP.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args


@dataclass(frozen=True, slots=True)
class Unit:
    symbol: str
    dimension: str
    factor: float  # multiply a value in this unit by `factor` to get the dimension's base unit
    currency: str | None = None


def _units(dimension: str, factors: dict[str, float], currency: str | None = None) -> list[Unit]:
    return [Unit(symbol, dimension, factor, currency) for symbol, factor in factors.items()]


_ALL: list[Unit] = [
    # compute: FLOPS and OPS share a dimension; the figure's precision says which it is.
    *_units(
        "compute",
        {
            "GFLOPS": 1e9,
            "TFLOPS": 1e12,
            "PFLOPS": 1e15,
            "EFLOPS": 1e18,
            "GOPS": 1e9,
            "TOPS": 1e12,
            "POPS": 1e15,
            "EOPS": 1e18,
            "FLOP/s": 1.0,
            "OP/s": 1.0,
        },
    ),  # as a dataset prints them (Epoch AI's SI columns)
    *_units("bytes", {"byte": 1.0, "KB": 1e3, "MB": 1e6, "GB": 1e9, "TB": 1e12, "PB": 1e15}),
    *_units(
        "bandwidth",
        {"byte/s": 1.0, "bit/s": 0.125, "MB/s": 1e6, "GB/s": 1e9, "TB/s": 1e12, "PB/s": 1e15, "Gbps": 1.25e8, "Tbps": 1.25e11},
    ),
    *_units("power", {"W": 1.0, "kW": 1e3, "MW": 1e6}),
    *_units("energy", {"kWh": 1.0, "MWh": 1e3, "GWh": 1e6}),
    *_units("power_per_compute", {"W/TFLOPS": 1.0}),
    *_units("compute_per_power", {"TFLOPS/W": 1.0, "TOPS/W": 1.0}),
    *_units("power_per_bandwidth", {"W/(TB/s)": 1.0}),
    *_units("power_per_capacity", {"kW/TB": 1.0}),
    *_units("length", {"nm": 1.0}),
    *_units("area", {"mm²": 1.0, "mm^2": 1.0}),
    *_units("frequency", {"MHz": 1.0, "GHz": 1e3}),
    *_units("money", {"元": 1.0, "万元": 1e4, "百万元": 1e6, "亿元": 1e8, "万亿元": 1e12}, "CNY"),
    *_units(
        "money", {"美元": 1.0, "万美元": 1e4, "百万美元": 1e6, "亿美元": 1e8, "十亿美元": 1e9, "万亿美元": 1e12, "USD": 1.0}, "USD"
    ),
    *_units("money", {"港元": 1.0, "亿港元": 1e8}, "HKD"),
    *_units("money", {"新台币": 1.0, "亿新台币": 1e8}, "TWD"),
    *_units(
        "count",
        {
            "count": 1.0,
            "thousand": 1e3,
            "million": 1e6,
            "billion": 1e9,
            "trillion": 1e12,
            "万": 1e4,
            "亿": 1e8,
            "台": 1.0,
            "万台": 1e4,
            "张": 1.0,
            "万张": 1e4,
            "颗": 1.0,
            "万颗": 1e4,
            "片": 1.0,
            "万片": 1e4,
            "个": 1.0,
            "人": 1.0,
            "万亿": 1e12,
            "bit": 1.0,
        },
    ),
    *_units("percent", {"%": 1.0, "pp": 1.0}),
    *_units("ratio", {"x": 1.0}),
    *_units("time", {"ms": 1 / 3.6e6, "s": 1 / 3600, "hour": 1.0, "day": 24.0, "month": 730.0, "year": 8760.0}),
    *_units("gpu_time", {"GPU-hour": 1.0, "K GPU-hour": 1e3, "M GPU-hour": 1e6, "万GPU-hour": 1e4}),
    *_units("throughput", {"tokens/s": 1.0}),
    *_units("flop", {"FLOP": 1.0}),
]

UNITS: dict[str, Unit] = {unit.symbol: unit for unit in _ALL}
# The unit a dataset's cell is converted to when its column prints another one (Epoch's 1.979e15 FLOP/s is
# stored as 1979 TFLOPS, as the reports print it); a dimension not listed keeps the column's own unit.
DATASET_UNITS: dict[str, str] = {"compute": "TFLOPS", "bytes": "GB", "bandwidth": "GB/s", "area": "mm²"}


def dataset_unit(dimension: str, printed: str) -> str:
    """The unit a dataset's cell in `printed` units is stored in: integer operations stay operations (Epoch's
    INT8 'OP/s' is stored in TOPS, as the reports print INT8), floating point goes to TFLOPS."""
    unit = DATASET_UNITS.get(dimension, printed)
    if unit == "TFLOPS" and "FLOP" not in printed.upper():
        return "TOPS"
    return unit


DIMENSIONS: frozenset[str] = frozenset(unit.dimension for unit in _ALL) | {"text"}
# The one list of precisions: figures may carry them, tools accept them (server.py derives its argument
# type from it), and answers list them in this order.
Precision = Literal["fp64", "fp32", "tf32", "fp16", "bf16", "fp8", "fp6", "fp4", "int16", "int8", "int4"]
PRECISIONS: tuple[str, ...] = get_args(Precision)
Sparsity = Literal["dense", "sparse"]
SPARSITIES: tuple[str, ...] = get_args(Sparsity)
# Which part of a chip a compute figure is for, when a report prints both (vector units vs matrix/tensor cores).
Engine = Literal["vector", "tensor"]
ENGINES: tuple[str, ...] = get_args(Engine)
Bound = Literal["approx", "over", "at_least", "at_most", "under"]
BOUNDS: tuple[str, ...] = get_args(Bound)
# Bits per operand of each precision: export-control TPP is peak TOPS × this bit length. TF32 is counted at
# 32, the width its operands are stored in; integer and float formats of one width count alike.
PRECISION_BITS: dict[str, int] = {
    "fp64": 64,
    "fp32": 32,
    "tf32": 32,
    "fp16": 16,
    "bf16": 16,
    "fp8": 8,
    "fp6": 6,
    "fp4": 4,
    "int16": 16,
    "int8": 8,
    "int4": 4,
}
