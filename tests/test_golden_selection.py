"""The selection rule and the TPP on the real knowledge, against tests/golden/selection.toml: every field of each
cell (both ends of a range, the span and claims of a contested spec) and the tokens of the figures it cites."""

from __future__ import annotations

import tomllib

import pytest

from chipmcp.reasoning import export_control, selection
from conftest import ROOT

GOLDEN = tomllib.loads((ROOT / "tests" / "golden" / "selection.toml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("row", GOLDEN["cell"], ids=lambda r: f"{r['entity']}:{r['spec']}:{r.get('precision', '')}")
def test_the_chosen_cell_is_the_golden_one(reports_kb, row: dict) -> None:
    # The golden table was read off the reports' knowledge; Epoch's rows add claims (tests/test_selection.py).
    kb = reports_kb
    cell = selection.cell(kb, row["entity"], row["spec"], row.get("precision"))
    claims = [c.value if c.value is not None else [c.low, c.high] for c in cell.claims]
    assert (cell.value, cell.low, cell.high, cell.unit, cell.label, cell.bound, cell.suspect, cell.span, claims) == (
        row.get("value"),
        row.get("low"),
        row.get("high"),
        row["unit"],
        row.get("label", ""),
        row.get("bound"),
        row.get("suspect", False),
        row.get("span"),
        row.get("claims", []),
    )
    assert [f["printed"] for f in kb.figures_by_ids(cell.figure_ids)] == row["printed"]


@pytest.mark.parametrize("row", GOLDEN["tpp"], ids=lambda r: r["entity"])
def test_the_tpp_and_density_are_the_golden_ones(reports_kb, row: dict) -> None:
    kb = reports_kb
    tpp = export_control.chip_tpp(kb, row["entity"])
    density = export_control.density(kb, row["entity"], tpp)
    assert (tpp.value, tpp.low, tpp.high, tpp.label, tpp.span) == (row["value"], None, None, row["label"], row.get("span"))
    assert (density.value if density else None) == row.get("density")
