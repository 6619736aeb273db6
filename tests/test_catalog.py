"""find_chips and industry_figures through the MCP client: filters, sorting, paging, gaps, topics, pointers."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mcp import Client

from chipmcp import tools
from chipmcp.server import INSTRUCTIONS

pytestmark = pytest.mark.anyio


async def call(server, tool: str, arguments: dict):
    async with Client(server) as client:
        return await client.call_tool(tool, arguments)


async def answer(server, tool: str, arguments: dict) -> dict:
    result = await call(server, tool, arguments)
    assert not result.is_error, result.content[0].text
    assert result.structured_content["summary"] in result.content[0].text
    return result.structured_content


async def test_domestic_filter_keeps_only_chinese_vendors(server, kb) -> None:
    found = await answer(server, "find_chips", {"domestic": True, "limit": 100})
    assert found["total"] > 20 and all(kb.entity(r["vendor"])["country"] == "CN" for r in found["rows"])
    assert "nvidia-h100" not in {r["id"] for r in found["rows"]}


async def test_kind_filter_and_system_kind(server) -> None:
    gpus = await answer(server, "find_chips", {"kind": "gpu", "limit": 100})
    systems = await answer(server, "find_chips", {"kind": "system", "limit": 100})
    assert gpus["rows"] and all(r["kind"] == "GPU" for r in gpus["rows"])
    assert systems["rows"] and all(r["entity_kind"] == "system" for r in systems["rows"])


async def test_certified_means_the_listed_product_as_xinchuang_certified_says_and_names_family_only_chips(server) -> None:
    found = await answer(server, "find_chips", {"certified": True, "limit": 100})
    assert found["rows"] and {r["certified"] for r in found["rows"]} == {"listed-product"}
    assert "huawei-ascend-910" in {r["id"] for r in found["rows"]}
    assert "huawei-ascend-910b" not in {r["id"] for r in found["rows"]}  # only of the 910 family: not certified
    assert any("huawei-ascend-910b" in f and "family" in f for f in found["filters"])
    async with Client(server) as client:
        status = (await client.call_tool("xinchuang_certified", {"name": "昇腾910B"})).structured_content
    assert status["certified"] is False


async def test_where_memory_filter_answers_domestic_cards_with_64gb_or_more(server) -> None:
    found = await answer(server, "find_chips", {"domestic": True,
                                                "where": [{"metric": "memory_gb", "op": ">=", "value": 64}]})
    ids = {r["id"] for r in found["rows"]}
    assert {"huawei-ascend-910b", "metax-c500"} <= ids
    assert all(r["cells"]["memory_gb"]["figure_ids"] for r in found["rows"])
    gaps = {g["metric"]: g for g in found["not_reported"]}
    every = {g["metric"]: g for g in (await answer(server, "find_chips", {
        "domestic": True, "where": [{"metric": "memory_gb", "op": ">=", "value": 64}], "detail": "full"}))["not_reported"]}
    assert every["memory_gb"]["count"] == len(every["memory_gb"]["chips"]) == gaps["memory_gb"]["count"] > 0
    assert gaps["memory_gb"]["chips"] == every["memory_gb"]["chips"][:len(gaps["memory_gb"]["chips"])]  # summary: the first few
    assert "biren-br106" in gaps["memory_gb"]["chips"]


async def test_text_spec_matches_as_case_insensitive_substring(server) -> None:
    found = await answer(server, "find_chips", {"domestic": True,
                                                "where": [{"metric": "memory_type", "op": "contains", "value": "hbm"}]})
    assert found["rows"] and all("HBM" in r["cells"]["memory_type"]["text"] for r in found["rows"])


async def test_sort_follows_higher_is_better_and_can_be_reversed(server) -> None:
    best = await answer(server, "find_chips", {"domestic": True, "sort_by": "tflops_per_w", "limit": 100})
    power = await answer(server, "find_chips", {"sort_by": "tdp_w", "limit": 100})
    reverse = await answer(server, "find_chips", {"sort_by": "tdp_w", "descending": True, "limit": 100})
    assert best["descending"] is True and power["descending"] is False
    assert reverse["rows"][0]["id"] != power["rows"][0]["id"]
    assert best["rows"][0]["id"] == "huawei-ascend-910c"


async def test_limit_offset_and_total(server) -> None:
    first = await answer(server, "find_chips", {"domestic": True, "limit": 3})
    second = await answer(server, "find_chips", {"domestic": True, "limit": 3, "offset": 3})
    assert first["returned"] == 3 and first["total"] > 6 and first["total"] == second["total"]
    assert not {r["id"] for r in first["rows"]} & {r["id"] for r in second["rows"]}


async def test_empty_result_is_an_answer_not_an_error(server) -> None:
    result = await call(server, "find_chips", {"where": [{"metric": "memory_gb", "op": ">", "value": 1e9}]})
    assert not result.is_error
    assert result.structured_content["total"] == 0 and "No chip or system matches" in result.content[0].text


async def test_vendor_list_includes_subsidiaries_chips(server) -> None:
    alibaba = await answer(server, "find_chips", {"vendor": "阿里巴巴", "limit": 100})
    huawei = await answer(server, "find_chips", {"vendor": "华为", "limit": 100})
    cambricon = await answer(server, "find_chips", {"vendor": "寒武纪"})
    hisilicon = await answer(server, "find_chips", {"vendor": "海思", "limit": 100})
    assert {r["id"] for r in hisilicon["rows"]} == {r["id"] for r in huawei["rows"]}
    assert "t-head-hanguang-800" in {r["id"] for r in alibaba["rows"]}
    assert "t-head" in {r["vendor"] for r in alibaba["rows"]}
    assert {"huawei-ascend-910b", "huawei-cloudmatrix-384"} <= {r["id"] for r in huawei["rows"]}
    assert {r["id"] for r in cambricon["rows"]} >= {"cambricon-siyuan-590", "cambricon-mlu370-x8"}


async def test_bad_where_is_a_tool_error_naming_the_metrics(server) -> None:
    result = await call(server, "find_chips", {"where": [{"metric": "happiness", "op": ">", "value": 1}]})
    assert result.is_error and "compute_tflops" in result.content[0].text


_METRIC = st.sampled_from(["compute_tflops", "memory_gb", "memory_bandwidth_gbs", "tdp_w", "tflops_per_w"])
_OP = st.sampled_from([">", ">=", "<", "<=", "!="])


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(where=st.lists(st.tuples(_METRIC, _OP, st.floats(0, 2000)), max_size=2), sort_by=_METRIC,
       descending=st.none() | st.booleans())
def test_every_row_meets_every_condition_and_rows_are_ordered(kb, where, sort_by, descending) -> None:
    conditions = [{"metric": m, "op": o, "value": v} for m, o, v in where]
    found = tools.find_chips(kb, where=conditions, sort_by=sort_by, descending=descending, limit=100)
    for row in found.rows:
        for metric, op, value in where:
            low, high = row.cells[metric].ends()
            assert {">": low > value, ">=": low >= value, "<": high < value, "<=": high <= value,
                    "!=": not low <= value <= high}[op]
    higher = {"tdp_w": False}.get(sort_by, True)
    keys = [(lambda e: e[0] if higher else e[1])(row.cells[sort_by].ends()) for row in found.rows]
    assert keys == sorted(keys, reverse=found.descending)


async def test_industry_market_sizes_side_by_side_from_different_publishers(server) -> None:
    found = await answer(server, "industry_figures", {"topic": "ASIC市场规模"})
    shown = {e["id"] for e in found["topic"]["entities"]}
    assert {"market-global-asic", "market-global-ai-asic", "market-global-asic-verifiedmarket"} <= shown
    assert found["series"] and found["series"][0]["verdict"] == "different-definitions"


async def test_industry_share_table_is_ranked(server) -> None:
    found = await answer(server, "industry_figures", {"topic": "IDC shipment share"})
    table = found["share_tables"][0]
    assert [r["entity"] for r in table["rows"]][:2] == ["nvidia", "huawei"]
    assert [r["rank"] for r in table["rows"]] == sorted(r["rank"] for r in table["rows"])


async def test_industry_capex_group_includes_its_members(server) -> None:
    found = await answer(server, "industry_figures", {"topic": "BAT", "metric": "capex"})
    entities = {g["entity"] for g in found["figures"]}
    assert {"group-bat", "tencent", "alibaba", "baidu"} <= entities


async def test_industry_model_gpu_hours(server) -> None:
    found = await answer(server, "industry_figures", {"topic": "DeepSeek V3", "metric": "gpu_hours"})
    printed = {f["printed"] for g in found["figures"] for f in g["figures"]}
    assert "278.8万个小时" in printed
    parameters = await answer(server, "industry_figures", {"topic": "GPT4 参数量"})
    assert parameters["topic"]["entities"][0]["id"] == "gpt-4" and parameters["topic"]["metrics"] == ["parameters"]


async def test_industry_ambiguous_topic_lists_candidates(server) -> None:
    result = await call(server, "industry_figures", {"topic": "DeepSeek"})
    assert result.is_error and "deepseek-v3" in result.content[0].text and "deepseek-r1" in result.content[0].text


@pytest.mark.parametrize(("tool", "arguments", "points_at"), [
    ("lookup_chip", {"name": "DeepSeek-V3"}, "industry_figures(topic='deepseek-v3')"),
    ("lookup_chip", {"name": "ASIC market"}, "industry_figures"),
    ("vendor_financials", {"vendor": "DeepSeek-V3"}, "industry_figures(topic='deepseek-v3')"),
    ("compare_chips", {"names": ["GPT-4", "H100"]}, "industry_figures"),
])
async def test_not_found_points_at_the_tool_that_answers(server, tool, arguments, points_at) -> None:
    result = await call(server, tool, arguments)
    assert result.is_error and points_at in result.content[0].text


def test_instructions_stay_under_two_kilobytes() -> None:
    assert len(INSTRUCTIONS.encode("utf-8")) < 2048
