"""estimate_cluster beside the reports: printed figures answering the same question reconciled with the
computed ones, energy cost, a total per contested claim, a reported run's wall-clock days, and answers
sized for a model's context — through the in-process MCP client."""

from __future__ import annotations

import json
from typing import Any

import pytest
from mcp import Client

from chipmcp.kb import build
from chipmcp.kb.store import KnowledgeBase, knowledge_dir
from chipmcp.serving.server import build_server

pytestmark = pytest.mark.anyio


async def call(server, arguments: dict[str, Any]) -> tuple[dict[str, Any], str]:
    async with Client(server) as client:
        result = await client.call_tool("estimate_cluster", arguments)
    assert not result.is_error, result.content[0].text
    return result.structured_content, result.content[0].text


def entry(answer: dict[str, Any], output: str) -> dict[str, Any]:
    found = [r for r in answer.get("reconciliation", []) if r["output"] == output]
    assert len(found) == 1, answer.get("reconciliation")
    return found[0]


async def test_the_reports_servers_for_1000p_stand_beside_the_computed_count_with_the_reading_that_gives_it(server) -> None:
    answer, text = await call(server, {"chip": "910B OAM", "target_pflops": 1000})
    row = entry(answer, "servers")
    assert answer["servers"] == 333 and row["computed"]["value"] == 333
    assert row["reported"]["value"] == 342 and row["printed"] == "342台" and row["source"] == "minsheng-2025h1"
    assert row["difference_pct"][0] == pytest.approx((342 - 333) / 333 * 100, abs=0.01)
    assert "1024" in row["convention"] and "约3P" in row["convention"]
    reproduced, _ = await call(server, {"chip": "huawei-ascend-910b", "target_pflops": 1024, "p_base": 1024, "use_server_figure": True})
    assert row["reproduce"] == ("estimate_cluster(chip='huawei-ascend-910b', target_pflops=1024, p_base=1024, use_server_figure=True)")
    assert reproduced["servers"] == 342 and entry(reproduced, "servers")["convention"].startswith("Agrees")
    assert "342" in text and row["convention"] in text


async def test_a_printed_row_the_sizing_cannot_reproduce_exactly_names_the_nearest_reading(server) -> None:
    answer, _ = await call(server, {"chip": "元碁T100", "target_pflops": 1000})
    row = entry(answer, "servers")
    assert row["reported"]["value"] == 540 and not row.get("reproduce")
    assert "nearest" in row["convention"] and "539" in row["convention"]


async def test_a_question_the_row_does_not_answer_shows_no_row(server) -> None:
    for arguments in (
        {"chip": "910B OAM", "target_pflops": 500},
        {"chip": "910B OAM", "count": 8},
        {"chip": "910B OAM", "target_pflops": 1000, "cards_per_server": 16},
    ):
        answer, _ = await call(server, arguments)
        assert not answer.get("reconciliation")


async def test_a_systems_printed_totals_stand_beside_its_composition(server, reports_server) -> None:
    # The reports' 910C prints no BF16; Epoch's 910C row does (FP16/BF16 800), so only the full catalog sums it.
    bare, _ = await call(reports_server, {"chip": "CloudMatrix 384", "count": 4, "precision": "bf16"})
    assert "value" not in entry(bare, "compute_pflops")["computed"]
    assert "no peak compute at BF16" in entry(bare, "compute_pflops")["convention"]
    answer, text = await call(server, {"chip": "CloudMatrix 384", "count": 4, "precision": "bf16"})
    compute = entry(answer, "compute_pflops")
    assert compute["reported"]["value"] == 1200 and compute["printed"] in ("300", "300 PFLOPS")
    assert compute["computed"]["value"] == pytest.approx(4 * 384 * 800 / 1000)
    memory = entry(answer, "memory_tb")
    assert memory["computed"]["value"] == pytest.approx(4 * 384 * 128 / 1000)
    assert memory["convention"].startswith("Agrees")
    power = entry(answer, "system_power_kw")
    assert power["reported"]["value"] == pytest.approx(4 * 559.4, rel=1e-3)
    assert power["computed"]["value"] == pytest.approx(4 * 384 * 310 / 1000)
    assert "power_overhead=3.7" in power["convention"]
    assert power["reproduce"] == "estimate_cluster(chip='huawei-ascend-910c', count=1536, power_overhead=3.7)"
    chips, _ = await call(server, {"chip": "huawei-ascend-910c", "count": 1536, "power_overhead": 3.7})
    assert chips["system_power_kw"]["value"] == pytest.approx(power["reported"]["value"], rel=1e-3)
    assert compute["convention"] in text and power["convention"] in text


async def test_a_range_from_the_composition_holds_the_printed_total(server) -> None:
    answer, _ = await call(server, {"chip": "Trn2 UltraServer", "count": 1, "precision": "int8"})
    assert all(r["convention"] for r in answer.get("reconciliation", []))
    cm, _ = await call(server, {"chip": "摩尔线程万卡集群", "count": 1})
    ten = entry(cm, "compute_pflops")
    assert ten["reported"]["value"] == 10_000 and ten["reported"]["label"] == "precision not printed"
    assert cm["compute_pflops"]["value"] == 10_000  # the system's own figure, marked, when nothing else exists


async def test_a_new_reports_row_of_a_related_metric_is_reconciled_with_no_code_change(tmp_path) -> None:
    """A user's folder prints a servers-for-1000P figure for the S4000: it appears beside the computed count."""
    folder = tmp_path / "mine"
    (folder / "figures").mkdir(parents=True)
    (folder / "sources.toml").write_text(
        '[[source]]\nid = "my-2026"\npublisher = "我"\npublisher_en = "Me"\ntitle = "测试"\nkind = "note"\n'
        'date = "2026-01"\nlanguage = "zh-Hans"\n',
        encoding="utf-8",
    )
    (folder / "figures" / "my-2026.toml").write_text(
        '[[figures]]\nsource = "my-2026"\nlocator = "表1"\nrows = [\n'
        '  { entity = "moore-threads-mtt-s4000", metric = "servers_per_1000p", precision = "fp16", value = 1250, '
        'unit = "台", printed = "1250台" },\n]\n',
        encoding="utf-8",
    )
    path = tmp_path / "kb.db"
    build.build([knowledge_dir(), folder], path)
    answer, _ = await call(build_server(KnowledgeBase(path)), {"chip": "MTT S4000", "target_pflops": 1000, "detail": "full"})
    mine = [r for r in answer["reconciliation"] if r["source"] == "my-2026"]
    assert mine and mine[0]["reported"]["value"] == 1250 and mine[0]["computed"]["value"] == 1250
    assert mine[0]["convention"].startswith("Agrees")


async def test_electricity_price_gives_energy_cost_per_day_and_year(server) -> None:
    answer, _text = await call(server, {"chip": "910B", "count": 1000, "electricity_price": 0.6})
    kw = 1000 * 400 / 1000
    assert answer["energy_cost_per_day"]["value"] == pytest.approx(kw * 24 * 0.6)
    assert answer["energy_cost_per_year"]["value"] == pytest.approx(kw * 24 * 0.6 * 365)
    assert answer["energy_cost_per_day"]["unit"] == "元"
    assert any("24 h" in a and "365 days" in a for a in answer["assumptions"])
    usd, _ = await call(server, {"chip": "910B", "count": 1000, "electricity_price": 0.08, "currency": "USD", "power_overhead": 0.3})
    assert usd["energy_cost_per_day"]["value"] == pytest.approx(kw * 1.3 * 24 * 0.08)
    assert usd["energy_cost_per_year"]["unit"] == "USD"
    none, _ = await call(server, {"chip": "910B", "count": 1000})
    assert not none.get("energy_cost_per_day") and not none.get("energy_cost_per_year")


async def test_a_contested_per_card_figure_gives_a_total_per_claim(server) -> None:
    answer, text = await call(server, {"chip": "910B", "count": 8})
    power = answer["chip_power_kw"]
    assert power["value"] == pytest.approx(3.2)
    assert [c["value"] for c in power["claims"]] == [pytest.approx(3.2), pytest.approx(2.48)]  # 8 × 400 W, 8 × 310 W
    assert [c["value"] for c in answer["per_card"]["tdp_w"]["claims"]] == [400, 310]
    assert [c["value"] for c in answer["compute_pflops"]["claims"]] == [pytest.approx(3.008), pytest.approx(2.56)]
    assert "2.48 kW" in text and "per claim" in text


async def test_a_reported_run_on_count_cards_gives_wall_clock_days(server) -> None:
    answer, text = await call(server, {"chip": "H800", "count": 2048, "workload": "DeepSeek-V3"})
    hours = answer["workload"]["total_gpu_hours"]
    assert hours == pytest.approx(2_664_000 + 119_000 + 5_000)
    assert answer["workload"]["wall_clock_days"] == pytest.approx(hours / 2048 / 24, abs=0.01)
    assert any("wall-clock" in a and "2,048 cards" in a for a in answer["assumptions"])
    assert "wall-clock 56.7" in text


BUDGET_JSON, BUDGET_TEXT = 6_000, 4_000


@pytest.mark.slow  # a whole-catalog sweep
async def test_default_estimates_fit_their_budget_for_every_chip_and_system(server, kb) -> None:
    async with Client(server) as client:
        sized = 0
        for entity in kb.ids("chip") + kb.ids("system"):
            for arguments in ({"chip": entity, "count": 4}, {"chip": entity, "target_pflops": 1000}):
                result = await client.call_tool("estimate_cluster", arguments)
                if result.is_error:  # no figure to size on: an error that says what to use instead
                    assert "compute" in result.content[0].text or "composition" in result.content[0].text
                    continue
                structured = result.structured_content
                compact = len(json.dumps(structured, ensure_ascii=False, separators=(",", ":")))
                assert compact <= BUDGET_JSON, (arguments, compact)
                assert len(result.content[0].text) <= BUDGET_TEXT, (arguments, len(result.content[0].text))
                sized += 1
    assert sized > 50


async def test_full_detail_lists_every_reported_system_figure(server, kb) -> None:
    summary, _ = await call(server, {"chip": "CloudMatrix 384", "count": 2})
    full, _text = await call(server, {"chip": "CloudMatrix 384", "count": 2, "detail": "full", "limit": 200})
    every = kb.figures("huawei-cloudmatrix-384")
    assert not summary.get("reported") and summary["reported_page"]["total"] == len(every)
    assert "detail='full'" in summary["reported_page"]["more"]
    assert {f["id"] for f in full["reported"]} == {r["id"] for r in every}
    assert len(full["reconciliation"]) > len(summary["reconciliation"])  # every printed figure, not one per output


async def test_a_knowledge_base_whose_metrics_relate_no_figure_to_an_estimate_still_estimates(mini_kb) -> None:
    # The designed knowledge base declares no metric's `estimate` relation: nothing to reconcile, not every figure.
    answer, text = await call(build_server(mini_kb), {"chip": "mini-alpha", "count": 8})
    assert (answer["cards"], answer["servers"], answer.get("reconciliation")) == (8, 1, None)
    assert "Reported beside computed" not in text


async def test_an_estimate_lists_the_source_of_every_figure_it_cites(server) -> None:
    """Agreeing figures a cell cites (H100's 80 GB from minsheng-2025h1 and Epoch AI beside guosen's) were left
    out of Sources, and with them Epoch's CC BY credit."""
    async with Client(server) as client:
        result = await client.call_tool("estimate_cluster", {"chip": "H100", "count": 10000})
    answer, text = result.structured_content, result.content[0].text
    cells = [*answer["per_card"].values(), *(answer[k] for k in ("compute_pflops", "memory_tb", "chip_power_kw"))]
    cited = {i for cell in cells for i in [*cell.get("figure_ids", []), *(j for c in cell.get("claims", []) for j in c["figure_ids"])]}
    assert {2020, 576} <= cited  # Epoch's and minsheng's 80 GB beside guosen's
    listed = {s["id"] for s in answer["sources"]}
    assert {"guosen-2026", "minsheng-2025h1", "epoch-ml-hardware"} <= listed, listed
    assert "epoch-ml-hardware = " in text and "minsheng-2025h1 = " in text
