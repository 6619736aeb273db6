"""The one rule for which figures a ranking compares: compare_chips' best per column and find_chips' order
both keep out of a ranking, with the reason, a figure that is not of the kind the others are.

    left_out(cells, systems, systems_apart) -> {id: reason}   for a few cells by id (compare_chips)
    reasons(tier, suspect, system, unit, systems_apart) -> codes   the same rule over columns (find_chips)
    tier_code(cell.tier), currency_code(cell.unit)              a cell's entries for `reasons`

In the order checked: what a figure is (suspect; family-level; precision not printed; parts at different
precisions), then a system's total where chips are ranked (decided once per answer: are chips among the
entities ranked?), then among the rest a sparse figure where dense ones (or ones whose sparsity is not
printed) are there to rank, then a unit other than the one most of the rest print (prices are never
converted between currencies). Whatever is left ranks together.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from chipmcp.reasoning.cells import Cell
from chipmcp.reasoning.selection import CURRENCY_UNITS

if TYPE_CHECKING:
    import numpy as np

# A figure's kind as the rule reads it (Cell.tier): dense or sparsity not printed rank together.
DENSE, SPARSE, PLAIN, FAMILY, UNLABELED, MIXED = range(6)
_TIER_CODES = {"dense": DENSE, "unstated": DENSE, "sparse": SPARSE, "family": FAMILY, "unlabeled": UNLABELED, "mixed": MIXED}
# A mark that keeps a figure out of every ranking, by its tier.
UNRANKED_TIERS = {"family": "family-level figure", "unlabeled": "precision not printed", "mixed": "parts at different precisions"}
# The reasons, by code (0: ranked); OTHER_UNIT's text names the unit.
RANKED, SUSPECT, FAMILY_LEVEL, NOT_PRINTED, MIXED_PARTS, SYSTEM_TOTAL, SPARSE_APART, OTHER_UNIT = range(8)
REASONS = (
    "",
    "suspect",
    UNRANKED_TIERS["family"],
    UNRANKED_TIERS["unlabeled"],
    UNRANKED_TIERS["mixed"],
    "system total",
    "sparse",
    "other currency",
)
_BY_TIER = {FAMILY: FAMILY_LEVEL, UNLABELED: NOT_PRINTED, MIXED: MIXED_PARTS}
# The currencies a money cell is in (selection: a price keeps its own currency's base unit), by code.
CURRENCIES = tuple(CURRENCY_UNITS.values())


def tier_code(tier: str) -> int:
    return _TIER_CODES.get(tier, PLAIN)


def currency_code(unit: str | None) -> int:
    """The place of a money cell's currency in CURRENCIES ('美元 per TFLOPS' is in 美元), -1 for any other unit."""
    name = (unit or "").split(" per ", 1)[0]
    return CURRENCIES.index(name) if name in CURRENCIES else -1


def currency_name(code: int) -> str | None:
    return CURRENCIES[code] if 0 <= code < len(CURRENCIES) else None


def reasons(tier: np.ndarray, suspect: np.ndarray, system: np.ndarray, unit: np.ndarray, systems_apart: bool) -> np.ndarray:
    """The reason code of each figure ranked together (0: ranked), from their tier codes, suspect flags,
    whether each is a system's and a code per unit (equal codes: one unit)."""
    import numpy as np

    out = np.zeros(len(tier), dtype=np.int64)
    for code, reason in _BY_TIER.items():
        out[tier == code] = reason
    out[suspect] = SUSPECT
    if systems_apart:
        out[(out == RANKED) & system] = SYSTEM_TOTAL
    rest = out == RANKED
    if (rest & (tier == DENSE)).any():
        out[rest & (tier == SPARSE)] = SPARSE_APART
    rest = out == RANKED
    units, first, counts = np.unique(unit[rest], return_index=True, return_counts=True)
    if len(units) > 1:  # the unit most print (on a tie the first met) ranks; the others are set apart
        main = units[min(range(len(units)), key=lambda k: (-int(counts[k]), int(first[k])))]
        out[rest & (unit != main)] = OTHER_UNIT
    return out


def reason_text(code: int, unit: str | None) -> str:
    return f"{REASONS[OTHER_UNIT]} ({unit or 'no unit'})" if code == OTHER_UNIT else REASONS[code]


def left_out(cells: Mapping[str, Cell], systems: set[str] | frozenset[str], systems_apart: bool) -> dict[str, str]:
    """Why each of `cells` (by id) is not ranked with the others; `systems` are the ids of systems, kept
    apart when `systems_apart` (chips are among the entities ranked)."""
    import numpy as np

    ids: Sequence[str] = list(cells)
    if not ids:
        return {}
    units: dict[str | None, int] = {}
    found = reasons(
        np.fromiter((tier_code(c.tier) for c in cells.values()), dtype=np.int64, count=len(ids)),
        np.fromiter((c.suspect for c in cells.values()), dtype=bool, count=len(ids)),
        np.fromiter((i in systems for i in ids), dtype=bool, count=len(ids)),
        np.fromiter((units.setdefault(c.unit, len(units)) for c in cells.values()), dtype=np.int64, count=len(ids)),
        systems_apart,
    ).tolist()
    return {
        i: reason_text(code, (cells[i].unit or "").split(" per ", 1)[0]) for i, code in zip(ids, found, strict=True) if code != RANKED
    }
