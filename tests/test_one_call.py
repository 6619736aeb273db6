"""Questions a tool's arguments can express are answered in one call (#21, 2-4): compare_chips compares any
metric of the registry, find_chips lists apart a chip whose a/b pair or contested claims pass only in part,
and a model without a figure shows the one its generation or series reports, labelled family-level — through
the in-process MCP client, on the curated knowledge and on a small designed folder for what it lacks."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from mcp import Client

from chipmcp.kb import build
from chipmcp.kb.store import KnowledgeBase, knowledge_dir
from chipmcp.serving.server import build_server
from compared import compared_cells
from conftest import ROOT

pytestmark = pytest.mark.anyio
DESIGNED = ROOT / "tests" / "data" / "generality-knowledge"


@pytest.fixture(scope="module")
def designed(tmp_path_factory: pytest.TempPathFactory):
    path: Path = tmp_path_factory.mktemp("designed") / "chipmcp.db"
    build.build([knowledge_dir(), DESIGNED], path)
    return build_server(KnowledgeBase(path))


async def call(server, tool: str, arguments: dict[str, Any]) -> tuple[dict[str, Any], str]:
    async with Client(server) as client:
        result = await client.call_tool(tool, arguments)
    assert not result.is_error, result.content[0].text
    return result.structured_content, result.content[0].text


async def error(server, tool: str, arguments: dict[str, Any]) -> str:
    async with Client(server) as client:
        result = await client.call_tool(tool, arguments)
    assert result.is_error
    return result.content[0].text


def cells(answer: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return compared_cells(answer)


# --- 2. compare_chips compares any metric of the registry ----------------------------------------------


async def test_comparing_only_cpus_shows_their_cpu_columns_by_default(server) -> None:
    answer, text = await call(server, "compare_chips", {"names": ["Xeon 6980P", "鲲鹏920-7260", "海光7390"]})
    keys = [c["key"] for c in answer["columns"]]
    assert {"cores", "threads", "memory_channels", "pcie_lanes", "clock", "memory_speed"} <= set(keys)
    assert not [k for k in keys if k.startswith("compute_")]
    got = cells(answer)
    assert got["intel-xeon-6980p"]["cores"]["value"] == 128 and got["huawei-kunpeng-920-7260"]["cores"]["value"] == 64
    assert got["hygon-7390"]["pcie_lanes"]["value"] == 128 and got["intel-xeon-6980p"]["threads"]["value"] == 256
    assert got["intel-xeon-6980p"]["memory_channels"]["value"] == 12 and got["hygon-7390"]["clock"]["value"] == 2.7
    assert "| cores (count; ↑) |" in text and "↑/↓ higher/lower better" in text


async def test_any_registry_metric_can_be_asked_for_by_its_id(server) -> None:
    answer, _ = await call(
        server,
        "compare_chips",
        {"names": ["H100", "910B"], "metrics": ["cuda_cores", "transistors", "process_node", "release", "memory_capacity"]},
    )
    assert [c["key"] for c in answer["columns"]] == ["cuda_cores", "transistors", "process_node", "release", "memory_gb"]
    got = cells(answer)
    assert got["nvidia-h100"]["cuda_cores"]["value"] == 14592 and got["huawei-ascend-910b"]["transistors"]["value"] == 49600
    assert answer["columns"][1]["unit"] == "million"  # 496亿 beside the H100's 80,000 million, in one unit
    assert got["nvidia-h100"]["process_node"]["value"] == 4 and got["huawei-ascend-910b"]["process_node"]["value"] == 7
    assert got["nvidia-h100"]["release"]["text"] == "2022" and got["huawei-ascend-910b"]["memory_gb"]["value"] == 64


async def test_every_compared_column_ranks_the_way_the_registry_says_or_names_no_best(server) -> None:
    """CPU cores, transistors, process node, clock: each column takes its direction from knowledge/metrics.toml;
    a metric where neither way is better (release, die area) and a column with one figure name no best."""
    metrics = ["tensor_cores", "transistors", "process_node", "release", "die_area", "tdp_w", "price", "clock", "tflops_per_w"]
    answer, text = await call(server, "compare_chips", {"names": ["H100", "910B", "MI300X"], "metrics": metrics})
    columns = {c["key"]: c for c in answer["columns"]}
    assert {k: c.get("better") for k, c in columns.items()} == {
        "tensor_cores": "higher",
        "transistors": "higher",
        "process_node": "lower",
        "release": None,
        "die_area_mm2": None,
        "tdp_w": "lower",
        "price": "lower",
        "clock": "higher",
        "tflops_per_w": "higher",
    }
    assert {k: c.get("best", []) for k, c in columns.items()} == {
        "tensor_cores": [],  # the H100's alone: a winner of one is no winner
        "transistors": ["nvidia-h100"],  # 80,000 million against 496亿, in one unit
        "process_node": ["nvidia-h100"],  # 4 nm, the smallest
        "release": [],
        "die_area_mm2": [],
        "tdp_w": ["huawei-ascend-910b"],
        "price": ["amd-mi300x"],
        "clock": [],
        "tflops_per_w": ["amd-mi300x"],
    }
    assert {k: c["no_best"] for k, c in columns.items() if "no_best" in c} == {
        "tensor_cores": "only one comparable figure",
        "die_area_mm2": "the registry gives no direction for this metric",
        "clock": "only one comparable figure",
    }
    assert cells(answer)["huawei-ascend-910b"]["transistors"] == {"value": 49600, "figure_ids": [1054], "ratio": 0.62}
    assert "| process_node (nm; ↓) |" in text and "process_node: nvidia-h100" in text


async def test_find_chips_sorts_by_the_registrys_direction_unless_told(server) -> None:
    smallest, _ = await call(server, "find_chips", {"sort_by": "process_node", "limit": 3})
    assert smallest["descending"] is False
    nodes = [r["cells"]["process_node"].get("value", r["cells"]["process_node"].get("high")) for r in smallest["rows"]]
    assert nodes == sorted(nodes) and nodes[0] <= 4
    largest, _ = await call(server, "find_chips", {"sort_by": "process_node", "limit": 3, "descending": True})
    assert largest["descending"] is True


async def test_a_registry_compute_metric_printed_in_p_is_compared_in_tflops(server) -> None:
    """Enflame T21's server compute is printed '1P': 1,000 TFLOPS, never '1,000 PFLOPS' (the value converted,
    the unit left as printed); beside MLU370-X8's 768T the column has one unit."""
    answer, text = await call(server, "compare_chips", {"names": ["MLU370-X8", "云燧T21"], "metrics": ["server_compute"]})
    got = {chip: row["server_compute"] for chip, row in cells(answer).items()}
    assert (got["enflame-t21"]["value"], got["enflame-t21"]["ratio"], got["cambricon-mlu370-x8"]["value"]) == (1000, 1.3, 768)
    assert answer["columns"][0]["unit"] == "TFLOPS" and "1000 PFLOPS" not in text.replace(",", "")


async def test_a_metric_added_to_the_registry_is_compared_and_found_with_no_code(designed) -> None:
    answer, _ = await call(designed, "compare_chips", {"names": ["D10", "D20"], "metrics": ["matrix_units"]})
    got = cells(answer)
    assert got["designed-d10"]["matrix_units"]["value"] == 32 and got["designed-d20"]["matrix_units"]["value"] == 64
    assert got["designed-d20"]["matrix_units"]["ratio"] == 2
    # Its direction is the registry's `better` too: the designed folder says higher, so D20 leads.
    assert answer["columns"] == [{"key": "matrix_units", "unit": "count", "better": "higher", "best": ["designed-d20"], "ranked": 2}]
    found, _ = await call(designed, "find_chips", {"where": [{"metric": "matrix_units", "op": ">", "value": 40}]})
    assert [r["id"] for r in found["rows"]] == ["designed-d20"]


async def test_full_detail_carries_every_claim_and_note_of_a_compared_figure(reports_server) -> None:
    # The reports' notes alone: Epoch's row adds its own note to H20's memory claim.
    answer, text = await call(reports_server, "compare_chips", {"names": ["H20", "H100"], "metrics": ["memory_gb"], "detail": "full"})
    h20 = cells(answer)["nvidia-h20"]["memory_gb"]
    assert [c.get("value") for c in h20["claims"]] == [96, 141]
    assert h20["note"] == (
        "#639: a 141GB HBM3e version is mentioned in the B30 vs H20 table; #660: some versions (HBM3e); 96GB in the export-GPU table"
    )
    assert "- nvidia-h20 memory_gb: #639: a 141GB HBM3e version" in text
    summary, _ = await call(reports_server, "compare_chips", {"names": ["H20", "H100"], "metrics": ["memory_gb"]})
    assert "note" not in cells(summary)["nvidia-h20"]["memory_gb"]


@pytest.mark.parametrize(
    ("tool", "arguments", "where"),
    [
        ("compare_chips", {"names": ["H100", "910B"], "metrics": ["cuda_core"]}, "metrics"),
        ("find_chips", {"where": [{"metric": "cuda_core", "op": ">", "value": 1}]}, "where"),
        ("find_chips", {"sort_by": "cuda_core"}, "sort_by"),
    ],
)
async def test_an_unknown_metric_lists_the_nearest_known_ones(server, tool, arguments, where) -> None:
    text = await error(server, tool, arguments)
    assert f"Unknown metric 'cuda_core' in {where}. Nearest known metrics: cuda_cores, " in text
    assert "Most used: compute_tflops, memory_gb" in text


# --- 3. find_chips never drops a chip whose figure passes by one variant or one claim -------------------


async def test_a_chip_passing_by_one_variant_or_one_claim_is_listed_apart(reports_server) -> None:
    # The reports' catalog: Epoch's rows add ≥120 GB chips (MI300X, B300…) and dense claims.
    answer, text = await call(reports_server, "find_chips", {"where": [{"metric": "memory_gb", "op": ">=", "value": 120}]})
    partial = {row["id"]: row for row in answer["partial"]}
    assert partial["nvidia-gh200"]["passes"] == "passes by one variant"  # printed 96/144GB
    assert partial["nvidia-gh200"]["cells"]["memory_gb"] == {
        "low": 96,
        "high": 144,
        "unit": "GB",
        "label": "a/b configurations",
        "figure_ids": [302],
    }
    assert partial["nvidia-h20"]["passes"] == "passes by one claim"  # 96GB, and 141GB in some versions
    assert partial["nvidia-h20"]["cells"]["memory_gb"]["span"] == [96, 141]
    assert set(partial) == {"nvidia-gh200", "nvidia-h20"}
    assert not set(partial) & {r["id"] for r in answer["rows"]} and answer["total"] == 9
    # Two systems' totals pass too: listed apart from the chips, never ranked among them.
    assert [(r["id"], r["why"]) for r in answer["not_ranked"]] == [
        ("huawei-cloudmatrix-384", "system total"),
        ("nvidia-gb200-nvl72", "system total"),
    ]
    assert "nvidia-b100" in {r["id"] for r in answer["rows"]}  # 180/192GB passes as a whole
    assert "Passing only in part — 2 listed apart" in text and "nvidia-gh200] passes by one variant" in text
    assert any(rule.startswith("A chip whose a/b pair, contested claims") for rule in answer["rules"])


async def test_a_chip_none_of_whose_values_pass_is_not_listed_apart(reports_server) -> None:
    # The reports' catalog: Epoch's B100 row prints 192 GB, so the B100 passes outright there.
    answer, _ = await call(reports_server, "find_chips", {"where": [{"metric": "memory_gb", "op": ">=", "value": 185}]})
    # GH200's 96/144GB and H20's 96GB and 141GB all fall short; B100's 192GB variant passes.
    assert [(r["id"], r["passes"]) for r in answer["partial"]] == [("nvidia-b100", "passes by one variant")]


async def test_the_partial_group_is_paged_like_the_rows_by_offset_and_limit(server) -> None:
    where = {"where": [{"metric": "memory_gb", "op": ">=", "value": 120}]}
    every, _ = await call(server, "find_chips", where)
    first, text = await call(server, "find_chips", {**where, "limit": 1})
    second, _ = await call(server, "find_chips", {**where, "limit": 1, "offset": 1})
    assert [r["id"] for r in every["partial"]] == ["nvidia-gh200", "nvidia-h20"] and every["partial_total"] == 2
    assert [r["id"] for r in first["partial"]] == ["nvidia-gh200"] and first["partial_total"] == 2
    assert '1 more passing only in part: ask find_chips({"where": ' in first["more"] and '"offset": 1, "limit": 1})' in first["more"]
    assert "Passing only in part — 1-1 of 2 listed apart" in text
    assert [r["id"] for r in second["partial"]] == ["nvidia-h20"] and "passing only in part" not in second["more"]


async def test_not_reported_is_the_same_with_the_partial_group(server) -> None:
    answer, _ = await call(server, "find_chips", {"where": [{"metric": "memory_gb", "op": ">=", "value": 120}]})
    assert answer["not_reported"][0]["metric"] == "memory_gb" and answer["not_reported"][0]["count"] == 120


# --- 4. family figures reach the model -------------------------------------------------------------------


async def test_a_generations_tdp_reaches_its_model_in_lookup_compare_and_estimate(server) -> None:
    looked, text = await call(server, "lookup_chip", {"name": "Xeon 6980P"})
    assert looked["family_level"]["tdp"] == {
        "value": 500,
        "unit": "W",
        "label": "family-level: 第六代至强性能核处理器",
        "figure_ids": [715],
    }
    assert "- tdp: 500 W (family-level: 第六代至强性能核处理器; figures #715)" in text
    compared, _ = await call(server, "compare_chips", {"names": ["Xeon 6980P", "鲲鹏920-7260"], "metrics": ["tdp_w"]})
    assert cells(compared)["intel-xeon-6980p"]["tdp_w"]["label"] == "family-level: 第六代至强性能核处理器"
    assert compared["columns"][0]["left_out"] == {"intel-xeon-6980p": "family-level figure"}
    estimated, _ = await call(server, "estimate_cluster", {"chip": "Xeon 6980P", "count": 100})
    assert estimated["chip_power_kw"]["value"] == 50
    assert estimated["per_card"]["tdp_w"]["label"] == "family-level: 第六代至强性能核处理器"


async def test_a_models_own_figure_comes_before_its_familys(server, designed) -> None:
    answer, _ = await call(designed, "compare_chips", {"names": ["D10", "D20"], "metrics": ["tdp_w", "memory_type"]})
    got = cells(answer)
    assert got["designed-d10"]["tdp_w"]["value"] == 450 and got["designed-d10"]["tdp_w"]["label"] == "family-level: 设计D系列"
    assert got["designed-d20"]["tdp_w"]["value"] == 600 and "label" not in got["designed-d20"]["tdp_w"]
    assert got["designed-d20"]["memory_type"] == {
        "text": "HBM3",
        "label": "family-level: 设计D系列",
        "figure_ids": [got["designed-d10"]["memory_type"]["figure_ids"][0]],
    }
    looked, _ = await call(designed, "lookup_chip", {"name": "D20"})
    assert set(looked["family_level"]) == {"memory_type"}
    plain, _ = await call(server, "lookup_chip", {"name": "H100"})
    assert "family_level" not in plain


async def test_compute_and_export_control_figures_are_never_taken_from_the_family(designed) -> None:
    answer, _ = await call(designed, "compare_chips", {"names": ["D10", "D20"], "metrics": ["die_area"]})
    assert cells(answer) == {"designed-d10": {}, "designed-d20": {}}
    looked, _ = await call(designed, "lookup_chip", {"name": "D10"})
    assert set(looked["family_level"]) == {"memory_type", "tdp"}
    checked, _ = await call(designed, "export_control_check", {"chip": "D10"})
    assert checked.get("die_area") in (None, {}) and "performance_density" not in checked


async def test_a_report_figure_the_curators_marked_suspect_gives_way_to_the_datasets_in_both_channels(server) -> None:
    """minsheng's TPU v6e interconnect '3584' (headed GB/s) is Epoch's bandwidth counted in gigabits, and its H100
    core counts are the PCIe card's in a column of the SXM part's: the dataset's figures are preferred, the
    report's stay beside them, flagged, in the JSON and in the text."""
    tpu, text = await call(server, "lookup_chip", {"name": "TPU v6e", "detail": "full"})
    bandwidth = {f["printed"]: f for f in tpu["figures"] if f["metric"] == "interconnect_bandwidth"}
    assert set(bandwidth) == {"3584", "448000000000.0"}
    assert bandwidth["3584"]["suspect"] is True and bandwidth["3584"]["source"] == "minsheng-2025h1"
    assert bandwidth["448000000000.0"]["value"] == 448 and bandwidth["448000000000.0"]["unit"] == "GB/s"
    (conflict,) = [c for c in tpu["conflicts"] if c["metric"] == "interconnect_bandwidth"]
    assert conflict["preferred_id"] == bandwidth["448000000000.0"]["id"]
    (line,) = [line for line in text.splitlines() if f"#{bandwidth['3584']['id']} '3584'" in line]
    assert "SUSPECT" in line
    h100, _ = await call(server, "compare_chips", {"names": ["H100", "910B"], "metrics": ["tensor_cores", "cuda_cores"]})
    columns = {c["key"]: c for c in h100["columns"]}
    tensor = cells(h100)["nvidia-h100"]["tensor_cores"]
    assert tensor["value"] == 528 and len(tensor["figure_ids"]) == 1  # the dataset's one figure, not the report's 456
    assert columns["cuda_cores"]["left_out"] == {"nvidia-h100": "suspect"}
