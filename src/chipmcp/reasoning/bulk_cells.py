"""A catalog column's entries for every chip and system at once, from one read of the figures of its metric
(stored column by column by the build: chipmcp.kb.spec_columns):
what `chip_cell` would give each entity, reduced to what find_chips filters and ranks on (whether a cell
reports anything, its two ends, the envelope of every claim, the text of a text spec, and what the ranking
rule reads: its tier, whether it is suspect, its currency).

    entries(kb, ids, position, generations, metric, precision) -> Entries

Every entity's choice is the selection rule's (chipmcp.reasoning.selection), taken for all entities in one
sort: `_order`'s keys, and for compute the rule's steps (matrix before vector units, unsuspect before suspect,
dense, sparsity not printed, sparse, then compute printed with no precision) as leading keys. The ends are
`_ends` in array form (the compute core's array conversions and `tidy_all`); a family stands in where the
model reports nothing, as `selection.cell` does; a ratio is composed from its parts' entries as
`derived_cell` divides them; TPP is export_control.chip_tpp over the compute columns at every precision an
entity prints. An entity the bulk form cannot be sure of (a unit the rule would refuse) is left out of `sure`:
its entry comes from `chip_cell` itself, one entity at a time, when a query needs it. tests/test_bulk_cells.py
checks every entry against `chip_cell` for every metric and precision.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from chipmcp.core import compute
from chipmcp.core.units import PRECISION_BITS, PRECISIONS, UNITS
from chipmcp.kb.spec_columns import RANK, Packed
from chipmcp.kb.store import KnowledgeBase
from chipmcp.reasoning import ranking, selection
from chipmcp.reasoning.metric_cells import INDICATORS

if TYPE_CHECKING:
    import numpy as np

_TIERS = {"dense": 0, "": 1, None: 1, "sparse": 2}  # selection._compute_cell's steps at one precision
# A chosen compute figure's tier beyond those three (Cell.tier): printed at no precision. (A family never stands in
# for compute, a model-only metric, so its tier, selection.family_cell's, is not needed here.)
_UNLABELED = 3


@dataclass
class Entries:
    """One column's entries, one per entity: meaningful where `sure` (elsewhere, ask `chip_cell`)."""

    sure: np.ndarray
    reported: np.ndarray
    low: np.ndarray
    high: np.ndarray
    wide_low: np.ndarray  # the envelope of the ends and every claim's (selection._claims), NaN where not reported
    wide_high: np.ndarray
    text: list[str] | None  # a text spec's chosen text (not case-folded), "" where none
    currency: np.ndarray  # a money cell's currency (a price, or a ratio over one): ranking.CURRENCIES' place, -1 for none
    # Compute's alone (TPP reads them; None elsewhere): the chosen figure's tier (_TIERS, _UNLABELED;
    # -1 where none is chosen), whether it is suspect, and its claims' span (Cell.span; NaN where it has none).
    tier: np.ndarray | None = None
    suspect: np.ndarray | None = None
    span_low: np.ndarray | None = None
    span_high: np.ndarray | None = None
    # What the ranking rule (chipmcp.reasoning.ranking) reads of every numeric cell besides its currency:
    # whether it rests on a suspect figure, whether a family's figure stands in (tier 'family'). A ratio's
    # tier is its compute's (`tier`), as selection.derived_cell gives it.
    flagged: np.ndarray | None = None
    family: np.ndarray | None = None
    # Compute's (and a ratio over it): the chosen figure's engine as ranking.engine_code reads Cell.engine
    # (selection.off_engine); None elsewhere.
    engine: np.ndarray | None = None
    # Whether the chosen figure is a plan (basis plan: selection.is_planned); a ratio's where either side's is.
    planned: np.ndarray | None = None


def rank_tiers(found: Entries) -> np.ndarray:
    """Each entry's tier as chipmcp.reasoning.ranking codes it (Cell.tier → ranking.tier_code)."""
    import numpy as np

    size = len(found.reported)
    # By _TIERS' codes, then _UNLABELED, then -1 (none chosen).
    by_code = np.array([ranking.DENSE, ranking.DENSE, ranking.SPARSE, ranking.UNLABELED, ranking.PLAIN], dtype=np.int64)
    tiers = by_code[found.tier] if found.tier is not None else np.full(size, ranking.PLAIN, dtype=np.int64)
    if found.family is not None:
        tiers = np.where(found.family, ranking.FAMILY, tiers)
    return tiers


def entries(
    kb: KnowledgeBase,
    ids: Sequence[str],
    position: Mapping[str, int],
    generations: Sequence[tuple[int, str]],
    metric: str,
    precision: str,
    specs: dict[tuple[str, str | None], Entries] | None = None,
    ranked: np.ndarray | None = None,
) -> Entries:
    """Each of `ids`' (at `position`) cell of `metric` at `precision` as chip_cell chooses it; `generations`
    are (position, generation id) of the entities whose catalog names a record for their generation.
    `specs` keeps the entries of the specs read (selection.cell's) for the
    next column that reads them: a ratio reads two or three. `ranked` is `positions_by_rank(kb, position)`,
    made once by a caller that builds many columns."""
    size = len(ids)
    held = {} if specs is None else specs
    by_rank = positions_by_rank(kb, position) if ranked is None else ranked

    def spec(name: str, at: str = precision) -> Entries:
        key = (name, at if name == "compute_tflops" else None)
        if key not in held:
            held[key] = _spec_entries(kb, size, position, by_rank, generations, name, at)
        return held[key]

    if metric in INDICATORS:  # TPP: a rule of its own over every precision
        return _tpp(kb, size, by_rank, lambda at: spec("compute_tflops", at))
    if metric in selection.DERIVED:
        return _ratio(metric, spec)
    found = spec(metric)
    found = Entries(
        found.sure.copy(),
        found.reported.copy(),
        found.low.copy(),
        found.high.copy(),
        found.wide_low.copy(),
        found.wide_high.copy(),
        None if found.text is None else list(found.text),
        found.currency.copy(),
        *(None if a is None else a.copy() for a in (found.tier, found.suspect, found.span_low, found.span_high)),
        *(None if a is None else a.copy() for a in (found.flagged, found.family, found.engine, found.planned)),
    )
    for ends in (found.low, found.high, found.wide_low, found.wide_high):
        ends[~found.reported] = compute.as_array(None)  # NaN: no ends where nothing is reported
    return found


def _unsure(size: int) -> Entries:
    import numpy as np

    nan = compute.nans(size)
    none = compute.mask(size, ())
    out = Entries(none, none.copy(), nan, nan.copy(), nan.copy(), nan.copy(), None, np.full(size, -1, dtype=np.int64))
    out.flagged, out.family, out.planned = none.copy(), none.copy(), none.copy()
    return out


def positions_by_rank(kb: KnowledgeBase, position: Mapping[str, int]) -> np.ndarray:
    """Each entity's place in `position` (-1 for none) at its rank among every entity in id order (the order
    KnowledgeBase.entities gives, in which the build ranks a column's entities: spec_columns.RANK)."""
    return compute.codes((position.get(entity, -1) for entity in kb.entities), len(kb.entities))


def _spec_entries(
    kb: KnowledgeBase,
    size: int,
    position: Mapping[str, int],
    by_rank: np.ndarray,
    generations: Sequence[tuple[int, str]],
    spec: str,
    precision: str,
) -> Entries:
    """selection.cell for every entity: its own figure, else its generation's (never for MODEL_ONLY)."""
    import numpy as np

    definition = selection.spec_def(kb, spec)
    is_compute = definition.metric == "compute"
    packed = kb.spec_figures(definition.metric, (*_read(definition, is_compute), RANK))
    ranks = np.asarray(packed.pop(RANK).data, dtype=np.int64)
    rows = len(packed["id"].data)
    keep = None
    if is_compute:  # only rows printed at the precision (an 'FP16/BF16' row counts for both) or at none
        wanted = f"/{selection.check_precision(precision)}/"
        printed = packed["precision"]
        at = compute.flags([not p or wanted in f"/{p}/" for p in printed.labels or ()])
        keep = at[np.asarray(printed.data, dtype=np.int64).reshape(rows)]
    columns = {field: _Column(column, rows, keep) for field, column in packed.items()}
    # Rows of entities outside the catalog (a generation's record) get positions past its end.
    entity = columns["entity"]
    places = _places(ranks, by_rank)
    extra: dict[str, int] = {}
    for label in compute.positions(places < 0).tolist():
        places[label] = extra.setdefault(entity.values[label], size + len(extra))
    codes = places[entity.array]
    planned = kb.planned_figure_ids
    own = _own_entries(columns, codes, size + len(extra), definition, precision if is_compute else None, planned)
    out = Entries(
        own.sure[:size].copy(),
        own.reported[:size].copy(),
        own.low[:size].copy(),
        own.high[:size].copy(),
        own.wide_low[:size].copy(),
        own.wide_high[:size].copy(),
        None if own.text is None else own.text[:size],
        own.currency[:size].copy(),
        *(None if a is None else a[:size].copy() for a in (own.tier, own.suspect, own.span_low, own.span_high)),
        *(None if a is None else a[:size].copy() for a in (own.flagged, own.family, own.engine, own.planned)),
    )
    if definition.metric in selection.MODEL_ONLY:
        return out
    for at, generation in generations:
        if out.reported[at]:
            continue
        source = position.get(generation, extra.get(generation))
        if source is None or not own.reported[source]:
            continue  # the generation reports none: the entity's own (empty) cell stands
        out.sure[at] = out.sure[at] and own.sure[source]
        out.reported[at] = True
        out.low[at], out.high[at] = own.low[source], own.high[source]
        out.wide_low[at], out.wide_high[at] = own.wide_low[source], own.wide_high[source]
        _stand_in(out, at, own, source)
        if out.text is not None and own.text is not None:
            out.text[at] = own.text[source]
    return out


def _stand_in(out: Entries, at: int, own: Entries, source: int) -> None:
    """What the ranking rule reads of a generation's figure standing in for a model's (tier 'family')."""
    assert out.flagged is not None and out.family is not None and own.flagged is not None
    out.flagged[at], out.family[at], out.currency[at] = own.flagged[source], True, own.currency[source]
    assert out.planned is not None and own.planned is not None
    out.planned[at] = own.planned[source]


def _read(definition: selection.SpecDef, is_compute: bool) -> tuple[str, ...]:
    """The figure fields the rule reads for this spec (_own_entries): a text spec reads no number, a number no
    text; sparsity only for compute; a row's precision only for compute and a registry metric's unit."""
    choice = ("entity", "id", "engine", "suspect", "preferred", "alternatives")
    if definition.text:
        return (*choice, "text")
    number = (*choice, "value", "low", "high", "unit", "conflict_group")
    if is_compute:
        return (*number, "precision", "sparsity")
    return (*number, "precision") if definition.unit == "" else number


class _Column:
    """One field of a spec's rows as an array (the rows `keep` leaves): a number per row, or for a label field
    (a unit, an engine, a precision, a text) each row's place among its distinct `values`, so a test of a value
    is made once per distinct value and spread over the rows by indexing. A field not read is None throughout."""

    def __init__(self, packed: Packed | None, rows: int, keep: np.ndarray | None) -> None:
        import numpy as np

        if packed is None:
            self.values: list[Any] = [None]
            data = np.zeros(rows, dtype=np.int64)
        else:
            self.values = packed.labels or []
            data = np.asarray(packed.data).reshape(rows)
            if packed.labels is not None:
                data = data.astype(np.int64)
        self.array: np.ndarray = data if keep is None else data[keep]

    def each(self, test: Callable[[Any], Any], dtype: Any = bool) -> np.ndarray:
        """`test` of every row's value."""
        import numpy as np

        return np.array([test(v) for v in self.values], dtype=dtype).reshape(len(self.values))[self.array]


def _own_entries(
    columns: dict[str, _Column],
    code: np.ndarray,
    size: int,
    definition: selection.SpecDef,
    precision: str | None,
    planned: frozenset[int],
) -> Entries:
    """selection._own_cell for every entity with rows (positions `code`), in one sort of all of them
    (`precision`: compute's, None for any other spec)."""
    import numpy as np

    is_compute = precision is not None
    n = len(code)
    ids = columns["id"].array.astype(np.int64)
    # Truth as the rule reads it (bool(v): NULL and 0 false), packed so by the build.
    suspect = columns["suspect"].array.astype(bool)
    not_preferred = ~columns["preferred"].array.astype(bool)
    vector = columns["engine"].each(lambda e: e == "vector")
    alternatives = columns["alternatives"].array.astype(bool)
    out = _unsure(size)
    out.sure[:] = True
    if definition.text:
        texts = columns["text"]
        usable = texts.each(bool)
        chosen = _first_per_entity(code, usable, [suspect, not_preferred, vector, alternatives, ids])
        text = [""] * size
        for entity, place in zip(code[chosen].tolist(), texts.array[chosen].tolist(), strict=True):
            text[entity] = texts.values[place]
        out.text = text
        out.reported[code[chosen]] = True
        assert out.planned is not None
        out.planned[code[chosen]] = _among(ids[chosen], planned)
        return out
    units = columns["unit"]
    precisions = columns.get("precision") or _Column(None, n, None)
    value, low, high = (columns[k].array for k in ("value", "low", "high"))
    usable = units.each(bool) & (~np.isnan(value) | ~np.isnan(low))
    known = units.each(lambda u: u in UNITS)
    if is_compute:
        at = precisions.each(bool)
        tier = columns["sparsity"].each(lambda s: _TIERS.get(s, 3), np.int64)
        # The rule's steps as leading keys: rows at the precision (matrix units, then unsuspect, then the
        # tier), then rows of no precision; a row at the precision of another sparsity is never chosen.
        step = np.where(at, np.where(tier < 3, 0, 2), 1)
        keys = [
            step,
            np.where(at, vector, suspect),
            np.where(at, suspect, not_preferred),
            np.where(at, tier, vector),
            np.where(at, not_preferred, alternatives),
            np.where(at, alternatives, False),
            ids,
        ]
        chosen = _first_per_entity(code, usable, keys)
        chosen = chosen[step[chosen] < 2]
        side = at  # claims come from the chosen figure's side: at the precision, or of no precision
        out.tier = np.full(size, -1, dtype=np.int64)
        out.tier[code[chosen]] = np.where(step[chosen] == 0, tier[chosen], _UNLABELED)
        out.suspect = compute.mask(size, ())
        out.suspect[code[chosen]] = suspect[chosen]
        engines = columns["engine"].each(lambda e: ranking.engine_code(selection.off_engine(e, precision or "")), np.int64)
        out.engine = np.zeros(size, dtype=np.int64)
        out.engine[code[chosen]] = engines[chosen]
        out.span_low, out.span_high = compute.nans(size), compute.nans(size)
    else:
        chosen = _first_per_entity(code, usable, [suspect, not_preferred, vector, alternatives, ids])
        side = np.ones(n, dtype=bool)
    # Each row's ends in its entity's cell unit (selection._ends), NaN where the rule would not convert it.
    lo = np.where(np.isnan(value), low, value)
    hi = np.where(np.isnan(value), high, value)
    # Each entity's cell unit (the place of its name in `cell_units`, -1 for none), from its chosen row's unit
    # and precision: worked out once per pair of them.
    pair = units.array * len(precisions.values) + precisions.array
    cell_units: list[str | None] = []
    cell_unit_of: dict[int, int] = {}
    for key in sorted(set(pair[chosen].tolist())):
        unit, precision = units.values[key // len(precisions.values)], precisions.values[key % len(precisions.values)]
        cell_units.append(_cell_unit(definition, unit, precision))
        cell_unit_of[key] = len(cell_units) - 1
    target = np.full(size, -1, dtype=np.int64)
    if chosen.size:
        target[code[chosen]] = [cell_unit_of[k] for k in pair[chosen].tolist()]
    # Tests of a cell unit by its place, the last slot standing for none (place -1).
    target[compute.flags([u is None for u in cell_units] + [True])[target]] = -1
    ends_low, ends_high = compute.nans(n), compute.nans(n)
    # Ends are read only of the chosen figures and of those that may be claims beside them (unsuspect, in a
    # conflict group): only theirs are tidied, each distinct value by Python's rounding (the rest are still
    # converted, since a conversion the rule would refuse makes the entity unsure).
    read = ~np.isnan(columns["conflict_group"].array) & ~suspect
    read[chosen] = True
    # Rows the rule would refuse (an unknown unit, another dimension than the cell's) make their entity unsure.
    refused = usable & ~known
    rival = usable & known
    # The rows by (their unit, their entity's cell unit): each pair converted at once.
    row_target = target[code]
    convertible = usable & known & (row_target >= 0)
    grouped = units.array * (len(cell_units) + 1) + row_target
    pair_keys: list[int] = grouped[convertible].tolist()
    for key in sorted(set(pair_keys)):
        unit: str | None = units.values[key // (len(cell_units) + 1)]
        to = cell_units[key % (len(cell_units) + 1)]
        assert unit is not None and to is not None  # usable rows have a unit; entities without a cell unit left out
        where = compute.positions(convertible & (grouped == key))
        source, cell_unit = UNITS[unit], UNITS.get(to)
        # Money and a registry metric: a figure of another currency or dimension than the cell's is no rival.
        if definition.unit in (None, "") and (
            cell_unit is None or (source.currency or "", source.dimension) != (cell_unit.currency or "", cell_unit.dimension)
        ):
            rival[where] = False
            continue
        try:
            if source.dimension == "money":
                a, b = compute.convert_money_ends_all(lo[where], hi[where], unit, to)
            elif source.dimension == "compute":
                a, b = compute.convert_ends_all(lo[where], hi[where], unit, "TFLOPS")
            else:
                a, b = compute.convert_ends_all(lo[where], hi[where], unit, to)
        except (ValueError, KeyError):
            refused[where] = True
            continue
        kept = read[where]
        ends_low[where[kept]], ends_high[where[kept]] = compute.tidy_all(a[kept]), compute.tidy_all(b[kept])
    if definition.unit is None:  # money: a figure in no currency the rule names has no cell unit there
        refused |= usable & known & units.each(lambda u: u in UNITS and UNITS[u].currency not in selection.CURRENCY_UNITS)
    out.sure[code[refused]] = False
    has = code[chosen]
    assert out.flagged is not None and out.planned is not None
    out.flagged[has] = suspect[chosen]
    out.planned[has] = _among(ids[chosen], planned)
    out.low[has], out.high[has] = ends_low[chosen], ends_high[chosen]
    out.reported[has] = ~np.isnan(ends_low[chosen]) & ~np.isnan(ends_high[chosen])
    out.currency = np.array([ranking.currency_code(u) for u in cell_units] + [-1], dtype=np.int64)[target]
    out.wide_low[:], out.wide_high[:] = out.low, out.high
    _claims_envelope(out, code, chosen, columns["conflict_group"].array, suspect, rival, side, ends_low, ends_high)
    out.wide_low[~out.reported] = np.nan
    out.wide_high[~out.reported] = np.nan
    return out


def _cell_unit(definition: selection.SpecDef, unit: str | None, precision: str | None) -> str | None:
    """The unit the rule gives the cell of a chosen figure in `unit` (selection._own_cell)."""
    if definition.metric == "compute":
        return "TFLOPS"  # _ends converts compute to TFLOPS whatever the cell's label says
    if definition.unit is None:
        currency = UNITS[unit].currency if unit in UNITS else None
        return selection.CURRENCY_UNITS.get(currency or "")
    if definition.unit == "":
        if unit not in UNITS:
            return None
        return selection.compute_unit(precision) if UNITS[unit].dimension == "compute" else unit
    return definition.unit


def _claims_envelope(
    out: Entries,
    code: np.ndarray,
    chosen: np.ndarray,
    groups: np.ndarray,
    suspect: np.ndarray,
    rival: np.ndarray,
    side: np.ndarray,
    ends_low: np.ndarray,
    ends_high: np.ndarray,
) -> None:
    """Widen each chosen figure's ends by the claims of the figures linked to it by disagreement: every
    unsuspect rival of its conflict group on its side (compute: at the precision, or of none), when they give
    more than one value (selection._claims), all entities at once."""
    import numpy as np

    grouped = ~np.isnan(groups)  # most figures are in no conflict group: only the others are visited
    visited = chosen[grouped[chosen]]
    linked = compute.positions(grouped & rival & ~suspect)
    if visited.size == 0 or linked.size == 0:
        return
    # A claim belongs to the chosen figure of its entity, group and side (one chosen figure per entity).
    keys = np.stack([code, groups, side.astype(float)], axis=1)
    distinct, place = np.unique(keys[np.concatenate([visited, linked])], axis=0, return_inverse=True)
    place = place.reshape(-1)
    owner_of = np.full(len(distinct), -1, dtype=np.int64)
    owner_of[place[: visited.size]] = np.arange(visited.size)
    owners = owner_of[place[visited.size :]]
    # Each chosen figure's claims: itself, and the linked figures of its key.
    members = np.concatenate([visited, linked[owners >= 0]])
    owner = np.concatenate([np.arange(visited.size), owners[owners >= 0]])
    low, high = ends_low[members], ends_high[members]
    first_low, first_high = ends_low[visited][owner], ends_high[visited][owner]
    # Another value than the chosen figure's (its ends, a missing end equal only to a missing one).
    other = ~((low == first_low) | (np.isnan(low) & np.isnan(first_low))) | ~(
        (high == first_high) | (np.isnan(high) & np.isnan(first_high))
    )
    disagreeing = np.zeros(visited.size, dtype=bool)
    disagreeing[owner[other]] = True
    lows, highs = np.full(visited.size, np.inf), np.full(visited.size, -np.inf)
    np.minimum.at(lows, owner, np.where(np.isnan(low), np.inf, low))
    np.maximum.at(highs, owner, np.where(np.isnan(high), -np.inf, high))
    entity = code[visited]
    widened = disagreeing & np.isfinite(lows) & np.isfinite(highs) & ~np.isnan(out.low[entity])
    entity, lows, highs = entity[widened], lows[widened], highs[widened]
    out.wide_low[entity] = np.minimum(out.low[entity], lows)
    out.wide_high[entity] = np.maximum(out.high[entity], highs)
    if out.span_low is not None and out.span_high is not None:
        out.span_low[entity], out.span_high[entity] = lows, highs


def _first_per_entity(code: np.ndarray, usable: np.ndarray, keys: list[np.ndarray]) -> np.ndarray:
    """The row each entity's usable rows put first by `keys` (the first key leading), as row indices."""
    import numpy as np

    rows = compute.positions(usable)
    if rows.size == 0:
        return rows
    order = rows[np.lexsort([k[rows] for k in reversed(keys)] + [code[rows]])]
    ordered = code[order]
    first = np.ones(order.size, dtype=bool)
    first[1:] = ordered[1:] != ordered[:-1]
    return order[first]


def _ratio(metric: str, spec: Callable[[str], Entries]) -> Entries:
    """selection.derived_cell for every entity: its parts' ends divided as intervals, four digits kept."""
    import numpy as np

    definition = selection.DERIVED[metric]

    def part(name: str) -> Entries:
        return _power(spec("tdp_w"), spec("system_power_w")) if name == "power" else spec(name)

    numerator, denominator = part(definition.numerator), part(definition.denominator)
    both = numerator.reported & denominator.reported
    divisible = both & (denominator.low > 0) & (denominator.high > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        low = np.where(divisible, numerator.low / np.where(divisible, denominator.high, 1.0), np.nan)
        high = np.where(divisible, numerator.high / np.where(divisible, denominator.low, 1.0), np.nan)
    low, high = compute.tidy_all(low, 4), compute.tidy_all(high, 4)
    reported = ~np.isnan(low) & ~np.isnan(high)
    sure = numerator.sure & denominator.sure
    low[~reported], high[~reported] = np.nan, np.nan
    out = Entries(sure, reported, low, high, low.copy(), high.copy(), None, numerator.currency.copy())
    # What the ranking rule reads: the compute's tier (derived_cell's), suspect when either side is, and the
    # currency of a price it divides.
    out.tier = (numerator if definition.numerator == "compute_tflops" else denominator).tier
    out.engine = (numerator if definition.numerator == "compute_tflops" else denominator).engine
    assert numerator.flagged is not None and denominator.flagged is not None
    assert numerator.planned is not None and denominator.planned is not None
    out.flagged = numerator.flagged | denominator.flagged
    out.planned = numerator.planned | denominator.planned
    out.family = compute.mask(len(low), ())
    return out


def _among(ids: np.ndarray, wanted: frozenset[int]) -> np.ndarray:
    """Where each of `ids` (figure ids, never negative) is one of `wanted` (a few dozen: the planned figures'),
    by a table of every id up to the largest: numpy's isin would import numpy.ma on its first call (10 ms)."""
    import numpy as np

    table = np.zeros(max(int(ids.max(initial=0)), max(wanted, default=0)) + 1, dtype=bool)
    table[list(wanted)] = True
    return table[ids]


def _power(tdp: Entries, system: Entries) -> Entries:
    """selection.power_cell for every entity: its TDP, else its system power."""
    import numpy as np

    out = Entries(
        tdp.sure & (tdp.reported | system.sure),
        np.where(tdp.reported, True, system.reported),
        np.where(tdp.reported, tdp.low, system.low),
        np.where(tdp.reported, tdp.high, system.high),
        tdp.wide_low,
        tdp.wide_high,
        None,
        np.full(len(tdp.reported), -1, dtype=np.int64),
    )
    assert tdp.flagged is not None and system.flagged is not None and tdp.planned is not None and system.planned is not None
    out.flagged = np.where(tdp.reported, tdp.flagged, system.flagged)
    out.planned = np.where(tdp.reported, tdp.planned, system.planned)
    return out


def _tpp(kb: KnowledgeBase, size: int, by_rank: np.ndarray, compute_at: Callable[[str], Entries]) -> Entries:
    """export_control.chip_tpp for every entity: at each precision its own compute figures print, the compute
    cell chosen there (one printed at no precision not at all) times the
    precision's bits, halved for a sparse figure; the largest over the precisions not built on a suspect
    figure (every precision when all are), its span the largest of the spans of the precisions giving it."""
    import numpy as np

    prints = _printed_precisions(kb, size, by_rank)
    rows: list[tuple[np.ndarray, ...]] = []
    sure = compute.mask(size, range(size))
    for precision in PRECISIONS:
        if precision not in prints:
            continue
        cell = compute_at(precision)
        assert cell.tier is not None and cell.suspect is not None and cell.span_low is not None and cell.span_high is not None
        printed = prints[precision]
        sure &= cell.sure | ~printed
        bits = PRECISION_BITS[precision]
        factor = np.where(cell.tier == _TIERS["sparse"], bits * 0.5, bits * 1.0)  # total_processing_performance's
        used = printed & cell.reported & (cell.tier != _UNLABELED)
        low, high, span_low, span_high = (  # tidied only where used: Python's rounding, value by value
            compute.tidy_all(np.where(used, end * factor, np.nan)) for end in (cell.low, cell.high, cell.span_low, cell.span_high)
        )
        assert cell.planned is not None
        rows.append((used, cell.suspect, low, high, span_low, span_high, cell.planned))
    if not rows:
        nan = compute.nans(size)
        return _ranked_as_plain(
            Entries(sure, compute.mask(size, ()), nan, nan.copy(), nan.copy(), nan.copy(), None, np.full(size, -1, dtype=np.int64)),
            None,
        )
    used, suspect, lows, highs, span_lows, span_highs, planned = (np.stack(parts) for parts in zip(*rows, strict=True))
    trusted = used & ~suspect
    pick = np.where(trusted.any(axis=0), trusted, used)  # export_control.headline: trusted rows, else every row
    reported = pick.any(axis=0)
    with np.errstate(invalid="ignore"):
        low = np.where(pick, lows, -np.inf).max(axis=0)
        high = np.where(pick, highs, -np.inf).max(axis=0)
        top = pick & ((highs == high) | (lows == low))  # export_control.largest's rows giving an end
        spanned = top & ~np.isnan(span_lows) & ~np.isnan(span_highs)
        has_span = spanned.any(axis=0)
        span_low = np.where(spanned, span_lows, -np.inf).max(axis=0)
        span_high = np.where(spanned, span_highs, -np.inf).max(axis=0)
    low, high = np.where(reported, low, np.nan), np.where(reported, high, np.nan)
    low, high = compute.tidy_all(low), compute.tidy_all(high)
    reported &= ~np.isnan(low) & ~np.isnan(high)
    wide_low = np.where(has_span, np.minimum(low, span_low), low)
    wide_high = np.where(has_span, np.maximum(high, span_high), high)
    wide_low[~reported], wide_high[~reported] = np.nan, np.nan
    # export_control.headline: a TPP rests on suspect figures only where every precision's does.
    flagged = reported & ~trusted.any(axis=0)
    out = _ranked_as_plain(Entries(sure, reported, low, high, wide_low, wide_high, None, np.full(size, -1, dtype=np.int64)), flagged)
    out.planned = reported & (top & planned).any(axis=0)  # the compute figures giving the TPP's ends
    return out


def _ranked_as_plain(out: Entries, flagged: np.ndarray | None) -> Entries:
    """A TPP entry as the ranking rule reads it: no tier, no family, no currency; suspect where `flagged`."""
    size = len(out.reported)
    out.flagged = compute.mask(size, ()) if flagged is None else flagged
    out.family = compute.mask(size, ())
    out.planned = compute.mask(size, ())
    return out


def _places(ranks: np.ndarray, by_rank: np.ndarray) -> np.ndarray:
    """The positions of the entities at `ranks` (-1 for one outside the catalog or the entities table)."""
    import numpy as np

    return np.where(ranks >= 0, by_rank[np.maximum(ranks, 0)], -1) if by_rank.size else np.full(ranks.size, -1, dtype=np.int64)


def _printed_precisions(kb: KnowledgeBase, size: int, by_rank: np.ndarray) -> dict[str, np.ndarray]:
    """Per precision, where the entity's own compute figures print it (selection.printed_precisions: a figure
    tied to no period with a unit; an 'FP16/BF16' figure prints both)."""
    import numpy as np

    packed = kb.spec_figures("compute", ("entity", "unit", "precision", RANK))
    entity, unit, precision = (packed[f] for f in ("entity", "unit", "precision"))
    rows = len(entity.data)
    at = _places(np.asarray(packed[RANK].data, dtype=np.int64), by_rank)[np.asarray(entity.data, dtype=np.int64).reshape(rows)]
    with_unit = compute.flags([u is not None for u in unit.labels or ()])[np.asarray(unit.data, dtype=np.int64).reshape(rows)]
    codes = np.asarray(precision.data, dtype=np.int64).reshape(rows)
    out: dict[str, np.ndarray] = {}
    for name in PRECISIONS:
        names = compute.flags([bool(p) and name in p.split("/") for p in precision.labels or ()])
        rows_at = with_unit & (at >= 0) & names[codes]
        if rows_at.any():
            out[name] = compute.mask(size, at[rows_at].tolist())
    return out
