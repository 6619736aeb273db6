"""A row of compare_chips holds a cell bare (a plain number or text) exactly when the cell's compact dump would
hold that number or text alone; `ComparisonCell.bare` decides it from the fields without dumping the cell, and
`_bare` from the chosen cell without making the row's cell at all."""

from __future__ import annotations

from typing import Any

import pytest

from chipmcp.reasoning import selection
from chipmcp.reasoning.cells import Claim, cell_of
from chipmcp.tools import BY_NAME
from chipmcp.tools.compare import (
    CompareChipsArguments,
    ComparisonCell,
    ComparisonColumn,
    _bare,
    _compute,
    _resolve,
    _select,
    _shown_cell,
)


def _by_its_dump(cell: ComparisonCell) -> ComparisonCell | float | str:
    """The rule as the dump states it."""
    fields = cell.model_dump(exclude_defaults=True, exclude={"tier"})
    if set(fields) == {"value"} and cell.value is not None:
        return cell.value
    if set(fields) == {"text"} and cell.text is not None:
        return cell.text
    return cell


EDGE_CASES = [
    ComparisonCell(value=376.0),
    ComparisonCell(value=0.0),
    ComparisonCell(text="HBM3"),
    ComparisonCell(text=""),
    ComparisonCell(value=1.0, text=""),
    ComparisonCell(value=1.0, text="HBM3"),
    ComparisonCell(value=1.0, label=""),
    ComparisonCell(value=1.0, tier="dense"),
    ComparisonCell(value=1.0, suspect=False, claims=[], note="", span=None),
    ComparisonCell(),
    ComparisonCell(low=1.0, high=2.0),
    ComparisonCell(value=1.0, bound="approx"),
    ComparisonCell(value=1.0, unit="TOPS"),
    ComparisonCell(value=1.0, label="FP16 sparse, as printed"),
    ComparisonCell(value=1.0, suspect=True),
    ComparisonCell(value=1.0, span=[1.0, 2.0]),
    ComparisonCell(value=1.0, claims=[Claim(value=1.0)]),
    ComparisonCell(text="HBM3", note="#1: as printed"),
]


@pytest.mark.parametrize("cell", EDGE_CASES, ids=lambda c: repr(c))
def test_a_cell_is_bare_exactly_when_its_dump_holds_its_number_or_text_alone(cell: ComparisonCell) -> None:
    assert cell.bare() is _by_its_dump(cell) or cell.bare() == _by_its_dump(cell)
    assert type(cell.bare()) is type(_by_its_dump(cell))


def test_every_cell_of_forty_comparisons_is_held_as_its_dump_says(kb) -> None:
    compare = BY_NAME["compare_chips"]
    chips = kb.ids("chip")
    seen = {"bare": 0, "object": 0}
    for names in (chips[i : i + 4] for i in range(0, 80, 4)):
        for detail in ("summary", "full"):
            for row in compare.call(kb, names=names, detail=detail).rows:
                for held in row.cells:
                    if held is None:
                        continue
                    if isinstance(held, ComparisonCell):
                        seen["object"] += 1
                        assert _by_its_dump(held) is held
                    else:
                        seen["bare"] += 1
                        made = ComparisonCell(text=held) if isinstance(held, str) else ComparisonCell(value=held)
                        assert _by_its_dump(made) == held == made.bare()
    assert all(seen.values()), seen


@pytest.mark.parametrize("detail", ["summary", "full"])
def test_a_cell_is_held_bare_at_once_exactly_where_the_whole_cell_would_be(kb, detail: str) -> None:
    """The shortcut (`_bare`) against the cell made whole and then made bare, for every filled cell of every
    column of forty comparisons (the CPU and system ones among them, and bounded figures asked for by name),
    each also beside a column of another unit and another label. (A figure's note, which joins a cell at
    full detail after, makes a bare cell whole again: the answers' snapshot holds that path.)"""
    chips = kb.ids("chip") + kb.ids("system")
    questions = [CompareChipsArguments(names=chips[i : i + 4]) for i in range(0, 160, 4)]
    questions.append(CompareChipsArguments(names=["nvidia-h200", "aws-trn2-ultraserver"], metrics=["relative_performance", "price"]))
    seen = {"bare": 0, "object": 0, "bound": 0}
    full = detail == "full"
    for args in questions:
        asked = _resolve(kb, args)
        table, _ = _select(kb, asked, detail)
        columns, _ = _compute(kb, asked, table, detail)
        for col in columns:
            derived = col.key in selection.DERIVED
            for cells in table:
                c = cells.get(col.key)
                if c is None or (c.ends() is None and c.text is None):
                    continue
                seen["bound"] += bool(c.bound)
                for beside in (col, col.updated(unit="another unit"), col.updated(label="another label")):
                    whole = _shown_cell(beside, c, full, derived).bare()
                    seen["object" if isinstance(whole, ComparisonCell) else "bare"] += 1
                    shortcut = _bare(beside, c, derived, full)
                    assert shortcut == (None if isinstance(whole, ComparisonCell) else whole), (args.names, col.key)
                    assert type(shortcut) is (type(None) if isinstance(whole, ComparisonCell) else type(whole))
    assert all(seen.values()), seen


@pytest.mark.parametrize(
    "fields",
    [
        {"value": 1.0},
        {"value": 1.0, "claims": [Claim(value=1.0, figure_ids=[1])]},
        {"value": 1.0, "note": "n"},
        {"text": "HBM3", "note": "n"},
        {"value": 1.0, "unit": "GB", "label": "as printed"},
        {"low": 1.0, "high": 2.0, "unit": "GB"},
    ],
)
@pytest.mark.parametrize("detail", ["summary", "full"])
def test_a_cell_of_any_fields_is_held_bare_where_the_whole_cell_would_be(fields: dict[str, Any], detail: str) -> None:
    col = ComparisonColumn.model_construct(key="memory_gb", unit="GB", label="as printed")
    c = cell_of(**fields)
    whole = _shown_cell(col, c, detail == "full", False).bare()
    assert _bare(col, c, False, detail == "full") == (None if isinstance(whole, ComparisonCell) else whole)
