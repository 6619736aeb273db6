"""compare_chips' columns and headline say what the table holds: a registry metric named like compute is the
registry's metric, the precisions named are those of the compute columns shown, a compute column always
has its unit, a chip lacking the precision asked is pointed to the nearest it prints, and a system's figure
beside its parts' total at another precision is set beside it, never judged to agree or differ."""

from __future__ import annotations

import pytest
from mcp import Client

pytestmark = pytest.mark.anyio


async def _call(server, tool: str, arguments: dict) -> tuple[bool, str, dict]:
    async with Client(server) as client:
        result = await client.call_tool(tool, arguments)
    return result.is_error, result.content[0].text, result.structured_content or {}


async def test_compare_chips_reads_compute_per_power_as_the_registry_metric_it_is(server) -> None:
    error, text, answer = await _call(
        server, "compare_chips", {"names": ["nvidia-h100", "huawei-ascend-910d"], "metrics": ["compute_per_power"]}
    )
    assert not error, text
    assert [c["key"] for c in answer["columns"]] == ["compute_per_power"]
    assert [r["cells"] for r in answer["rows"]] == [[1.7], [2.1]]
    assert answer["columns"][0]["unit"] == "TFLOPS/W"
    assert "PER_POWER" not in text and answer["precisions"] == []


@pytest.mark.parametrize("metrics", [["memory_bandwidth", "tdp"], ["transistors"]])
async def test_the_headline_names_no_precision_when_no_compute_column_is_shown(server, metrics) -> None:
    _, text, answer = await _call(server, "compare_chips", {"names": ["H20", "H200"], "metrics": metrics})
    assert answer["precisions"] == []
    assert answer["summary"].startswith("Compared 2, baseline nvidia-h20. ")
    assert text.startswith(answer["summary"])


async def test_the_headline_names_the_precisions_of_the_compute_columns_shown(server) -> None:
    _, _, answer = await _call(server, "compare_chips", {"names": ["H20", "H200"], "metrics": ["compute", "tdp"], "precision": "fp8"})
    assert answer["precisions"] == ["fp8"] and answer["summary"].startswith("Compared 2 at FP8, baseline nvidia-h20. ")
    _, _, derived = await _call(server, "compare_chips", {"names": ["H20", "H200"], "metrics": ["tflops_per_w"]})
    assert derived["precisions"] == [] and derived["summary"].startswith("Compared 2 (derived metrics at FP16), baseline nvidia-h20. ")


async def test_a_compute_column_no_chip_fills_still_says_its_unit(server) -> None:
    _, text, answer = await _call(server, "compare_chips", {"names": ["910B", "MLU370-X8"], "metrics": ["compute"], "precision": "fp4"})
    assert [(c["key"], c["unit"]) for c in answer["columns"]] == [("compute_fp4", "TFLOPS")]
    assert "compute_fp4 (TFLOPS; ↑)" in text
    _, _, int4 = await _call(server, "compare_chips", {"names": ["910B", "MLU370-X8"], "metrics": ["compute"], "precision": "int4"})
    assert int4["columns"][0]["unit"] == "TOPS"


async def test_a_chip_lacking_the_precision_asked_is_pointed_to_the_nearest_it_prints(server) -> None:
    _, text, answer = await _call(server, "compare_chips", {"names": ["H100", "910B"], "precision": "fp4"})
    warning = next(w for w in answer["warnings"] if w.startswith("huawei-ascend-910b: no FP4"))
    assert warning == "huawei-ascend-910b: no FP4 compute figure; it reports FP32, FP16, INT8 (ask precision='int8')."
    assert f"- {warning}" in text
    _, _, fp64 = await _call(server, "compare_chips", {"names": ["H100", "910B"], "precision": "fp64"})
    assert "huawei-ascend-910b: no FP64 compute figure; it reports FP32, FP16, INT8 (ask precision='fp32')." in fp64["warnings"]


async def test_a_system_beside_its_parts_at_another_precision_is_not_equated_and_never_said_to_agree(server) -> None:
    _, text, answer = await _call(server, "compare_chips", {"names": ["CloudMatrix 384", "GB200 NVL72"]})
    rack = next(r for r in answer["rows"] if r["id"] == "nvidia-gb200-nvl72")
    checks = {c["metric"]: c for c in rack["versus_parts"]}
    for metric in ("compute_bf16", "w_per_tflops"):
        assert checks[metric]["verdict"] == "not equated", checks[metric]
        assert checks[metric]["note"].startswith("different precisions: parts at FP16")
    assert "→ agree; ×1; 0 TFLOPS. Different precisions" not in text
    assert "- compute_bf16: 180,000 TFLOPS (BF16 dense) #1128 vs 180,000 TFLOPS (FP16 dense) #321 → not equated;" in text
    differ = answer["summary"].split("differ from their parts' totals: ", 1)[1]
    assert "nvidia-gb200-nvl72 (memory_bandwidth_gbs, power_w)" in differ  # w_per_tflops, not equated, is not said to differ
