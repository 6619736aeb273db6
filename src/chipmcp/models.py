"""The tools' answers as pydantic models: they are the outputSchema clients see."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SerializerFunctionWrapHandler, model_serializer


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SourceRef(Model):
    id: str = Field(description="Source report id, e.g. 'minsheng-2025h1'; read chipmcp://sources/{id}")
    publisher: str
    title: str
    date: str


class Figure(Model):
    """One reported figure, exactly as its source printed it."""

    id: int = Field(description="Stable figure number within this knowledge-base build")
    metric: str
    label: str = Field(description="What the metric measures, in English")
    value: float | None = Field(None, description="The number in `unit`; null for ranges and text")
    low: float | None = Field(None, description="Lower end of a reported range")
    high: float | None = Field(None, description="Upper end of a reported range")
    alternatives: bool = Field(False, description="low and high are two configurations printed 'a/b', not a range")
    bound: str | None = Field(None, description="approx (约), over (超), at_least (不低于), at_most, under")
    text: str | None = Field(None, description="Value of a non-numeric figure (stock code, memory type, …)")
    unit: str | None = None
    precision: str | None = Field(None, description="fp16, bf16, fp8, int8, …; 'fp16/bf16' holds for both")
    sparsity: str | None = Field(None, description="dense or sparse when the report says")
    engine: str | None = Field(None, description="vector or tensor, when a report prints compute for each")
    period: str | None = None
    basis: str | None = Field(None, description="actual, forecast, estimate, plan or guidance")
    as_of: str | None = None
    printed: str = Field(description="The token exactly as printed in the report")
    source: str = Field(description="Source report id")
    locator: str = Field(description="Table or section caption in the source")
    note: str = ""
    suspect: bool = Field(False, description="Kept as printed though it looks wrong; see note")
    preferred: bool = Field(True, description="False when a conflicting figure is preferred")
    conflicts_with: list[int] = Field(default_factory=list, description="Ids of figures that disagree")
    conflict_group: int | None = Field(None, description="Figures linked by disagreements share this id")


class Conflict(Model):
    metric: str
    qualifier: str = Field(description="Precision/period the disagreeing figures share")
    figure_ids: list[int]
    preferred_id: int
    summary: str


class Candidate(Model):
    id: str
    name: str
    kind: str
    score: float = Field(description="Match score 0-100 (0: listed as related, not scored)")


class NameMatch(Model):
    query: str
    id: str
    name: str
    method: Literal["exact", "normalized", "pinyin", "stock-code", "vendor-prefix", "fuzzy", "id",
                    "via-chip"] = Field(description="How the name was matched")
    alias: str = Field(description="The known spelling that matched")
    score: float
    note: str = ""
    alternatives: list[Candidate] = Field(default_factory=list)


class VendorRef(Model):
    id: str
    name_zh: str
    name_en: str


class CertificationEntry(Model):
    seq: int
    product: str = Field(description="Product exactly as listed")
    company: str = Field(description="Submitting company as listed")
    level: str
    chip_id: str
    chip_name: str
    vendor_id: str
    source: str
    locator: str


class Announcement(Model):
    id: str
    name: str
    issuer: str
    date: str
    source: str
    locator: str


class CertificationStatus(Model):
    certified: bool
    match: Literal["listed-product", "same-family", "none"]
    entries: list[CertificationEntry] = Field(default_factory=list)
    announcement: Announcement | None = None
    note: str = ""


def _empty(value: object) -> bool:
    return value is None or value is False or value == "" or value == []


class CompactModel(Model):
    """A model whose JSON leaves out empty fields (None, false, "", []): cells repeat by the hundred in a
    comparison, and an absent field reads the same as its default."""

    @model_serializer(mode="wrap")
    def _compact(self, handler: SerializerFunctionWrapHandler) -> dict[str, object]:
        return {key: value for key, value in handler(self).items() if not _empty(value)}


class Claim(CompactModel):
    """One of the values the reports give for a contested spec, with the figures that give it."""

    value: float | None = None
    low: float | None = None
    high: float | None = None
    figure_ids: list[int] = Field(default_factory=list)


class Cell(CompactModel):
    """One spec of one chip or system as the figure-selection rule chose it (chipmcp.selection).

    A point is `value`; a range or a/b pair keeps `low` and `high`; `bound` keeps ≈/>/≥. `label` says
    what the number is ("FP16 dense", "FP16 sparse, as printed", "precision not printed"); when reports
    disagree, `value` is the preferred claim, `span` the lowest and highest claim, `claims` each claim."""

    value: float | None = Field(None, description="The number in `unit` (null for a range: see low/high)")
    low: float | None = Field(None, description="Lower end of a range or the smaller of an a/b pair")
    high: float | None = Field(None, description="Upper end of a range or the larger of an a/b pair")
    bound: str | None = Field(None, description="approx (约), over (超), at_least, at_most, under")
    text: str | None = Field(None, description="For text specs: memory type, release date")
    unit: str | None = None
    label: str = Field("", description="What the number is: precision and sparsity as printed, or how it was derived")
    figure_ids: list[int] = Field(default_factory=list, description="The figures behind it, the chosen one first")
    suspect: bool = Field(False, description="Built on a figure the knowledge base marks suspect")
    span: list[float] | None = Field(None, description="[lowest, highest] claim when reports disagree")
    claims: list[Claim] = Field(default_factory=list, description="Each disagreeing claim, the preferred first")
    note: str = ""
    # Which step of the rule chose it ("dense", "unstated", "sparse", "unlabeled", "derived", "" for
    # non-compute specs): for rankings in process; readers get the same from `label`.
    tier: str = Field("", exclude=True)

    def ends(self) -> tuple[float, float] | None:
        """(low, high) of a numeric cell — a point gives (value, value); None when nothing is reported."""
        if self.value is not None:
            return self.value, self.value
        if self.low is not None and self.high is not None:
            return self.low, self.high
        return None


class Derived(Model):
    name: str
    value: float | None
    unit: str
    from_figures: list[int] = Field(description="Ids of the figures it is computed from")
    note: str = ""


class ChipAnswer(Model):
    id: str
    name_zh: str
    name_en: str
    kind: str = Field(description="GPU, NPU, ASIC, TPU, DCU, CPU, SoC, … or a system kind")
    entity_kind: Literal["chip", "system"]
    model: str | None
    family: str | None
    vendor: VendorRef
    aliases: list[str]
    match: NameMatch
    figures: list[Figure]
    conflicts: list[Conflict]
    derived: list[Derived] = Field(description="Computed from preferred figures by the compute core")
    composition: list[str] = Field(default_factory=list, description="For systems: 'chip × count (source)'")
    in_systems: list[str] = Field(default_factory=list, description="Systems built from this chip")
    certification: CertificationStatus
    sources: list[SourceRef]
    summary: str


class ComparisonCell(Model):
    value: float | None = Field(description="In the column's unit; null when not reported")
    ratio: float | None = Field(description="value / baseline's value")
    rank: int = Field(description="1 is best; 0 when missing")
    figure_ids: list[int] = Field(default_factory=list)
    note: str = ""


class ComparisonRow(Model):
    id: str
    name: str
    match: NameMatch
    cells: dict[str, ComparisonCell]


class ComparisonColumn(Model):
    metric: str
    unit: str
    higher_is_better: bool
    best: str | None = Field(description="Chip id with the best value")


class Comparison(Model):
    baseline: str
    precision: str
    columns: list[ComparisonColumn]
    rows: list[ComparisonRow]
    warnings: list[str]
    assumptions: list[str]
    sources: list[SourceRef]
    summary: str


class TrainingJob(Model):
    parameters: float
    tokens: float
    mfu: float
    total_flop: float
    days: float
    gpu_hours: float
    price_per_gpu_hour: float | None
    cost: float | None
    currency_note: str


class WorkloadFacts(Model):
    """A reported training run recomputed by the compute core, beside what the reports print."""

    id: str
    name: str
    phases: list[dict[str, float | str | None]] = Field(
        default_factory=list, description="Per phase: GPU hours, price per GPU hour, computed and reported cost")
    total_gpu_hours: float | None = None
    computed_total_cost: float | None = None
    cost_unit: str | None = None
    implied_mfu_low: float | None = Field(None, description="Implied MFU for the longest reported duration")
    implied_mfu_high: float | None = Field(None, description="Implied MFU for the shortest reported duration")
    figure_ids: list[int] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)


class ClusterEstimate(Model):
    target: str = Field(description="Chip or system id the estimate is for")
    name: str
    match: NameMatch
    mode: Literal["count", "target_pflops"]
    precision: str
    per_card: dict[str, float | None] = Field(description="Per-card figures used (TFLOPS, GB, GB/s, W)")
    figure_ids: list[int]
    cards: int
    servers: int
    cards_per_server: int
    compute_pflops: float | None = Field(description="Peak compute of all cards, in PFLOPS (1P = p_base T)")
    compute_pflops_high: float | None = Field(
        None, description="Upper end when a chip's compute is reported as a range (compute_pflops is the lower end)")
    effective_pflops: float | None = Field(description="compute × utilization")
    memory_tb: float | None
    memory_bandwidth_tbs: float | None
    chip_power_kw: float | None
    system_power_kw: float | None
    energy_per_day_mwh: float | None
    weights_fit: str | None = None
    training: TrainingJob | None = None
    workload: WorkloadFacts | None = None
    reported: list[Figure] = Field(default_factory=list, description="System figures the reports print")
    implied_per_chip: list[Derived] = Field(
        default_factory=list, description="A system's reported totals divided by its chip count")
    assumptions: list[str]
    warnings: list[str]
    sources: list[SourceRef]
    summary: str


class XinchuangAnswer(Model):
    query: str | None
    scope: Literal["chip", "vendor", "all"]
    certified: bool | None = Field(description="None for the whole list")
    match_type: Literal["listed-product", "same-family", "vendor", "none", "all"]
    match: NameMatch | None
    entries: list[CertificationEntry]
    announcement: Announcement | None
    sources: list[SourceRef]
    summary: str


class Listing(Model):
    code: str
    exchange: str | None
    figure_id: int
    source: str
    suspect: bool = Field(False, description="Printed by a report but looks wrong (another report's code is preferred)")


class VendorIdentity(Model):
    id: str
    name_zh: str
    name_zh_hant: str
    name_en: str
    full_name_zh: str
    aliases: list[str]
    kind: str
    country: str | None
    parent: str | None
    listings: list[Listing]


class NormalizedFigure(Model):
    figure_id: int
    value: float | None
    low: float | None
    high: float | None
    unit: str
    note: str


class GrowthFigure(Model):
    metric: str
    from_period: str
    to_period: str
    growth_pct: float | None = None
    cagr_pct: float | None = None
    low_pct: float | None = None
    high_pct: float | None = None
    figure_ids: list[int]


class VendorFinancials(Model):
    vendor: VendorIdentity
    match: NameMatch
    figures: list[Figure]
    normalized: list[NormalizedFigure] = Field(default_factory=list)
    growth: list[GrowthFigure] = Field(default_factory=list, description="Computed by the compute core")
    conflicts: list[Conflict]
    chips: list[str] = Field(default_factory=list, description="Chip ids of this vendor")
    sources: list[SourceRef]
    warnings: list[str] = Field(default_factory=list)
    summary: str


class TppFigure(CompactModel):
    """TPP at one precision: the compute figure the selection rule chose, × the precision's bit length."""

    precision: str
    bits: int
    compute: Cell
    tpp: Cell


class ClauseTest(CompactModel):
    test: str = Field(description="The clause's conditions, e.g. 'TPP >= 1600 and PD >= 5.92'")
    status: Literal["met", "not met", "undecided"]
    needs: list[str] = Field(default_factory=list, description="Quantities not reported that would decide it")


class Standing(CompactModel):
    """One control class tested on the chip's figures, under one reading (the rule text or a report's)."""

    regime: str
    class_name: str = Field(description="e.g. 3A090.a")
    reading: Literal["rule", "report"] = Field(description="rule: the rule text; report: a report's reading of it")
    source: str
    locator: str
    status: Literal["met", "not met", "undecided"] = Field(description="Tested on the preferred figures")
    across_claims: str | None = Field(None, description="The status over every claim, when reports disagree and it differs")
    shadowed_by: str | None = Field(None, description="A class of higher precedence this reading already places it in")
    clauses: list[ClauseTest] = Field(default_factory=list)
    note: str = ""


class Headroom(CompactModel):
    """How far the TPP is from one threshold: negative difference and ratio < 1 are below the line."""

    threshold: float
    where: str = Field(description="Class and reading the threshold belongs to")
    difference: list[float] = Field(description="[low, high] of TPP − threshold")
    ratio: list[float] = Field(description="[low, high] of TPP ÷ threshold")


class ExportControlAnswer(Model):
    id: str
    name: str
    entity_kind: Literal["chip", "system"]
    vendor: VendorRef
    match: NameMatch
    tpp_by_precision: list[TppFigure] = Field(description="TPP for every precision with a precision-stated compute figure")
    tpp: Cell = Field(description="The chip's TPP: the largest of tpp_by_precision (empty when none)")
    die_area: Cell | None = None
    performance_density: Cell | None = Field(None, description="TPP ÷ die area, where a die area is reported")
    standings: list[Standing]
    standing: str = Field(description="One line per reading: the class the figures place it in")
    headroom: list[Headroom] = Field(default_factory=list)
    reported: list[Figure] = Field(default_factory=list, description="Export-control figures a report prints for it")
    reproduction: str = Field("", description="Whether a report table's class for it follows from its figures")
    parts: list[str] = Field(default_factory=list, description="For a system: each part chip's standing")
    not_used: list[str] = Field(default_factory=list, description="Compute figures not used for TPP, and why")
    warnings: list[str] = Field(default_factory=list)
    statement: str
    sources: list[SourceRef]
    summary: str
