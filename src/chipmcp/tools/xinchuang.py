"""xinchuang_certified: is a chip or vendor on China's 安全可靠测评 AI-chip list?"""

from typing import Any, Literal

from pydantic import Field

from chipmcp.kb.store import KnowledgeBase, display_name
from chipmcp.reasoning.cells import Model
from chipmcp.tools._answer_parts import (
    Announcement,
    CertificationEntry,
    CertificationStatus,
    Detail,
    NameMatch,
    SourceRef,
)
from chipmcp.tools._common import CHIP_OR_VENDOR, match_line, resolve, source_lines, source_refs
from chipmcp.tools.registry import Arguments, DetailArg, Name, Tool


class XinchuangAnswer(Model):
    query: str | None
    detail: Detail = "summary"
    scope: Literal["chip", "vendor", "system", "all"] = Field(description="system: answered through the chips it is built of")
    certified: bool | None = Field(description="None for the whole list")
    match_type: Literal["listed-product", "same-family", "vendor", "none", "all"]
    match: NameMatch | None
    entries: list[CertificationEntry]
    announcement: Announcement | None
    sources: list[SourceRef]
    summary: str


def _entry(kb: KnowledgeBase, row: dict[str, Any]) -> CertificationEntry:
    chip = kb.entity(row["chip"]) or {}
    return CertificationEntry(
        seq=row["seq"],
        product=row["product"],
        company=row["company"],
        level=row["level"],
        chip_id=row["chip"],
        chip_name=display_name(chip) if chip else row["chip"],
        vendor_id=row["vendor"],
        source=row["source"],
        locator=row["locator"],
    )


def _announcement(kb: KnowledgeBase, ids: set[str]) -> Announcement | None:
    rows = [kb.announcements[i] for i in sorted(ids) if i in kb.announcements] or list(kb.announcements.values())
    if not rows:
        return None
    row = max(rows, key=lambda r: r["date"])
    return Announcement(
        id=row["id"], name=row["name"], issuer=row["issuer"], date=row["date"], source=row["source"], locator=row["locator"]
    )


def at_detail(entries: list[CertificationEntry], announcement: Announcement | None, detail: Detail) -> list[CertificationEntry]:
    """At summary detail an entry cites its source only where it is not the announcement's own."""
    if detail == "full" or announcement is None:
        return entries
    return [
        e.model_copy(update={"source": "", "locator": ""})
        if (e.source, e.locator) == (announcement.source, announcement.locator)
        else e
        for e in entries
    ]


def chip_status(kb: KnowledgeBase, chip_id: str, detail: Detail = "full") -> CertificationStatus:
    """Listed as this exact product, or only a sibling of the same family is listed, or neither."""
    status = _chip_status(kb, chip_id)
    status.entries = at_detail(status.entries, status.announcement, detail)
    return status


def certification_matches(kb: KnowledgeBase, chip_ids: list[str]) -> list[str]:
    """`chip_status(kb, chip).match` of each chip, without building its status: the listed chips and the
    chips of a listed chip's family read once per knowledge base (find_chips asks this of a whole catalog)."""
    listed, kin = kb.memo.get(("certified_chips",), lambda: _listed_chips_and_kin(kb), pin=True)
    return ["listed-product" if chip in listed else "same-family" if chip in kin else "none" for chip in chip_ids]


def _listed_chips_and_kin(kb: KnowledgeBase) -> tuple[frozenset[str], frozenset[str]]:
    """The chips the list names, and every entity of one of their families (as _chip_status and _same_family
    match them): the few of those families found through their index, not by reading every chip's row."""
    chips = frozenset(r["chip"] for r in kb.certifications())
    families = frozenset(f for chip in chips if (f := (kb.entity(chip) or {}).get("family")))
    return chips, frozenset(kb.entities_of_families(families))


def _chip_status(kb: KnowledgeBase, chip_id: str) -> CertificationStatus:
    rows = kb.certifications()
    exact = [r for r in rows if r["chip"] == chip_id]
    if exact:
        return _listed(kb, exact, certified=True, match="listed-product", note="This exact product is listed.")
    relatives = _same_family(kb, rows, chip_id)
    if relatives:
        listed = ", ".join(r["product"] for r in relatives)
        note = f"Not listed itself; the same family's {listed} is (the list names products, not families)."
        return _listed(kb, relatives, certified=False, match="same-family", note=note)
    return CertificationStatus(
        certified=False,
        match="none",
        announcement=_announcement(kb, set()),
        note="Not on the list of any announcement in the knowledge base.",
    )


def _same_family(kb: KnowledgeBase, rows: list[dict[str, Any]], chip_id: str) -> list[dict[str, Any]]:
    """The listed products of the chip's family (none when the chip has no family)."""
    family = (kb.entity(chip_id) or {}).get("family")
    return [r for r in rows if family and (kb.entity(r["chip"]) or {}).get("family") == family]


def _listed(
    kb: KnowledgeBase, rows: list[dict[str, Any]], certified: bool, match: Literal["listed-product", "same-family"], note: str
) -> CertificationStatus:
    return CertificationStatus(
        certified=certified,
        match=match,
        entries=[_entry(kb, r) for r in rows],
        announcement=_announcement(kb, {r["announcement"] for r in rows}),
        note=note,
    )


class XinchuangCertifiedArguments(Arguments):
    name: Name | None = Field(default=None, description="Chip, system or company (壁仞, 昇腾910, Hygon); omit for the whole list")
    detail: DetailArg = "summary"


def xinchuang_certified(kb: KnowledgeBase, args: XinchuangCertifiedArguments) -> XinchuangAnswer:
    answer = _certified(kb, args.name)
    answer.detail = args.detail
    answer.entries = at_detail(answer.entries, answer.announcement, args.detail)
    return answer


def _certified(kb: KnowledgeBase, name: str | None) -> XinchuangAnswer:
    """The whole list when no name is given; else the company's listed products, or the chip's standing."""
    if name is None or not name.strip():
        return _whole_list(kb, name)
    match = resolve(kb, name, CHIP_OR_VENDOR | {"system"}, "chip or vendor")
    kind = (kb.entity(match.id) or {}).get("entity_kind")
    if kind == "vendor":
        return _vendor_listed(kb, name, match)
    if kind == "system":
        return _system_listed(kb, name, match)
    return _chip_listed(kb, name, match)


def _whole_list(kb: KnowledgeBase, name: str | None) -> XinchuangAnswer:
    rows = kb.certifications()
    entries = [_entry(kb, r) for r in rows]
    ann = _announcement(kb, {r["announcement"] for r in rows})
    return XinchuangAnswer(
        query=name,
        scope="all",
        certified=None,
        match_type="all",
        match=None,
        entries=entries,
        announcement=ann,
        sources=source_refs(kb, [r["source"] for r in rows]),
        summary=f"{len(entries)} AI chips are listed in {_named(ann, 'the announcement')}.",
    )


def _vendor_listed(kb: KnowledgeBase, name: str, match: NameMatch) -> XinchuangAnswer:
    mine = [r for r in kb.certifications() if r["vendor"] == match.id]
    entries = [_entry(kb, r) for r in mine]
    ann = _announcement(kb, {r["announcement"] for r in mine})
    if entries:
        summary = (
            f"{match.name}: {len(entries)} product(s) listed — "
            + "; ".join(f"{e.product} ({e.level})" for e in entries)
            + f" — in {_named(ann, 'the announcement')}."
        )
    else:
        summary = f"{match.name}: no product listed in {_named(ann, 'any announcement')}."
    return XinchuangAnswer(
        query=name,
        scope="vendor",
        certified=bool(entries),
        match_type="vendor",
        match=match,
        entries=entries,
        announcement=ann,
        sources=_sources(kb, [r["source"] for r in mine], ann),
        summary=summary,
    )


def _chip_listed(kb: KnowledgeBase, name: str, match: NameMatch) -> XinchuangAnswer:
    status = chip_status(kb, match.id)
    ann = status.announcement
    return XinchuangAnswer(
        query=name,
        scope="chip",
        certified=status.certified,
        match_type=status.match,
        match=match,
        entries=status.entries,
        announcement=ann,
        sources=_sources(kb, [e.source for e in status.entries], ann),
        summary=_chip_summary(match, status),
    )


Standing = Literal["listed-product", "same-family", "none"]
# A chip's standings on the list, the closest first: a system takes its chips' closest.
_STANDINGS: tuple[Standing, ...] = ("listed-product", "same-family", "none")


def _system_listed(kb: KnowledgeBase, name: str, match: NameMatch) -> XinchuangAnswer:
    """A system is not a product the list names: the standing of each chip it is built of."""
    chips = list(dict.fromkeys(part["chip"] for part in kb.parts(match.id)))
    statuses = {chip: chip_status(kb, chip) for chip in chips}
    entries = list({e.seq: e for status in statuses.values() for e in status.entries}.values())
    ann = _announcement(kb, set()) if not entries else next(s.announcement for s in statuses.values() if s.entries)
    said = [_chip_summary(_chip_match(kb, chip), status) for chip, status in statuses.items()]
    summary = f"{match.name} is a system; systems are not on the list" + (
        f". Its chips: {' '.join(said)}" if said else ", and no chip of it is known in the knowledge base."
    )
    standings: list[Standing] = [status.match for status in statuses.values()]
    best: Standing = min(standings, key=_STANDINGS.index) if standings else "none"
    return XinchuangAnswer(
        query=name,
        scope="system",
        certified=False,
        match_type=best,
        match=match,
        entries=entries,
        announcement=ann,
        sources=_sources(kb, [e.source for e in entries], ann),
        summary=summary,
    )


def _chip_match(kb: KnowledgeBase, chip_id: str) -> NameMatch:
    entity = kb.entity(chip_id) or {}
    return NameMatch(
        query=chip_id, id=chip_id, name=display_name(entity) if entity else chip_id, method="id", alias=chip_id, score=100.0
    )


def _chip_summary(match: NameMatch, status: CertificationStatus) -> str:
    where = _named(status.announcement, "the announcement")
    if status.match == "listed-product":
        e = status.entries[0]
        return f"{match.name} is listed as '{e.product}' ({e.company}, {e.level}) in {where}."
    if status.match == "same-family":
        return f"{match.name} is not listed in {where}. {status.note}"
    return f"{match.name} is not listed in {where}."


def _named(ann: Announcement | None, otherwise: str) -> str:
    return ann.name if ann else otherwise


def _sources(kb: KnowledgeBase, cited: list[str], ann: Announcement | None) -> list[SourceRef]:
    """The sources of the entries shown; with none shown, the announcement's own."""
    return source_refs(kb, cited or ([ann.source] if ann else []))


def entry_line(e: CertificationEntry) -> str:
    cited = f" — {e.source} / {e.locator}" if e.source else ""
    return f"- #{e.seq} {e.product} — {e.company} — {e.level} (chip {e.chip_id}: {e.chip_name}; vendor {e.vendor_id}){cited}"


def announcement_line(ann: Announcement) -> str:
    return f"Announcement {ann.id}: {ann.name}, {ann.issuer}, {ann.date} (via {ann.source}: {ann.locator})"


def certification_lines(status: CertificationStatus) -> list[str]:
    """A chip's certification in the text block (lookup_chip)."""
    lines = [f"Certification (安全可靠测评): {status.match}, {'certified' if status.certified else 'not certified'}. {status.note}"]
    lines += [entry_line(e) for e in status.entries]
    if status.announcement:
        lines.append(announcement_line(status.announcement))
    return lines


def render(a: XinchuangAnswer) -> str:
    """The text block of a certification answer."""
    lines = [a.summary]
    if a.match:
        lines += match_line(a.match)
    certified = "" if a.certified is None else (", certified" if a.certified else ", not certified")
    lines.append(
        f"Scope: {a.scope}; match: {a.match_type}{certified}; detail: {a.detail}" + (f"; query: {a.query}" if a.query else "") + "."
    )
    lines += [entry_line(e) for e in a.entries]
    if a.announcement:
        lines.append(announcement_line(a.announcement))
    lines.append(source_lines(a.sources))
    return "\n".join(lines)


TOOL = Tool(
    name="xinchuang_certified",
    title="安全可靠测评 (xinchuang) certification",
    description="Whether a chip or company is on China's 安全可靠测评 AI-chip list, as listed product or same family.",
    example={"name": "壁仞"},
    arguments=XinchuangCertifiedArguments,
    answer=XinchuangAnswer,
    run=xinchuang_certified,
    render=render,
)
