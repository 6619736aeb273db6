"""The parts every tool's answer is built of (figures, citations, conflicts, pages, name matches, vendors);
each tool's own answer model sits in the tool's module. Together they are the outputSchema clients see."""

from typing import ClassVar, Literal

from pydantic import Field, SerializerFunctionWrapHandler, model_serializer

from chipmcp.reasoning.cells import Cell, Model

Detail = Literal["summary", "full"]
NameMethod = Literal[
    "exact", "normalized", "pinyin", "stock-code", "vendor-prefix", "vendor-suffix", "fuzzy", "digit-typo", "id", "via-chip"
]
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
    licence: str = Field(default="", description="The licence of a source's data (Epoch AI: CC BY 4.0): credit it with its figures")


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
    why: str = Field(
        default="",
        description="Why it is preferred: the others are suspect, the curators' choice (its note says why), a report "
        "over a dataset, the newest source, or no rule (the first listed)",
    )
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
