"""compare_chips' text block writes a bare number or text cell without making it a whole Cell first
(`_cell_text`); what it writes must be what the general path (`_shown` of the cell made whole) writes."""

from __future__ import annotations

from chipmcp.tools import BY_NAME
from chipmcp.tools.compare import ComparisonCell, _cell_text, _ratio, _shown


def _general(row, position: int) -> str:
    cell = row.cell(position)
    return "—" if cell is None else _shown(cell) + _ratio(row.ratio(position))


def test_every_cell_of_the_text_block_reads_as_the_cell_made_whole_would(kb) -> None:
    compare = BY_NAME["compare_chips"]
    chips = kb.ids("chip")
    groups = [chips[i : i + 4] for i in range(0, 80, 4)]
    seen = {"number": 0, "text": 0, "object": 0, "absent": 0}
    for names in groups:
        for detail in ("summary", "full"):
            answer = compare.call(kb, names=names, detail=detail)
            for row in answer.rows:
                for position in range(len(answer.columns)):
                    held = row.cells[position] if position < len(row.cells) else None
                    kind = (
                        "absent"
                        if held is None
                        else "object"
                        if isinstance(held, ComparisonCell)
                        else "text"
                        if isinstance(held, str)
                        else "number"
                    )
                    seen[kind] += 1
                    assert _cell_text(row, position) == _general(row, position), (names, row.id, position)
    # the comparisons reach every kind of cell a row holds, ratios included
    assert all(count > 0 for count in seen.values()), seen
