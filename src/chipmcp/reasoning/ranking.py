"""The one rule for which figures a ranking compares: compare_chips' best per column and find_chips' order
both keep out of a ranking, with the reason, a figure that is not of the kind the others are.

    decide(marks, counts, systems_apart) -> codes   the rule, over the distinct marks of the figures ranked
    left_out(cells, systems, systems_apart) -> {id: reason}   it for a few cells by id (compare_chips)
    reasons(tier, suspect, system, unit, systems_apart, planned, engine) -> codes   it over columns (find_chips)
    tier_code(cell.tier), currency_code(cell.unit), engine_code(cell.engine)   a cell's entries for `reasons`

In the order checked: what a figure is (suspect; family-level; precision not printed; parts at different
precisions), then a system's total where chips are ranked (decided once per answer: are chips among the
entities ranked?), then among the rest a planned figure (a roadmap product's, basis plan) where figures of
shipped products are there to rank, then a figure of the other kind of unit than the precision's headline
(tensor units at FP32/FP64, vector units elsewhere: selection.off_engine) where headline ones are there,
then a sparse figure where dense ones (or ones whose sparsity is not printed) are there to rank, then a unit
other than the one most of the rest print (prices are never converted between currencies). Whatever is left
ranks together: roadmap figures with roadmap figures, vector with vector.
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
RANKED, SUSPECT, FAMILY_LEVEL, NOT_PRINTED, MIXED_PARTS, SYSTEM_TOTAL, SPARSE_APART, OTHER_UNIT, PLANNED, TENSOR_APART, VECTOR_APART = (
    range(11)
)
REASONS = (
    "",
    "suspect",
    UNRANKED_TIERS["family"],
    UNRANKED_TIERS["unlabeled"],
    UNRANKED_TIERS["mixed"],
    "system total",
    "sparse",
    "other currency",
    "planned",
    "tensor units",
    "vector units",
)
# A compute figure's engine as the rule reads it (Cell.engine): the precision's headline kind of unit, or
# the other one (selection.off_engine), which ranks apart.
HEADLINE_ENGINE, TENSOR, VECTOR = range(3)
_ENGINE_CODES = {"tensor": TENSOR, "vector": VECTOR}
_BY_ENGINE = {TENSOR: TENSOR_APART, VECTOR: VECTOR_APART}
_BY_TIER = {FAMILY: FAMILY_LEVEL, UNLABELED: NOT_PRINTED, MIXED: MIXED_PARTS}
# The currencies a money cell is in (selection: a price keeps its own currency's base unit), by code.
CURRENCIES = tuple(CURRENCY_UNITS.values())


def tier_code(tier: str) -> int:
    return _TIER_CODES.get(tier, PLAIN)


def engine_code(engine: str) -> int:
    return _ENGINE_CODES.get(engine, HEADLINE_ENGINE)


def currency_code(unit: str | None) -> int:
    """The place of a money cell's currency in CURRENCIES ('美元 per TFLOPS' is in 美元), -1 for any other unit."""
    name = (unit or "").split(" per ", 1)[0]
    return CURRENCIES.index(name) if name in CURRENCIES else -1


def currency_name(code: int) -> str | None:
    return CURRENCIES[code] if 0 <= code < len(CURRENCIES) else None


# What the rule reads of a figure: tier code, suspect, a system's, unit code, planned, engine code.
Mark = tuple[int, bool, bool, int, bool, int]


def decide(marks: Sequence[Mark], counts: Sequence[int], systems_apart: bool) -> list[int]:
    """The rule itself: the reason code (0: ranked) of each distinct mark among the figures ranked together,
    `marks` in the order each is first met and `counts` how many figures bear each."""
    out = [SUSPECT if mark[1] else _BY_TIER.get(mark[0], RANKED) for mark in marks]
    if systems_apart:
        out = [SYSTEM_TOTAL if code == RANKED and mark[2] else code for code, mark in zip(out, marks, strict=True)]
    if any(code == RANKED and not mark[4] for code, mark in zip(out, marks, strict=True)):
        out = [PLANNED if code == RANKED and mark[4] else code for code, mark in zip(out, marks, strict=True)]
    if any(code == RANKED and mark[5] == HEADLINE_ENGINE for code, mark in zip(out, marks, strict=True)):
        out = [
            _BY_ENGINE[mark[5]] if code == RANKED and mark[5] != HEADLINE_ENGINE else code
            for code, mark in zip(out, marks, strict=True)
        ]
    if any(code == RANKED and mark[0] == DENSE for code, mark in zip(out, marks, strict=True)):
        out = [SPARSE_APART if code == RANKED and mark[0] == SPARSE else code for code, mark in zip(out, marks, strict=True)]
    units: dict[int, int] = {}  # the rest's units, first met first, with how many figures print each
    for code, mark, count in zip(out, marks, counts, strict=True):
        if code == RANKED:
            units[mark[3]] = units.get(mark[3], 0) + count
    if len(units) > 1:  # the unit most print (on a tie the first met) ranks; the others are set apart
        main = max(units, key=units.__getitem__)
        out = [OTHER_UNIT if code == RANKED and mark[3] != main else code for code, mark in zip(out, marks, strict=True)]
    return out


def reasons(
    tier: np.ndarray,
    suspect: np.ndarray,
    system: np.ndarray,
    unit: np.ndarray,
    systems_apart: bool,
    planned: np.ndarray,
    engine: np.ndarray,
) -> np.ndarray:
    """`decide` over columns: the reason code of each figure ranked together (0: ranked), from their tier
    codes, suspect flags, whether each is a system's, a unit code (-1 or more; equal codes: one unit),
    whether each is planned and its engine code. The rule is asked once per distinct mark, not per figure."""
    import numpy as np

    if len(tier) == 0:
        return np.zeros(0, dtype=np.int64)
    base = int(unit.max()) + 2
    key = ((((tier * 2 + suspect) * 2 + system) * 2 + planned) * 3 + engine) * base + (unit + 1)
    counts = np.bincount(key)
    present = np.flatnonzero(counts).tolist()  # the distinct marks: a handful
    first = {k: int(np.argmax(key == k)) for k in present}
    met = sorted(present, key=first.__getitem__)  # each mark in the order first met
    marks = [
        (int(tier[at]), bool(suspect[at]), bool(system[at]), int(unit[at]), bool(planned[at]), int(engine[at]))
        for at in (first[k] for k in met)
    ]
    by_key = np.zeros(len(counts), dtype=np.int64)
    by_key[met] = decide(marks, [int(counts[k]) for k in met], systems_apart)
    return by_key[key]


def reason_text(code: int, unit: str | None) -> str:
    return f"{REASONS[OTHER_UNIT]} ({unit or 'no unit'})" if code == OTHER_UNIT else REASONS[code]


def left_out(
    cells: Mapping[str, Cell], systems: set[str] | frozenset[str], systems_apart: bool, planned: set[str] | frozenset[str] = frozenset()
) -> dict[str, str]:
    """Why each of `cells` (by id) is not ranked with the others; `systems` are the ids of systems, kept
    apart when `systems_apart` (chips are among the entities ranked); `planned` the ids whose cell rests on a
    planned figure (selection.is_planned)."""
    units: dict[str | None, int] = {}
    mark_of = {
        i: (tier_code(c.tier), c.suspect, i in systems, units.setdefault(c.unit, len(units)), i in planned, engine_code(c.engine))
        for i, c in cells.items()
    }
    counts: dict[Mark, int] = {}  # each distinct mark, first met first
    for mark in mark_of.values():
        counts[mark] = counts.get(mark, 0) + 1
    decided = dict(zip(counts, decide(list(counts), list(counts.values()), systems_apart), strict=True))
    return {
        i: reason_text(code, (cells[i].unit or "").split(" per ", 1)[0])
        for i, mark in mark_of.items()
        if (code := decided[mark]) != RANKED
    }
