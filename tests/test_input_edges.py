"""Inputs at the edge of what users type, through the MCP client: invisible characters, two-digit years,
error messages that list what is allowed."""

from __future__ import annotations

import pytest
from mcp import Client

from chipmcp.core import periods

pytestmark = pytest.mark.anyio

# Invisible format characters (Unicode category Cf) pasted along with names: zero-width spaces and joiners,
# the byte-order mark, the soft hyphen, bidirectional marks, embeddings and isolates.
ZERO_WIDTH = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u200e", "\u200f", "\u202a", "\u202c", "\u2066", "\u2069"]


@pytest.mark.parametrize("mark", ZERO_WIDTH, ids=[f"U+{ord(m):04X}" for m in ZERO_WIDTH])
async def test_zero_width_characters_inside_a_name_are_ignored(server, mark) -> None:
    async with Client(server) as client:
        inside = await client.call_tool("lookup_chip", {"name": f"昇腾{mark}910{mark}B"})
        around = await client.call_tool("lookup_chip", {"name": f"{mark}H100{mark}"})
    assert (inside.is_error, inside.structured_content["id"]) == (False, "huawei-ascend-910b")
    assert (around.is_error, around.structured_content["id"]) == (False, "nvidia-h100")


@pytest.mark.parametrize("typed", ["910B!!!", "H100?", "«MI300X»", "昇腾910B！", "#H20", "~MLU370-X8~"])
async def test_punctuation_of_any_kind_around_a_name_is_a_separator(server, typed) -> None:
    async with Client(server) as client:
        result = await client.call_tool("lookup_chip", {"name": typed})
    assert not result.is_error, result.content[0].text
    assert result.structured_content["match"]["method"] == "normalized"


@pytest.mark.parametrize(
    ("typed", "label"),
    [
        ("FY99", "FY1999"),
        ("99Q1", "1999Q1"),
        ("1H99", "1999H1"),
        ("FY69", "FY1969"),
        ("FY68", "FY2068"),
        ("FY25", "FY2025"),
        ("FY00", "FY2000"),
    ],
)
def test_a_two_digit_year_takes_the_century_strptime_gives_it(typed, label) -> None:
    assert periods.parse(typed).label == label


async def test_fy99_asks_for_1999_not_2099(server) -> None:
    async with Client(server) as client:
        result = await client.call_tool("vendor_financials", {"vendor": "寒武纪", "period": "FY99"})
    text = result.content[0].text
    assert result.is_error and "1999" in text and "2099" not in text


async def test_an_unknown_where_metric_lists_each_allowed_metric_once(server) -> None:
    async with Client(server) as client:
        result = await client.call_tool("find_chips", {"where": [{"metric": "zz", "op": ">", "value": 1}]})
    text = result.content[0].text
    assert result.is_error and text.count("Most used:") == 1 and text.count("Nearest known metrics:") == 1
    for heading in ("Most used:", "Nearest known metrics:"):
        listed = [name.strip(" .") for name in text.split(heading, 1)[1].split(".", 1)[0].split(",")]
        assert len(listed) == len(set(listed)), (heading, listed)
    common = [name.strip(" .") for name in text.split("Most used:", 1)[1].split(".", 1)[0].split(",")]
    assert {"compute_tflops", "memory_type", "release"} <= set(common)


SEVERAL_CHIPS = ["H20 and H200", "H20 vs H200", "H20, H200", "H20和H200", "compare H20 or H200"]


@pytest.mark.parametrize("typed", SEVERAL_CHIPS)
async def test_a_name_carrying_several_chips_says_so_and_where_several_are_answered(server, typed) -> None:
    async with Client(server) as client:
        result = await client.call_tool("lookup_chip", {"name": typed})
    text = result.content[0].text
    assert result.is_error
    assert "name one chip at a time" in text and "compare_chips" in text, text
    assert "nvidia-h20)" in text and "nvidia-h200)" in text, text
    assert "h20and" not in text and "h20or" not in text, text  # a connecting word is no model number's suffix


async def test_two_model_numbers_written_side_by_side_are_named_back_as_model_numbers(server) -> None:
    async with Client(server) as client:
        result = await client.call_tool("lookup_chip", {"name": "compare H20 or H200"})
    text = result.content[0].text
    assert result.is_error and "names 2 model numbers (h20, h200) that no one chip carries together" in text, text


@pytest.mark.parametrize("tool", ["export_control_check", "estimate_cluster"])
async def test_every_one_chip_tool_says_so_for_a_name_carrying_several(server, tool) -> None:
    arguments = {"chip": "H20 and H200"} | ({"count": 8} if tool == "estimate_cluster" else {})
    async with Client(server) as client:
        result = await client.call_tool(tool, arguments)
    text = result.content[0].text
    assert result.is_error and "name one chip at a time" in text and "compare_chips" in text, text
    assert "nvidia-h20)" in text and "nvidia-h200)" in text, text


@pytest.mark.parametrize(
    ("tool", "arguments", "named"),
    [
        ("vendor_financials", {"vendor": "Cambricon and Hygon"}, ["(cambricon)", "(hygon)"]),
        ("vendor_financials", {"vendor": "寒武纪和海光信息"}, ["(cambricon)", "(hygon)"]),
        ("xinchuang_certified", {"name": "壁仞、摩尔线程"}, ["(biren)", "(moore-threads)"]),
        ("lookup_chip", {"name": "昇腾910B / MLU590"}, ["(huawei-ascend-910b)", "(cambricon-siyuan-590)"]),
    ],
)
async def test_names_joined_in_one_argument_are_named_back_not_matched_to_a_third(server, tool, arguments, named) -> None:
    """'Cambricon and Hygon' once answered for an investors' grouping whose alias holds both words, and
    '壁仞、摩尔线程' pointed to an AI model whose note mentions one of them."""
    async with Client(server) as client:
        result = await client.call_tool(tool, arguments)
    text = result.content[0].text
    assert result.is_error and "names more than one" in text and "at a time" in text, text
    assert all(entity in text for entity in named), text
    assert "AI model" not in text and "group-jilianhai" not in text, text


@pytest.mark.parametrize(
    ("tool", "arguments", "entity"),
    [
        ("lookup_chip", {"name": "昇腾910B (Ascend 910B)"}, "huawei-ascend-910b"),
        ("lookup_chip", {"name": "英伟达H20 / NVIDIA H20"}, "nvidia-h20"),
        ("export_control_check", {"chip": "Ascend 910B，昇腾910B"}, "huawei-ascend-910b"),
        ("vendor_financials", {"vendor": "寒武纪（Cambricon）"}, "cambricon"),
        ("xinchuang_certified", {"name": "海光信息 (688041.SH)"}, "hygon"),
    ],
)
async def test_one_entity_written_by_two_of_its_names_is_answered_for_it(server, tool, arguments, entity) -> None:
    """Reports and models write a chip as '昇腾910B（Ascend 910B）'; this was refused as model number '910b 910b'."""
    async with Client(server) as client:
        result = await client.call_tool(tool, arguments)
    assert not result.is_error, result.content[0].text
    assert entity in str(result.structured_content)


@pytest.mark.parametrize(
    ("name", "entity"),
    [("H100 (NVIDIA)", "nvidia-h100"), ("Ascend 910B (Huawei)", "huawei-ascend-910b"), ("MLU370 寒武纪", "cambricon-siyuan-370")],
)
async def test_a_vendor_written_after_its_chip_names_that_chip(server, name, entity) -> None:
    async with Client(server) as client:
        result = await client.call_tool("lookup_chip", {"name": name})
    assert not result.is_error, result.content[0].text
    assert (result.structured_content["id"], result.structured_content["match"]["method"]) == (entity, "vendor-suffix")


@pytest.mark.parametrize(
    ("tool", "arguments"), [("estimate_cluster", {"chip": "Kunlun", "count": 8}), ("export_control_check", {"chip": "Kunlun"})]
)
async def test_a_family_word_is_not_answered_for_the_one_chip_it_is_a_letter_short_of(server, tool, arguments) -> None:
    """'Kunlun' was answered for Kunlun I (fuzzy, 92.3) though Kunlun II, K200 and R100 begin with it too."""
    async with Client(server) as client:
        result = await client.call_tool(tool, arguments)
    text = result.content[0].text
    # 'Kunlun' is also the company's name: the refusal says so and lists its chips
    assert result.is_error and "'Kunlun' is a company" in text and "(kunlunxin-kunlun-2)" in text, text


async def test_a_system_asked_of_xinchuang_certified_is_answered_through_its_chips(server) -> None:
    """'CloudMatrix 384' was refused with unrelated closest names (翱捷科技, 美光科技) though its chip is known."""
    async with Client(server) as client:
        result = await client.call_tool("xinchuang_certified", {"name": "CloudMatrix 384"})
    answer, text = result.structured_content, result.content[0].text
    assert not result.is_error, text
    assert (answer["scope"], answer["certified"], answer["match"]["id"]) == ("system", False, "huawei-cloudmatrix-384")
    assert answer["match_type"] == "same-family" and {e["chip_id"] for e in answer["entries"]} == {"huawei-ascend-910"}
    assert "systems are not on the list" in answer["summary"] and "昇腾910C" in answer["summary"] and answer["summary"] in text


async def test_a_system_with_no_known_chip_says_so(server) -> None:
    async with Client(server) as client:
        result = await client.call_tool("xinchuang_certified", {"name": "Atlas 800T A2"})
    answer = result.structured_content
    assert not result.is_error, result.content[0].text
    assert (answer["scope"], answer["certified"], answer["match_type"], answer["entries"]) == ("system", False, "none", [])
    assert "no chip of it is known" in answer["summary"]


async def test_a_memory_size_after_a_chip_is_read_as_its_memory(server) -> None:
    """'A100 80GB' was 'No chip with model number 80g a100': two variants carry 80 GB, and the H20 is one card."""
    async with Client(server) as client:
        a100 = await client.call_tool("lookup_chip", {"name": "A100 80GB"})
        h20 = await client.call_tool("lookup_chip", {"name": "NVIDIA H20 96GB"})
    assert a100.is_error and "(nvidia-a100)" in a100.content[0].text and "(nvidia-a100-pcie-80gb)" in a100.content[0].text
    assert not h20.is_error and h20.structured_content["id"] == "nvidia-h20"
    assert "'96 GB' names no variant of" in h20.structured_content["match"]["note"]


async def test_an_unknown_key_inside_a_where_condition_is_refused_like_an_unknown_argument(server) -> None:
    """{"metric": "memory_gb", "op": ">=", "value": 64, "extra": 1} was answered as if "extra" were not there."""
    async with Client(server) as client:
        result = await client.call_tool("find_chips", {"where": [{"metric": "memory_gb", "op": ">=", "value": 64, "unit": "GB"}]})
    text = result.content[0].text
    assert result.is_error and "`where.0` takes no key `unit`" in text and "the arguments of find_chips" not in text, text
