"""lookup_chip: one chip (or system) with every figure the reports give, sources and conflicts."""

from collections import Counter
from dataclasses import dataclass
from typing import ClassVar, Literal

from pydantic import Field

from chipmcp.errors import ChipMCPError, NotFoundError
from chipmcp.kb.memo import handout, per_knowledge_base
from chipmcp.kb.store import KnowledgeBase, display_name
from chipmcp.reasoning import export_control, selection
from chipmcp.reasoning.cells import Cell, redumped
from chipmcp.tools._answer_parts import (
    CertificationStatus,
    Conflict,
    Derived,
    Detail,
    Figure,
    NameMatch,
    OmitsNewWhenEmpty,
    Page,
    SourceRef,
    VendorRef,
)
from chipmcp.tools._common import (
    CHIP_OR_SYSTEM,
    VENDOR,
    SummaryPlan,
    call_of,
    conflict_lines,
    conflicts,
    entries_lines,
    entries_page,
    entry_sources,
    figure,
    first_summary_page,
    format_cell,
    ids,
    match_line,
    resolve,
    source_lines,
    source_refs,
    sources_counted,
    summarize,
    summary_plan,
)
from chipmcp.tools.registry import DEFAULT_LIMIT as _DEFAULT_LIMIT
from chipmcp.tools.registry import Arguments, DetailArg, LimitArg, Name, OffsetArg, Tool
from chipmcp.tools.xinchuang import certification_lines, chip_status


class ChipAnswer(OmitsNewWhenEmpty):
    omit_empty: ClassVar[frozenset[str]] = frozenset({"family_level"})

    id: str
    name_zh: str
    name_en: str
    kind: str = Field(description="GPU, NPU, ASIC, TPU, DCU, CPU, SoC, … or a system kind")
    entity_kind: Literal["chip", "system"]
    model: str | None
    family: str | None
    # 'variant of nvidia-h100' and/or 'variants: nvidia-h100-pcie, …' (figures kept apart): one short field,
    # as tools/list has little room left
    variants: str = ""
    vendor: VendorRef
    aliases: list[str]
    match: NameMatch
    detail: Detail = "summary"
    figures: list[Figure]
    page: Page
    conflicts: list[Conflict]
    derived: list[Derived] = Field(description="Computed from preferred figures by the compute core")
    composition: list[str] = Field(default_factory=list, description="For systems: 'chip × count (source)'")
    in_systems: list[str] = Field(default_factory=list, description="Systems built from this chip")
    family_level: dict[str, Cell] = Field(
        default_factory=dict,
        description=("Metric → the figure its generation or series reports where the model reports none (label family-level)"),
    )
    certification: CertificationStatus
    sources: list[SourceRef]
    summary: str


def resolve_chip(kb: KnowledgeBase, name: str, kinds: frozenset[str] = CHIP_OR_SYSTEM) -> NameMatch:
    """A chip or system; a company name gets a pointed error listing that company's chips."""
    try:
        return resolve(kb, name, kinds, "chip")
    except NotFoundError as missing:
        try:
            vendor = kb.names.resolve(name, VENDOR, "vendor")
        except ChipMCPError:
            raise missing from None
        if vendor.method == "fuzzy":
            raise
        chips = kb.entities_of_vendor(vendor.id)
        listing = ", ".join(f"{display_name(c)} ({c['id']})" for c in chips[:12]) or "none in the knowledge base"
        raise NotFoundError(
            f"'{name}' is a company ({vendor.display}), not a chip. Its chips: {listing}. Use vendor_financials for the company.",
            [f"{display_name(c)} ({c['id']})" for c in chips[:12]],
        ) from None


@per_knowledge_base(copy=handout)
def derived_metrics(kb: KnowledgeBase, entity_id: str, precision: str = "fp16") -> list[Derived]:
    """TFLOPS/W and friends from the cells the selection rule chooses — the same numbers compare_chips shows."""
    specs = selection.cells(
        kb, entity_id, ["compute_tflops", "memory_gb", "memory_bandwidth_gbs", "tdp_w", "system_power_w", "price"], precision
    )
    out = []
    for name in selection.DERIVED:
        cell = selection.derived_cell(name, specs)
        if cell.ends() is not None:
            out.append(_derived(name, selection.labelled_if_planned(kb, cell)))
    tpp = export_control.chip_tpp(kb, entity_id)  # its working: export_control_check
    if tpp.ends() is not None:
        out.append(_derived("tpp", selection.labelled_if_planned(kb, tpp)))
    return out


# A Cell's fields as its dump gives them (the selection rule's step and engine mark are for ranking in process).
_CELL_FIELDS = tuple(name for name in Cell.model_fields if name not in ("tier", "engine"))


def _derived(name: str, cell: Cell) -> Derived:
    """Derived(name=name, **cell.model_dump(exclude={"tier"})), without the dump and its validation."""
    return redumped(Derived, cell, _CELL_FIELDS, name=name)


class LookupChipArguments(Arguments):
    name: Name = Field(
        description="Chip or system in any spelling: 昇腾910B, 昇騰910B, Ascend 910B, shengteng 910b, H100, MTT S4000, CloudMatrix 384"
    )
    detail: DetailArg = "summary"
    offset: OffsetArg = 0
    limit: LimitArg = _DEFAULT_LIMIT


def lookup_chip(kb: KnowledgeBase, args: LookupChipArguments) -> ChipAnswer:
    match = resolve_chip(kb, args.name)
    if args.detail == "summary" and not args.offset:
        return _first_page(kb, match, args.limit)
    return _paged(kb, match, args)


def _paged(kb: KnowledgeBase, match: NameMatch, args: LookupChipArguments) -> ChipAnswer:
    """Any page at either detail, made from the entity's figures: the rule _first_page's held answer follows."""
    rows = kb.figures(match.id)
    every = [figure(row, kb) for row in rows]
    answer = _answer(kb, match, every, args.detail)
    answer.sources = source_refs(kb, _cited_sources(kb, answer))
    listed = every if args.detail == "full" else summarize(kb, rows, every)
    call = call_of("lookup_chip", name=match.id)
    entries_page(kb, answer, listed, len(every), args.detail, args.offset, args.limit, call, ("conflicts", "derived"))
    answer.sources = source_refs(kb, _cited_sources(kb, answer))
    answer.summary = _summary(answer, len(every), sources_counted(kb, {f.source for f in every}))
    return answer


@dataclass(frozen=True, slots=True)
class _Entity:
    """What every default answer about one entity (summary detail, first page) holds whatever the question:
    the answer without its match and page, its summary entries planned, the figures counted."""

    answer: ChipAnswer  # sources: those it cites besides its entries; match: the entity's id, replaced
    plan: SummaryPlan
    figures: int
    counted: str
    # The length of the answer's compact JSON without entries, less its match's: a question's match is all the
    # rest of its answer does not share (a model's JSON is its fields' side by side).
    size_but_match: int


@per_knowledge_base
def _entity(kb: KnowledgeBase, entity_id: str) -> _Entity:
    rows = kb.figures(entity_id)
    every = [figure(row, kb) for row in rows]
    entity = kb.entity(entity_id)
    assert entity is not None
    as_id = NameMatch(query=entity_id, id=entity_id, name=display_name(entity), method="id", alias=entity_id, score=100.0)
    answer = _answer(kb, as_id, every, "summary")
    answer.sources = source_refs(kb, _cited_sources(kb, answer))
    size = len(answer.model_dump_json(exclude_defaults=True)) - _size(as_id)
    plan = summary_plan(kb, summarize(kb, rows, every), [s.id for s in answer.sources], size)  # a match takes more
    return _Entity(answer, plan, len(every), sources_counted(kb, {f.source for f in every}), size)


def _size(match: NameMatch) -> int:
    return len(match.model_dump_json(exclude_defaults=True))


def _first_page(kb: KnowledgeBase, match: NameMatch, limit: int) -> ChipAnswer:
    """lookup_chip's default answer (summary, offset 0): the entity's held answer with this question's match
    and as many planned entries as its budget and `limit` leave room for."""
    held = _entity(kb, match.id)
    answer = handout(held.answer)
    answer.match = match
    call = call_of("lookup_chip", name=match.id)
    rest_size = held.size_but_match + _size(match)
    answer.figures, answer.page = first_summary_page(held.plan, rest_size, limit, call, held.figures)
    answer.sources = source_refs(kb, _cited_sources(kb, answer))
    answer.summary = _summary(answer, held.figures, held.counted)
    return answer


def _answer(kb: KnowledgeBase, match: NameMatch, every: list[Figure], detail: Detail) -> ChipAnswer:
    """The answer without its page of entries: identity, disagreements, derived and family figures, status."""
    entity = kb.entity(match.id)
    assert entity is not None
    vendor = kb.entity(entity["vendor"]) or {"id": entity["vendor"], "name_zh": "", "name_en": ""}
    chip = entity["entity_kind"] == "chip"
    status = chip_status(kb, match.id, detail) if chip else _system_status()
    return ChipAnswer(
        id=match.id,
        name_zh=entity["name_zh"],
        name_en=entity["name_en"],
        kind=entity["kind"],
        entity_kind=entity["entity_kind"],
        model=entity["model"],
        family=entity["family"],
        variants=variant_line(entity.get("variant_of"), kb.variants_of(match.id)),
        vendor=VendorRef(id=vendor["id"], name_zh=vendor["name_zh"], name_en=vendor["name_en"]),
        aliases=list(kb.aliases_of(match.id)),
        match=match,
        detail=detail,
        figures=[],
        page=Page(total=0, returned=0),
        conflicts=conflicts(every, kb, detail),
        derived=derived_metrics(kb, match.id) if chip else [],
        composition=_composition(kb, match.id),
        in_systems=list(kb.systems_with_chip(match.id)),
        family_level=selection.family_cells(kb, match.id),
        certification=status,
        sources=[],  # what the answer cites besides its entries (the page adds theirs as it is sized)
        summary="",
    )


def _system_status() -> CertificationStatus:
    return CertificationStatus(certified=False, match="none", note="Systems are not certified; see their chips.")


def _composition(kb: KnowledgeBase, system: str) -> list[str]:
    return [
        f"{display_name(kb.entity(p['chip']) or {'name_zh': p['chip'], 'name_en': p['chip']})} × "
        f"{p['count']} ({p['source']}: '{p['printed']}')"
        for p in kb.parts(system)
    ]


def _cited_sources(kb: KnowledgeBase, answer: ChipAnswer) -> list[str]:
    """The sources the answer cites: its page's entries, the conflicts' claims, certification, family figures."""
    status = answer.certification
    cited = entry_sources(answer.figures, answer.page.citations)
    cited += [s for c in answer.conflicts for claim in c.claims for s in claim.sources]
    cited += [e.source for e in status.entries if e.source]
    cited += [status.announcement.source] if status.entries and status.announcement else []
    family_ids = [i for c in answer.family_level.values() for i in c.figure_ids]
    return cited + [r["source"] for r in kb.figures_by_ids(family_ids)]


def variant_line(variant_of: str | None, variants: list[str]) -> str:
    """What a report's unqualified name means around this chip; the figures of each stay its own."""
    parts = ([f"variant of {variant_of}"] if variant_of else []) + ([f"variants: {', '.join(variants)}"] if variants else [])
    return "; ".join(parts) + " (figures kept apart)" if parts else ""


def _summary(a: ChipAnswer, rows: int, sources: str) -> str:
    head = f"{a.name_en} ({a.kind}, {a.vendor.name_en}): {rows} figures from {sources}"
    if a.detail == "summary" and a.page.total != rows:
        head += f", {a.page.total} distinct"
    kinds = Counter(c.kind for c in a.conflicts)
    named = {
        "disagreement": "disagreement(s) between figures",
        "possible": "possible disagreement(s)",
        "history": "dated series",
        "linked": "linked quantit(ies)",
    }
    head += "".join(f", {kinds[kind]} {label}" for kind, label in named.items() if kinds[kind])
    return head + f". Certification: {a.certification.match}."


def render(a: ChipAnswer) -> str:
    lines = _identity_lines(a)
    lines += entries_lines(a.detail, a.page, a.figures, "- none reported", "Conflicts and derived figures")
    if a.conflicts:
        lines.append("Conflicts (claims side by side):")
        lines += conflict_lines(a.conflicts)
    lines += _computed_lines(a)
    lines += certification_lines(a.certification)
    if a.in_systems:
        lines.append("Used in systems: " + ", ".join(a.in_systems))
    lines.append(source_lines(a.sources))
    return "\n".join(lines)


def _identity_lines(a: ChipAnswer) -> list[str]:
    lines = [
        f"{a.name_zh} / {a.name_en} [{a.id}], {a.entity_kind} by {a.vendor.name_zh} / {a.vendor.name_en} "
        f"[{a.vendor.id}]"
        + (f", model {a.model}" if a.model else "")
        + (f", family {a.family}" if a.family else "")
        + f". Detail: {a.detail}.",
        a.summary,
    ]
    lines += match_line(a.match)
    if a.variants:
        lines.append(a.variants[0].upper() + a.variants[1:] + ".")
    if a.aliases:
        lines.append("Also written: " + "; ".join(a.aliases))
    if a.composition:
        lines.append("Composition: " + "; ".join(a.composition))
    return lines


def _computed_lines(a: ChipAnswer) -> list[str]:
    """The derived figures and the family's, each with the figures it comes from."""
    lines = []
    if a.derived:
        lines.append("Derived (compute core, from preferred figures):")
        lines += [
            f"- {d.name}: {format_cell(d)} {d.unit} ({d.label}; figures {ids(d.figure_ids)}{'; ' + d.note if d.note else ''})"
            for d in a.derived
        ]
    if a.family_level:
        lines.append("Family-level (its generation's figures, where the model reports none):")
        lines += [
            f"- {metric}: {format_cell(c)}{' ' + c.unit if c.unit and c.text is None else ''} ({c.label}; figures {ids(c.figure_ids)})"
            for metric, c in a.family_level.items()
        ]
    return lines


TOOL = Tool(
    name="lookup_chip",
    title="Look up a chip",
    description="Every reported figure of one AI chip or system, with sources, disagreements and certification.",
    example={"name": "昇腾910B"},
    arguments=LookupChipArguments,
    answer=ChipAnswer,
    run=lookup_chip,
    render=render,
)
