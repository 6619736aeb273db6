"""MCP wiring only: registers every tool of `chipmcp.tools.TOOLS`, the resources, the prompts and the
completions on an MCPServer.

`build_server(kb)` takes the knowledge base as an argument (tests pass their own); with none, the
default database is found or built on the first request, so start-up stays light.
"""

from __future__ import annotations

import base64
import functools
import gc
import inspect
import json
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Sequence
from functools import cache
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar

import anyio
from mcp.server import MCPServer
from mcp.server.apps import Apps, client_supports_apps
from mcp.server.mcpserver.exceptions import ResourceNotFoundError, ToolError
from mcp.types import (
    CallToolResult,
    Completion,
    Icon,
    ListToolsResult,
    PromptReference,
    Resource,
    ResourceTemplateReference,
    TextContent,
    ToolAnnotations,
)
from pydantic import BaseModel, Field, ValidationError
from pydantic.fields import FieldInfo

from chipmcp import tools
from chipmcp._version import __version__
from chipmcp.core import compute
from chipmcp.core.names import normalize
from chipmcp.errors import ChipMCPError, KnowledgeError, plain_argument_errors
from chipmcp.kb.store import KnowledgeBase
from chipmcp.reasoning.cells import Model
from chipmcp.serving import output_schemas, sdk
from chipmcp.serving.protocol import check_protocol_params, invalid_params
from chipmcp.serving.schemas import untitled_input_schema
from chipmcp.tools import TOOLS, Tool
from chipmcp.tools.registry import MAX_LIMIT
from chipmcp.views import ANSWER_VIEW_URI, VIEWS, view_html

INSTRUCTIONS = """\
chipmcp answers questions about AI accelerator chips (Huawei Ascend, Cambricon, Hygon, Moore Threads,
MetaX, Biren, Iluvatar, Enflame, NVIDIA, Google TPU, AWS Trainium, …) and their makers, from Chinese research
reports and Epoch AI's hardware table (CC BY 4.0). Every figure carries its source and the token as printed;
quote them with it.
- lookup_chip: all figures of one chip or system (specs, prices, sources, disagreements, certification).
- compare_chips: 2-20 chips side by side, with ratios to a baseline and derived metrics (TFLOPS/W, …).
- estimate_cluster: cards/servers for a target PFLOPS, or totals for N cards; power, energy; training runs.
- xinchuang_certified: whether a chip, system or company is on the 安全可靠测评 AI-chip list; no name → all.
- vendor_financials: a company's identity (stock codes, listing) and revenue, profit, capex, forecasts.
- find_chips: filter and rank chips by vendor, domestic, kind, certified, specs (where), sort_by.
- industry_figures: market sizes and shares, cloud capex, AI models (parameters, GPU-hours, cost, users).
- export_control_check: a chip's TPP, performance density and ECCN 3A090 standing, with the working.
Names may be written in 简体/繁體/English/pinyin, with or without the vendor. Answers come at
detail="summary" (each fact once, agreeing figures collapsed with all their citations); detail="full"
gives every figure row, paged with offset/limit (`page.more` says what to ask next). Fields at their
default (null, false, empty) are left out. When reports disagree, answers list each claim with its
sources and mark the preferred one and why; say so to the user. A ranking never sets incomparable figures
(precision not printed, suspect, planned, …) beside the others: they are listed apart with why. Resources:
chipmcp://chips/{id} and chipmcp://sources/{id}."""

log = logging.getLogger("chipmcp")

# One call per tool as a model would write it: what the tests, the benchmarks and the docs exercise.
EXAMPLE_CALLS: dict[str, dict[str, Any]] = {tool.name: tool.example for tool in TOOLS}

# destructiveHint is left out: the spec reads it only when readOnlyHint is false, and tools/list is paid
# for in the model's context on every connection.
READ_ONLY = ToolAnnotations(read_only_hint=True, idempotent_hint=True, open_world_hint=False)

Answer = TypeVar("Answer", bound=BaseModel)
LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR"]


class LazyKnowledgeBase:
    """Opens (building if needed) the knowledge base of `folders` (default: bundled plus CHIPMCP_KNOWLEDGE's)
    on first use, once, thread-safely."""

    def __init__(self, folders: Sequence[Path] | None = None) -> None:
        self._folders = folders
        self._kb: KnowledgeBase | None = None
        self._lock = threading.Lock()

    @property
    def opened(self) -> bool:
        return self._kb is not None

    def get(self) -> KnowledgeBase:
        if self._kb is None:
            with self._lock:
                if self._kb is None:
                    self._kb = KnowledgeBase.open_default(self._folders)
        return self._kb


def answer(tool: Tool, result: BaseModel) -> CallToolResult:
    """The same answer twice: readable text for clients that show text, JSON for those that read structure."""
    # Defaults (nulls, empty lists, false flags) are left out: the output schema states them, and an
    # answer is read by a model whose context they would fill.
    return CallToolResult(
        content=[TextContent(type="text", text=tool.render(result))],
        structured_content=result.model_dump(mode="json", exclude_defaults=True),
    )


def run_tool(tool: Tool, call: Callable[[], Answer]) -> CallToolResult:
    """Run a tool body; anticipated failures become a ToolError a model can act on."""
    try:
        return answer(tool, call())
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

    def run(self, tool: Tool, arguments: dict[str, Any], call: Callable[[], Answer]) -> CallToolResult:
        key = self.key(tool.name, arguments)
        found = self.get(key)
        if found is not None:
            return found
        result = run_tool(tool, call)
        self.put(key, result)
        return result

    @staticmethod
    def key(name: str, arguments: dict[str, Any]) -> str:
        return json.dumps([name, arguments], sort_keys=True, ensure_ascii=False, default=_plain)

    def get(self, key: str) -> CallToolResult | None:
        with self._lock:
            if key in self._answers:
                self._answers.move_to_end(key)
                return self._answers[key]
        return None

    def put(self, key: str, result: CallToolResult) -> None:
        with self._lock:
            self._answers[key] = result
            if len(self._answers) > self._size:
                self._answers.popitem(last=False)


def _plain(value: Any) -> Any:
    """Nested argument models (find_chips' where conditions) as plain data, for the answer cache's key."""
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    raise TypeError(f"cannot key an answer on {type(value).__name__}")


# How long the server must have had no request in hand before the warm-up loads what a first answer may not
# need (numpy): a client's first question follows its handshake within milliseconds, and an import holding
# the interpreter meanwhile would delay that answer.
QUIET_SECONDS = 0.25


class Quiet:
    """Middleware noting when the server last had a request in hand: `wait()` returns once it has answered one
    and has had none in hand since for `seconds`. Until its first answer a server is starting, not idle: on a
    busy machine, its start alone can outlast the period, and numpy would then load under the handshake."""

    def __init__(self, seconds: float = QUIET_SECONDS) -> None:
        self._seconds = seconds
        self._busy = 0
        self._since: float | None = None  # when the last request left hand; None before the first
        self._lock = threading.Lock()

    async def __call__(self, ctx: Any, call_next: Callable[[Any], Awaitable[Any]]) -> Any:
        with self._lock:
            self._busy += 1
        try:
            return await call_next(ctx)
        finally:
            with self._lock:
                self._busy -= 1
                self._since = time.monotonic()

    def wait(self) -> None:
        while True:
            with self._lock:
                since = self._since
                left = self._seconds if self._busy or since is None else since + self._seconds - time.monotonic()
            if left <= 0:
                return
            time.sleep(left)


def _warm_up(knowledge: Callable[[], KnowledgeBase], quiet: Quiet | None = None) -> None:
    """Load what every first call needs (the database, the name index, OpenCC) while the client is still
    initializing; then, once the server is `quiet` (at once without), numpy, which the arrays of find_chips,
    estimate_cluster and others need and a lookup or a compare does not, and every answer model's validator
    and serializer, which each tool's first call would otherwise build (a find_chips, a fifth of its first
    call at 100× the knowledge). A failure here surfaces, with its message, on the first call instead."""
    try:
        _ = knowledge().names  # opens the database and builds the name index
        normalize("繁體")  # loads OpenCC: Chinese input is read as simplified
    except KnowledgeError as error:  # a user's folder is broken: say so on stderr now, not at the first call only
        log.warning("%s", error)
    except Exception:
        log.debug("warm-up failed; the first call will retry", exc_info=True)
    # What a started server holds (modules, the name index, the knowledge base's tables) lives as long as it
    # does: frozen out of the collector, a full collection that lands on some question no longer walks it.
    gc.freeze()
    if quiet is not None:
        quiet.wait()
    compute.as_array(0.0)  # loads numpy
    Model.build_deferred()
    gc.freeze()


class ChipMCPServer(MCPServer):
    """MCPServer whose argument errors read as plain words (the one place pydantic's are translated), and
    whose resources/list also names every source, chip and system, each read through its template. That
    list is made on the first request (the knowledge base opens lazily) and kept: the knowledge cannot
    change while the server runs."""

    listing: Callable[[], list[Resource]] | None = None
    answers: AnswerCache | None = None
    # The resources and prompts, registered by the first request that lists, reads or gets one: a first tool
    # call needs none of them, and the SDK makes a model and a validator for each (7 ms of a cold start).
    later: list[Callable[[], None]] | None = None

    def _register_later(self) -> None:
        pending, self.later = self.later or [], None
        for register in pending:
            register()

    async def list_resources(self) -> list[Resource]:
        self._register_later()
        concrete = await anyio.to_thread.run_sync(self.listing) if self.listing else []
        return [*await super().list_resources(), *concrete]

    async def list_resource_templates(self) -> list[Any]:
        self._register_later()
        return await super().list_resource_templates()

    async def read_resource(self, uri: Any, context: Any = None) -> Any:
        self._register_later()
        return await super().read_resource(uri, context)

    async def list_prompts(self) -> list[Any]:
        self._register_later()
        return await super().list_prompts()

    async def get_prompt(self, name: str, arguments: dict[str, Any] | None = None, context: Any = None) -> Any:
        self._register_later()
        return await super().get_prompt(name, arguments, context)

    async def list_tools(self) -> list[Any]:
        output_schemas.publish(self)
        return await super().list_tools()

    async def _handle_list_tools(self, ctx: Any, params: Any) -> ListToolsResult:
        listed = await super()._handle_list_tools(ctx, params)
        if client_supports_apps(ctx):
            return listed
        # A client that did not negotiate MCP Apps cannot show a view: the pointer to it would only cost
        # its model context on every tools/list.
        return ListToolsResult(
            tools=[
                t.model_copy(update={"meta": {k: v for k, v in t.meta.items() if k != "ui"} or None})
                if t.meta and "ui" in t.meta
                else t
                for t in listed.tools
            ]
        )

    async def call_tool(self, name: str, arguments: dict[str, Any], context: Any = None) -> Any:
        # A question asked before, spelled the same, is answered here: no argument validation, no hop to a
        # worker thread, no second check of an answer that passed its output schema when it was made.
        answers = self.answers
        sent = AnswerCache.key(name, arguments or {}) if answers is not None else None
        if answers is not None and sent is not None and (kept := answers.get(sent)) is not None:
            return kept
        result = await self._call_tool_checked(name, arguments, context)
        if answers is not None and sent is not None and isinstance(result, CallToolResult) and not result.is_error:
            answers.put(sent, result)
        return result

    async def _call_tool_checked(self, name: str, arguments: dict[str, Any], context: Any = None) -> Any:
        declared = tools.BY_NAME.get(name)
        described = {k: f.description or k for k, f in declared.arguments.model_fields.items()} if declared else {}
        unknown = [k for k in arguments or {} if declared and k not in described]
        if unknown:  # the SDK drops arguments it does not know; a model misspelling one must hear of it
            raise ToolError(
                plain_argument_errors(
                    name, [{"type": "extra_forbidden", "loc": (k,), "input": arguments[k]} for k in unknown], described
                )
            )
        try:
            return await super().call_tool(name, arguments, context)
        except ToolError as error:
            cause = error.__cause__
            if (invalid := sdk.argument_errors(error)) is not None:
                raise ToolError(plain_argument_errors(name, invalid.errors(include_url=False), described)) from cause
            if isinstance(cause, ValidationError):  # the answer failed its own schema: our fault, not the caller's
                log.error("%s produced an answer outside its schema: %s", name, cause)
                raise ToolError(
                    f"Error executing tool {name}: chipmcp built an answer that does not fit its own "
                    "schema (a bug in chipmcp, logged on the server); try other arguments meanwhile."
                ) from cause
            raise


def build_server(
    kb: KnowledgeBase | None = None, log_level: LogLevel = "WARNING", warm_up: bool = False, knowledge: Sequence[Path] | None = None
) -> MCPServer:
    """The MCP server over `kb` (default: the database of the `knowledge` folders — bundled first — or of
    the installed knowledge and CHIPMCP_KNOWLEDGE's folders, opened on first use). `warm_up` loads the first
    call's needs in a background thread at once, for a server about to be run."""
    # The parameter `knowledge` names folders; what the server reads is `knowledge_base()`.
    knowledge_base: Callable[[], KnowledgeBase]
    opened: Callable[[], bool]  # whether a call can no longer wait on opening (or building) the database
    if kb is None:
        lazy = LazyKnowledgeBase(knowledge)
        knowledge_base, opened = lazy.get, lambda: lazy.opened
    else:
        given = kb
        knowledge_base, opened = (lambda: given), (lambda: True)

    answers = AnswerCache()

    def respond(tool: Tool, arguments: dict[str, Any]) -> CallToolResult:
        """The tool's answer to these (already validated) arguments, kept for the next identical question."""
        # The SDK validated each argument against the same model's fields: build it without a second pass.
        return answers.run(tool, arguments, lambda: tool.run(knowledge_base(), tool.arguments.model_construct(**arguments)))

    quiet = Quiet() if warm_up else None
    if quiet is not None:
        threading.Thread(target=_warm_up, args=(knowledge_base, quiet), name="chipmcp-warm-up", daemon=True).start()

    # Tools with a view go through the MCP Apps extension, which stamps their _meta.ui.resourceUri; it must
    # hold them before the server is made, the others are added after.
    apps = Apps()
    apps.add_html_resource(
        ANSWER_VIEW_URI,
        view_html(),
        name="answer-view",
        title="chipmcp answer view",
        description="Sortable table with citations and charts for compare_chips, find_chips and estimate_cluster answers",
        prefers_border=True,
    )
    for tool in TOOLS:
        if tool.name in VIEWS:
            apps.tool(resource_uri=VIEWS[tool.name], **_tool_options(tool))(_tool_handler(tool, respond, opened))
    mcp = ChipMCPServer(
        "chipmcp",
        title="chipmcp — AI accelerator chips from Chinese research reports",
        instructions=INSTRUCTIONS,
        version=__version__,
        log_level=log_level,
        icons=icons(),
        extensions=[apps],
        middleware=[quiet] if quiet is not None else None,
    )
    mcp.answers = answers

    for tool in TOOLS:
        if tool.name not in VIEWS:
            mcp.add_tool(_tool_handler(tool, respond, opened), **_tool_options(tool))
    sdk.order_tools(mcp, [tool.name for tool in TOOLS])  # tools/list in TOOLS' order, as the docs list them
    sdk.rewrite_schemas(mcp, inputs=untitled_input_schema)
    output_schemas.defer(mcp, TOOLS)

    mcp.later = [lambda: _register_resources(mcp, knowledge_base), lambda: _register_prompts(mcp)]
    _register_completions(mcp, knowledge_base)
    check_protocol_params(mcp)
    return mcp


def _tool_handler(
    tool: Tool, respond: Callable[[Tool, dict[str, Any]], CallToolResult], opened: Callable[[], bool]
) -> Callable[..., Awaitable[CallToolResult]]:
    """An MCP tool function whose parameters are the fields of `tool.arguments`: one declaration, no per-tool code here.

    It answers on the event loop once the knowledge base is open: a tool is a millisecond or two of CPU-bound
    Python, which a worker thread would not run any sooner (the interpreter runs one thread at a time), and
    the hop there and back cost a served call ~0.25 ms of CPU (benchmarks/bench_phases.py). The first call,
    which may build the database (a second or more), goes to a worker thread, so that other requests are
    answered meanwhile."""
    parameters = [
        inspect.Parameter(
            name,
            inspect.Parameter.KEYWORD_ONLY,
            annotation=_parameter_type(field),
            default=inspect.Parameter.empty if field.is_required() else field.default,
        )
        for name, field in tool.arguments.model_fields.items()
    ]

    async def handler(**arguments: Any) -> CallToolResult:
        if opened():
            return respond(tool, arguments)
        return await anyio.to_thread.run_sync(functools.partial(respond, tool, arguments))

    handler.__signature__ = inspect.Signature(parameters, return_annotation=CallToolResult)  # its answer model: output_schemas.publish
    handler.__name__ = tool.name
    return handler


def _tool_options(tool: Tool) -> dict[str, Any]:
    return {"name": tool.name, "title": tool.title, "description": tool.docstring, "annotations": READ_ONLY}


def _parameter_type(field: FieldInfo) -> Any:
    """The field's type with its constraints and description, as a function parameter carries them."""
    return Annotated[(field.annotation, *field.metadata, Field(description=field.description))]


# --- resources, prompts, completions and the icon: the MCP surface besides the tools ------------------

CHIP_KINDS = frozenset({"chip", "system"})

# Each prompt argument that names something, and the kinds of entity it names (its completions).
PROMPT_ARGUMENT_KINDS: dict[tuple[str, str], frozenset[str]] = {
    ("domestic_alternative", "chip"): frozenset({"chip"}),
    ("procurement_brief", "chips"): CHIP_KINDS,
    ("company_snapshot", "company"): frozenset({"vendor"}),
}


def icons() -> list[Icon]:
    """The server's icon as a data: URI, so no client has to fetch anything."""
    svg = Path(__file__).with_name("icon.svg").read_bytes()
    return [Icon(src="data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii"), mime_type="image/svg+xml", sizes=["any"])]


def resource_listing(kb: KnowledgeBase) -> list[Resource]:
    """Every source, then every chip and system, as concrete resources with names, titles and mime types."""
    resources = [
        Resource(
            uri=f"chipmcp://sources/{source_id}",
            name=source_id,
            mime_type="application/json",
            title=f"{source['publisher_en']}: {source['title']} ({source['date']})",
            description=f"Source report ({source['publisher']}, {source['kind']}) and what chipmcp took from it",
        )
        for source_id, source in kb.sources.items()
    ]
    for entity in kb.entities.values():
        if entity["entity_kind"] not in CHIP_KINDS:
            continue
        vendor = kb.entity(entity["vendor"]) if entity["vendor"] else None
        names = " / ".join(dict.fromkeys(n for n in (entity["name_zh"], entity["name_en"]) if n))
        made_by = f" by {vendor['name_en'] or vendor['name_zh']}" if vendor else ""
        resources.append(
            Resource(
                uri=f"chipmcp://chips/{entity['id']}",
                name=entity["id"],
                title=names,
                mime_type="application/json",
                description=f"{entity['kind']} {entity['entity_kind']}{made_by}: every figure with its source",
            )
        )
    return resources


def notice_text() -> str:
    """The NOTICE: the wheel carries it inside the package, an editable install reads the repository's."""
    package = Path(__file__).resolve().parents[1]
    for candidate in (package / "NOTICE", package.parents[1] / "NOTICE"):
        if candidate.is_file():
            return candidate.read_text(encoding="utf-8")
    raise ResourceNotFoundError("chipmcp's NOTICE file is missing from this installation")


def _register_resources(mcp: ChipMCPServer, knowledge: Callable[[], KnowledgeBase]) -> None:
    mcp.listing = cache(lambda: resource_listing(knowledge()))

    @mcp.resource(
        "chipmcp://credits",
        name="credits",
        title="Credits and terms of the data",
        description="The sources of every figure (the reports, the regulation, Epoch AI's dataset under "
        "CC BY 4.0) and the code's MIT licence: cite them when passing figures on.",
        mime_type="text/markdown",
    )
    def credits_resource() -> str:
        return notice_text()

    @mcp.resource(
        "chipmcp://chips/{chip_id}",
        name="chip",
        title="A chip or system with all its figures",
        description="Every reported figure of one chip or system (the lookup_chip answer) by its id, "
        "e.g. chipmcp://chips/huawei-ascend-910b; resources/list names every id.",
        mime_type="application/json",
    )
    def chip_resource(chip_id: str) -> str:
        entity = knowledge().entity(chip_id)
        if entity is None or entity["entity_kind"] not in CHIP_KINDS:
            raise ResourceNotFoundError(_no_chip_id(knowledge(), chip_id))
        return tools.BY_NAME["lookup_chip"].call(knowledge(), name=chip_id, detail="full", limit=MAX_LIMIT).model_dump_json(indent=1)

    @mcp.resource(
        "chipmcp://sources/{source_id}",
        name="source",
        title="A source report and what chipmcp took from it",
        description="One source (a report, a regulation, a dataset): publisher, title, date, language and how "
        "many figures chipmcp took from it, e.g. chipmcp://sources/guosen-2026.",
        mime_type="application/json",
    )
    def source_resource(source_id: str) -> str:
        kb = knowledge()
        source = kb.sources.get(source_id)
        if source is None:
            raise ResourceNotFoundError(f"No source '{source_id}'. Sources: {', '.join(kb.sources)}.")
        return json.dumps(source | {"figures": kb.figure_count_by_source().get(source_id, 0)}, ensure_ascii=False, indent=1)


def _no_chip_id(kb: KnowledgeBase, chip_id: str) -> str:
    """Why chipmcp://chips/{chip_id} names nothing, and the id to read instead when the id is a name of one."""
    said = f"No chip or system with id '{chip_id}'."
    try:
        match = kb.names.resolve(chip_id, CHIP_KINDS, "chip", suggest=False)
    except ChipMCPError:
        return f"{said} resources/list names every id; lookup_chip takes a chip's name in any spelling."
    return f"{said} '{chip_id}' names {match.display}: read chipmcp://chips/{match.id}, or ask lookup_chip by any name."


def _register_prompts(mcp: MCPServer) -> None:
    from chipmcp.serving import prompts

    async def tool_names() -> set[str]:
        return {tool.name for tool in await mcp.list_tools()}

    @mcp.prompt(title="Find a domestic alternative to a chip")
    def domestic_alternative(
        chip: Annotated[str, Field(description="The chip to replace, any spelling: H20, A100, 英伟达H100")],
        workload: Annotated[str, Field(description="What it is used for: inference, training, 70B LLM inference, …")] = "inference",
    ) -> str:
        """Ask for Chinese chips that could replace a given chip for a workload, with cited figures."""
        return prompts.domestic_alternative(chip, workload)

    @mcp.prompt(title="Procurement brief")
    async def procurement_brief(
        chips: Annotated[str, Field(description="Candidate chips or systems, comma-separated: 昇腾910B, H20, MLU590")],
        workload: Annotated[str, Field(description="What they are bought for: 70B LLM inference, pre-training, …")],
        scale: Annotated[str, Field(description="Optional size to plan for: '1000 PFLOPS FP16' or '512 cards'")] = "",
    ) -> str:
        """A cited brief on candidate chips for a workload: comparison, cluster size, certification, export control."""
        if scale.strip() and not any(char.isdigit() for char in scale):
            raise invalid_params(
                "Prompt 'procurement_brief': 'scale' gives no number. Write a size such as '1000 PFLOPS FP16' or "
                "'512 cards', or leave it out."
            )
        return prompts.procurement_brief(chips, workload, scale, await tool_names())

    @mcp.prompt(title="Company snapshot")
    async def company_snapshot(
        company: Annotated[str, Field(description="Company, stock code or brand: 寒武纪, 688256, Moore Threads, 华为")],
    ) -> str:
        """A cited snapshot of a chip company: identity, latest results, products, certification, market share."""
        return prompts.company_snapshot(company, await tool_names())


def _register_completions(mcp: MCPServer, knowledge: Callable[[], KnowledgeBase]) -> None:
    @mcp.completion()
    async def complete(ref: Any, argument: Any, context: Any) -> Completion:
        """The one completion handler: resource-template ids and the prompt arguments that name things.
        Anything else gets an empty completion (nothing to offer is not an error)."""
        kb = knowledge()
        typed = argument.value
        head = ""
        if isinstance(ref, ResourceTemplateReference) and argument.name == "chip_id":
            values = kb.names.complete(typed, CHIP_KINDS)
        elif isinstance(ref, ResourceTemplateReference) and argument.name == "source_id":
            prefix = typed.casefold()
            values = [v for v in kb.sources if v.startswith(prefix)] or [v for v in kb.sources if prefix in v]
        elif isinstance(ref, PromptReference) and (ref.name, argument.name) in PROMPT_ARGUMENT_KINDS:
            if argument.name == "chips":  # a list: complete its last item, keep what came before
                before, comma, typed = typed.rpartition(",")
                head = f"{before.strip()}, " if comma else ""
            values = [head + v for v in kb.names.complete(typed, PROMPT_ARGUMENT_KINDS[ref.name, argument.name])]
        else:
            values = []
        return Completion(values=values[:100], total=len(values), has_more=len(values) > 100)
