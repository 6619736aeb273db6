"""Read a compare_chips answer as a client does: a row's cells, figure ids and ratios sit at the position of
their column, and a plain value is written bare."""

from __future__ import annotations

from typing import Any


def whole(row: dict[str, Any], position: int) -> dict[str, Any] | None:
    """The cell at a column position as one object (value or text, its figure ids and ratio), None if absent."""
    cells = row.get("cells", [])
    held = cells[position] if position < len(cells) else None
    if held is None:
        return None
    cell = dict(held) if isinstance(held, dict) else {"text": held} if isinstance(held, str) else {"value": held}
    figures = row.get("figure_ids", [])
    if position < len(figures) and figures[position]:
        cell["figure_ids"] = figures[position]
    ratios = row.get("ratios", [])
    if position < len(ratios) and ratios[position] is not None:
        cell["ratio"] = ratios[position]
    return cell


def cells_by_key(answer: dict[str, Any], row: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """One row's reported cells by column key."""
    return {col["key"]: cell for j, col in enumerate(answer["columns"]) if (cell := whole(row, j)) is not None}


def compared_cells(answer: dict[str, Any]) -> dict[str, dict[str, dict[str, Any]]]:
    """Row id → column key → cell, for every reported cell of the answer."""
    return {row["id"]: cells_by_key(answer, row) for row in answer["rows"]}
