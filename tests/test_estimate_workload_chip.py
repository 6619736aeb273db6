"""estimate_cluster with a reported run (`workload`): the run's GPU hours, card count and energy belong to
the chip it ran on, and move to another chip only by a stated compute ratio — through the MCP client."""

from __future__ import annotations

import math
from typing import Any

import pytest
from mcp import Client

from chipmcp.reasoning import selection

pytestmark = pytest.mark.anyio

DEEPSEEK_V3_HOURS = 2_664_000 + 119_000 + 5_000  # its pre-training, context-extension and post-training H800 hours


async def call(server, arguments: dict[str, Any]) -> tuple[dict[str, Any], str]:
    async with Client(server) as client:
        result = await client.call_tool("estimate_cluster", arguments)
    assert not result.is_error, result.content[0].text
    return result.structured_content, result.content[0].text


def peak(kb, chip: str, precision: str = "fp16") -> tuple[float, int]:
    cell = selection.cell(kb, chip, "compute_tflops", precision)
    ends = cell.ends()
    assert ends is not None
    return ends[0], cell.figure_ids[0]


async def test_a_runs_gpu_hours_on_another_chip_are_scaled_by_the_stated_compute_ratio(server, kb) -> None:
    answer, text = await call(server, {"chip": "910B", "workload": "DeepSeek-V3", "count": 2048})
    run = answer["workload"]
    h800, h800_id = peak(kb, "nvidia-h800")
    ascend, ascend_id = peak(kb, "huawei-ascend-910b")
    assert run["trained_on"] == "nvidia-h800"
    assert run["total_gpu_hours"] == DEEPSEEK_V3_HOURS  # the reported hours, the H800's
    assert run["equivalent_gpu_hours"] == pytest.approx(DEEPSEEK_V3_HOURS * h800 / ascend, rel=1e-6)
    assert run["wall_clock_days"] == pytest.approx(DEEPSEEK_V3_HOURS * h800 / ascend / 2048 / 24, abs=0.01)
    assert {h800_id, ascend_id} <= set(run["figure_ids"]) and {h800_id, ascend_id} <= set(answer["figure_ids"])
    ratio_line = next(a for a in answer["assumptions"] if "same fraction of peak" in a)
    assert "H800" in ratio_line and "989" in ratio_line and "376" in ratio_line and "FP16" in ratio_line
    assert ratio_line in text and "total 2,788,000 GPU hours on 英伟达H800 (NVIDIA H800)" in text


async def test_a_runs_days_on_its_own_chip_stay_its_hours_over_the_cards(server) -> None:
    answer, _ = await call(server, {"chip": "H800", "workload": "DeepSeek-V3", "count": 2048})
    run = answer["workload"]
    assert run["trained_on"] == "nvidia-h800" and "equivalent_gpu_hours" not in run
    assert run["wall_clock_days"] == pytest.approx(DEEPSEEK_V3_HOURS / 2048 / 24, abs=0.01)


async def test_a_runs_energy_is_its_own_chips_power_times_its_hours_whatever_chip_is_asked(server) -> None:
    on_h800, _ = await call(server, {"chip": "H800", "workload": "DeepSeek-V3", "count": 2048})
    on_910b, text = await call(server, {"chip": "910B", "workload": "DeepSeek-V3", "count": 2048})
    assert on_h800["workload"]["energy_mwh"] == pytest.approx(DEEPSEEK_V3_HOURS * 700 / 1e6)
    assert on_910b["workload"]["energy_mwh"] == on_h800["workload"]["energy_mwh"]
    assert "DeepSeek-V3 used ≈ 1,951.6 MWh on its 英伟达H800 (NVIDIA H800) cards" in on_910b["summary"]
    assert "1,115.2" not in text  # the H800 hours at the 910B's 400 W: a run that never happened


async def test_a_system_asked_for_a_run_counts_systems_by_its_composition_not_the_runs_card_count(server, kb) -> None:
    answer, text = await call(server, {"chip": "CloudMatrix 384", "workload": "DeepSeek-V3"})
    assert answer["servers"] == math.ceil(2048 / 384) and answer["cards"] == 6 * 384
    first = answer["assumptions"][0]
    assert first.startswith("6 systems: the 2,048 cards DeepSeek-V3 reports") and "÷ 384 chips a system" in first
    assert 728 in answer["figure_ids"]
    run = answer["workload"]
    system_chip = answer["compute_pflops"]["low"] * 1000 / answer["cards"]
    h800, _ = peak(kb, "nvidia-h800")
    assert run["wall_clock_days"] == pytest.approx(DEEPSEEK_V3_HOURS * h800 / system_chip / answer["cards"] / 24, abs=0.01)
    assert run["energy_mwh"] == pytest.approx(DEEPSEEK_V3_HOURS * 700 / 1e6)
    assert "786,432" not in text and "2,048 systems" not in text


async def test_an_implied_mfu_above_one_is_a_warning_that_the_run_is_infeasible_not_a_result(server) -> None:
    answer, text = await call(server, {"chip": "910B", "workload": "GPT-4", "count": 1000})
    run = answer["workload"]
    assert "implied_mfu_low" not in run or run["implied_mfu_low"] is None
    assert "implied_mfu_high" not in run or run["implied_mfu_high"] is None
    warning = next(w for w in answer["warnings"] if "infeasible" in w)
    assert "1,000" in warning and "90-100 days" in warning
    # at 100% of peak: 2.15e25 FLOP / (1,000 × 376e12 FLOP/s) / 86,400 s
    assert f"{2.15e25 / (1000 * 376e12) / 86400:,.0f} days" in warning
    assert warning in text and "infeasible" in answer["summary"]
    assert "implied MFU 661.8%" not in text


async def test_a_feasible_implied_mfu_stays_a_result(server) -> None:
    answer, _ = await call(server, {"chip": "A100", "workload": "GPT-4", "count": 25000})
    assert 0.31 < answer["workload"]["implied_mfu_low"] < answer["workload"]["implied_mfu_high"] < 0.36
    assert not any("infeasible" in w for w in answer["warnings"])


@pytest.mark.parametrize(
    "arguments",
    [
        {"chip": "910B", "workload": "GPT-4", "count": 1000},
        {"chip": "A100", "workload": "GPT-4", "count": 25000},
        {"chip": "GB200 NVL72", "target_pflops": 1000, "precision": "bf16"},
        {"chip": "GB200 NVL72", "count": 2, "precision": "bf16", "detail": "full"},
    ],
)
async def test_a_missing_value_is_said_in_words_never_as_a_question_mark_nor_a_doubled_unit(server, arguments) -> None:
    answer, text = await call(server, arguments)
    for said in (text, answer["summary"]):
        assert " ? " not in said and "?]" not in said and "? " not in said.replace("?)", "")
        assert "FLOPS FLOP" not in said


async def test_a_reconciled_total_its_parts_cannot_compute_says_so_in_words(server) -> None:
    _, text = await call(server, {"chip": "GB200 NVL72", "target_pflops": 1000, "precision": "bf16"})
    line = next(line for line in text.splitlines() if line.startswith("Reported beside computed — compute_pflops"))
    assert "computed nothing (its parts report none)" in line


@pytest.mark.parametrize(
    "arguments",
    [
        {"chip": "910B", "target_pflops": 1e-12},
        {"chip": "910B OAM", "target_pflops": 1e-12, "use_server_figure": True},
        {"chip": "GB200 NVL72", "target_pflops": 1e-12, "precision": "bf16"},
    ],
)
async def test_a_tiny_positive_target_still_takes_one_card(server, arguments) -> None:
    answer, text = await call(server, arguments)
    assert answer["cards"] >= 1 and answer["servers"] == 1
    assert not text.startswith("0 ×")


@pytest.mark.parametrize(
    ("system", "system_id"), [("Atlas 800T A2", "huawei-atlas-800t-a2"), ("Rubin Ultra NVL576", "nvidia-rubin-ultra-nvl576")]
)
async def test_a_system_of_no_known_chip_says_no_chip_is_known_and_what_to_ask_instead(server, system, system_id) -> None:
    async with Client(server) as client:
        result = await client.call_tool("estimate_cluster", {"chip": system, "target_pflops": 10})
    message = result.content[0].text
    assert result.is_error
    assert "the knowledge base names no chip in it" in message
    assert f"lookup_chip(name='{system_id}')" in message and "estimate_cluster(chip=" in message


async def test_a_run_whose_chip_has_no_peak_at_the_precision_asked_gives_no_days_and_says_why(server) -> None:
    answer, text = await call(server, {"chip": "910B", "workload": "DeepSeek-V3", "count": 2048, "precision": "fp8"})
    run = answer["workload"]
    assert run.get("wall_clock_days") is None and run.get("equivalent_gpu_hours") is None
    assert run["total_gpu_hours"] == DEEPSEEK_V3_HOURS and run["energy_mwh"] == pytest.approx(DEEPSEEK_V3_HOURS * 700 / 1e6)
    note = next(n for n in run["notes"] if "no dense FP8 peak" in n)
    assert "英伟达H800 (NVIDIA H800)" in note and note in text
    assert "days on these cards" not in answer["summary"]


async def test_a_runs_recomputed_cost_on_another_chip_says_whose_hours_it_is(server) -> None:
    answer, _ = await call(server, {"chip": "910B", "workload": "DeepSeek-V3", "count": 2048})
    assert "cost recomputed from its 英伟达H800 (NVIDIA H800) GPU hours: 5,576,000 美元" in answer["summary"]
