"""MCP wiring only: registers the tools, the resources and a prompt on an MCPServer.

`build_server(kb)` takes the knowledge base as an argument (tests pass their own); with none, the
default database is found or built on the first request, so start-up stays light.
"""

from __future__ import annotations

import json
import logging
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Annotated, Any, Literal, TypeVar

from mcp.server import MCPServer
from mcp.server.mcpserver.exceptions import ResourceNotFoundError, ToolError
from mcp.types import CallToolResult, TextContent, ToolAnnotations
from pydantic import BaseModel, Field

from ._version import __version__
from .errors import ChipMCPError
from .kb import KnowledgeBase
from .models import ChipAnswer, ChipList, ClusterEstimate, Comparison, IndustryFigures, VendorFinancials, XinchuangAnswer
from .units import PRECISIONS

INSTRUCTIONS = """\
chipmcp answers questions about AI accelerator chips (Huawei Ascend, Cambricon, Hygon, Moore Threads,
MetaX, Biren, Iluvatar, Enflame, NVIDIA, Google TPU, AWS Trainium, …) and their makers, from five Chinese
research reports. Every figure carries its source report and the token as printed; quote them with it.
- lookup_chip: all figures of one chip or system (specs, prices, sources, disagreements, certification).
- compare_chips: 2-20 chips side by side, with ratios to a baseline and derived metrics (TFLOPS/W, …).
- estimate_cluster: cards/servers for a target PFLOPS, or totals for N cards; power, energy; training runs.
- xinchuang_certified: whether a chip or company is on the 安全可靠测评 AI-chip list; no name → whole list.
- vendor_financials: a company's identity (stock codes, listing) and revenue, profit, capex, forecasts.
- find_chips: filter and rank chips by vendor, domestic, kind, certified, specs (where), sort_by.
- industry_figures: market sizes and shares, cloud capex, AI models (parameters, GPU-hours, cost, users).
Names may be written in 简体/繁體/English/pinyin, with or without the vendor. When reports disagree,
answers return every figure and mark the preferred one; say so to the user. Resources:
chipmcp://chips/{id} and chipmcp://sources/{id}."""

log = logging.getLogger("chipmcp")

# One call per tool as a model would write it: what the tests, the benchmarks and the docs exercise.
EXAMPLE_CALLS: dict[str, dict[str, Any]] = {
    "lookup_chip": {"name": "昇腾910B"},
    "compare_chips": {"names": ["昇腾910B", "H100", "MTT S4000"]},
    "estimate_cluster": {"chip": "MTT S4000", "target_pflops": 1000},
    "xinchuang_certified": {"name": "壁仞"},
    "vendor_financials": {"vendor": "寒武纪"},
    "find_chips": {"domestic": True, "where": [{"metric": "memory_gb", "op": ">=", "value": 64}],
                   "sort_by": "compute_tflops"},
    "industry_figures": {"topic": "IDC shipment share"},
}

READ_ONLY = ToolAnnotations(read_only_hint=True, destructive_hint=False, idempotent_hint=True,
                            open_world_hint=False)

Name = Annotated[str, Field(min_length=1, max_length=200)]


class WhereCondition(BaseModel):
    """One find_chips condition."""

    metric: str = Field(max_length=40, description="compute_tflops, memory_gb, tdp_w, tflops_per_w, memory_type, …")
    op: Literal[">", ">=", "<", "<=", "=", "!=", "contains"] = Field(">=", description="Comparison")
    value: float | Annotated[str, Field(max_length=60)] = Field(description="Number in the metric's unit, or text")
Precision = Literal[PRECISIONS]  # type: ignore[valid-type]  # the one list, units.PRECISIONS
CompareMetric = Literal["compute_tflops", "memory_gb", "memory_bandwidth_gbs", "interconnect_gbs", "tdp_w", "price",
                        "tflops_per_w", "bandwidth_per_tflops", "gb_per_tflops", "price_per_tflops"]

Answer = TypeVar("Answer", bound=BaseModel)
LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR"]


class LazyKnowledgeBase:
    """Opens (building if needed) the default knowledge base on first use, once, thread-safely."""

    def __init__(self) -> None:
        self._kb: KnowledgeBase | None = None
        self._lock = threading.Lock()

    def get(self) -> KnowledgeBase:
        if self._kb is None:
            with self._lock:
                if self._kb is None:
                    self._kb = KnowledgeBase.open_default()
        return self._kb


def answer(result: BaseModel) -> CallToolResult:
    """The same answer twice: readable text for clients that show text, JSON for those that read structure."""
    from .render import render

    return CallToolResult(content=[TextContent(type="text", text=render(result))],
                          structured_content=result.model_dump(mode="json"))


def run_tool(call: Callable[[], Answer]) -> CallToolResult:
    """Run a tool body; anticipated failures become a ToolError a model can act on."""
    try:
        return answer(call())
    except ChipMCPError as error:
        raise ToolError(str(error)) from None


class AnswerCache:
    """Answers kept by tool and arguments, least recently used dropped first.

    The knowledge base cannot change while a server runs (read-only, named by its content), so an
    answer once computed stays right; a model asking again, or many clients asking alike, get it at the
    cost of the protocol alone. Errors are not kept: they are cheap and their inputs endless."""

    def __init__(self, size: int = 512) -> None:
        self._answers: OrderedDict[str, CallToolResult] = OrderedDict()
        self._size = size
        self._lock = threading.Lock()

    def run(self, tool: str, arguments: dict[str, Any], call: Callable[[], Answer]) -> CallToolResult:
        key = json.dumps([tool, arguments], sort_keys=True, ensure_ascii=False)
        with self._lock:
            if key in self._answers:
                self._answers.move_to_end(key)
                return self._answers[key]
        result = run_tool(call)
        with self._lock:
            self._answers[key] = result
            if len(self._answers) > self._size:
                self._answers.popitem(last=False)
        return result


class _LazyTools:
    """chipmcp.tools, imported on first use: the tool bodies bring numpy, which start-up should not wait for."""

    def __getattr__(self, name: str) -> Any:
        from . import tools

        return getattr(tools, name)


def _warm_up(knowledge: Callable[[], KnowledgeBase]) -> None:
    """Load what the first call needs (numpy, the database, the name index, OpenCC) while the client is
    still initializing; a failure here surfaces, with its message, on the first call instead."""
    try:
        from . import tools  # noqa: F401

        knowledge().names.resolve("昇騰910B", frozenset({"chip"}), "chip")
    except Exception:
        log.debug("warm-up failed; the first call will retry", exc_info=True)


def build_server(kb: KnowledgeBase | None = None, log_level: LogLevel = "WARNING", warm_up: bool = False) -> MCPServer:
    """The MCP server over `kb` (default: the installed knowledge, opened on first use). `warm_up` loads
    the first call's needs in a background thread at once, for a server about to be run."""
    tools = _LazyTools()
    source = LazyKnowledgeBase() if kb is None else None

    def knowledge() -> KnowledgeBase:
        return kb if kb is not None else source.get()  # type: ignore[union-attr]

    answers = AnswerCache()

    def respond(tool: str, **arguments: Any) -> CallToolResult:
        """The answer of chipmcp.tools.<tool> to these arguments (kept for the next identical question)."""
        return answers.run(tool, arguments, lambda: getattr(tools, tool)(knowledge(), **arguments))

    if warm_up:
        threading.Thread(target=_warm_up, args=(knowledge,), name="chipmcp-warm-up", daemon=True).start()

    mcp = MCPServer("chipmcp", title="chipmcp — AI accelerator chips from Chinese research reports",
                    instructions=INSTRUCTIONS, version=__version__, log_level=log_level)

    @mcp.tool(title="Look up a chip", annotations=READ_ONLY)
    def lookup_chip(
        name: Annotated[Name, Field(description="Chip or system in any spelling: 昇腾910B, 昇騰910B, Ascend 910B, "
                                                "shengteng 910b, H100, MTT S4000, CloudMatrix 384")],
    ) -> Annotated[CallToolResult, ChipAnswer]:
        """Every reported figure of one AI chip or system, with sources, disagreements and certification.

        Example: lookup_chip(name="昇腾910B")
        """
        return respond("lookup_chip", name=name)

    @mcp.tool(title="Compare chips", annotations=READ_ONLY)
    def compare_chips(
        names: Annotated[list[Name], Field(min_length=2, max_length=20,
                                           description="2 to 20 chips, any spelling: ['910B', 'H20', 'MLU370-X8']")],
        metrics: Annotated[list[CompareMetric] | None, Field(max_length=10, description=(
            "Columns to show; default: compute, memory, bandwidth, interconnect, power and derived ratios"))] = None,
        baseline: Annotated[Name | None, Field(description="Chip the ratios are relative to; default the first")] = None,
        precision: Annotated[Precision, Field(description="Precision of the compute column")] = "fp16",
    ) -> Annotated[CallToolResult, Comparison]:
        """Chips side by side: normalized specs, ratios to a baseline, TFLOPS/W and friends, best per metric.

        Example: compare_chips(names=["昇腾910B", "H20", "MTT S4000"], baseline="H20")
        """
        return respond("compare_chips", names=names, metrics=metrics, baseline=baseline, precision=precision)

    @mcp.tool(title="Estimate a cluster", annotations=READ_ONLY)
    def estimate_cluster(
        chip: Annotated[Name, Field(description="Chip (910B, H100) or system (CloudMatrix 384, GB200 NVL72)")],
        count: Annotated[int | None, Field(ge=1, le=10_000_000, description=(
            "Number of cards (or of systems, for a system name); give this or target_pflops"))] = None,
        target_pflops: Annotated[float | None, Field(gt=0, le=1e9, allow_inf_nan=False, description=(
            "Compute to reach, in PFLOPS at `precision`; give this or count"))] = None,
        precision: Annotated[Precision, Field(description="Precision of the compute figures used")] = "fp16",
        cards_per_server: Annotated[int, Field(ge=1, le=1024, description="Cards in one server")] = 8,
        utilization: Annotated[float, Field(gt=0, le=1, allow_inf_nan=False, description=(
            "Share of peak compute delivered (e.g. MFU 0.4); 1 = peak"))] = 1.0,
        power_overhead: Annotated[float, Field(ge=0, le=10, allow_inf_nan=False, description=(
            "Extra system power as a share of chip power (0.3 = +30%)"))] = 0.0,
        p_base: Annotated[Literal[1000, 1024], Field(description=(
            "TFLOPS per PFLOPS: 1000, or 1024 as some report tables read it"))] = 1000,
        use_server_figure: Annotated[bool, Field(description=(
            "Size by the report's printed per-server compute (e.g. 整机8卡 约3P) instead of per-card figures"))] = False,
        parameters_billion: Annotated[float | None, Field(gt=0, le=1e6, allow_inf_nan=False, description=(
            "Training: model parameters in billions (with tokens_billion and mfu)"))] = None,
        tokens_billion: Annotated[float | None, Field(gt=0, le=1e9, allow_inf_nan=False, description=(
            "Training: tokens in billions"))] = None,
        mfu: Annotated[float | None, Field(gt=0, le=1, allow_inf_nan=False, description=(
            "Training: model FLOPs utilization, 0-1"))] = None,
        price_per_gpu_hour: Annotated[float | None, Field(ge=0, le=1e6, allow_inf_nan=False, description=(
            "Training: rental price of one card-hour, for a cost"))] = None,
        workload: Annotated[Name | None, Field(description=(
            "A reported training run to recompute (DeepSeek-V3, GPT-4): cost from its GPU hours, or implied MFU"
        ))] = None,
    ) -> Annotated[CallToolResult, ClusterEstimate]:
        """Cards and servers for a PFLOPS target, or totals (compute, memory, power, energy) for N cards.

        Example: estimate_cluster(chip="MTT S4000", target_pflops=1000, precision="fp16")
        """
        return respond("estimate_cluster", chip=chip, count=count, target_pflops=target_pflops, precision=precision,
                       cards_per_server=cards_per_server, utilization=utilization, power_overhead=power_overhead,
                       p_base=p_base, use_server_figure=use_server_figure, parameters_billion=parameters_billion,
                       tokens_billion=tokens_billion, mfu=mfu, price_per_gpu_hour=price_per_gpu_hour, workload=workload)

    @mcp.tool(title="安全可靠测评 (xinchuang) certification", annotations=READ_ONLY)
    def xinchuang_certified(
        name: Annotated[Name | None, Field(description=(
            "Chip or company (壁仞, 昇腾910, Hygon); omit for the whole list"))] = None,
    ) -> Annotated[CallToolResult, XinchuangAnswer]:
        """Whether a chip or company is on China's 安全可靠测评 AI-chip list, as listed product or same family.

        Example: xinchuang_certified(name="壁仞")
        """
        return respond("xinchuang_certified", name=name)

    @mcp.tool(title="Company financials", annotations=READ_ONLY)
    def vendor_financials(
        vendor: Annotated[Name, Field(description="Company, stock code or one of its chips: 摩尔线程, 688795, "
                                                  "Cambricon, 寒武纪-U, 910B (→ Huawei)")],
        period: Annotated[str | None, Field(max_length=20, description="2024, 2025H1, 2025Q3, … (prefix match)")] = None,
        metric: Annotated[str | None, Field(max_length=60, description=(
            "revenue, net_profit, net_profit_excl, revenue_growth, gross_margin, capex, market_cap, …"))] = None,
        unit: Annotated[str | None, Field(max_length=10, description=(
            "Normalize money to this unit: 亿元, 万元, 元, 亿美元, 百万美元, 美元, …"))] = None,
    ) -> Annotated[CallToolResult, VendorFinancials]:
        """A company's identity (names, stock codes, listing) and every reported financial figure, with growth.

        Example: vendor_financials(vendor="摩尔线程", period="2025")
        """
        return respond("vendor_financials", vendor=vendor, period=period, metric=metric, unit=unit)

    @mcp.tool(title="Find chips", annotations=READ_ONLY)
    def find_chips(
        vendor: Annotated[Name | None, Field(description=(
            "Company in any spelling; includes its subsidiaries (阿里巴巴 → 平头哥, 华为 → 海思)"))] = None,
        domestic: Annotated[bool | None, Field(description="true: Chinese vendors only; false: the others")] = None,
        kind: Annotated[str | None, Field(max_length=20, description=(
            "GPU, NPU, ASIC, TPU, DCU, CPU, SoC, card, or system (server, rack, supernode, cluster, board)"))] = None,
        certified: Annotated[bool | None, Field(description=(
            "true: on the 安全可靠测评 list as listed product or same family (each row says which)"))] = None,
        where: Annotated[list[WhereCondition] | None, Field(max_length=10, description=(
            "Conditions {metric, op, value}: compare metrics (compute_tflops at `precision`, memory_gb, tdp_w, "
            "tflops_per_w, …; ops > >= < <= = !=) or memory_type/release text (= != contains)"))] = None,
        sort_by: Annotated[CompareMetric | None, Field(description="Rank by this metric, best first")] = None,
        precision: Annotated[Precision, Field(description="Precision of compute_tflops and ratios")] = "fp16",
        limit: Annotated[int, Field(ge=1, le=100, description="Rows to return (total counts all)")] = 10,
        offset: Annotated[int, Field(ge=0, le=100_000, description="Rows to skip, for the next page")] = 0,
        descending: Annotated[bool | None, Field(description=(
            "Sort direction; default: best first (compute high, power and price low)"))] = None,
    ) -> Annotated[CallToolResult, ChipList]:
        """Chips and systems filtered and ranked by any spec, with the ones lacking the figure named.

        Example: find_chips(domestic=true, where=[{"metric": "memory_gb", "op": ">=", "value": 64}])
        """
        return respond("find_chips", vendor=vendor, domestic=domestic, kind=kind, certified=certified,
                       where=[w.model_dump() for w in where] if where else None, sort_by=sort_by,
                       precision=precision, limit=limit, offset=offset, descending=descending)

    @mcp.tool(title="Industry figures", annotations=READ_ONLY)
    def industry_figures(
        topic: Annotated[Name, Field(description=(
            "Market, group, AI model or industry metric, any language: 全球ASIC市场规模, IDC shipment share, "
            "BAT capex, DeepSeek-V3, GPT4 参数量"))],
        period: Annotated[str | None, Field(max_length=20, description="2024, 2025H1, … (prefix match)")] = None,
        metric: Annotated[str | None, Field(max_length=60, description=(
            "market_size, market_share, shipments, capex, parameters, gpu_hours, training_cost, users, …"))] = None,
    ) -> Annotated[CallToolResult, IndustryFigures]:
        """Market sizes and shares (ranked), cloud capex and AI-model figures, with sources and conflicts.

        Example: industry_figures(topic="全球ASIC市场规模")
        """
        return respond("industry_figures", topic=topic, period=period, metric=metric)

    @mcp.resource("chipmcp://chips/{chip_id}", name="chip", title="A chip or system with all its figures",
                  mime_type="application/json")
    def chip_resource(chip_id: str) -> str:
        entity = knowledge().entity(chip_id)
        if entity is None or entity["entity_kind"] not in ("chip", "system"):
            raise ResourceNotFoundError(f"No chip or system with id '{chip_id}'.")
        return tools.lookup_chip(knowledge(), chip_id).model_dump_json(indent=1)

    @mcp.resource("chipmcp://sources/{source_id}", name="source", title="A source report and what chipmcp took from it",
                  mime_type="application/json")
    def source_resource(source_id: str) -> str:
        kb = knowledge()
        source = kb.sources.get(source_id)
        if source is None:
            raise ResourceNotFoundError(f"No source '{source_id}'. Sources: {', '.join(kb.sources)}.")
        return json.dumps(source | {"figures": kb.figure_count_by_source().get(source_id, 0)},
                          ensure_ascii=False, indent=1)

    @mcp.prompt(title="Find a domestic alternative to a chip")
    def domestic_alternative(chip: str, workload: str = "inference") -> str:
        """Ask for Chinese chips that could replace a given chip for a workload, with cited figures."""
        return (f"Using chipmcp, find Chinese AI chips that could replace {chip} for {workload}. Look up {chip}, "
                "compare it with the domestic candidates (compare_chips), check their 安全可靠测评 status "
                "(xinchuang_certified), and cite every figure with its source report.")

    _register_completions(mcp, knowledge)
    return mcp


def _register_completions(mcp: MCPServer, knowledge: Callable[[], KnowledgeBase]) -> None:
    from mcp.types import Completion, ResourceTemplateReference

    @mcp.completion()
    async def complete(ref: Any, argument: Any, context: Any) -> Completion | None:
        kb = knowledge()
        if isinstance(ref, ResourceTemplateReference) and argument.name == "chip_id":
            pool = kb.ids("chip") + kb.ids("system")
        elif isinstance(ref, ResourceTemplateReference) and argument.name == "source_id":
            pool = list(kb.sources)
        elif argument.name == "chip":
            pool = kb.ids("chip")
        else:
            return None
        prefix = argument.value.casefold()
        values = [v for v in pool if v.startswith(prefix)] or [v for v in pool if prefix in v]
        return Completion(values=values[:100], total=len(values), has_more=len(values) > 100)
