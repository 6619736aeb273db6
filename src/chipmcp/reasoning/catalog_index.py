"""The catalog as columns, for find_chips: every chip and system of one knowledge base in one fixed order,
and for each (metric, precision) asked about, the ends of every entity's chosen cell side by side, so a
filter or a ranking over thousands of entities is a few vectorised steps of the compute core and Cells
are built only for the rows an answer shows.

    of(kb) -> CatalogIndex                          one per knowledge base, built on first use
    CatalogIndex.find(query, certification) -> Found
    chip_cell(kb, entity, metric, precision) -> Cell   the cell find_chips filters, sorts and shows
    shown_cell(kb, entity, metric, precision) -> Cell  chip_cell as a row shows it (a planned figure labelled)

A column's entries are what `chip_cell` gives each entity (the one figure-selection rule, through
metric_cells), so a row's place and its printed cell cannot disagree. A column is built on first need for
every entity at once, from one read of its metric's figures (chipmcp.reasoning.bulk_cells, checked
against chip_cell for every metric and precision by tests/test_bulk_cells.py); an entry the bulk form is not
sure of (a figure in a unit the rule refuses) is read from chip_cell when a query first needs that entity. The knowledge base cannot
change while open, so an entry stays right for its life; columns are kept least recently used first out, a
bounded number of them, so asking about every metric at every precision cannot grow memory without limit.
"""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from itertools import compress
from operator import attrgetter
from typing import TYPE_CHECKING, Any, overload

from chipmcp.core import compute
from chipmcp.errors import InputError
from chipmcp.kb.store import KnowledgeBase
from chipmcp.reasoning import bulk_cells, ranking, selection
from chipmcp.reasoning.cells import Cell, Condition
from chipmcp.reasoning.metric_cells import INDICATORS, TEXT, better, metric_cell

if TYPE_CHECKING:
    import numpy as np

MAX_COLUMNS = 64  # each holds two floats per entity: 64 × 13,000 entities (a 100× catalog) ≈ 13 MB
MAX_CELLS = 8192  # Cells of shown rows, kept for repeated pages
# Up to this many entities wanted, a TPP column is filled from their cells (about 0.05 ms each) rather than
# built in bulk (compute at every precision: about 12 ms for the real catalog, 85 ms at 100×).
FEW_FOR_BULK_TPP = 64
_CATALOG_KINDS = frozenset(("chip", "system"))
_PRECISION_FREE = object()  # the column key of a metric that reads no compute (memory, power, TPP, text)


def chip_cell(kb: KnowledgeBase, entity: str, metric: str, precision: str) -> Cell:
    """The cell find_chips filters, sorts and shows (a price in its own currency: the ranking rule ranks one
    currency and sets the others apart)."""
    return metric_cell(kb, entity, metric, precision)


def shown_cell(kb: KnowledgeBase, entity: str, metric: str, precision: str) -> Cell:
    """chip_cell as a listed row shows it: a cell resting on a planned figure (basis plan: a product not
    shipped at its source's date, a roadmap rack) says so in its label, so a ranking never sets a roadmap
    figure beside shipped ones unmarked."""
    return selection.labelled_if_planned(kb, chip_cell(kb, entity, metric, precision))


@dataclass(frozen=True)
class Query:
    """What find_chips asks, its names already resolved: `vendors` is a company with its subsidiaries."""

    vendors: frozenset[str] | None = None
    domestic: bool | None = None
    kind: str | None = None
    certified: bool | None = None
    conditions: tuple[Condition, ...] = ()
    sort_by: str | None = None
    descending: bool | None = None
    precision: str = "fp16"

    @property
    def metrics(self) -> list[str]:
        """The metrics filtered or sorted on, each once, in the order asked."""
        return list(dict.fromkeys([c.metric for c in self.conditions] + ([self.sort_by] if self.sort_by else [])))


class Column:
    """One metric at one precision for every entity of the index: whether its cell reports anything, the
    ends of a numeric cell (NaN where not reported), the case-folded text of a text spec. The bulk form's
    entries are entered at once (`enter`); any other is filled from its cell for the entities a query's
    cheap filters leave (`fill`; `known` says which are entered)."""

    def __init__(self, size: int, text: bool) -> None:
        self.known = compute.mask(size, ())
        self.reported = compute.mask(size, ())
        self.low = compute.nans(size)
        self.high = compute.nans(size)
        # The envelope of every value the figure gives: both of an a/b pair and every claim of a contested one.
        self.wide_low = compute.nans(size)
        self.wide_high = compute.nans(size)
        self.is_text = text
        self.text: list[str] = [""] * size if text else []
        # What the ranking rule reads of each cell (chipmcp.reasoning.ranking): its tier code, whether it
        # rests on a suspect figure, its currency code.
        self.tier = compute.filled(size, ranking.PLAIN)
        self.flagged = compute.mask(size, ())
        self.currency = compute.filled(size, -1)
        self.engine = compute.filled(size, ranking.HEADLINE_ENGINE)
        # Where the cell rests on a planned figure (selection.is_planned).
        self.planned = compute.mask(size, ())
        self.entered = False  # the bulk form's entries entered

    def enter(self, found: bulk_cells.Entries) -> None:
        """Enter every entry the bulk form is sure of (the rest are filled from their cells when wanted); an
        entry filled before is entered again, the same."""
        self.entered = True
        sure = found.sure
        self.reported[sure] = found.reported[sure]
        if self.is_text:
            texts = found.text or []
            for position in compute.positions(sure & found.reported):
                self.text[position] = texts[int(position)].casefold()
        else:
            self.low[sure], self.high[sure] = found.low[sure], found.high[sure]
            self.wide_low[sure], self.wide_high[sure] = found.wide_low[sure], found.wide_high[sure]
            assert found.flagged is not None
            self.tier[sure] = bulk_cells.rank_tiers(found)[sure]
            self.flagged[sure], self.currency[sure] = found.flagged[sure], found.currency[sure]
            if found.engine is not None:
                self.engine[sure] = found.engine[sure]
            if found.planned is not None:
                self.planned[sure] = found.planned[sure]
        self.known |= sure

    def fill(self, wanted: np.ndarray, cell_of: Callable[[int], Cell], planned: Callable[[Cell], bool]) -> None:
        """Enter the cell of every wanted entity not entered yet (`planned`: whether a cell rests on a plan)."""
        for position in compute.positions(wanted & ~self.known):
            cell = cell_of(int(position))
            ends = cell.ends()
            self.reported[position] = cell.text is not None or ends is not None
            if self.is_text:
                self.text[position] = (cell.text or "").casefold()
            elif ends is not None:
                self.low[position], self.high[position] = ends
                span = cell.span or ends
                self.wide_low[position], self.wide_high[position] = min(ends[0], span[0]), max(ends[1], span[1])
                self.tier[position], self.flagged[position] = ranking.tier_code(cell.tier), cell.suspect
                self.currency[position] = ranking.currency_code(cell.unit)
                self.engine[position] = ranking.engine_code(cell.engine)
                self.planned[position] = planned(cell)
            self.known[position] = True

    def passes(self, condition: Condition) -> np.ndarray:
        """Where the condition holds (meaningful where the metric is reported)."""
        if isinstance(condition.value, str):
            wanted = condition.value.casefold()
            found = compute.flags([wanted in t for t in self.text])
            return ~found if condition.op == "!=" else found
        return compute.interval_holds(self.low, self.high, condition.op, condition.value)

    def may_pass(self, condition: Condition) -> np.ndarray:
        """Where some value the figure gives holds (one variant of an a/b pair, one claim of a contested figure)."""
        if isinstance(condition.value, str):
            return self.passes(condition)
        return compute.interval_may_hold(self.wide_low, self.wide_high, condition.op, condition.value)

    def sort_keys(self, higher_is_better: bool) -> np.ndarray:
        """The cautious end: the low end when higher is better, the high end when lower is better."""
        return self.low if higher_is_better else self.high


class Matches(Sequence[tuple[dict[str, Any], dict[str, Cell]]]):
    """The rows matching a query in answer order, as (entity, cells of the metrics asked); a row's Cells are
    built when it is read, so a page of ten from thousands of matches builds ten rows."""

    def __init__(self, index: CatalogIndex, positions: list[int], metrics: list[str], precision: str) -> None:
        self._index, self._positions, self._metrics, self._precision = index, positions, metrics, precision

    def __len__(self) -> int:
        return len(self._positions)

    @overload
    def __getitem__(self, item: int) -> tuple[dict[str, Any], dict[str, Cell]]: ...
    @overload
    def __getitem__(self, item: slice) -> list[tuple[dict[str, Any], dict[str, Cell]]]: ...
    def __getitem__(self, item: int | slice) -> Any:
        if isinstance(item, slice):
            return [self._row(p) for p in self._positions[item]]
        return self._row(self._positions[item])

    def __iter__(self) -> Iterator[tuple[dict[str, Any], dict[str, Cell]]]:
        return (self._row(p) for p in self._positions)

    @property
    def ids(self) -> list[str]:
        return [self._index.ids[p] for p in self._positions]

    def _row(self, position: int) -> tuple[dict[str, Any], dict[str, Cell]]:
        entity = self._index.kb.entities[self._index.ids[position]]
        return entity, {m: self._index.cell(entity["id"], m, self._precision) for m in self._metrics}


@dataclass
class Found:
    """find_chips' answer before it is worded: the matching rows, and per metric asked the entities that
    pass every other filter but lack it (in catalog order)."""

    rows: Matches
    missing: dict[str, list[str]]
    metrics: list[str]
    descending: bool | None
    status: Mapping[str, str]  # certification match per entity id, when `certified` filtered
    same_family: list[str]  # when `certified` filtered: those the other filters left only of a listed product's family
    # Entities reporting every metric asked whose figure passes only by one of its values (a variant, a claim),
    # in answer order: listed apart from the clean matches, never dropped.
    partial: Sequence[tuple[dict[str, Any], dict[str, Cell]]] = ()
    # Entities reporting every metric asked, passing every condition their rankable figures are tested on,
    # with a figure the ranking rule (chipmcp.reasoning.ranking) keeps out: in listing order, each with why.
    apart: Sequence[tuple[dict[str, Any], dict[str, Cell]]] = ()
    apart_why: Sequence[str] = ()
    # Per metric of `missing`: how many of those lacking it report every other metric asked, rankable.
    lacking_only: dict[str, int] = field(default_factory=dict[str, int])
    currency: str = ""  # the currency a money metric asked is ranked in, where one is


class CatalogIndex:
    """Every chip and system of one knowledge base, in id order (the order kb.entities gives), with the
    facts the cheap filters read, and columns of cells built on first use."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self._kb = weakref.ref(kb)  # the index lives beside its knowledge base, never keeping it alive
        # The catalog's ids and vendors from the name index's compact records (in kb.entities' id order), not
        # from the entity rows: at 100× knowledge the index is made of 25,000 entities on the first find_chips,
        # and a first visit to each wide row costs more than the rest of its making.
        import numpy as np

        every = list(kb.names.entities.values())
        listed = np.fromiter(map(_CATALOG_KINDS.__contains__, map(attrgetter("kind"), every)), dtype=bool, count=len(every))
        infos = list(compress(every, listed.tolist()))
        self._infos = infos
        self.ids = list(map(attrgetter("id"), infos))
        self.size = len(self.ids)
        self.position = dict(zip(self.ids, range(self.size), strict=True))
        # Each entity's position at its rank among all entities in id order, -1 for none (the name index holds
        # them in that order): bulk_cells.positions_by_rank, made in the same pass.
        self._by_rank = np.full(len(every), -1, dtype=np.int64)
        self._by_rank[listed] = np.arange(self.size)
        # The cheap filters' facts as arrays, each filter one array operation: a vendor as its place among the
        # few vendors, a test of a vendor made once per vendor.
        vendors = list(map(attrgetter("vendor"), infos))
        self._vendors = list(dict.fromkeys(vendors))
        place = {vendor: at for at, vendor in enumerate(self._vendors)}
        self._vendor = compute.codes(map(place.__getitem__, vendors), self.size)
        self._generations = [(self.position[e], g) for e, g in kb.generations() if e in self.position]
        self._chinese = self._of_vendors(lambda v: bool(v) and (kb.entity(v) or {}).get("country") == "CN")
        self._columns: OrderedDict[tuple[str, object], Column] = OrderedDict()
        self._specs: dict[tuple[str, str | None], bulk_cells.Entries] = {}
        self._none = compute.mask(self.size, ())
        self._certification = ["none"] * self.size
        self._listed = compute.mask(self.size, ())
        self._same_family = compute.mask(self.size, ())
        self._certification_known = compute.mask(self.size, ())
        self._lock = threading.Lock()
        self.cell = lru_cache(maxsize=MAX_CELLS)(self._cell)

    def _of_vendors(self, test: Callable[[str | None], bool]) -> np.ndarray:
        """Where the entity's vendor passes `test` (asked once per vendor)."""
        return compute.flags([test(vendor) for vendor in self._vendors])[self._vendor]

    # The facts of the kind filter and of certification, each built on the first query that reads it.
    @cached_property
    def entities(self) -> list[dict[str, Any]]:
        """Each entity's row, at its position."""
        return list(map(self.kb.entities.__getitem__, self.ids))

    @cached_property
    def _system(self) -> np.ndarray:
        return compute.flags(list(map("system".__eq__, map(attrgetter("kind"), self._infos))))

    @cached_property
    def kinds(self) -> list[str]:
        return sorted({e["kind"] for e in self.entities})

    @cached_property
    def _kind(self) -> np.ndarray:
        folded = {k: k.casefold() for k in self.kinds}
        return compute.labels([folded[e["kind"]] for e in self.entities])

    @cached_property
    def _listing_rank(self) -> np.ndarray:
        """A listing without a sort goes by vendor, then chips before systems, then id (built on first need):
        one sort of label arrays, the entities being in id order already (a Python sort of 25,000 key tuples
        was a fifth of a first find_chips at 100×)."""
        import numpy as np

        vendors = compute.labels([e["vendor"] or "" for e in self.entities])
        kinds = compute.labels([e["entity_kind"] for e in self.entities])
        return compute.ranks_of(np.lexsort((np.arange(self.size), kinds, vendors)).tolist())

    @property
    def kb(self) -> KnowledgeBase:
        kb = self._kb()
        if kb is None:
            raise RuntimeError("the knowledge base of this catalog index was closed and dropped")
        return kb

    def _cell(self, entity: str, metric: str, precision: str) -> Cell:
        return shown_cell(self.kb, entity, metric, precision)

    def column(self, metric: str, precision: str, wanted: np.ndarray | None = None) -> Column:
        """`metric` at `precision`, its entries filled for the `wanted` entities (default: all)."""
        key = (metric, precision if metric == "compute_tflops" or metric in selection.DERIVED else _PRECISION_FREE)
        with self._lock:  # one entry per entity and column, however many threads ask for it at once
            column = self._columns.get(key)
            if column is None:
                column = self._columns[key] = Column(self.size, metric in TEXT or selection.is_text(self.kb, metric))
                while len(self._columns) > MAX_COLUMNS:
                    self._columns.popitem(last=False)
            else:
                self._columns.move_to_end(key)
            wanted = ~self._none if wanted is None else wanted
            # Every entity's entry from one read of the metric's figures; chip_cell for any it leaves. TPP's bulk
            # form reads compute at every precision (a dozen columns): for a few entities their cells cost less.
            if not column.entered and (metric not in INDICATORS or int((wanted & ~column.known).sum()) > FEW_FOR_BULK_TPP):
                found = bulk_cells.entries(
                    self.kb, self.ids, self.position, self._generations, metric, precision, self._specs, self._by_rank
                )
                column.enter(found)
                if len(self._specs) > MAX_COLUMNS:  # the specs' entries, kept for the columns that read them
                    self._specs.clear()
            kb = self.kb
            column.fill(wanted, lambda p: chip_cell(kb, self.ids[p], metric, precision), lambda c: selection.is_planned(kb, c))
            return column

    def certification(self, wanted: np.ndarray, status: Callable[[list[str]], list[str]]) -> list[str]:
        """Each entity's 安全可靠测评 match ('listed-product', 'same-family', 'none'; a system is 'none'),
        filled for the `wanted` entities: `status(chip_ids)` gives the chips' labels, each chip asked once."""
        with self._lock:
            todo = wanted & ~self._certification_known
            chips = compute.positions(todo & ~self._system).tolist()
            labels = status([self.ids[p] for p in chips])
            for position, label in zip(chips, labels, strict=True):
                self._certification[position] = label
            found = compute.flags([label == "listed-product" for label in labels])
            self._listed[chips] = found
            self._same_family[chips] = compute.flags([label == "same-family" for label in labels])
            self._certification_known |= todo
            return self._certification

    def find(self, query: Query, certification: Callable[[list[str]], list[str]]) -> Found:
        """The rows matching every filter, in answer order, and the entities lacking a metric asked."""
        pool = ~self._none
        if query.vendors is not None:
            pool &= self._of_vendors(query.vendors.__contains__)
        if query.domestic is not None:
            pool &= self._chinese if query.domestic else ~self._chinese
        if query.kind is not None:
            pool &= self._of_kind(query.kind)
        status: Mapping[str, str] = {}
        same_family: list[str] = []
        if query.certified is not None:
            # Certified is the listed product itself (as xinchuang_certified says); a chip only of a listed
            # product's family is not, and is named as left out.
            status = _Labels(self, self.certification(pool, certification))
            same_family = [self.ids[p] for p in compute.positions(pool & self._same_family)]
            pool &= self._listed if query.certified else ~self._listed
        metrics = query.metrics
        columns = {m: self.column(m, query.precision, pool) for m in metrics}
        # The ranking rule (chipmcp.reasoning.ranking) over every numeric metric asked: a figure it keeps out is
        # neither tested on a condition nor ranked, and its entity is listed apart with the reason. Systems'
        # totals rank apart when chips are among the entities the cheap filters leave: decided once.
        systems_apart = bool((pool & ~self._system).any())
        why = {m: self._reasons(columns[m], pool, systems_apart, m, query.precision) for m in metrics}
        rankable = {m: columns[m].reported & (why[m] == ranking.RANKED) for m in metrics}
        # An entity fails when a rankable figure it reports breaks a condition; it lacks a metric when it passes
        # every condition it can be tested on and does not report that metric.
        passing = pool.copy()
        for condition in query.conditions:
            column = columns[condition.metric]
            passing &= ~(rankable[condition.metric] & ~column.passes(condition))
        missing: dict[str, list[str]] = {}
        lacking_only: dict[str, int] = {}
        complete = passing.copy()
        reports_all = passing.copy()
        for metric in metrics:
            lacking = passing & ~columns[metric].reported
            missing[metric] = [self.ids[p] for p in compute.positions(lacking)]
            others = lacking.copy()
            for other in metrics:
                if other != metric:
                    others &= rankable[other]
            lacking_only[metric] = int(others.sum())
            complete &= rankable[metric]
            reports_all &= columns[metric].reported
        down = None
        if query.sort_by:
            down = self._higher_first(query.sort_by) if query.descending is None else query.descending
        order = self._ordered(compute.positions(complete), columns, query.sort_by, bool(down))
        partial = self._ordered(
            compute.positions(self._partial(pool, passing, columns, rankable, query)), columns, query.sort_by, bool(down)
        )
        apart = compute.positions(reports_all & ~complete)
        apart = [int(apart[i]) for i in compute.sort_order(self._listing_rank[apart], False)]
        return Found(
            rows=Matches(self, order, metrics, query.precision),
            missing=missing,
            metrics=metrics,
            descending=down,
            status=status,
            same_family=same_family,
            partial=Matches(self, partial, metrics, query.precision),
            apart=Matches(self, apart, metrics, query.precision),
            apart_why=_Reasons(apart, why, columns),
            lacking_only=lacking_only,
            currency=self._currency(columns, rankable),
        )

    def _reasons(self, column: Column, pool: np.ndarray, systems_apart: bool, metric: str, precision: str) -> np.ndarray:
        """Each entity's ranking reason code for `column` (`metric` at `precision`): ranking.reasons over the
        pool's filled cells; 0 elsewhere and for text, which is matched, never ranked."""
        import numpy as np

        out = np.zeros(self.size, dtype=np.int64)
        if column.is_text:
            return out
        filled = pool & column.reported
        out[filled] = ranking.reasons(
            column.tier[filled],
            column.flagged[filled],
            self._system[filled],
            column.currency[filled],
            systems_apart,
            column.planned[filled],
            column.engine[filled],
        )
        return out

    @staticmethod
    def _currency(columns: dict[str, Column], rankable: dict[str, np.ndarray]) -> str:
        """The currency the ranked money figures are in (one at most: the rule sets the others apart)."""
        for metric, column in columns.items():
            top = int(column.currency.max(initial=-1, where=rankable[metric]))
            if top >= 0:
                return ranking.currency_name(top) or ""
        return ""

    def _ordered(self, matched: np.ndarray, columns: dict[str, Column], sort_by: str | None, down: bool) -> list[int]:
        keys = columns[sort_by].sort_keys(self._higher_first(sort_by))[matched] if sort_by else self._listing_rank[matched]
        return [int(matched[i]) for i in compute.sort_order(keys, down)]

    def _higher_first(self, metric: str) -> bool:
        """The registry's way for `metric`; a metric with none (a die area) sorts largest first."""
        return better(self.kb, metric) != "lower"

    @staticmethod
    def _partial(
        pool: np.ndarray, passing: np.ndarray, columns: dict[str, Column], rankable: dict[str, np.ndarray], query: Query
    ) -> np.ndarray:
        """Entities reporting every metric asked, rankable, that fail a condition as a whole but pass every
        condition by some value their figure gives."""
        loose = pool.copy()
        for condition in query.conditions:
            column = columns[condition.metric]
            loose &= ~(column.reported & ~column.may_pass(condition))
        for ranked in rankable.values():
            loose &= ranked
        return loose & ~passing

    def _of_kind(self, kind: str) -> np.ndarray:
        wanted = kind.strip().casefold()
        if wanted == "system":
            return self._system
        if wanted == "chip":
            return ~self._system
        if wanted not in {k.casefold() for k in self.kinds}:
            raise InputError(f"Unknown kind '{kind}'. Allowed: chip, system, {', '.join(self.kinds)}.")
        return self._kind == wanted


class _Reasons(Sequence[str]):
    """Why each entity listed apart is not ranked, worded when read (a page of them, not every one): each
    metric's reason, the metric named when more than one is asked."""

    def __init__(self, positions: list[int], why: dict[str, np.ndarray], columns: dict[str, Column]) -> None:
        self._positions, self._why, self._columns = positions, why, columns

    def __len__(self) -> int:
        return len(self._positions)

    @overload
    def __getitem__(self, item: int) -> str: ...
    @overload
    def __getitem__(self, item: slice) -> list[str]: ...
    def __getitem__(self, item: int | slice) -> Any:
        if isinstance(item, slice):
            return [self._worded(p) for p in self._positions[item]]
        return self._worded(self._positions[item])

    def _worded(self, position: int) -> str:
        reasons = {
            m: ranking.reason_text(code, ranking.currency_name(int(self._columns[m].currency[position])))
            for m, codes in self._why.items()
            if (code := int(codes[position])) != ranking.RANKED
        }
        if len(self._why) == 1:
            return next(iter(reasons.values()))
        return "; ".join(f"{m}: {reason}" for m, reason in reasons.items())


class _Labels(Mapping[str, str]):
    """A label per entity id, read from a column without building a dict of every entity per answer."""

    def __init__(self, index: CatalogIndex, labels: list[str]) -> None:
        self._index, self._labels = index, labels

    def __getitem__(self, key: str) -> str:
        return self._labels[self._index.position[key]]

    def __iter__(self) -> Iterator[str]:
        return iter(self._index.ids)

    def __len__(self) -> int:
        return self._index.size


def of(kb: KnowledgeBase) -> CatalogIndex:
    """The catalog index of `kb`, built on first use (its columns later, as queries ask for them)."""
    return kb.memo.get(("catalog_index",), lambda: CatalogIndex(kb), pin=True)
