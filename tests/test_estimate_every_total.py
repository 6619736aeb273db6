"""estimate_cluster computes every total the figures allow and says what is missing (#21, 1): power and
energy without a compute figure, a reported run's own card count and energy, a system's own compute for a
training job, the unit a report gives cards in, and every argument given either used or said to be unused
— through the in-process MCP client, on the curated knowledge."""

from __future__ import annotations

from typing import Any

import pytest
from mcp import Client

from chipmcp.tools.estimate import EstimateClusterArguments

pytestmark = pytest.mark.anyio


async def call(server, arguments: dict[str, Any]) -> tuple[dict[str, Any], str]:
    async with Client(server) as client:
        result = await client.call_tool("estimate_cluster", arguments)
    assert not result.is_error, result.content[0].text
    return result.structured_content, result.content[0].text


async def test_a_chip_without_compute_figures_still_gets_power_energy_and_its_cost(reports_server) -> None:
    # The reports give the H800 no compute (Epoch's row does: 989.5 TFLOPS dense).
    answer, text = await call(reports_server, {"chip": "H800", "count": 1024, "electricity_price": 0.6})
    assert "value" not in answer["compute_pflops"] and "low" not in answer["compute_pflops"]
    assert answer["chip_power_kw"]["value"] == pytest.approx(1024 * 0.7)
    assert answer["energy_per_day_mwh"]["value"] == pytest.approx(1024 * 0.7 * 24 / 1000)
    assert answer["energy_cost_per_year"]["value"] == pytest.approx(1024 * 0.7 * 24 * 0.6 * 365, rel=1e-5)
    assert answer["memory_tb"]["value"] == pytest.approx(1024 * 80 / 1000)
    assert answer["warnings"][0].startswith("compute: no FP16 compute figure is reported for")
    assert "compute totals are omitted" in text and "元/year for electricity" in answer["summary"]


async def test_the_compute_line_names_the_precisions_a_chip_does_report(reports_server) -> None:
    # The reports give the H20 no INT8 (Epoch's row does: 296 TOPS).
    answer, _ = await call(reports_server, {"chip": "H20", "count": 8, "precision": "int8"})
    assert answer["warnings"][0].endswith("it reports compute at: fp32, fp16 (sparse, as printed) — pass one as `precision`")
    assert answer["system_power_kw"]["value"] == pytest.approx(8 * 0.4)


async def test_a_reported_run_takes_its_own_card_count_and_its_energy_from_its_gpu_hours(server) -> None:
    answer, text = await call(server, {"chip": "H800", "workload": "DeepSeek-V3", "electricity_price": 0.6})
    assert answer["cards"] == 2048 and answer["assumptions"][0].startswith("2,048 cards: the count DeepSeek-V3 reports")
    run = answer["workload"]
    assert run["total_gpu_hours"] == 2_788_000 and run["wall_clock_days"] == pytest.approx(2_788_000 / 2048 / 24, abs=0.01)
    assert run["energy_mwh"] == pytest.approx(2_788_000 * 700 / 1e6)
    assert run["energy_cost"] == pytest.approx(2_788_000 * 0.7 * 0.6) and run["energy_cost_unit"] == "元"
    assert "DeepSeek-V3 used ≈ 1,951.6 MWh, 1,170,960 元 of electricity" in answer["summary"]
    assert "energy 1,951.6 MWh, electricity cost 1,170,960 元" in text


async def test_a_run_that_reports_no_card_count_asks_for_one(server) -> None:
    async with Client(server) as client:
        result = await client.call_tool("estimate_cluster", {"chip": "H100", "workload": "deepseek-r1"})
    assert result.is_error
    assert result.content[0].text.endswith("No card count is reported for DeepSeek-R1; give `count`.")


async def test_a_training_job_on_a_system_runs_on_the_systems_own_compute(server) -> None:
    answer, _ = await call(
        server,
        {"chip": "GB200 NVL72", "count": 2, "parameters_billion": 671, "tokens_billion": 14800, "mfu": 0.4, "price_per_gpu_hour": 2},
    )
    training = answer["training"]
    per_chip = answer["compute_pflops"]["value"] * 1000 / answer["cards"]
    flop = 6 * 671e9 * 14800e9
    assert training["total_flop"] == pytest.approx(flop)
    assert training["gpu_hours"] == pytest.approx(flop / (per_chip * 1e12 * 0.4) / 3600, rel=1e-6)
    assert training["days"] == pytest.approx(training["gpu_hours"] / answer["cards"] / 24, rel=1e-3)
    assert training["cost"] == pytest.approx(2 * training["gpu_hours"], rel=1e-6)
    assert answer["weights_fit"].startswith("weights at FP16 need 1,342 GB; 2 system(s) hold")
    assert not answer.get("not_used")


async def test_a_system_without_compute_at_the_precision_says_its_training_inputs_are_not_used(server) -> None:
    answer, text = await call(
        server, {"chip": "GB200 NVL72", "count": 1, "precision": "fp64", "parameters_billion": 70, "tokens_billion": 1000, "mfu": 0.4}
    )
    assert answer.get("training") is None
    assert "tokens_billion not used because no FP64 compute figure for GB200 NVL72" in " ".join(answer["not_used"])
    assert "mfu not used because" in text


async def test_cards_come_in_the_unit_a_report_gives_and_the_remainder_is_stated(server) -> None:
    answer, text = await call(server, {"chip": "910C", "count": 1000})
    assert answer["cards_per_server"] == 384 and answer["servers"] == 3
    assert answer["grouping"] == (
        "1,000 cards = 2 × CloudMatrix 384超节点 (Huawei CloudMatrix 384) (384 cards each) + "
        "232 cards over: the count does not fill whole systems, so 3 systems with the last "
        "one holding 232 of 384"
    )
    assert any(a.startswith("grouped in CloudMatrix 384超节点") and "minsheng-2025h1" in a for a in answer["assumptions"])
    assert "(3 systems)" in answer["summary"] and "Grouping: 1,000 cards" in text
    whole, _ = await call(server, {"chip": "910C", "count": 768})
    assert whole["grouping"] == "768 cards = 2 × CloudMatrix 384超节点 (Huawei CloudMatrix 384) (384 cards each)"
    server16, _ = await call(server, {"chip": "Trainium2", "count": 32})
    assert server16["cards_per_server"] == 16 and server16["servers"] == 2  # a 16-card server before a 64-card rack
    asked, _ = await call(server, {"chip": "910C", "count": 1000, "cards_per_server": 8})
    assert asked["servers"] == 125 and "grouping" not in asked
    plain, _ = await call(server, {"chip": "H100", "count": 20})
    assert plain["cards_per_server"] == 8 and plain["servers"] == 3 and "grouping" not in plain


# One value other than the default for every argument an estimate takes besides the name and the count.
SAMPLES: dict[str, Any] = {
    "target_pflops": 100,
    "precision": "bf16",
    "cards_per_server": 4,
    "utilization": 0.5,
    "power_overhead": 0.3,
    "p_base": 1024,
    "use_server_figure": True,
    "parameters_billion": 70,
    "tokens_billion": 1000,
    "mfu": 0.4,
    "price_per_gpu_hour": 2.0,
    "workload": "DeepSeek-V3",
    "electricity_price": 0.6,
    "currency": "USD",
    "detail": "full",
    "offset": 5,
    "limit": 3,
}


def test_every_estimate_argument_has_a_sample() -> None:
    assert set(SAMPLES) == set(EstimateClusterArguments.model_fields) - {"chip", "count"}


@pytest.mark.parametrize(
    "base",
    [
        {"chip": "H100", "count": 8},
        {"chip": "H800", "count": 8},
        {"chip": "CloudMatrix 384", "count": 1},
        {"chip": "GB200 NVL72", "count": 2},
        {"chip": "H100", "parameters_billion": 70},
    ],
)
async def test_every_argument_given_is_either_used_or_named_as_not_used(server, base) -> None:
    """No input is dropped silently: with an argument the answer changes, or it says why the argument was not
    used, or the call is refused with an error that says what to do."""
    async with Client(server) as client:
        plain = await client.call_tool("estimate_cluster", base)
        assert not plain.is_error
        before = {k: v for k, v in plain.structured_content.items() if k != "not_used"}
        for name, value in SAMPLES.items():
            if name in base:
                continue
            result = await client.call_tool("estimate_cluster", {**base, name: value})
            if result.is_error:
                assert "Traceback" not in result.content[0].text
                continue
            after = {k: v for k, v in result.structured_content.items() if k != "not_used"}
            said = [line for line in result.structured_content.get("not_used", []) if line.startswith(f"{name} not used because ")]
            assert after != before or said, (base, name)
            if said:
                assert said[0] in result.content[0].text
