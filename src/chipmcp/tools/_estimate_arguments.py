"""What estimate_cluster is asked — its arguments, declared once — and how a target is sized from them.

The estimate and the reconciliation with printed figures (tools/_reconcile.py) both read a question in
this shape. Once the chip is resolved the estimate works on `question(args, entity)`: the same arguments
with `chip` the resolved id and the currency normalised, so a convention can be re-run by copying it."""

from typing import Annotated, Any, Literal

from pydantic import Field

from chipmcp.core import compute
from chipmcp.errors import InputError
from chipmcp.kb.store import KnowledgeBase
from chipmcp.reasoning.cells import Cell
from chipmcp.tools.registry import DEFAULT_LIMIT, Arguments, DetailArg, LimitArg, Name, OffsetArg, Precision

CURRENCIES = {"元": "元", "CNY": "元", "USD": "USD", "美元": "USD"}


class EstimateClusterArguments(Arguments):
    chip: Name = Field(description="Chip (910B, H100) or system (CloudMatrix 384, GB200 NVL72)")
    count: Annotated[int | None, Field(ge=1, le=10_000_000)] = Field(
        default=None, description=("Number of cards (or of systems, for a system name); give this or target_pflops")
    )
    target_pflops: Annotated[float | None, Field(gt=0, le=1e9, allow_inf_nan=False)] = Field(
        default=None, description=("Compute to reach, in PFLOPS at `precision`; give this or count")
    )
    precision: Precision = Field(default="fp16", description="Precision of the compute figures used")
    cards_per_server: Annotated[int | None, Field(ge=1, le=1024)] = Field(
        default=None, description=("Cards per server; default: a report's unit for the chip (rack, superpod), else 8")
    )
    utilization: Annotated[float, Field(gt=0, le=1, allow_inf_nan=False)] = Field(
        default=1.0, description=("Share of peak compute delivered (e.g. MFU 0.4); 1 = peak")
    )
    power_overhead: Annotated[float, Field(ge=0, le=10, allow_inf_nan=False)] = Field(
        default=0.0, description=("Extra system power as a share of chip power (0.3 = +30%; PUE − 1 for cooling)")
    )
    p_base: Literal[1000, 1024] = Field(default=1000, description="TFLOPS per PFLOPS: 1000, or 1024 as some report tables read it")
    use_server_figure: bool = Field(
        default=False, description=("Size by the report's printed per-server compute (e.g. 整机8卡 约3P) instead of per-card figures")
    )
    parameters_billion: Annotated[float | None, Field(gt=0, le=1e6, allow_inf_nan=False)] = Field(
        default=None,
        description=("Model parameters in billions: alone, whether the weights fit; with tokens_billion and mfu, a training job"),
    )
    tokens_billion: Annotated[float | None, Field(gt=0, le=1e9, allow_inf_nan=False)] = Field(
        default=None, description="Training: tokens in billions"
    )
    mfu: Annotated[float | None, Field(gt=0, le=1, allow_inf_nan=False)] = Field(
        default=None, description="Training: model FLOPs utilization, 0-1"
    )
    price_per_gpu_hour: Annotated[float | None, Field(ge=0, le=1e6, allow_inf_nan=False)] = Field(
        default=None, description="Training: rental price of one card-hour, for a cost"
    )
    workload: Name | None = Field(
        default=None,
        description=("A reported training run (DeepSeek-V3, GPT-4): wall-clock days and cost from its GPU hours, or implied MFU"),
    )
    electricity_price: Annotated[float | None, Field(ge=0, le=1e4, allow_inf_nan=False)] = Field(
        default=None, description=("Electricity price per kWh in `currency`: energy cost per day and per year")
    )
    currency: Literal["元", "CNY", "USD", "美元"] = Field(default="元", description="Currency of electricity_price")
    detail: DetailArg = "summary"
    offset: OffsetArg = 0
    limit: LimitArg = DEFAULT_LIMIT


def question(args: EstimateClusterArguments, entity: str, **update: Any) -> EstimateClusterArguments:
    """The arguments as the sizing reads them: `chip` the resolved entity id, the currency normalised, `update` set."""
    return args.model_copy(update={"chip": entity, "currency": CURRENCIES[args.currency], **update})


def server_figure(kb: KnowledgeBase, q: EstimateClusterArguments) -> dict[str, Any]:
    rows = [
        r
        for r in kb.figures(q.chip, ["server_compute"])
        if r["value"] is not None and r["period"] is None and (not r["precision"] or q.precision in r["precision"].split("/"))
    ]
    if not rows:
        raise InputError("No per-server compute figure is reported for this chip; drop use_server_figure.")
    return min(rows, key=lambda r: (not r["preferred"], r["id"]))


def per_server(q: EstimateClusterArguments) -> int:
    """cards_per_server as the sizing reads it: estimate_cluster sets it to the grouping's size before sizing."""
    if q.cards_per_server is None:
        raise ValueError("cards_per_server is set by estimate_cluster before any sizing")
    return q.cards_per_server


def sized(kb: KnowledgeBase, q: EstimateClusterArguments, card: Cell) -> tuple[int, int]:
    """(cards, servers) for target_pflops from the per-card cell, or from the per-server figure."""
    if q.target_pflops is None:
        raise InputError("Give `target_pflops` to size a cluster for it.")
    if q.use_server_figure:
        row = server_figure(kb, q)
        server_tflops = float(compute.convert(row["value"], row["unit"], "TFLOPS", q.p_base))
        return compute.servers_needed(q.target_pflops, q.p_base, per_server(q), server_tflops=server_tflops)
    ends = card.ends()
    return compute.servers_needed(
        q.target_pflops, q.p_base, per_server(q), q.utilization, card_tflops=None if ends is None else ends[0]
    )
