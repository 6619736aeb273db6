"""The records of knowledge/*.toml as pydantic models: what `chipmcp build` accepts.

Field-level rules live here (identifiers, vocabularies, ranges); rules that need the whole knowledge
base (a vendor exists, an alias names one entity) live in build.py.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator, model_validator

from chipmcp.core import periods
from chipmcp.core.units import PRECISIONS, UNITS, Bound, Engine, Sparsity
from chipmcp.errors import InputError

Identifier = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=80)]
NonEmpty = Annotated[str, StringConstraints(min_length=1, strip_whitespace=True)]
DATE = re.compile(r"^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$")
PERIOD = re.compile(
    r"^(FY)?\d{4}(H[12]|Q[1-4]|Q1-Q[2-4]|M(0?[1-9]|1[0-2])|-(0[1-9]|1[0-2]))?$"  # a year or part of one
    r"|^(FY)?\d{4}-(FY)?\d{4}$"  # a span of years
    r"|^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$"  # a day
)


class Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _parses(period: str) -> bool:
    try:
        periods.parse(period)  # one reading of periods for the build and the tools: a reversed span is refused
    except InputError:
        return False
    return True


def _check_date(value: str | None) -> str | None:
    if value is not None and not DATE.match(value):
        raise ValueError(f"date {value!r} must be YYYY, YYYY-MM or YYYY-MM-DD")
    return value


def _check_unit(unit: str | None) -> str | None:
    if unit is not None and unit not in UNITS:
        raise ValueError(f"unknown unit {unit!r}; use one of src/chipmcp/units.py: {', '.join(UNITS)}")
    return unit


def _check_precision(precision: str | None) -> str | None:
    if precision is None:
        return None
    parts = precision.lower().split("/")
    unknown = [p for p in parts if p not in PRECISIONS]
    if unknown:
        raise ValueError(f"unknown precision {'/'.join(unknown)!r}; use {', '.join(PRECISIONS)}")
    return "/".join(parts)


class Source(Record):
    id: Identifier
    publisher: NonEmpty
    publisher_en: NonEmpty
    title: NonEmpty
    kind: NonEmpty
    date: str
    date_note: str = ""
    language: Literal["zh-Hans", "zh-Hant", "en"]
    # The report's file name in the reports folder; empty for a source with no report file (a regulation
    # cited by its official citation), whose figures `kb verify` says it cannot check.
    file: str = ""
    # What a licence asks of whoever passes the source on (a dataset under CC BY): where it lives, its
    # licence, the credit to print and what chipmcp changed. Served with the source record.
    url: str = ""
    licence: str = ""
    licence_url: str = ""
    credit: str = ""
    changes: str = ""

    _date = field_validator("date")(_check_date)


EstimateOutput = Literal["servers", "cards", "compute_pflops", "memory_tb", "memory_bandwidth_tbs", "system_power_kw"]


class EstimateRelation(Record):
    """Which question of estimate_cluster a figure of the metric answers, on the figure's own entity: the
    estimate `output` for `count` of the entity (totals scale with the count asked), or for a compute target
    of `target_pflops` at the figure's precision (`cards_per_server` cards a server)."""

    output: EstimateOutput
    count: Annotated[int, Field(ge=1)] | None = None
    target_pflops: Annotated[float, Field(gt=0)] | None = None
    cards_per_server: Annotated[int, Field(ge=1)] | None = None

    @model_validator(mode="after")
    def _one_question(self) -> EstimateRelation:
        if (self.count is None) == (self.target_pflops is None):
            raise ValueError("an estimate relation gives exactly one of count or target_pflops")
        return self


class Metric(Record):
    id: Annotated[str, StringConstraints(pattern=r"^[a-z0-9_]+$")]
    dimension: str
    label_en: NonEmpty
    label_zh: NonEmpty
    about: NonEmpty
    # Other words a question names the metric by (营收 for 营业收入, market cap): a word is the metric it names
    # before it is part of a longer label (营收 is revenue, not only 营收增速). No two metrics share a word.
    names: list[NonEmpty] = []
    # What a figure of this metric can measure (capex: total, operating; parameters: total, active; a
    # training run's phases). A figure names one in `measure`; an unstated measure is the first listed.
    # Only figures of one measure are compared, so the distinction is data, never a note's wording.
    measures: list[Identifier] = []
    # True for free-text descriptions (what a chip is for, its form factor): two wordings never conflict.
    descriptive: bool = False
    # The estimate_cluster output a figure of this metric reports (servers for 1000 PFLOPS, a system's
    # total compute): the estimate shows such a figure beside what it computes, and reconciles the two.
    estimate: EstimateRelation | None = None
    # Which way a ranking puts the best first; None where neither way is better (a release date, a die area).
    better: Literal["higher", "lower"] | None = None


class Entity(Record):
    """Fields every named thing has."""

    id: Identifier
    name_zh: NonEmpty
    name_en: NonEmpty
    name_zh_hant: str = ""
    aliases: list[NonEmpty] = []
    note: str = ""

    @model_validator(mode="before")
    @classmethod
    def _english_only(cls, data: object) -> object:
        # A Chinese name is never invented: an entity without one (no report or vendor gives it) shows its
        # English name in both display slots.
        if isinstance(data, dict) and "name_zh" not in data and "name_en" in data:
            return {**data, "name_zh": data["name_en"]}
        return data


class Vendor(Entity):
    full_name_zh: str = ""
    kind: Literal["chip-designer", "foundry", "cloud", "device-maker", "server-maker", "ip-vendor", "model-maker", "other"]
    country: Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]
    parent: Identifier | None = None


class Chip(Entity):
    vendor: Identifier
    model: NonEmpty
    family: Identifier | None = None
    # The chip record standing for this model's family or generation as a whole (a generation's TDP, a
    # series' memory type): its figures stand in, labelled family-level, where the model reports none.
    generation: Identifier | None = None
    kind: Literal["GPU", "NPU", "ASIC", "TPU", "DCU", "CPU", "SoC", "DPU", "card", "architecture"]
    # The chip or family a report means by the unqualified name (H100 PCIe → H100): linked, never merged,
    # so the variant's figures stay its own.
    variant_of: Identifier | None = None


class Citation(Record):
    source: Identifier
    locator: NonEmpty
    printed: NonEmpty


class Part(Citation):
    chip: Identifier
    count: Annotated[int, Field(gt=0)]


class System(Entity):
    vendor: Identifier
    kind: Literal["server", "rack", "supernode", "cluster", "board"]
    parts: list[Part] = []


class TrainedOn(Citation):
    """The chip a reported run was trained on, as a report names it: its GPU hours and card count are that
    chip's, so another chip takes them only through a stated compute ratio."""

    chip: Identifier


class Workload(Entity):
    kind: Literal["llm", "training-run"]
    trained_on: TrainedOn | None = None


class Market(Entity):
    kind: Literal["market", "regulation", "group", "project"]


# Kinds of record another folder may add names to (`extends = true`); sources, metrics and figures are
# never extended: a second report is a new source, and its figures are its own.
EXTENDABLE_KINDS: tuple[str, ...] = ("vendor", "chip", "system", "workload", "market")


class Extension(Record):
    """More names for an entity defined elsewhere, e.g. in the bundled knowledge: only `id` and `aliases`,
    because a second folder must not silently rewrite what another one says about the entity."""

    id: Identifier
    extends: Literal[True]
    aliases: Annotated[list[NonEmpty], Field(min_length=1)]


class Announcement(Citation):
    id: Identifier
    name: NonEmpty
    issuer: NonEmpty
    date: str

    _date = field_validator("date")(_check_date)


class Certification(Citation):
    announcement: Identifier
    seq: Annotated[int, Field(ge=1)]
    product: NonEmpty
    company: NonEmpty
    level: NonEmpty
    chip: Identifier
    vendor: Identifier


class FigureRow(Record):
    """One figure as written in a [[figures]] block, before the block's defaults are applied."""

    entity: Identifier | None = None
    metric: Annotated[str, StringConstraints(pattern=r"^[a-z0-9_]+$")]
    value: float | None = None
    low: float | None = None
    high: float | None = None
    bound: Bound | None = None
    text: str | None = None
    unit: str | None = None
    precision: str | None = None
    sparsity: Sparsity | None = None
    engine: Engine | None = None
    alternatives: bool = False  # low and high are two configurations printed 'a/b', not a span
    period: str | None = None
    # The period a mislabelled figure really covers (NVIDIA's May-2025 quarter, printed FY25Q3, is FY2026Q1):
    # `period` stays as printed, and a question about either label finds the figure.
    period_alias: str | None = None
    basis: Literal["actual", "forecast", "estimate", "plan", "guidance"] | None = None
    as_of: str | None = None
    measure: Identifier | None = None  # one of the metric's `measures` (checked by the build)
    # One quantity reported by several publishers or under several definitions (three forecasts of one
    # market, a cost and a claim about it): figures naming the same `quantity` are shown side by side.
    quantity: Identifier | None = None
    printed: NonEmpty
    note: str = ""
    prefer: bool = False
    suspect: bool = False

    _as_of = field_validator("as_of")(_check_date)

    _known_unit = field_validator("unit")(_check_unit)
    _known_precision = field_validator("precision")(_check_precision)

    @field_validator("period", "period_alias")
    @classmethod
    def _known_period(cls, period: str | None) -> str | None:
        if period is not None and not (PERIOD.match(period) and _parses(period)):
            raise ValueError(f"period {period!r} must look like 2024, 2025H1, 2025Q3, 2025Q1-Q3, FY2025Q3 or 2020-2024")
        return period

    @model_validator(mode="after")
    def _one_kind_of_value(self) -> FigureRow:
        numeric = self.value is not None
        ranged = self.low is not None or self.high is not None
        if self.prefer and self.suspect:
            raise ValueError(
                "a figure cannot be both `prefer` and `suspect`: a suspect figure is never preferred "
                "while another exists; drop one of the two"
            )
        if self.period_alias is not None and (self.period is None or self.period_alias == self.period):
            raise ValueError("`period_alias` names another label for `period`: give `period` as printed and a different alias")
        if self.text is not None:
            if numeric or ranged or self.unit:
                raise ValueError("a text figure takes `text` only: drop value/low/high/unit")
            return self
        if numeric == ranged:
            raise ValueError("give exactly one of `value`, `low`+`high` or `text`")
        if ranged and (self.low is None or self.high is None):
            raise ValueError("a range needs both `low` and `high`")
        if ranged and self.low is not None and self.high is not None and self.low > self.high:
            raise ValueError(f"range low {self.low} is above high {self.high}")
        if self.alternatives and not ranged:
            raise ValueError("`alternatives = true` qualifies two configurations: give them as `low` and `high`")
        if not self.unit:
            raise ValueError("a numeric figure needs a `unit`")
        return self


class Condition(Record):
    """One threshold test of a control class: `quantity op value` (TPP ≥ 4800)."""

    quantity: Literal["tpp", "performance_density"]
    op: Literal[">", ">=", "<", "<="]
    value: float
    printed: NonEmpty


class ControlClass(Record):
    """One class of an export-control regime (ECCN 3A090.a) as one source states it: an item is in the
    class when every condition of any one clause holds. Classes of one reading are tried in `precedence`
    order and the first met is the item's standing (3A090.a before 3A090.b)."""

    id: Identifier
    regime: Identifier
    name: NonEmpty
    reading: Literal["rule", "report"]
    precedence: Annotated[int, Field(ge=1)]
    source: Identifier
    locator: NonEmpty
    clauses: Annotated[list[Annotated[list[Condition], Field(min_length=1)]], Field(min_length=1)]
    note: str = ""


class FigureBlock(Record):
    source: Identifier
    locator: NonEmpty
    entity: Identifier | None = None
    period: str | None = None
    basis: Literal["actual", "forecast", "estimate", "plan", "guidance"] | None = None
    as_of: str | None = None
    rows: list[dict[str, object]]


SHA256 = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]


class Dataset(Record):
    """A table (CSV) whose cells become figures of a [[source]]: pinned by its sha256, one row an entity."""

    source: Identifier
    file: NonEmpty  # relative to the folder holding the TOML file that declares it
    sha256: SHA256
    row_name: NonEmpty  # the column naming each row; names are unique
    link: str | None = None  # the column holding the row's datasheet link(s)
    modified: str | None = None  # the column holding the row's last-modified date
    # A newer copy of another dataset (a user's refresh): that dataset's columns, rows and cell marks apply
    # to this one too, matched by header and row name; records of this dataset add to them or replace them.
    mapping_from: Identifier | None = None


class DatasetColumn(Record):
    """One imported figure column: its metric, the unit as the column prints it and the qualifiers every
    cell of it shares. A column without such a record is never imported."""

    dataset: Identifier
    header: NonEmpty
    metric: Annotated[str, StringConstraints(pattern=r"^[a-z0-9_]+$")]
    unit: str | None = None  # None for a text metric (a release date)
    precision: str | None = None
    sparsity: Sparsity | None = None
    engine: Engine | None = None
    measure: Identifier | None = None
    note: str = ""

    _known_unit = field_validator("unit")(_check_unit)
    _known_precision = field_validator("precision")(_check_precision)


class DatasetRow(Record):
    """Which chip or system one row of a dataset is (its row-name cell exactly)."""

    dataset: Identifier
    name: NonEmpty
    entity: Identifier
    # Whether the row's compute figures are dense or sparse where the table says so per row (Epoch's notes:
    # 'without sparsity'); a column's own sparsity wins.
    sparsity: Sparsity | None = None
    # The engine of this row's figures in the columns that state one, where the row's cells are of another
    # engine than the column says: a chip whose 'FP16' column prints its only matrix figure is "tensor".
    # Unlike sparsity, the row wins: it corrects the column's general reading for one chip.
    engine: Engine | None = None
    # A row of figures for a product not released at the table's date (Epoch's roadmap rows for Ascend
    # 960/970): every figure of the row carries this basis, so answers say the figures are planned.
    basis: Literal["actual", "forecast", "estimate", "plan", "guidance"] | None = None
    note: str = ""


class DatasetCell(Record):
    """A curator's mark on one cell, leaving the pinned file as published: the figure kept but suspect, or
    read as another metric than its column's (MTIA's 'memory' is on-chip SRAM)."""

    dataset: Identifier
    row: NonEmpty
    column: NonEmpty
    suspect: bool = False
    metric: Annotated[str, StringConstraints(pattern=r"^[a-z0-9_]+$")] | None = None
    note: NonEmpty


RECORD_KINDS: dict[str, type[Record]] = {
    "source": Source,
    "metric": Metric,
    "vendor": Vendor,
    "chip": Chip,
    "system": System,
    "workload": Workload,
    "market": Market,
    "announcement": Announcement,
    "certification": Certification,
    "control_class": ControlClass,
    "figures": FigureBlock,
    "dataset": Dataset,
    "dataset_column": DatasetColumn,
    "dataset_row": DatasetRow,
    "dataset_cell": DatasetCell,
}
