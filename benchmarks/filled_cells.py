"""Filled cells of compare_chips over the domestic card table's seven chips and eight others, at FP16 and
INT8: how many of each chip's cells carry a figure, and whether its compute cell does.

Run against any checkout: `python benchmarks/filled_cells.py` (the installed chipmcp) or with
PYTHONPATH=<other checkout>/src CHIPMCP_KNOWLEDGE=<other checkout>/knowledge for a before/after table.
Only the answer's JSON is read, so both the old and the new answer shapes are counted alike."""

from __future__ import annotations

import json
import sys

from chipmcp import tools
from chipmcp.kb.store import KnowledgeBase

CHIPS = [
    "910B",
    "天垓150",
    "元碁T100",
    "曦云C500",
    "MTT S4000",
    "云燧T21",
    "MLU370-X8",
    "H100",
    "H20",
    "B200",
    "TPU v5e",
    "Trainium2",
    "910C",
    "910D",
    "思元590",
]
PRECISIONS = ("fp16", "int8")


def _filled(cell: object) -> bool:
    if isinstance(cell, int | float | str):  # a plain value, written bare
        return True
    return isinstance(cell, dict) and any(cell.get(k) is not None for k in ("value", "low", "text"))


def count(kb: KnowledgeBase) -> dict[str, dict[str, tuple[bool, int]]]:
    """chip → precision → (compute filled, number of filled cells)."""
    out: dict[str, dict[str, tuple[bool, int]]] = {}
    for precision in PRECISIONS:
        answer = tools.BY_NAME["compare_chips"].call(kb, names=CHIPS, precision=precision).model_dump(mode="json")
        for name, row in zip(CHIPS, answer["rows"], strict=True):
            # A row holds its cells by column position; a plain value is written bare.
            cells = {col["key"]: c for col, c in zip(answer["columns"], row.get("cells", []), strict=False) if c is not None}
            compute = any(_filled(c) for key, c in cells.items() if key.startswith("compute"))
            out.setdefault(name, {})[precision] = (compute, sum(_filled(c) for c in cells.values()))
    return out


def main() -> None:
    kb = KnowledgeBase.open_default()
    print(json.dumps(count(kb), ensure_ascii=False))


if __name__ == "__main__":
    sys.exit(main())
