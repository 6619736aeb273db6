"""detail='summary'|'full', paging, both channels carrying the same facts, and answer sizes — through the
in-process MCP Client, over the real knowledge base."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from mcp import Client

from chipmcp.reasoning import selection
from chipmcp.serving.server import EXAMPLE_CALLS
from chipmcp.tools._common import BOUND_SYMBOLS, number
from citing import located
from compared import cells_by_key

pytestmark = pytest.mark.anyio

# Beyond the examples: both details, systems, the whole certification list, units, workloads, paging.
MORE_CALLS: list[tuple[str, dict[str, Any]]] = [
    ("lookup_chip", {"name": "H100"}),
    ("lookup_chip", {"name": "H100", "detail": "full"}),
    ("lookup_chip", {"name": "昇腾910B", "detail": "full", "offset": 10, "limit": 5}),
    ("lookup_chip", {"name": "CloudMatrix 384"}),
    ("lookup_chip", {"name": "壁仞BR110"}),
    ("lookup_chip", {"name": "海光K100"}),
    ("vendor_financials", {"vendor": "摩尔线程"}),
    ("vendor_financials", {"vendor": "寒武纪", "detail": "full", "unit": "万元"}),
    ("vendor_financials", {"vendor": "腾讯", "metric": "capex"}),
    ("vendor_financials", {"vendor": "910B"}),
    ("xinchuang_certified", {}),
    ("xinchuang_certified", {"detail": "full"}),
    ("xinchuang_certified", {"name": "昇腾910B"}),
    ("xinchuang_certified", {"name": "海光"}),
    ("compare_chips", {"names": ["A100", "H20", "MLU370-X8", "天垓150"], "precision": "int8", "baseline": "H20"}),
    ("compare_chips", {"names": ["昇腾910B", "H100", "MTT S4000"], "detail": "full"}),
    ("compare_chips", {"names": ["CloudMatrix 384", "GB200 NVL72"]}),
    ("compare_chips", {"names": ["CloudMatrix 384", "昇腾910C", "Trn2 UltraServer"], "detail": "full"}),
    ("compare_chips", {"names": ["昇腾910D", "H100", "思元590"], "metrics": ["tpp", "price_per_tflops"]}),
    ("find_chips", {"vendor": "阿里巴巴"}),
    (
        "find_chips",
        {
            "domestic": True,
            "where": [{"metric": "memory_gb", "op": ">=", "value": 64}],
            "sort_by": "compute_tflops",
            "detail": "full",
            "limit": 3,
            "offset": 2,
        },
    ),
    ("find_chips", {"sort_by": "tpp", "limit": 5}),
    ("find_chips", {"where": [{"metric": "memory_type", "op": "contains", "value": "HBM"}], "certified": True}),
    ("export_control_check", {"chip": "H100"}),
    ("export_control_check", {"chip": "昇腾910D"}),
    ("export_control_check", {"chip": "CloudMatrix 384"}),
    ("export_control_check", {"chip": "MLU370-X8"}),
    ("estimate_cluster", {"chip": "CloudMatrix 384", "count": 2}),
    ("estimate_cluster", {"chip": "CloudMatrix 384", "count": 4, "precision": "bf16", "electricity_price": 0.6}),
    ("estimate_cluster", {"chip": "CloudMatrix 384", "count": 1, "detail": "full", "limit": 5}),
    ("estimate_cluster", {"chip": "910B OAM", "target_pflops": 1000}),
    ("estimate_cluster", {"chip": "910B", "count": 8, "electricity_price": 0.08, "currency": "USD"}),
    ("estimate_cluster", {"chip": "摩尔线程万卡集群", "count": 1}),
    ("estimate_cluster", {"chip": "曦云C600", "parameters_billion": 70}),
    ("estimate_cluster", {"chip": "H800", "count": 2048, "workload": "DeepSeek-V3"}),
    (
        "estimate_cluster",
        {"chip": "910B", "count": 1024, "parameters_billion": 70, "tokens_billion": 1000, "mfu": 0.4, "price_per_gpu_hour": 2.0},
    ),
    ("industry_figures", {"topic": "全球ASIC市场规模", "detail": "full"}),
    ("industry_figures", {"topic": "GPT-4o"}),
    ("industry_figures", {"topic": "中国AI加速卡市场份额"}),
    ("industry_figures", {"topic": "BAT capex"}),
    ("industry_figures", {"topic": "DeepSeek-V3"}),
    ("industry_figures", {"topic": "DeepSeek-V3", "detail": "full", "offset": 5, "limit": 10}),
    ("industry_figures", {"topic": "capex"}),
]
CALLS = [*EXAMPLE_CALLS.items(), *MORE_CALLS]


def facts(value: Any, key: str = "") -> Iterator[str]:
    """What of a structured answer must reach its text block: every string of 2 or more characters and
    every number, each as the renderers write it (numbers through `common.number`, or as a bare integer
    for ids and counts; a bound as its symbol). Keys are field names, not content; booleans and nulls
    are told by words and flags the renderers choose, so they are not matched."""
    if isinstance(value, dict):
        for k, v in value.items():
            yield from facts(v, k)
    elif isinstance(value, list):
        for v in value:
            yield from facts(v, key)
    elif isinstance(value, bool) or value is None:
        return
    elif isinstance(value, int | float):
        yield number(value)
    elif isinstance(value, str):
        if key == "unit" and value == "count":  # a dimensionless count is written bare: '6,912 CUDA cores'
            return
        if key == "bound":
            yield BOUND_SYMBOLS[value]
        elif len(value) >= 2:
            yield value


def missing_from(text: str, structured: dict[str, Any]) -> list[str]:
    folded = text.casefold()
    out = []
    for fact in facts(structured):
        if fact.casefold() in folded:
            continue
        plain = fact.replace(",", "")  # an id or count written without separators: '#1344', '1024 cards'
        if plain != fact and plain in text:
            continue
        out.append(fact)
    return out


async def call(client: Client, tool: str, arguments: dict[str, Any]) -> tuple[dict[str, Any], str]:
    result = await client.call_tool(tool, arguments)
    assert not result.is_error, result.content[0].text
    return result.structured_content, result.content[0].text


@pytest.mark.parametrize(("tool", "arguments"), CALLS, ids=[f"{t}-{json.dumps(a, ensure_ascii=False)}" for t, a in CALLS])
async def test_every_field_of_the_answer_reaches_the_text(server, tool: str, arguments: dict[str, Any]) -> None:
    async with Client(server) as client:
        structured, text = await call(client, tool, arguments)
    assert missing_from(text, structured) == []


@pytest.mark.parametrize(
    ("tool", "arguments"),
    [
        ("lookup_chip", {"name": "昇腾910B"}),
        ("vendor_financials", {"vendor": "寒武纪", "unit": "万元"}),
        ("compare_chips", {"names": ["CloudMatrix 384", "GB200 NVL72"]}),
        ("find_chips", {"domestic": True, "sort_by": "compute_tflops"}),
        ("export_control_check", {"chip": "H100"}),
        ("industry_figures", {"topic": "DeepSeek-V3"}),
    ],
)
def test_the_reach_check_fails_when_a_renderer_drops_a_field(kb, tool: str, arguments: dict[str, Any]) -> None:
    """Render the answer with one field emptied: whatever that field alone carried is then reported missing."""
    from chipmcp import tools

    render = tools.BY_NAME[tool].render
    answer = tools.BY_NAME[tool].call(kb, **arguments)
    structured = answer.model_dump(mode="json", exclude_defaults=True)
    assert missing_from(render(answer), structured) == []
    checked = 0
    for name, value in structured.items():
        others = [f.casefold() for f in facts({k: v for k, v in structured.items() if k != name})]
        own = {f for f in facts(value) if not any(f.casefold() in other for other in others)}
        if isinstance(value, list | str) and own:
            emptied = answer.model_copy(update={name: type(value)()})
            assert set(missing_from(render(emptied), structured)) & own, f"dropping {name} went unnoticed"
            checked += 1
    assert checked >= 5


def cited(entry: dict[str, Any], table: dict[str, dict[str, str]]) -> dict[str, Any]:
    """A summary entry with its source and locator read from the answer's citation table, as a client reads it
    (and a citation's printed token, left out when it is the entry's)."""
    if "cite" not in entry:
        return entry
    assert "source" not in entry and "locator" not in entry, "a summary entry cites by key only"
    also = [{**located(c, table), "printed": c.get("printed", entry["printed"])} for c in entry.get("also", [])]
    return {**located(entry, table), "also": also}


async def every_page(client: Client, tool: str, arguments: dict[str, Any], limit: int) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = []
    offset = 0
    while True:
        structured, _ = await call(client, tool, {**arguments, "offset": offset, "limit": limit})
        page = structured["page"]
        assert page.get("offset", 0) == offset and page["returned"] == len(structured.get("figures", []))
        entries += [cited(entry, structured["page"].get("citations", {})) for entry in structured.get("figures", [])]
        offset += page["returned"]
        if offset >= page["total"]:
            assert "more " not in page.get("more", "").split(":")[0]
            return entries
        assert f"offset={offset}" in page["more"]


@pytest.mark.parametrize(
    ("tool", "arguments"),
    [
        ("lookup_chip", {"name": "H100"}),
        ("lookup_chip", {"name": "昇腾910B"}),
        ("lookup_chip", {"name": "CloudMatrix 384"}),
        ("vendor_financials", {"vendor": "摩尔线程"}),
        ("vendor_financials", {"vendor": "腾讯"}),
    ],
)
async def test_summary_holds_a_subset_of_full_with_every_preferred_figure(server, tool, arguments) -> None:
    async with Client(server) as client:
        full = {f["id"]: f for f in await every_page(client, tool, {**arguments, "detail": "full"}, limit=200)}
        summary = await every_page(client, tool, arguments, limit=200)
        structured, _ = await call(client, tool, arguments)
    conflicts = structured.get("conflicts", [])
    cited: set[int] = set()
    for entry in summary:
        row = full[entry["id"]]
        for key in (
            "metric",
            "value",
            "low",
            "high",
            "bound",
            "text",
            "unit",
            "precision",
            "sparsity",
            "period",
            "basis",
            "printed",
            "source",
            "locator",
        ):
            assert entry.get(key) == row.get(key), (entry["id"], key)
        assert row.get("preferred", True)
        cited.add(entry["id"])
        for citation in entry.get("also", []):
            other = full[citation["id"]]
            assert {k: other[k] for k in ("source", "locator", "printed")} == {k: citation[k] for k in ("source", "locator", "printed")}
            assert (other.get("value"), other.get("text"), other["metric"]) == (
                row.get("value") if other.get("unit") == row.get("unit") else other.get("value"),
                other.get("text"),
                row["metric"],
            )
            cited.add(citation["id"])
    claimed = {fid for c in conflicts for claim in c["claims"] for fid in claim["figure_ids"]}
    cited |= {cap["figure_id"] for cap in structured.get("vendor", {}).get("market_cap", [])}  # stated once, there
    preferred = {fid for fid, row in full.items() if row.get("preferred", True)}
    assert preferred <= cited, "a preferred figure is missing from the summary"
    assert set(full) <= cited | claimed, "every figure is cited or a claim of a conflict"
    assert len(cited) == len(set(cited)) and len(summary) == len({e["id"] for e in summary})
    assert len(summary) < len(full), "agreeing figures are collapsed"
    for c in conflicts:
        if "preferred_id" in c:  # disagreements; dated series and linked quantities prefer none
            assert c["claims"][0]["figure_ids"][0] == c["preferred_id"]
        assert all(full[fid]["source"] in claim["sources"] for claim in c["claims"] for fid in claim["figure_ids"] if fid in full)


async def test_full_paging_returns_each_figure_row_once(server, kb) -> None:
    async with Client(server) as client:
        for name in ("nvidia-h100", "huawei-cloudmatrix-384"):
            rows = await every_page(client, "lookup_chip", {"name": name, "detail": "full"}, limit=7)
            ids = [r["id"] for r in rows]
            assert len(ids) == len(set(ids)) and set(ids) == {f["id"] for f in kb.figures(name)}


async def test_a_cut_page_says_what_to_ask_for_the_rest(server, kb) -> None:
    async with Client(server) as client:
        structured, text = await call(client, "lookup_chip", {"name": "H100", "detail": "full", "limit": 10})
        past_end = await client.call_tool("lookup_chip", {"name": "H100", "detail": "full", "offset": 999})
    page = structured["page"]
    assert page["total"] == len(kb.figures("nvidia-h100")) and page["returned"] == 10
    assert "lookup_chip(name='nvidia-h100', detail='full', offset=10, limit=10)" in page["more"]
    assert page["more"] in text
    assert past_end.is_error and "past the end" in past_end.content[0].text


async def test_summary_leaves_out_entry_citations_that_repeat_the_announcements(server) -> None:
    async with Client(server) as client:
        summary, _ = await call(client, "xinchuang_certified", {})
        full, _ = await call(client, "xinchuang_certified", {"detail": "full"})
    ann = full["announcement"]
    assert all(e["source"] and e["locator"] for e in full["entries"])
    for brief, every in zip(summary["entries"], full["entries"], strict=True):
        assert brief["product"] == every["product"]
        assert ("source" in brief) == ((every["source"], every["locator"]) != (ann["source"], ann["locator"]))


BUDGET_JSON, BUDGET_TEXT, BUDGET_TOOLS_LIST = 6_000, 4_000, 20_000


def compact(value: Any) -> int:
    return len(json.dumps(value, ensure_ascii=False, separators=(",", ":")))


@pytest.mark.slow  # a whole-catalog sweep
async def test_default_answers_stay_within_twice_their_budget_for_every_entity(server, kb) -> None:
    """benchmarks/bench_sizes.py measures against the budgets themselves; this holds a hard cap."""
    calls = [("lookup_chip", {"name": e}) for e in kb.ids("chip") + kb.ids("system")]
    # A company the reports give no figure for is a not-found error by design: it has no answer to size.
    calls += [("vendor_financials", {"vendor": v}) for v in kb.ids("vendor") if kb.figures(v)]
    calls += [("xinchuang_certified", {"name": e}) for e in kb.ids("chip") + kb.ids("vendor")]
    calls += [("xinchuang_certified", {})]
    calls += [("export_control_check", {"chip": e}) for e in kb.ids("chip") + kb.ids("system")]
    calls += [("find_chips", {"vendor": v}) for v in kb.ids("vendor") if kb.entities_of_vendor(v)]
    calls += [("find_chips", {"sort_by": m}) for m in ("compute_tflops", "memory_gb", "tdp_w", "price", "tpp")]
    # A market or model the reports only name (no figure) is a not-found error by design, as for a company.
    calls += [("industry_figures", {"topic": e}) for e in kb.ids("market") + kb.ids("workload") if kb.figures(e)]
    async with Client(server) as client:
        tools = (await client.list_tools()).tools
        for tool, arguments in calls:
            structured, text = await call(client, tool, arguments)
            assert compact(structured) <= 2 * BUDGET_JSON, (tool, arguments, compact(structured))
            assert len(text) <= 2 * BUDGET_TEXT, (tool, arguments, len(text))
    assert compact([t.model_dump(mode="json", by_alias=True, exclude_none=True) for t in tools]) <= 2 * BUDGET_TOOLS_LIST


async def test_schemas_have_no_root_combinators_and_inputs_keep_their_descriptions(server) -> None:
    async with Client(server) as client:
        tools = (await client.list_tools()).tools
    for tool in tools:
        for schema in (tool.input_schema, tool.output_schema):
            assert schema["type"] == "object" and not {"anyOf", "oneOf", "allOf"} & set(schema)
        assert "description" not in json.dumps(tool.output_schema)
        assert all(p.get("description") for p in tool.input_schema["properties"].values())


def fact_ids(answer: dict[str, Any]) -> set[int]:
    """Every figure id an answer cites, wherever it sits."""
    found: set[int] = set()

    def walk(value: Any, key: str = "") -> None:
        if isinstance(value, dict):
            for k, v in value.items():
                walk(v, k)
        elif isinstance(value, list):
            if key == "figure_ids":  # a compare row's: one list per column
                found.update(i for v in value for i in (v if isinstance(v, list) else [v]))
            for v in value:
                walk(v, key)

    walk(answer)
    return found


@pytest.mark.parametrize(
    ("tool", "arguments"),
    [
        ("compare_chips", {"names": ["昇腾910B", "H100", "MTT S4000", "昇腾910C", "H20"]}),
        ("compare_chips", {"names": ["CloudMatrix 384", "GB200 NVL72"]}),
        ("find_chips", {"domestic": True, "sort_by": "compute_tflops", "limit": 20}),
    ],
)
async def test_compare_and_find_summary_cells_are_the_full_cells_with_fewer_citations(server, tool, arguments) -> None:
    async with Client(server) as client:
        summary, _ = await call(client, tool, arguments)
        full, _ = await call(client, tool, {**arguments, "detail": "full"})
    assert full["detail"] == "full"
    assert fact_ids(summary) < fact_ids(full), "full cites more figures than summary, and all of summary's"
    for brief, every in zip(summary["rows"], full["rows"], strict=True):
        assert brief["id"] == every["id"]
        for key, cell in (cells_by_key(summary, brief) if tool == "compare_chips" else brief["cells"]).items():
            whole = (cells_by_key(full, every) if tool == "compare_chips" else every["cells"])[key]
            assert {k: cell.get(k) for k in ("value", "low", "high", "bound", "text", "span", "ratio")} == {
                k: whole.get(k) for k in ("value", "low", "high", "bound", "text", "span", "ratio")
            }, (brief["id"], key)
            # summary cites the chosen figure (a ratio the chosen one of each side it divides); full every one
            chosen = whole["figure_ids"] if key in selection.DERIVED else whole["figure_ids"][:1]
            assert cell.get("figure_ids", []) == chosen
            assert "claims" not in cell and "note" not in cell


async def test_find_chips_pages_return_each_row_once_and_say_how_to_get_the_next(server) -> None:
    arguments = {"domestic": True, "sort_by": "memory_gb"}
    seen: list[str] = []
    async with Client(server) as client:
        whole, _ = await call(client, "find_chips", {**arguments, "limit": 100})
        offset = 0
        while True:
            page, text = await call(client, "find_chips", {**arguments, "limit": 4, "offset": offset})
            assert page["total"] == whole["total"] and page["returned"] == len(page["rows"])
            seen += [r["id"] for r in page["rows"]]
            offset += page["returned"]
            if offset >= page["total"]:
                assert "more rows" not in page.get("more", "")
                break
            assert f'"offset": {offset}, "limit": 4}})' in page["more"] and page["more"] in text
    assert seen == [r["id"] for r in whole["rows"]]


async def test_find_chips_summary_names_a_few_of_the_chips_lacking_a_figure_and_full_names_all(server) -> None:
    arguments = {"domestic": True, "where": [{"metric": "price", "op": "<=", "value": 1e9}]}
    async with Client(server) as client:
        summary, text = await call(client, "find_chips", arguments)
        full, _ = await call(client, "find_chips", {**arguments, "detail": "full"})
    brief, every = summary["not_reported"][0], full["not_reported"][0]
    assert brief["count"] == every["count"] == len(every["chips"]) > len(brief["chips"])
    assert '"detail": "full"' in summary["more"] and f"{every['count'] - len(brief['chips'])} more" in text


@pytest.mark.parametrize(
    ("value", "written"),
    [
        (0.004264, "0.004264"),  # 42.64万元 in 亿元: 4 decimals wrote 0.0043, 43万
        (0.5302, "0.5302"),
        (0.00012, "0.00012"),
        (1234.56789, "1,234.5679"),
        (12.5, "12.5"),
        (3000.0, "3,000"),
        (-0.004264, "-0.004264"),
        (4.2e23, "4.2e+23"),
    ],
)
def test_the_text_writes_a_quantity_with_at_least_four_significant_digits(value: float, written: str) -> None:
    assert number(value) == written


@pytest.mark.parametrize(
    ("tool", "arguments"),
    [
        ("lookup_chip", {"name": "昇腾910B"}),
        ("lookup_chip", {"name": "H100", "detail": "full"}),
        ("vendor_financials", {"vendor": "寒武纪"}),
        ("industry_figures", {"topic": "DeepSeek-V3"}),
    ],
)
async def test_an_offset_at_the_end_of_a_list_says_it_is_past_the_end(server, tool, arguments) -> None:
    """An offset equal to the count answered 'Figure entries none of 21 … - none reported', which reads as if the
    chip had no figures; one past it was already refused."""
    async with Client(server) as client:
        total = (await call(client, tool, arguments))[0]["page"]["total"]
        at_end = await client.call_tool(tool, {**arguments, "offset": total})
        last = await client.call_tool(tool, {**arguments, "offset": total - 1})
    assert at_end.is_error and f"offset {total} is past the end: there are {total} " in at_end.content[0].text
    assert not last.is_error and last.structured_content["page"]["returned"] == 1
