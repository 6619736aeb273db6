"""lookup_chip: one chip (or system) with every figure the reports give, sources and conflicts."""

from __future__ import annotations

from pydantic import Field

from .. import compute
from ..errors import ChipMCPError, NotFoundError
from ..kb import KnowledgeBase, display_name
from ..models import CertificationStatus, ChipAnswer, Derived, NameMatch, VendorRef
from .common import CHIP_OR_SYSTEM, VENDOR, conflicts, describe, figure, resolve, source_refs
from .registry import Arguments, Name, Tool
from .specs import chip_specs
from .xinchuang import chip_status


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
        raise NotFoundError(f"'{name}' is a company ({vendor.display}), not a chip. Its chips: {listing}. "
                            "Use vendor_financials for the company.",
                            [f"{display_name(c)} ({c['id']})" for c in chips[:12]]) from None


def derived_metrics(kb: KnowledgeBase, entity_id: str, precision: str = "fp16") -> list[Derived]:
    specs = chip_specs(kb, entity_id, precision)
    columns = {key: [spec.value] for key, spec in specs.items()}
    out = []
    for name, values in compute.derived_metrics({k: compute.as_array(v) for k, v in columns.items()}).items():
        num, den, unit, _ = compute.DERIVED[name]
        used = [specs[k].figure["id"] for k in (num, den) if specs[k].figure]
        value = float(values[0])
        if value != value:  # NaN: a figure is missing
            continue
        if name == "price_per_tflops":
            unit = f"{specs['price'].figure['currency']} per TFLOPS"  # type: ignore[index]
        out.append(Derived(name=name, value=round(value, 4), unit=unit, from_figures=used,
                           note=f"{precision.upper()} compute; " + "; ".join(specs["compute_tflops"].notes)
                           if specs["compute_tflops"].notes else f"{precision.upper()} compute"))
    return out


def lookup_chip(kb: KnowledgeBase, name: str) -> ChipAnswer:
    match = resolve_chip(kb, name)
    entity = kb.entity(match.id)
    assert entity is not None
    vendor = kb.entity(entity["vendor"]) or {"id": entity["vendor"], "name_zh": "", "name_en": ""}
    figures = [figure(row, kb) for row in kb.figures(match.id)]
    composition = [f"{display_name(kb.entity(p['chip']) or {'name_zh': p['chip'], 'name_en': p['chip']})} × "
                   f"{p['count']} ({p['source']}: '{p['printed']}')" for p in kb.parts(match.id)]
    status = chip_status(kb, match.id) if entity["entity_kind"] == "chip" else CertificationStatus(
        certified=False, match="none", note="Systems are not certified; see their chips.")
    answer = ChipAnswer(
        id=match.id, name_zh=entity["name_zh"], name_en=entity["name_en"], kind=entity["kind"],
        entity_kind=entity["entity_kind"], model=entity["model"], family=entity["family"],
        vendor=VendorRef(id=vendor["id"], name_zh=vendor["name_zh"], name_en=vendor["name_en"]),
        aliases=kb.aliases_of(match.id), match=match, figures=figures, conflicts=conflicts(figures),
        derived=derived_metrics(kb, match.id) if entity["entity_kind"] == "chip" else [],
        composition=composition, in_systems=kb.systems_with_chip(match.id), certification=status,
        sources=source_refs(kb, [f.source for f in figures] + [e.source for e in status.entries]), summary="",
    )
    answer.summary = _summary(answer)
    return answer


def _summary(a: ChipAnswer) -> str:
    head = (f"{a.name_zh} / {a.name_en} — {a.kind} by {a.vendor.name_zh} ({a.vendor.name_en}); "
            f"{len(a.figures)} figures from {len({f.source for f in a.figures})} report(s)")
    if a.conflicts:
        head += f", {len(a.conflicts)} disagreement(s) between figures"
    return head + f". Certification: {a.certification.match.replace('-', ' ')}."


def render(a: ChipAnswer) -> str:
    lines = [a.summary, f"Matched '{a.match.query}' → {a.match.name} ({a.match.method}, alias '{a.match.alias}', "
             f"score {a.match.score:g})."]
    if a.match.note:
        lines.append(a.match.note)
    if a.composition:
        lines.append("Composition: " + "; ".join(a.composition))
    lines.append("Figures:")
    lines += [describe(f) for f in a.figures] or ["- none reported"]
    if a.conflicts:
        lines.append("Conflicts:")
        lines += [f"- {c.summary}" for c in a.conflicts]
    if a.derived:
        lines.append("Derived (compute core, from preferred figures):")
        lines += [f"- {d.name}: {d.value:g} {d.unit} (figures {', '.join(map(str, d.from_figures))}; {d.note})"
                  for d in a.derived]
    lines.append(f"Certification (安全可靠测评): {a.certification.note}")
    ann = a.certification.announcement
    lines += [f"- listed: {e.product} ({e.company}, {e.level}) in {ann.name if ann else 'the announcement'}"
              f"{f', {ann.issuer}, {ann.date}' if ann else ''} — {e.source} / {e.locator}" for e in a.certification.entries]
    if a.in_systems:
        lines.append("Used in systems: " + ", ".join(a.in_systems))
    lines.append("Sources: " + "; ".join(f"{s.id} = {s.publisher}, {s.title} ({s.date})" for s in a.sources))
    return "\n".join(lines)


class LookupChipArguments(Arguments):
    name: Name = Field(description="Chip or system in any spelling: 昇腾910B, 昇騰910B, Ascend 910B, shengteng 910b, "
                                   "H100, MTT S4000, CloudMatrix 384")


TOOL = Tool(name="lookup_chip", title="Look up a chip",
            description="Every reported figure of one AI chip or system, with sources, disagreements and certification.",
            example={"name": "昇腾910B"}, arguments=LookupChipArguments, answer=ChipAnswer, run=lookup_chip, render=render)
