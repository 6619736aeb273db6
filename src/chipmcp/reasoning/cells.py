"""A Cell: one spec of one chip or system as the selection rule chose it — its ends, its bound, the claims
of a contested figure and the figures behind it — and the arithmetic that carries all of that through a
scale or a division. The numbers themselves are computed by the compute core (chipmcp.core.compute); this
module keeps what travels with them."""

import math
from collections.abc import Callable, Iterable
from typing import Any, Literal, Self, TypeVar, cast

from pydantic import BaseModel, ConfigDict, Field, SerializerFunctionWrapHandler, model_serializer

from chipmcp.core import compute

_set = object.__setattr__


def _unvalidated(cls: "type[M]", values: dict[str, Any], fields_set: set[str]) -> "M":
    """An instance of `cls` holding `values` as they are, `fields_set` as the fields given: what pydantic's
    constructor leaves behind for a model without extra fields or private state, without its validation."""
    model = cls.__new__(cls)
    _set(model, "__dict__", values)
    _set(model, "__pydantic_fields_set__", fields_set)
    _set(model, "__pydantic_extra__", None)
    _set(model, "__pydantic_private__", None)
    return model


class Model(BaseModel):
    """Base of every answer model: unknown fields are refused, not ignored."""

    # defer_build: a model's validator and serializer are built on its first use, not at import, so a
    # server starts without building every tool's answer models (the first call builds its own, unless the
    # server's warm-up, once the server is idle, built them all: build_deferred).
    model_config = ConfigDict(extra="forbid", defer_build=True)

    @classmethod
    def checked_before(cls, **fields: Any) -> Self:
        """The model of values checked before (a figure row `chipmcp build` validated), EVERY field given:
        nothing validated, no default looked up. A fifth of model_construct's cost, which looks up each
        field's default and its factory's signature; what it builds serializes like any other."""
        return _unvalidated(cls, fields, set(fields))

    @classmethod
    def checked_dict(cls, fields: dict[str, Any]) -> Self:
        """checked_before(**fields) for a dict made for it, which the model keeps: no keyword arguments packed
        again (a figure is built field by field for every row of every answer)."""
        return _unvalidated(cls, fields, set(fields))

    def updated(self, **update: Any) -> Self:
        """self.model_copy(update=update): a shallow copy with `update` set, not validated, without pydantic's
        generic copy (an answer model has no extra fields and no private state); entries are copied by the dozen."""
        return _unvalidated(type(self), {**self.__dict__, **update}, self.__pydantic_fields_set__ | update.keys())

    @classmethod
    def build_deferred(cls) -> int:
        """Build the validator and serializer of every subclass not built yet (what its first use would do), for
        a server with time to spare before it is asked; returns how many were built."""
        built = 0
        pending: list[type[Model]] = [cls]
        while pending:
            model = pending.pop()
            pending += model.__subclasses__()
            if not model.__pydantic_complete__:
                model.model_rebuild()
                built += 1
        return built


def is_empty(value: object) -> bool:
    """What a compact dump leaves out (CompactModel): None, false, "", [] and {}."""
    return value is None or value is False or value == "" or value == [] or value == {}


def _whole(value: object) -> object:
    """376.0 as 376: the same JSON number, two characters shorter, a hundred times per comparison."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return int(value)
    if isinstance(value, list):
        return [_whole(v) for v in cast("list[object]", value)]
    return value


class CompactModel(Model):
    """A model whose JSON leaves out empty fields (None, false, "", [], {}) and writes whole numbers without
    '.0': cells repeat by the hundred in a comparison, and an absent field reads the same as its default."""

    @model_serializer(mode="wrap")
    def _compact(self, handler: SerializerFunctionWrapHandler) -> dict[str, object]:
        # {key: _whole(value) for each value not is_empty}, with the commonest kinds (a number, a text) tested
        # first: this runs for every cell of every answer.
        out: dict[str, object] = {}
        dumped: dict[str, object] = handler(self)
        for key, value in dumped.items():
            if type(value) is float:  # a number is never empty
                out[key] = int(value) if value.is_integer() and abs(value) < 1e15 else value
            elif type(value) is str:
                if value:
                    out[key] = value
            elif not is_empty(value):
                out[key] = _whole(value)
        return out


class Claim(CompactModel):
    """One of the values the reports give for a contested spec, with the figures that give it."""

    value: float | None = None
    low: float | None = None
    high: float | None = None
    figure_ids: list[int] = Field(default_factory=list[int])


class Cell(CompactModel):
    """One spec of one chip or system as the figure-selection rule chose it (chipmcp.reasoning.selection).

    A point is `value`; a range or a/b pair keeps `low` and `high`; `bound` keeps ≈/>/≥. `label` says
    what the number is ("FP16 dense", "FP16 sparse, as printed", "precision not printed"); when reports
    disagree, `value` is the preferred claim, `span` the lowest and highest claim, `claims` each claim."""

    value: float | None = Field(default=None, description="The number in `unit` (null for a range: see low/high)")
    low: float | None = Field(default=None, description="Lower end of a range or the smaller of an a/b pair")
    high: float | None = Field(default=None, description="Upper end of a range or the larger of an a/b pair")
    bound: str | None = Field(default=None, description="approx (约), over (超), at_least, at_most, under")
    text: str | None = Field(default=None, description="For text specs: memory type, release date")
    unit: str | None = None
    label: str = Field(default="", description="What the number is: precision and sparsity as printed, or how it was derived")
    figure_ids: list[int] = Field(default_factory=list[int], description="The figures behind it, the chosen one first")
    suspect: bool = Field(default=False, description="Built on a figure the knowledge base marks suspect")
    span: list[float] | None = Field(default=None, description="[lowest, highest] claim when reports disagree")
    claims: list[Claim] = Field(default_factory=list[Claim], description="Each disagreeing claim, the preferred first")
    note: str = ""
    # Which step of the rule chose it ("dense", "unstated", "sparse", "unlabeled", "derived", "" for
    # non-compute specs): for rankings in process; readers get the same from `label`.
    tier: str = Field(default="", exclude=True)
    # A compute figure of the other kind of unit than its precision's headline ("tensor" at FP32/FP64,
    # "vector" elsewhere; selection.off_engine), "" otherwise: for rankings in process, said in `label`.
    engine: str = Field(default="", exclude=True)

    def ends(self) -> tuple[float, float] | None:
        """(low, high) of a numeric cell — a point gives (value, value); None when nothing is reported."""
        if self.value is not None:
            return self.value, self.value
        if self.low is not None and self.high is not None:
            return self.low, self.high
        return None


# Each field of a Cell at its default, in declaration order (the order a dump writes them in); the fields
# with a default factory (the lists) get a new value per cell.
_CELL_FACTORIES = {
    name: cast("Callable[[], object]", info.default_factory)
    for name, info in Cell.model_fields.items()
    if info.default_factory is not None
}
_CELL_TEMPLATE = {name: None if name in _CELL_FACTORIES else info.default for name, info in Cell.model_fields.items()}


def cell_of(**fields: Any) -> Cell:
    """Cell(**fields) for values already of their field's type (numbers the compute core made, a figure row's
    fields the build checked): the same model, without validating them again — a cell is made dozens of
    times per answer."""
    values = dict(_CELL_TEMPLATE)
    for name, factory in _CELL_FACTORIES.items():
        if name not in fields:
            values[name] = factory()
    values.update(fields)
    return _unvalidated(Cell, values, set(fields))


M = TypeVar("M", bound=Model)
_NUMBERS = frozenset({"value", "low", "high"})
_TEMPLATES: dict[type[Model], tuple[dict[str, object], dict[str, Callable[[], object]]]] = {}


def redumped(cls: type[M], source: CompactModel, names: Iterable[str], **more: Any) -> M:
    """cls(**source.model_dump(include=names), **more) — a cell's fields carried into another model of the same
    fields (a Derived, a ComparisonCell, a Cell again) — without dumping and validating again: what the compact
    dump leaves out (an empty value) at cls's default and unset, numbers as floats (as validation makes them),
    lists and claims copied. `more` is taken as given; every name must be one of the fields of a Cell."""
    defaults, factories = _template(cls)
    values = dict(defaults)
    for name, factory in factories.items():
        values[name] = factory()
    held = source.__dict__
    given: dict[str, Any] = {}
    for name in names:
        value = held[name]
        if is_empty(value):
            continue
        if name in _NUMBERS:
            value = float(value)
        elif name == "span":
            value = [float(end) for end in value]
        elif name == "claims":
            value = [claim.model_copy() for claim in value]
        elif name == "figure_ids":
            value = list(value)
        given[name] = value
    given.update(more)
    values.update(given)
    return _unvalidated(cls, values, set(given))


def _template(cls: type[Model]) -> tuple[dict[str, object], dict[str, Callable[[], object]]]:
    """Each field of `cls` at its default, in declaration order (a dump's order), and the default factories."""
    found = _TEMPLATES.get(cls)
    if found is None:
        factories = {
            name: cast("Callable[[], object]", info.default_factory)
            for name, info in cls.model_fields.items()
            if info.default_factory is not None
        }
        defaults: dict[str, object] = {name: None if name in factories else info.default for name, info in cls.model_fields.items()}
        found = _TEMPLATES[cls] = (defaults, factories)
    return found


def _point_or_range(target: Cell | Claim, low: float, high: float, digits: int = 6) -> None:
    tidy_low, tidy_high = compute.tidy(low, digits), compute.tidy(high, digits)
    # What `target.value, target.low, target.high = …` does (a model without validate_assignment), written at
    # once: this runs for every derived figure of every answer.
    if tidy_low == tidy_high:
        vars(target).update(value=tidy_low, low=None, high=None)
    else:
        vars(target).update(value=None, low=tidy_low, high=tidy_high)
    target.__pydantic_fields_set__.update(_ENDS)


_ENDS = ("value", "low", "high")


def scale_cell(cell: Cell, factor: float, unit: str | None = None, p_base: int = 1000, label: str | None = None) -> Cell:
    """cell × factor (both ends, every claim), converted to `unit`: N cards of a per-card figure."""
    ends = cell.ends()
    if ends is None:
        return Cell(unit=unit or cell.unit, label=cell.label)
    to = unit or cell.unit
    if to is not None and to != cell.unit and cell.unit is not None:
        factor = factor * float(compute.convert(1.0, cell.unit, to, p_base))
    out = cell.updated(unit=to, label=cell.label if label is None else label, claims=[], span=None)
    _point_or_range(out, *compute.interval_scale(*ends, factor))
    for claim in cell.claims:
        scaled = Claim(figure_ids=claim.figure_ids)
        lo, hi = (claim.value, claim.value) if claim.value is not None else (claim.low, claim.high)
        # A claim is a point or both ends (selection._claims); NaN stands for a missing end, as numpy reads None.
        _point_or_range(scaled, *compute.interval_scale(math.nan if lo is None else lo, math.nan if hi is None else hi, factor))
        out.claims.append(scaled)
    if cell.span:
        out.span = [end for e in cell.span if (end := compute.tidy(e * factor)) is not None]  # finite × finite
    return out


# A ratio of printed figures: four digits say all they can.
RATIO_DIGITS = 4


def divided_ends(numerator: tuple[float, float] | None, denominator: tuple[float, float] | None) -> tuple[float, float] | None:
    """numerator ÷ denominator as an interval, untidied; None if either is missing or the quotient is not finite."""
    if numerator is None or denominator is None:
        return None
    low, high = compute.interval_divide(numerator, denominator)
    return (low, high) if math.isfinite(low) and math.isfinite(high) else None


def divide_cells(numerator: Cell, denominator: Cell, unit: str, label: str = "") -> Cell:
    """numerator ÷ denominator as an interval (a range on either side gives a range); empty if either is."""
    ends = divided_ends(numerator.ends(), denominator.ends())
    if ends is None:
        return cell_of(unit=unit, label=label)
    low, high = ends
    # The chosen figure of each side (not the figures that merely agree with it).
    out = cell_of(
        unit=unit,
        label=label,
        figure_ids=list(dict.fromkeys(numerator.figure_ids[:1] + denominator.figure_ids[:1])),
        suspect=numerator.suspect or denominator.suspect,
        tier=denominator.tier if denominator.tier else numerator.tier,
    )
    _point_or_range(out, low, high, digits=RATIO_DIGITS)
    return out


def cells_differ_by(computed: Cell, reported: Cell) -> tuple[float, float] | None:
    """(reported − computed) ÷ computed in percent, for each end; None when either is missing."""
    a, b = computed.ends(), reported.ends()
    if a is None or b is None or a[0] == 0 or a[1] == 0:
        return None
    return float((b[0] - a[0]) / a[0] * 100), float((b[1] - a[1]) / a[1] * 100)


def rescale_cell(cell: Cell, factor: float, unit: str, label: str | None = None) -> Cell:
    """cell × factor into another quantity (kW × 24 h → kWh, kWh × price → money): both ends and every claim,
    the result in `unit` with no conversion (the factor carries it)."""
    out = scale_cell(cell.updated(unit=None), factor, label=label)
    out.unit = unit
    return out


# --- what reasoning hands on besides cells: a filter condition, a control clause tested -------------


class Condition(Model):
    metric: str
    op: str
    value: float | str


Status = Literal["met", "not met", "undecided"]


class ClauseTest(CompactModel):
    test: str = Field(description="The clause's conditions, e.g. 'TPP >= 1600 and PD >= 5.92'")
    status: Status
    needs: list[str] = Field(default_factory=list, description="Quantities not reported that would decide it")


class Standing(CompactModel):
    """One control class tested on the chip's figures, under one reading (the rule text or a report's)."""

    regime: str
    class_name: str = Field(description="e.g. 3A090.a")
    reading: Literal["rule", "report"] = Field(description="rule: the rule text; report: a report's reading of it")
    source: str
    locator: str
    status: Status = Field(description="Tested on the preferred figures")
    across_claims: str | None = Field(default=None, description="The status over every claim, when reports disagree and it differs")
    shadowed_by: str | None = Field(default=None, description="A class of higher precedence this reading already places it in")
    clauses: list[ClauseTest] = Field(default_factory=list[ClauseTest])
    note: str = ""
