"""The tools' answers as pydantic models: they are the outputSchema clients see."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field, SerializerFunctionWrapHandler, model_serializer

from chipmcp.reasoning.cells import Cell, Claim, CompactModel, Model, Standing

Detail = Literal["summary", "full"]
NameMethod = Literal["exact", "normalized", "pinyin", "stock-code", "vendor-prefix", "fuzzy", "digit-typo", "id", "via-chip"]
TopicMethod = Literal["name", "name+metric", "metric", "search"]
Certified = Literal["listed-product", "same-family", "none"]


class OmitsNewWhenEmpty(Model):
    """A model whose fields named in `omit_empty` are left out of its JSON when empty: fields added after
    clients learned an answer's shape, so an answer that has nothing to say in them reads as it always did."""

    omit_empty: ClassVar[frozenset[str]] = frozenset()

    @model_serializer(mode="wrap")
    def _omit_new(self, handler: SerializerFunctionWrapHandler) -> dict[str, object]:
        dumped, omit = handler(self), self.omit_empty
        if omit.isdisjoint(dumped):  # nothing to leave out (defaults are already left out): the dict as dumped
            return dumped
        return {key: value for key, value in dumped.items() if key not in omit or value not in (None, "", [], {})}


class SourceRef(Model):
    id: str = Field(description="Source report id, e.g. 'minsheng-2025h1'; read chipmcp://sources/{id}")
    publisher: str
    title: str
    date: str


class Place(Model):
    """Where figures are printed: a report and a table or section of it (a dataset and its row / column)."""

    source: str
    locator: str


AT = "Summary, a dataset cell: its column; locator = page.citations[cite].locator + ' / ' + at"


class Citation(Model):
    """Where one figure is printed: enough to cite it and to find it in the report."""

    id: int = Field(description="Figure id")
    source: str = ""
    locator: str = ""
    printed: str = Field(default="", description="The token as printed; empty at summary detail when the entry's own")
    cite: str = Field(default="", description="Summary detail: the key in page.citations of its source and locator")
    at: str = Field(default="", description=AT)


class Figure(Model):
    """One reported figure, exactly as its source printed it (at summary detail: one per fact, with the
    figures saying the same in `also`)."""

    id: int = Field(description="Stable figure number within this knowledge-base build")
    metric: str
    label: str = Field(default="", description="What the metric measures, in English (full detail)")
    value: float | None = Field(default=None, description="The number in `unit`; null for ranges and text")
    low: float | None = Field(default=None, description="Lower end of a reported range")
    high: float | None = Field(default=None, description="Upper end of a reported range")
    alternatives: bool = Field(default=False, description="low and high are two configurations printed 'a/b', not a range")
    bound: str | None = Field(default=None, description="approx (约), over (超), at_least (不低于), at_most, under")
    text: str | None = Field(default=None, description="Value of a non-numeric figure (stock code, memory type, …)")
    unit: str | None = None
    precision: str | None = Field(default=None, description="fp16, bf16, fp8, int8, …; 'fp16/bf16' holds for both")
    sparsity: str | None = Field(default=None, description="dense or sparse when the report says")
    engine: str | None = Field(default=None, description="vector or tensor, when a report prints compute for each")
    period: str | None = Field(default=None, description="As printed: 2024, 2025H1, 2025Q3, FY2025Q3, 2020-2024, …")
    period_alias: str | None = Field(default=None, description="The period a mislabelled figure really covers")
    basis: str | None = Field(default=None, description="actual, forecast, estimate, plan or guidance")
    as_of: str | None = None
    measure: str | None = Field(
        default=None,
        description="What is measured when a metric can measure several things "
        "(capex: total/operating; parameters: total/active); unset: the metric's first",
    )
    quantity: str | None = Field(
        default=None,
        description="Figures sharing this id report one quantity from different "
        "publishers or definitions; see conflicts of kind 'linked'",
    )
    printed: str = Field(description="The token exactly as printed in the report")
    source: str = Field(default="", description="Source report id (at summary detail: see `cite`)")
    locator: str = Field(default="", description="Table or section caption in the source (at summary detail: see `cite`)")
    cite: str = Field(default="", description="Summary detail: the key in page.citations of its source and locator")
    at: str = Field(default="", description=AT)
    note: str = ""
    suspect: bool = Field(default=False, description="Kept as printed though it looks wrong; see note")
    preferred: bool = Field(default=True, description="False when a conflicting figure is preferred")
    conflicts_with: list[int] = Field(default_factory=list, description="Ids of figures that disagree")
    conflict_group: int | None = Field(default=None, description="Figures linked by disagreements share this id")
    conflict_kind: Literal["disagreement", "possible"] | None = Field(
        default=None, description="possible: the precision is not printed and no stated-precision figure agrees"
    )
    history_group: int | None = Field(default=None, description="Claims of this quantity at other dates (as_of) share this id")
    also: list[Citation] = Field(
        default_factory=list,
        description=("Summary detail: other figures stating the same value for the same claim, each with its citation"),
    )


class ConflictClaim(Model):
    """One side of a disagreement: a value and the figures (and reports) that state it."""

    value: str = Field(description="The value as a reader would say it: '376 TFLOPS', '≈3 PFLOPS'")
    figure_ids: list[int]
    sources: list[str]


class Conflict(Model):
    kind: Literal["disagreement", "possible", "history", "linked"] = Field(
        description="disagreement: same claim, different values; possible: a figure of unprinted "
        "precision that no stated-precision figure matches; history: one quantity at different dates; linked: "
        "one quantity from different publishers or definitions"
    )
    metric: str
    qualifier: str = Field(description="Precision/period/measure the figures share")
    figure_ids: list[int] = Field(default_factory=list, description="Full detail: every figure (summary: in claims)")
    preferred_id: int | None = Field(default=None, description="The preferred figure (none for history and linked)")
    claims: list[ConflictClaim] = Field(default_factory=list, description="Each distinct value, the preferred first")
    summary: str = Field(default="", description="Full detail: every figure of the disagreement as printed, with its locator")


class Page(Model):
    """Which part of a list this answer holds, and the call that returns the rest."""

    total: int = Field(description="Entries in the whole list at this detail")
    returned: int
    offset: int = 0
    more: str = Field(default="", description="How to get what this answer leaves out")
    citations: dict[str, Place] = Field(
        default_factory=dict,
        description=("Summary detail: each source and locator this page's entries cite, once, under the key they carry in `cite`"),
    )


class Candidate(Model):
    id: str
    name: str
    kind: str
    score: float = Field(description="Match score 0-100 (0: listed as related, not scored)")


class NameMatch(Model):
    query: str
    id: str
    name: str
    method: NameMethod = Field(
        description=("How the name was matched; digit-typo: a letter O, l or I read as 0 or 1 in a model number")
    )
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
    source: str = Field(default="", description="Empty at summary detail when it is the announcement's")
    locator: str = Field(default="", description="Empty at summary detail when it is the announcement's")


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


class Derived(Cell):
    """A metric computed from chosen figures by the compute core (its figure_ids are those figures)."""

    name: str


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


class ComparisonCell(CompactModel):
    """A compared value a bare number or text cannot say alone: a range, a bound, a unit or label other than
    the column's, a suspect flag, the span and claims of a contested figure, notes. Its figures are in the
    row's figure_ids and its ratio in the row's ratios, at the same position."""

    value: float | None = None
    low: float | None = None
    high: float | None = None
    bound: str | None = Field(default=None, description="approx (约), over (超), at_least, at_most, under")
    text: str | None = None
    unit: str | None = Field(default=None, description="Only where it is not the column's")
    label: str = Field(default="", description="Only where it is not the column's: 'FP16 sparse, as printed'")
    suspect: bool = False
    span: list[float] | None = Field(default=None, description="[lowest, highest] claim when reports disagree")
    claims: list[Claim] = Field(default_factory=list[Claim], description="Full detail: each claim, the preferred first")
    note: str = ""
    tier: str = Field(default="", exclude=True)  # the selection rule's step, for the text block's tags

    def bare(self) -> ComparisonCell | float | str:
        """The cell as a row holds it: a plain number or text bare, anything more as the object."""
        fields = self.model_dump(exclude_defaults=True, exclude={"tier"})
        if set(fields) == {"value"} and self.value is not None:
            return self.value
        if set(fields) == {"text"} and self.text is not None:
            return self.text
        return self


class PartsCheck(CompactModel):
    """A system's own figure beside the same quantity summed over its parts (count × each chip's figure)."""

    metric: str = Field(description="compute_<precision>, memory_gb, memory_bandwidth_gbs, power_w or w_per_tflops")
    reported: Cell = Field(description="The system's figure as the reports give it (power: system power)")
    from_parts: Cell = Field(description="Σ count × the part's figure (power: the chips' TDP)")
    ratio: list[float] = Field(default_factory=list, description="[low, high] of reported ÷ from_parts")
    difference: list[float] = Field(default_factory=list, description="[low, high] of reported − from_parts")
    verdict: Literal["agree", "differ"] = Field(description="agree: within 2% at some point of both ranges")
    note: str = Field(default="", description="What a difference of this kind means (different precisions, what TDP covers)")


class ComparisonRow(CompactModel):
    """One compared chip or system. `cells`, `figure_ids` and `ratios` follow the answer's columns position by
    position: a cell is a bare number (in the column's unit and label), bare text, an object when it says more
    (ComparisonCell), or null when the chip does not report the column."""

    id: str
    name: str
    vendor: str = Field(description="Key of the answer's vendors")
    kind: str = ""
    system: bool = Field(default=False, description="True for a server, rack or supernode (its own figures are totals)")
    matched: str = Field(default="", description="How the name was matched, when not exactly: method and known spelling")
    cells: list[ComparisonCell | float | str | None] = Field(default_factory=list, description="By column position")
    figure_ids: list[list[int]] = Field(
        default_factory=list, description="By column position: the figures each cell cites (a derived cell cites through its row)"
    )
    ratios: list[float | list[float] | None] = Field(
        default_factory=list, description="By column position: value ÷ the baseline's ([low, high] for ranges); none for the baseline"
    )
    composition: str = Field(default="", description="For systems: the parts their totals are summed over, '384 × 昇腾910C'")
    versus_parts: list[PartsCheck] = Field(
        default_factory=list,
        description=("For systems: each reported figure beside the total its composition implies, and their difference"),
    )

    def cell(self, position: int) -> Cell | None:
        """The cell at a column position made whole again (its value, figures, label …), None where not reported."""
        held = self.cells[position] if position < len(self.cells) else None
        if held is None:
            return None
        figures = self.figure_ids[position] if position < len(self.figure_ids) else []
        if isinstance(held, str):
            return Cell(text=held, figure_ids=figures)
        if isinstance(held, float | int):
            return Cell(value=held, figure_ids=figures)
        return Cell(**held.model_dump(exclude={"tier"}), figure_ids=figures, tier=held.tier)

    def ratio(self, position: int) -> float | list[float] | None:
        return self.ratios[position] if position < len(self.ratios) else None


class ComparisonColumn(CompactModel):
    key: str = Field(description="A metric of compare_chips' `metrics`; compute columns are compute_<precision>")
    unit: str = ""
    label: str = Field(
        default="",
        description=("What most of its cells are (e.g. 'FP16 dense'); a cell says its own when it differs, and always when marked"),
    )
    better: Literal["higher", "lower"] | None = Field(
        default=None, description="Which way ranks first, from the metric registry; absent: neither way is better, no best"
    )
    best: list[str] = Field(default_factory=list, description="Ids ranked 1 among comparable figures (ties share it)")
    left_out: dict[str, str] = Field(default_factory=dict, description="Ids with a figure not ranked, and why")
    no_best: str = Field(default="", description="Why no best is named (a column with one comparable figure names none)")


class VendorName(Model):
    name_zh: str
    name_en: str


class Comparison(Model):
    detail: Detail = "summary"
    baseline: str
    precision: str | None = Field(description="The precision asked for; null: every precision any chip reports")
    precisions: list[str] = Field(description="Precisions of the compute columns")
    derived_precision: str = Field(description="Precision of the compute used in derived metrics")
    columns: list[ComparisonColumn]
    vendors: dict[str, VendorName] = Field(description="Each compared chip's vendor, once, by the id its rows carry")
    rows: list[ComparisonRow]
    warnings: list[str]
    assumptions: list[str]
    sources: list[SourceRef]
    summary: str

    def cells(self, row: ComparisonRow) -> dict[str, Cell]:
        """A row's reported cells by column key, each whole (value, figures, label …)."""
        return {col.key: cell for j, col in enumerate(self.columns) if (cell := row.cell(j)) is not None}


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


class WorkloadFacts(OmitsNewWhenEmpty):
    """A reported training run recomputed by the compute core, beside what the reports print."""

    omit_empty: ClassVar[frozenset[str]] = frozenset({"energy_mwh", "energy_cost", "energy_cost_unit"})

    id: str
    name: str
    phases: list[dict[str, float | str | None]] = Field(
        default_factory=list, description="Per phase: GPU hours, price per GPU hour, computed and reported cost"
    )
    total_gpu_hours: float | None = None
    wall_clock_days: float | None = Field(default=None, description="total GPU hours ÷ count ÷ 24: every card busy throughout")
    computed_total_cost: float | None = None
    cost_unit: str | None = None
    implied_mfu_low: float | None = Field(default=None, description="Implied MFU for the longest reported duration")
    implied_mfu_high: float | None = Field(default=None, description="Implied MFU for the shortest reported duration")
    figure_ids: list[int] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)
    energy_mwh: float | None = Field(default=None, description="total GPU hours × card power (× 1 + power_overhead)")
    energy_cost: float | None = Field(default=None, description="energy_mwh × 1000 × electricity_price")
    energy_cost_unit: str | None = None


class Reconciliation(Model):
    """A reported figure that answers the same question as one of the estimate's outputs (the metric's
    `estimate` relation in metrics.toml), beside what the estimate computes, and what reconciles them."""

    output: str = Field(description="The estimate field it answers: servers, compute_pflops, system_power_kw, …")
    question: str = Field(description="What the figure answers, e.g. '8-card servers for 1000 PFLOPS (FP16)'")
    figure_id: int
    printed: str
    source: str
    locator: str
    reported: Cell = Field(description="The figure, scaled to this estimate's question (× systems)")
    computed: Cell = Field(description="What the estimate computes for it from per-card figures or composition")
    difference_pct: list[float] | None = Field(default=None, description="(reported − computed) ÷ computed, per end, in %")
    convention: str = Field(description="What reconciles the two numbers, or why they cannot be compared")
    reproduce: str = Field(default="", description="A call whose output equals the printed figure, when one exists")


class ClusterEstimate(OmitsNewWhenEmpty):
    omit_empty: ClassVar[frozenset[str]] = frozenset({"grouping", "not_used"})

    target: str = Field(description="Chip or system id the estimate is for")
    name: str
    match: NameMatch
    detail: Detail = "summary"
    mode: Literal["count", "target_pflops", "memory"]
    precision: str
    per_card: dict[str, Cell] = Field(description="Per-card (per-chip) figures used, as the selection rule chose them")
    figure_ids: list[int]
    cards: int
    servers: int
    cards_per_server: int
    compute_pflops: Cell = Field(description="Peak compute of all cards (1P = p_base T); a range keeps both ends")
    effective_pflops: Cell = Field(description="compute × utilization")
    memory_tb: Cell
    memory_bandwidth_tbs: Cell
    chip_power_kw: Cell = Field(description="The accelerators' power; each contested TDP claim gives its own total")
    system_power_kw: Cell
    energy_per_day_mwh: Cell = Field(description="system power × 24 h")
    energy_cost_per_day: Cell = Field(default_factory=Cell, description="energy × electricity_price, in `currency`")
    energy_cost_per_year: Cell = Field(default_factory=Cell, description="energy cost per day × 365")
    reconciliation: list[Reconciliation] = Field(
        default_factory=list, description="Reported figures answering the same question, beside the computed ones"
    )
    weights_fit: str | None = None
    min_cards_for_weights: int | None = Field(default=None, description="Fewest cards whose memory holds the weights")
    training: TrainingJob | None = None
    workload: WorkloadFacts | None = None
    reported: list[Figure] = Field(default_factory=list, description="System figures the reports print")
    reported_page: Page | None = None
    implied_per_chip: list[Derived] = Field(default_factory=list, description="A system's reported totals divided by its chip count")
    grouping: str = Field(
        default="",
        description="The unit cards are grouped in, when a report gives one (a rack, pod, superpod), and the cards left over",
    )
    not_used: list[str] = Field(default_factory=list, description="Each argument given but not used, and why")
    assumptions: list[str]
    warnings: list[str]
    sources: list[SourceRef]
    summary: str


class XinchuangAnswer(Model):
    query: str | None
    detail: Detail = "summary"
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
    suspect: bool = Field(default=False, description="Printed by a report but looks wrong (another report's code is preferred)")
    note: str = Field(default="", description="Why a code is suspect")
    conflicts_with: list[int] = Field(default_factory=list, description="Figure ids of codes that disagree")


class IdentityFact(Model):
    """One fact about a company (its listing date), with every figure that states it."""

    value: str
    figure_ids: list[int]
    sources: list[str]


class Venue(Model):
    """Where a company's shares trade: the exchange and its board (STAR Market, Main Board, …)."""

    text: str = Field(description="As recorded, e.g. 上交所科创板")
    exchange: str | None = Field(description="Shanghai Stock Exchange, Hong Kong Exchange, …")
    board: str | None = Field(description="STAR Market, ChiNext, Main Board, …; null when not printed")
    figure_ids: list[int]
    sources: list[str]


class MarketCap(Model):
    figure_id: int
    value: float | None
    low: float | None = None
    high: float | None = None
    bound: str | None = None
    unit: str
    currency: str | None
    as_of: str | None
    basis: str | None = None
    printed: str
    source: str
    preferred: bool = True


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
    listings: list[Listing] = Field(description="Every stock code the reports print, suspect ones marked")
    listing_date: IdentityFact | None = None
    venue: Venue | None = None
    market_cap: list[MarketCap] = Field(default_factory=list, description="Each reported market cap, with its date")


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
    detail: Detail = "summary"
    figures: list[Figure]
    page: Page
    normalized: list[NormalizedFigure] = Field(default_factory=list)
    growth: list[GrowthFigure] = Field(default_factory=list, description="Computed by the compute core")
    conflicts: list[Conflict]
    chips: list[str] = Field(default_factory=list, description="Chip ids of this vendor (summary: the first few)")
    chips_total: int = Field(default=0, description="Summary: how many when `chips` lists the first few")
    sources: list[SourceRef]
    warnings: list[str] = Field(default_factory=list)
    summary: str


class TopicMatch(Model):
    query: str
    entities: list[Candidate] = Field(description="The markets, groups, models or companies whose figures are shown")
    metrics: list[str] = Field(default_factory=list, description="Metrics the topic or `metric` named; empty: all")
    method: TopicMethod = Field(
        description="name: the topic is a name; +metric: with a metric's words; metric: a metric across the "
        "industry; search: full-text search over names, labels, locators and notes"
    )
    note: str = ""


class RankedShare(Model):
    rank: int
    entity: str
    name: str
    value: float | None
    low: float | None = None
    high: float | None = None
    printed: str
    figure_id: int


class ShareTable(Model):
    """A share table: figures of one metric across entities, from one table of one report, ranked."""

    metric: str
    label: str
    period: str | None
    source: str
    locator: str
    of: str = Field(description="What the shares are of, from the figures' note")
    rows: list[RankedShare]
    total: float | None = Field(description="Sum of the listed shares, in %")


class SeriesClaim(Model):
    """One claim of a linked quantity: a figure's value, or the value a ratio figure implies."""

    entity: str = Field(description="What the value is of (a ratio's implied value is of the quantity's entity)")
    period: str | None = None
    value: str = Field(description="As a reader would say it: '120 亿美元', '≈1 亿美元'")
    figure_ids: list[int]
    sources: list[str]
    implied: str = Field(default="", description="For a ratio: how the value was read from it")


class SeriesComparison(Model):
    """The claims of a linked quantity that share a period (or are all undated), compared."""

    period: str = Field(description="The shared period, or 'undated'")
    entities: list[str]
    figure_ids: list[int]
    apart: float | None = Field(default=None, description="Largest ÷ smallest value")
    agree: bool = Field(default=False, description="Every claim within the others' rounding and bounds")


class Series(Model):
    """Figures linked by one `quantity` id (one quantity from different publishers or definitions), side by side."""

    quantity: str = Field(description="The quantity id the knowledge base links the figures by")
    label: str
    entities: list[str]
    verdict: Literal["agree", "disagree", "different-definitions"] = Field(description="By the answer's `rules`")
    claims: list[SeriesClaim]
    compared: list[SeriesComparison] = Field(default_factory=list)


class EntityFigures(Model):
    entity: str
    name: str
    kind: str = Field(description="market, group, regulation, llm, training-run, or a company's kind")
    printed_with: str | None = Field(default=None, description="For a company: the topic entity whose table printed these")
    linked_by: str | None = Field(default=None, description="Shown because it reports this quantity of the topic")
    figures: list[Figure]


class IndustryFigures(Model):
    topic: TopicMatch
    detail: Detail = "summary"
    figures: list[EntityFigures] = Field(
        description=(
            "This page's figure entries by entity; at summary detail a figure shown in a share table or series is not repeated here"
        )
    )
    page: Page
    share_tables: list[ShareTable] = Field(default_factory=list)
    series: list[Series] = Field(default_factory=list, description="Several estimates of one quantity side by side")
    rules: dict[str, str] = Field(default_factory=dict, description="Each series verdict shown → the rule that gives it")
    conflicts: list[Conflict]
    definitions: dict[str, str] = Field(default_factory=dict, description="Entity id → what it covers (our words)")
    sources: list[SourceRef]
    summary: str


class ChipRow(OmitsNewWhenEmpty):
    omit_empty: ClassVar[frozenset[str]] = frozenset({"passes"})

    id: str
    name: str
    vendor: str
    vendor_name: str
    kind: str
    entity_kind: Literal["chip", "system"]
    certified: Certified | None = Field(default=None, description="Set when `certified` filtered the list")
    cells: dict[str, Cell] = Field(default_factory=dict, description="The filtered and sorted metrics")
    passes: str = Field(default="", description="In partial: how it passes (by one variant, by one claim, by part of a range)")


class NotReported(Model):
    metric: str
    count: int = Field(description="How many pass every other filter but have no figure for `metric`")
    chips: list[str] = Field(
        description=("Their ids: every one at detail='full'; the first few at summary (count says how many in all)")
    )


class ChipList(OmitsNewWhenEmpty):
    omit_empty: ClassVar[frozenset[str]] = frozenset({"partial", "partial_total"})

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
    sources: list[SourceRef]
    summary: str


class TppFigure(CompactModel):
    """TPP at one precision: the compute figure the selection rule chose, × the precision's bit length."""

    precision: str
    bits: int
    compute: Cell
    tpp: Cell


class Headroom(CompactModel):
    """How far the TPP is from one threshold: negative difference and ratio < 1 are below the line."""

    threshold: float
    where: str = Field(description="Class and reading the threshold belongs to")
    difference: list[float] = Field(description="[low, high] of TPP − threshold")
    ratio: list[float] = Field(description="[low, high] of TPP ÷ threshold")


class SuspectReading(Model):
    """What a figure marked suspect would give, stated beside the headline when its verdict differs."""

    tpp: Cell = Field(description="TPP from the suspect figures (the largest)")
    standing: str = Field(description="The standing that TPP would give, one line per reading")
    note: str = ""


class ExportControlAnswer(Model):
    id: str
    name: str
    entity_kind: Literal["chip", "system"]
    vendor: VendorRef
    match: NameMatch
    tpp_by_precision: list[TppFigure] = Field(description="TPP for every precision with a precision-stated compute figure")
    tpp: Cell = Field(description="The chip's TPP: the largest of tpp_by_precision not built on a suspect figure (empty when none)")
    die_area: Cell | None = None
    performance_density: Cell | None = Field(default=None, description="TPP ÷ die area, where a die area is reported")
    standings: list[Standing]
    standing: str = Field(description="One line per reading: the class the figures place it in")
    suspect_reading: SuspectReading | None = Field(
        default=None, description=("Set when a larger TPP from a figure marked suspect gives another standing: that TPP and standing")
    )
    headroom: list[Headroom] = Field(default_factory=list)
    reported: list[Figure] = Field(default_factory=list, description="Export-control figures a report prints for it")
    reproduction: str = Field(default="", description="Whether a report table's class for it follows from its figures")
    parts: list[str] = Field(default_factory=list, description="For a system: each part chip's standing")
    not_used: list[str] = Field(default_factory=list, description="Compute figures not used for TPP, and why")
    warnings: list[str] = Field(default_factory=list)
    statement: str
    sources: list[SourceRef]
    summary: str
