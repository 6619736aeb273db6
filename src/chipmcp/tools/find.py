"""find_chips: chips and systems filtered and ranked by any spec, with the ones lacking the figure named.

Cheap filters (vendor with its subsidiaries, domestic, kind, certification) run first; the figure filters
and the sort read cells chosen by the one figure-selection rule (chipmcp.reasoning.selection), so a chip's number
here is its number in compare_chips and estimate_cluster, and rank by compare_chips' ranking rule
(chipmcp.reasoning.ranking): a figure it keeps out is neither tested nor ranked, and its chip is listed in
not_ranked with the reason.

What each detail holds (both channels alike):
  summary  one row per chip with the filtered and sorted cells, each citing its chosen figure (with the span
           of disagreeing claims); for each metric, how many lack it and the first NOT_REPORTED_SHOWN of them.
  full     adds every figure agreeing with the chosen one, each claim of a contested cell, cell notes, and
           every chip lacking a metric.
Rows are paged (total, returned, offset; `more` gives the call for the next page).
"""

import json
from collections.abc import Mapping
from typing import Annotated, Any, ClassVar, Literal, cast

from pydantic import BaseModel, ConfigDict, Field

from chipmcp.core import compute
from chipmcp.errors import InputError
from chipmcp.kb.store import KnowledgeBase, display_name
from chipmcp.reasoning import catalog_index, selection
from chipmcp.reasoning.cells import Cell, Condition
from chipmcp.reasoning.metric_cells import METRICS, TEXT, known_metrics, metric_key
from chipmcp.tools._answer_parts import (
    Certified,
    Detail,
    OmitsNewWhenEmpty,
    SourceRef,
)
from chipmcp.tools._common import (
    VENDOR,
    format_cell,
    ids,
    not_a_chip_metric,
    number,
    resolve,
    source_lines,
    source_refs,
    unknown_metric,
)
from chipmcp.tools.registry import Arguments, Name, Precision, Tool
from chipmcp.tools.xinchuang import certification_matches


class ChipRow(OmitsNewWhenEmpty):
    omit_empty: ClassVar[frozenset[str]] = frozenset({"passes", "why"})

    id: str
    name: str
    vendor: str
    vendor_name: str
    kind: str
    entity_kind: Literal["chip", "system"]
    certified: Certified | None = Field(default=None, description="Set when `certified` filtered the list")
    cells: dict[str, Cell] = Field(default_factory=dict, description="The filtered and sorted metrics")
    passes: str = Field(default="", description="In partial: how it passes (by one variant, by one claim, by part of a range)")
    why: str = Field(default="", description="In not_ranked: why its figure is not ranked with the rows' (the ranking rule)")


class NotReported(OmitsNewWhenEmpty):
    omit_empty: ClassVar[frozenset[str]] = frozenset({"passes_others"})

    metric: str
    count: int = Field(description="How many have no figure for `metric` and pass every condition they can be tested on")
    passes_others: int | None = Field(
        default=None,
        description=(
            "Set where not all of them do: how many pass every other filter (the rest also lack, or rank apart on, "
            "another filtered metric, so were not tested on it)"
        ),
    )
    chips: list[str] = Field(
        description=("Their ids: every one at detail='full'; the first few at summary (count says how many in all)")
    )


class ChipList(OmitsNewWhenEmpty):
    omit_empty: ClassVar[frozenset[str]] = frozenset({"partial", "partial_total", "not_ranked", "not_ranked_total", "currency"})

    detail: Detail = "summary"
    filters: list[str] = Field(description="The filters applied, in words")
    sort_by: str | None
    descending: bool | None
    precision: str
    total: int = Field(description="Chips and systems matching every filter")
    returned: int
    offset: int
    more: str = Field(default="", description="How to get what this answer leaves out (the next rows, every citation)")
    rows: list[ChipRow]
    not_reported: list[NotReported] = Field(
        default_factory=list, description="Chips passing every other filter but lacking a filtered or sorted figure"
    )
    rules: list[str] = Field(default_factory=list, description="How ranges, bounds and text were compared")
    partial: list[ChipRow] = Field(
        default_factory=list,
        description=(
            "Apart from rows and total: chips passing every condition only by one of their values (one variant of an "
            "a/b pair, one claim of a contested figure), paged as the rows are: from `offset`, at most `limit`"
        ),
    )
    partial_total: int | None = Field(default=None, description="How many pass only in part, all pages")
    not_ranked: list[ChipRow] = Field(
        default_factory=list,
        description=(
            "Apart from rows and total: chips whose filtered or sorted figure the ranking rule keeps out (precision "
            "not printed, family-level, suspect, a system's total beside chips, sparse beside dense, another "
            "currency), each with `why`; paged as the rows are"
        ),
    )
    not_ranked_total: int | None = Field(default=None, description="How many are not ranked, all pages")
    currency: str = Field(default="", description="The currency prices are ranked and compared in (the one most print)")
    sources: list[SourceRef]
    summary: str


TEXT_SPECS = tuple(TEXT)  # METRICS holds them too: they filter, they do not rank
NUMERIC_OPS = (">", ">=", "<", "<=", "=", "!=")
TEXT_OPS = ("=", "!=", "contains")
MAX_LIMIT = 100
SYSTEM_KINDS = ("server", "rack", "supernode", "cluster", "board")
# Checked at call time against the knowledge base's registry, so any numeric metric of it ranks (text only filters).
SortMetric = Annotated[str, Field(min_length=1, max_length=40)]
PARTIAL_RULE = (
    "A chip whose a/b pair, contested claims or range passes only in part is listed apart, in partial "
    "(not counted in total), never dropped."
)
NOT_REPORTED_SHOWN = 10  # at summary: how many of the chips lacking a metric are named (count says how many in all)
RULES = [
    "A range or a/b pair passes a condition only if all of it does: ≥/> test its low end, ≤/< its high end, "
    "= needs the value inside the range; a bound (≈, >) is compared as its printed number.",
    "Ranked by the cautious end: the low end when higher is better, the high end when lower is better.",
    "Text specs (memory_type, release) match case-insensitively as substrings.",
    "Ranked and filtered only among comparable figures, by compare_chips' rule: a figure whose precision is not "
    "printed, a family-level or suspect one, a system's total where chips are listed, a planned (roadmap) one "
    "beside shipped ones, a tensor-unit FP32/FP64 or vector-unit figure beside headline ones, a sparse one beside "
    "dense ones and a price in another currency than most print are listed in not_ranked with the reason.",
]
CURRENCY_RULE = "Prices are ranked and compared in {currency}, the currency most print (never converted)."


class WhereCondition(BaseModel):
    """One `where` condition, as a model writes it: a key it does not know is refused (a unit written beside the
    value, say), as the tool's own unknown arguments are."""

    model_config = ConfigDict(extra="forbid")

    metric: str = Field(
        max_length=40,
        description=(
            "A compare metric (compute_tflops, memory_gb, memory_bandwidth_gbs, interconnect_gbs, tdp_w, price, "
            "tflops_per_w, bandwidth_per_tflops, gb_per_tflops, price_per_tflops), a text spec (memory_type, release) "
            "or a registry metric id"
        ),
    )
    op: Literal[">", ">=", "<", "<=", "=", "!=", "contains"] = Field(
        default=">=", description="> >= < <= = != for numbers; = != contains for text"
    )
    value: float | Annotated[str, Field(max_length=60)] = Field(
        description="A number in the metric's unit (TFLOPS, GB, GB/s, W; a price in the currency the answer ranks in), or text"
    )


class FindChipsArguments(Arguments):
    vendor: Name | None = Field(
        default=None, description=("Company in any spelling; includes its subsidiaries (阿里巴巴 → 平头哥); alone: its product list")
    )
    domestic: bool | None = Field(default=None, description="true: Chinese vendors only; false: the others")
    kind: Annotated[str, Field(max_length=20)] | None = Field(
        default=None,
        description=(
            "chip or system (server, rack, supernode, cluster, board), or a chip kind: GPU, NPU, ASIC, TPU, DCU, CPU, SoC, card"
        ),
    )
    certified: bool | None = Field(
        default=None,
        description=("true: on the 安全可靠测评 list as the listed product (as xinchuang_certified says certified); false: not"),
    )
    where: Annotated[list[WhereCondition], Field(max_length=10)] | None = Field(
        default=None,
        description=("Conditions {metric, op, value} every row must meet; chips lacking the figure are listed in not_reported"),
    )
    sort_by: SortMetric | None = Field(
        default=None,
        description=(
            "Rank by a numeric metric, best first: compute_tflops, memory_gb, tdp_w, price, tflops_per_w, tpp … or a registry metric id"
        ),
    )
    precision: Precision = Field(default="fp16", description="Precision of compute_tflops and the ratios built on it")
    limit: Annotated[int, Field(ge=1, le=MAX_LIMIT)] = Field(default=10, description="Rows to return; total counts all")
    offset: Annotated[int, Field(ge=0, le=100_000)] = Field(default=0, description="Rows to skip, for the next page")
    descending: bool | None = Field(default=None, description="Sort direction; default best first (power, price: lowest)")
    detail: Annotated[
        Detail,
        Field(description=("summary: each cell its value and chosen figure, a few chips per gap; full: every citation, claim, gap")),
    ] = "summary"


def find_chips(kb: KnowledgeBase, args: FindChipsArguments) -> ChipList:
    query, vendor_line = _resolve(kb, args)
    # The filtering, sorting and gaps run over columns of every entity at once (chipmcp.reasoning.catalog_index);
    # `rows` builds a row's cells only when it is read, so a page costs its own rows.
    found = catalog_index.of(kb).find(query, certification=lambda chips: certification_matches(kb, chips))
    args = args.model_copy(update={"sort_by": query.sort_by})
    return _answer(kb, args, list(query.conditions), found, _filter_words(vendor_line, args, found, query))


def _resolve(kb: KnowledgeBase, args: FindChipsArguments) -> tuple[catalog_index.Query, str]:
    """The query with its names resolved (a company with its subsidiaries, the metrics of the registry), and
    the vendor filter in words."""
    selection.check_precision(args.precision)
    if not 1 <= args.limit <= MAX_LIMIT:
        raise InputError(f"limit must be 1 to {MAX_LIMIT}.")
    conditions = [_condition(kb, c) for c in (args.where or [])]
    sort_by = _sort_metric(kb, args.sort_by)
    family, vendor_line = None, ""
    if args.vendor is not None:
        match = resolve(kb, args.vendor, VENDOR, "vendor")
        family = {match.id, *kb.names.subsidiaries(match.id)}
        subs = sorted(family - {match.id})
        vendor_line = f"vendor {match.name}" + (f" with {', '.join(_vendor_name(kb, s) for s in subs)}" if subs else "")
    return catalog_index.Query(
        vendors=frozenset(family) if family is not None else None,
        domestic=args.domestic,
        kind=args.kind,
        certified=args.certified,
        conditions=tuple(conditions),
        sort_by=sort_by,
        descending=args.descending,
        precision=args.precision,
    ), vendor_line


def _filter_words(vendor_line: str, args: FindChipsArguments, found: catalog_index.Found, query: catalog_index.Query) -> list[str]:
    """The filters applied, in words, in the order a reader checks them."""
    filters = [vendor_line] if vendor_line else []
    if args.domestic is not None:
        filters.append("Chinese vendors" if args.domestic else "non-Chinese vendors")
    if args.kind is not None:
        filters.append(f"kind {args.kind}")
    if args.certified is not None:
        # Certified means what xinchuang_certified says: the listed product itself. A chip only of a listed
        # product's family is not certified, and the answer names those it left out.
        family = found.same_family
        if args.certified:
            filters.append(
                "on the 安全可靠测评 list as the listed product"
                + (f" (not counting {len(family)} only of a listed product's family: {', '.join(family)})" if family else "")
            )
        else:
            filters.append(
                "not on the 安全可靠测评 list as a product"
                + (f" ({len(family)} of them of a listed product's family)" if family else "")
            )
    return filters + [
        f"{c.metric} {c.op} {c.value:g}" if isinstance(c.value, float) else f"{c.metric} {c.op} '{c.value}'" for c in query.conditions
    ]


def _row(
    kb: KnowledgeBase, e: dict[str, Any], cells: dict[str, Cell], full: bool, status: Mapping[str, str], passes: str = "", why: str = ""
) -> ChipRow:
    return ChipRow(
        id=e["id"],
        name=display_name(e),
        vendor=e["vendor"],
        vendor_name=_vendor_name(kb, e["vendor"]),
        kind=e["kind"],
        entity_kind=e["entity_kind"],
        certified=cast("Certified | None", status.get(e["id"])),
        cells={m: _at_detail(c, full, m in selection.DERIVED) for m, c in cells.items()},
        passes=passes,
        why=why,
    )


def _answer(
    kb: KnowledgeBase, args: FindChipsArguments, conditions: list[Condition], found: catalog_index.Found, filters: list[str]
) -> ChipList:
    """One page of rows, the chips lacking a figure, those passing only in part, those the ranking rule keeps
    out, and the calls for the rest."""
    rows, missing, status = found.rows, found.missing, found.status
    _check_offset(args.offset, len(rows), len(found.partial), len(found.apart))
    page = rows[args.offset : args.offset + args.limit]
    full = args.detail == "full"
    out = [_row(kb, e, cells, full, status) for e, cells in page]
    not_reported = [
        NotReported(
            metric=m,
            count=len(ids),
            passes_others=None if found.lacking_only.get(m, len(ids)) == len(ids) else found.lacking_only[m],
            chips=ids if full else ids[:NOT_REPORTED_SHOWN],
        )
        for m, ids in missing.items()
        if ids
    ]
    partial = _partial_rows(kb, found.partial, conditions, args.offset, args.limit, full, status)
    apart_page = found.apart[args.offset : args.offset + args.limit]
    apart = [
        _row(kb, e, cells, full, status, why=why)
        for (e, cells), why in zip(apart_page, found.apart_why[args.offset : args.offset + args.limit], strict=True)
    ]
    used = {
        i
        for row in out + partial + apart
        for c in row.cells.values()
        for i in [*c.figure_ids, *(i for cl in c.claims for i in cl.figure_ids)]
    }
    asked = _asked(args, conditions)
    answer = ChipList(
        detail=args.detail,
        filters=filters,
        sort_by=args.sort_by,
        descending=found.descending,
        precision=args.precision,
        total=len(rows),
        returned=len(out),
        offset=args.offset,
        more=_more(
            asked,
            len(rows),
            args.offset,
            len(out),
            args.limit,
            args.detail,
            not_reported,
            _cells_cut([*page, *apart_page]),
            len(found.partial) - args.offset - len(partial),
            len(found.apart) - args.offset - len(apart),
        ),
        rows=out,
        not_reported=not_reported,
        partial=partial,
        partial_total=len(found.partial) or None,
        not_ranked=apart,
        not_ranked_total=len(found.apart) or None,
        currency=found.currency,
        rules=_rules(found),
        sources=source_refs(kb, _sources(kb, used)),
        summary="",
    )
    answer.summary = _summary(answer)
    return answer


def _check_offset(offset: int, *totals: int) -> None:
    """An offset at or past the end of every list the answer pages is an error saying how far the lists go."""
    end = max(totals)
    if offset and offset >= end:
        rows, partial, apart = totals
        listed = (
            f"{rows} row(s) match" + (f", {partial} pass only in part" if partial else "") + (f", {apart} not ranked" if apart else "")
        )
        raise InputError(
            f"offset {offset} is past the end: {listed}."
            + (f" Ask an offset from 0 to {end - 1}." if end else " Ask without an offset, or loosen a filter.")
        )


def _asked(args: FindChipsArguments, conditions: list[Condition]) -> dict[str, Any]:
    """The arguments of the call this answer answers, without its paging arguments, as JSON takes them."""
    asked = {
        "vendor": args.vendor,
        "domestic": args.domestic,
        "kind": args.kind,
        "certified": args.certified,
        "where": [{**c.model_dump(), "value": _json_number(c.value)} for c in conditions] or None,
        "sort_by": args.sort_by,
        "precision": args.precision if args.precision != "fp16" else None,
        "descending": args.descending,
    }
    return {k: v for k, v in asked.items() if v is not None}


def _json_number(value: float | str) -> float | int | str:
    return int(value) if isinstance(value, float) and value.is_integer() and abs(value) < 1e15 else value


def _call(arguments: dict[str, Any]) -> str:
    """'find_chips({"domestic": true, …})': a call whose arguments a model can copy as JSON."""
    return f"find_chips({json.dumps(arguments, ensure_ascii=False)})"


def _cells_cut(page: list[tuple[dict[str, Any], dict[str, Cell]]]) -> bool:
    """Whether a summary of these rows leaves out a citation, claim or note that full detail gives."""
    return any(
        len(c.figure_ids) > (2 if m in selection.DERIVED else 1) or c.claims or c.note for _, cells in page for m, c in cells.items()
    )


def _rules(found: catalog_index.Found) -> list[str]:
    if not found.metrics:
        return []
    currency = [CURRENCY_RULE.format(currency=found.currency)] if found.currency else []
    return RULES + currency + ([PARTIAL_RULE] if len(found.partial) else [])


def _at_detail(c: Cell, full: bool, derived: bool = False) -> Cell:
    """At summary a cell cites its chosen figure (a derived cell the one of each side it divides) and the
    span of disagreeing claims; full keeps all."""
    return c if full else c.updated(figure_ids=c.figure_ids if derived else c.figure_ids[:1], claims=[], note="")


def _more(
    asked: dict[str, Any],
    total: int,
    offset: int,
    returned: int,
    limit: int,
    detail: Detail,
    not_reported: list[NotReported],
    cells_cut: bool,
    partial_left: int = 0,
    apart_left: int = 0,
) -> str:
    """The calls that fetch what this answer leaves out: the next rows, the next of those passing only in part
    and of those not ranked (paged alike: the same offset and limit), and at summary (when it left out a
    citation, claim, note or gap) the same page in full."""
    more = []
    left = total - offset - returned
    if left > 0:
        more.append(f"{left} more rows: ask {_call(_paged(asked, offset + returned, limit, detail))}")
    if partial_left > 0:
        more.append(f"{partial_left} more passing only in part: ask {_call(_paged(asked, offset + limit, limit, detail))}")
    if apart_left > 0:
        more.append(f"{apart_left} more not ranked: ask {_call(_paged(asked, offset + limit, limit, detail))}")
    if detail == "summary" and (cells_cut or any(n.count > len(n.chips) for n in not_reported)):
        page = {**({"offset": offset} if offset else {}), **({"limit": limit} if limit != 10 else {})}
        more.append(f"every agreeing figure, claim and chip lacking a figure: ask {_call({**asked, **page, 'detail': 'full'})}")
    return "; ".join(more)


def _paged(asked: dict[str, Any], offset: int, limit: int, detail: Detail) -> dict[str, Any]:
    return {**asked, "offset": offset, **({"limit": limit} if limit != 10 else {}), **({"detail": "full"} if detail == "full" else {})}


def _sort_metric(kb: KnowledgeBase, name: str | None) -> str | None:
    """The metric to rank by: a ranked metric, or a numeric metric of the registry; else an error naming the
    nearest."""
    if name is None:
        return None
    key = metric_key(kb, name)
    if key is None:
        raise unknown_metric(name, [m for m in known_metrics(kb) if not selection.is_text(kb, m)], "sort_by", METRICS)
    if (refused := not_a_chip_metric(kb, name, key, "find_chips")) is not None:
        raise refused
    if key in TEXT_SPECS or selection.is_text(kb, key):
        numeric = [m for m in METRICS if m not in TEXT]
        raise InputError(
            f"sort_by ranks by a number: one of {', '.join(numeric)} or a numeric registry metric. Filter on {name} with where instead."
        )
    return key


def _partial_rows(
    kb: KnowledgeBase, partial: Any, conditions: list[Condition], offset: int, limit: int, full: bool, status: Any
) -> list[ChipRow]:
    """The chips that pass only by one value their figure gives, each saying which: one variant of an a/b pair,
    one claim of a contested figure, part of a range. Paged as the rows are: from `offset`, at most `limit`."""
    return [
        _row(
            kb,
            e,
            cells,
            full,
            status,
            " and ".join(sorted({_passes_by(cells[c.metric]) for c in conditions if not _holds(cells[c.metric], c)})),
        )
        for e, cells in partial[offset : offset + limit]
    ]


def _holds(cell: Cell, condition: Condition) -> bool:
    ends = cell.ends()
    if ends is None or isinstance(condition.value, str):
        return True
    return bool(compute.interval_holds(compute.as_array([ends[0]]), compute.as_array([ends[1]]), condition.op, condition.value)[0])


def _passes_by(cell: Cell) -> str:
    if "a/b configurations" in cell.label:
        return "passes by one variant"
    return "passes by one claim" if cell.span else "passes by part of its range"


def _condition(kb: KnowledgeBase, raw: dict[str, Any] | WhereCondition) -> Condition:
    if isinstance(raw, WhereCondition):
        given = raw
    else:
        try:
            given = WhereCondition.model_validate(raw)
        except ValueError:
            raise InputError(
                "Each where condition is {metric, op, value}: op one of > >= < <= = != contains, value a number or text."
            ) from None
    metric, op = metric_key(kb, given.metric) or given.metric.strip(), given.op.strip()
    if (refused := not_a_chip_metric(kb, given.metric, metric, "find_chips")) is not None:
        raise refused
    if metric in TEXT_SPECS or selection.is_text(kb, metric):
        if op not in TEXT_OPS:
            raise InputError(f"Operator '{op}' does not apply to text spec {metric}; use one of {', '.join(TEXT_OPS)}.")
        return Condition(metric=metric, op=op, value=str(given.value))
    if metric not in METRICS and metric not in kb.metrics:
        raise unknown_metric(metric, known_metrics(kb), "where", METRICS)
    if op not in NUMERIC_OPS:
        raise InputError(f"Unknown operator '{op}'. Allowed for numbers: {', '.join(NUMERIC_OPS)}.")
    try:
        value = float(given.value)
    except ValueError:
        raise InputError(f"{metric} compares with a number, not '{given.value}'.") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise InputError(f"{metric} compares with a finite number.")
    return Condition(metric=metric, op=op, value=value)


def _vendor_name(kb: KnowledgeBase, vendor_id: str | None) -> str:
    vendor = kb.entity(vendor_id or "")
    return display_name(vendor) if vendor else (vendor_id or "")


def _sources(kb: KnowledgeBase, figure_ids: set[int]) -> list[str]:
    return [r["source"] for r in kb.figures_by_ids(sorted(figure_ids))]


def _summary(a: ChipList) -> str:
    what = "; ".join(a.filters) or "no filter"
    head = f"{a.total} chip(s)/system(s) match ({what})"
    if a.sort_by:
        head += f", sorted by {a.sort_by} ({'highest' if a.descending else 'lowest'} first)"
    head += f"; showing {a.returned}" + (f" from #{a.offset + 1}" if a.offset else "")
    if a.not_reported:
        head += "; " + "; ".join(f"{n.count} lack {n.metric}" for n in a.not_reported)
    if a.partial:
        head += f"; {a.partial_total} more pass only by one variant or claim ({', '.join(r.id for r in a.partial)}"
        head += ")" if len(a.partial) == a.partial_total else ", …)"
    if a.not_ranked_total:
        head += f"; {a.not_ranked_total} not ranked, listed apart with the reason"
        if any("system total" in r.why for r in a.not_ranked):
            head += ' (kind "system" ranks systems among themselves)'
    return head + "."


def _cell_text(metric: str, cell: Cell) -> str:
    """Everything a cell says: value (both ends, bound), unit, label, figures, suspect, span, claims, note."""
    shown = format_cell(cell) + (f" {cell.unit}" if cell.unit and cell.text is None else "")
    extra = f" ({cell.label})" if cell.label else ""
    claims = (
        (
            " claims: "
            + " vs ".join(
                (number(cl.value) if cl.value is not None else f"{number(cl.low)}–{number(cl.high)}") + f" {ids(cl.figure_ids)}"
                for cl in cell.claims
            )
        )
        if cell.claims
        else ""
    )
    note = f" — {cell.note}" if cell.note else ""
    return f"{metric} {shown}{extra} {ids(cell.figure_ids)}{claims}{note}".rstrip()


def render(a: ChipList) -> str:
    lines = [a.summary, f"Detail: {a.detail}; compute at {a.precision.upper()}."]
    if not a.rows:
        lines.append(
            "No chip or system matches every filter"
            + (" with the figure reported." if a.not_reported else ".")
            + " Loosen a filter to see more."
        )
    else:
        lines.append(f"Rows {a.offset + 1}-{a.offset + a.returned} of {a.total} (offset {a.offset}, returned {a.returned}):")
    for n, row in enumerate(a.rows, start=a.offset + 1):
        cert = f", certified: {row.certified}" if row.certified else ""
        cells = "; ".join(_cell_text(m, c) for m, c in row.cells.items())
        lines.append(
            f"{n}. {row.name} [{row.id}] — {row.entity_kind}, {row.kind} by {row.vendor_name} [{row.vendor}]"
            f"{cert}" + (f" — {cells}" if cells else "")
        )
    for gap in a.not_reported:
        shown = ", ".join(gap.chips) + (
            f", … ({gap.count - len(gap.chips)} more at detail='full')" if gap.count > len(gap.chips) else ""
        )
        if gap.passes_others is None:
            lines.append(f"Not reported — {gap.count} pass the other filters but have no {gap.metric} figure: {shown}")
        else:
            lines.append(
                f"Not reported — {gap.count} have no {gap.metric} figure; {gap.passes_others} pass every other filter, "
                f"{gap.count - gap.passes_others} also lack or rank apart on another filtered metric (not tested on it): {shown}"
            )
    lines += _partial_lines(a) + _not_ranked_lines(a)
    if a.rules:
        lines.append("Rules: " + " ".join(a.rules))
    if a.more:
        lines.append(f"More: {a.more}.")
    if a.sources:
        lines.append(source_lines(a.sources))
    return "\n".join(lines)


def _not_ranked_lines(a: ChipList) -> list[str]:
    if not a.not_ranked:
        return []
    total = a.not_ranked_total or len(a.not_ranked)
    shown = f"{len(a.not_ranked)}" if len(a.not_ranked) == total else f"{a.offset + 1}-{a.offset + len(a.not_ranked)} of {total}"
    lines = [f"Not ranked — {shown} listed apart, not counted in the total, each with why:"]
    for row in a.not_ranked:
        cells = "; ".join(_cell_text(m, c) for m, c in row.cells.items())
        lines.append(
            f"- {row.name} [{row.id}] ({row.why}) — {row.entity_kind}, {row.kind} by {row.vendor_name} [{row.vendor}]"
            + (f" — {cells}" if cells else "")
        )
    return lines


def _partial_lines(a: ChipList) -> list[str]:
    if not a.partial:
        return []
    shown = (
        f"{len(a.partial)}" if len(a.partial) == a.partial_total else f"{a.offset + 1}-{a.offset + len(a.partial)} of {a.partial_total}"
    )
    lines = [f"Passing only in part — {shown} listed apart, not counted in the total:"]
    for row in a.partial:
        cells = "; ".join(_cell_text(m, c) for m, c in row.cells.items())
        lines.append(
            f"- {row.name} [{row.id}] {row.passes} — {row.entity_kind}, {row.kind} by {row.vendor_name} "
            f"[{row.vendor}]" + (f" — {cells}" if cells else "")
        )
    return lines


TOOL = Tool(
    name="find_chips",
    title="Find chips",
    description="Chips and systems filtered and ranked by any spec, with the ones lacking the figure named.",
    example={"domestic": True, "where": [{"metric": "memory_gb", "op": ">=", "value": 64}], "sort_by": "compute_tflops"},
    arguments=FindChipsArguments,
    answer=ChipList,
    run=find_chips,
    render=render,
)
