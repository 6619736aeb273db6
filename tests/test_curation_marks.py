"""Curation read from the sources, through the MCP client: figures of products not yet shipped at the
source's date are answered as planned (`basis = "plan"`), and a report row naming a variant card sits on that
variant, not on the chip the reports name without qualifier."""

from __future__ import annotations

import sqlite3

import pytest

from answering import answered

pytestmark = pytest.mark.anyio


call = answered


async def test_epochs_roadmap_row_is_answered_as_planned(server) -> None:
    answer, text = await call(server, "lookup_chip", {"name": "昇腾970"})
    assert answer["id"] == "huawei-ascend-970"
    assert {f["id"]: f.get("basis") for f in answer["figures"]} == {3330: "plan", 3331: "plan", 3332: "plan", 3333: "plan"}
    assert "- compute (FP4, plan): 8,000 TFLOPS — #3330" in text
    assert "- memory_bandwidth (plan): 14,400 GB/s — #3333" in text


async def test_a_rack_the_report_says_will_launch_in_2027_is_answered_as_planned(server) -> None:
    answer, text = await call(server, "lookup_chip", {"name": "Rubin Ultra NVL576"})
    assert {f["id"]: f.get("basis") for f in answer["figures"]} == {568: "plan", 569: "plan", 566: "plan", 567: "plan"}
    assert "- compute (plan): 15 EFLOPS — #568 '15EFlops'" in text
    assert "- system_power (plan): 600 kW — #569 '600kW'" in text


def test_a_dataset_rows_basis_reaches_every_figure_of_the_row_and_no_other(db_path) -> None:
    with sqlite3.connect(db_path) as db:
        planned = db.execute(
            "select entity, count(*) from figures where source = 'epoch-ml-hardware' and basis = 'plan' group by entity"
        ).fetchall()
        unplanned = db.execute(
            "select count(*) from figures where source = 'epoch-ml-hardware' and basis is null "
            "and entity in ('huawei-ascend-950dt', 'huawei-ascend-960', 'huawei-ascend-970', 'nvidia-rubin-cpx')"
        ).fetchone()
    assert dict(planned) == {"huawei-ascend-950dt": 4, "huawei-ascend-960": 4, "huawei-ascend-970": 4, "nvidia-rubin-cpx": 2}
    assert unplanned == (0,)


async def test_the_a100_80gb_pcie_row_is_its_own_chip_with_the_reports_figures(server) -> None:
    answer, text = await call(server, "lookup_chip", {"name": "A100 80GB PCIe"})
    assert answer["id"] == "nvidia-a100-pcie-80gb"
    figures = {f["metric"] + ("/" + f["precision"] if f.get("precision") else ""): f for f in answer["figures"]}
    assert (figures["tdp"]["value"], figures["tdp"]["unit"], figures["tdp"]["printed"]) == (300, "W", "300W")
    assert (figures["compute/fp16"]["value"], figures["compute/fp16"]["printed"]) == (312, "312 TFLOPS")
    assert (figures["memory_capacity"]["value"], figures["memory_capacity"]["printed"]) == (80, "80GB HBM2")
    assert {f["id"] for f in answer["figures"]} == set(range(917, 925))
    assert "Variant of nvidia-a100 (figures kept apart)." in text


async def test_the_a100_no_longer_disagrees_with_the_pcie_cards_row(server) -> None:
    answer, _ = await call(server, "lookup_chip", {"name": "A100"})
    assert answer["id"] == "nvidia-a100"
    cited = {i for c in answer["conflicts"] for claim in c["claims"] for i in claim["figure_ids"]}
    assert not cited & set(range(917, 925))
    # what remains is the iteration table's own 300 W for the unqualified A100
    assert [(c["metric"], [claim["figure_ids"] for claim in c["claims"]]) for c in answer["conflicts"]] == [
        ("tdp", [[362, 607, 693, 2330], [590]])
    ]
    assert "A100 80GB PCIe" not in answer["aliases"]


async def test_a_ranking_labels_each_planned_figure_and_no_shipped_one(server) -> None:
    answer, text = await call(server, "find_chips", {"domestic": True, "sort_by": "memory_bandwidth", "limit": 6})
    # planned figures are listed apart from the shipped ones ranked, each labelled
    listed = answer["rows"] + answer["not_ranked"]
    labels = {row["id"]: row["cells"]["memory_bandwidth_gbs"].get("label", "") for row in listed}
    assert labels["huawei-ascend-970"] == "planned" and labels["huawei-ascend-960"] == "planned"
    # the roadmap's Ascend 950DT, 960 and 970 (Epoch rows the curators mark plan), and no shipped chip
    roadmap = {"huawei-ascend-950dt", "huawei-ascend-960", "huawei-ascend-970"}
    assert {i for i, label in labels.items() if "planned" in label} == roadmap & set(labels)
    assert "memory_bandwidth_gbs 14,400 GB/s (planned) #3333" in text


async def test_a_ratio_built_on_a_planned_figure_says_planned(server) -> None:
    arguments = {
        "where": [{"metric": "compute", "op": ">=", "value": 1000}],
        "precision": "int8",
        "sort_by": "tflops_per_w",
        "limit": 50,
    }
    answer, text = await call(server, "find_chips", arguments)
    # a figure whose precision is not printed is never ranked (it is listed apart, with why), and still says planned
    rack = next(row for row in answer["not_ranked"] if row["id"] == "nvidia-rubin-ultra-nvl576")
    assert rack["cells"]["tflops_per_w"]["label"] == "precision not printed; planned"
    assert rack["cells"]["compute_tflops"]["label"] == "precision not printed; planned"
    assert "tflops_per_w 25 [no precision] TOPS/W (precision not printed; planned) #568" in text


async def test_numbers_built_on_planned_figures_say_so_in_every_tool(server) -> None:
    lookup, _ = await call(server, "lookup_chip", {"name": "昇腾970"})
    [tpp] = [d for d in lookup["derived"] if d["name"] == "tpp"]
    assert tpp["label"] == "largest of FP8, FP4; planned"
    check, text = await call(server, "export_control_check", {"chip": "昇腾970"})
    planned = [w for w in check["warnings"] if "planned" in w]
    assert planned == [
        "FP8: built on a planned figure, of a product not shipped at its source's date (figures 3331)",
        "FP4: built on a planned figure, of a product not shipped at its source's date (figures 3330)",
    ]
    assert f"Warning: {planned[0]}" in text
    estimate, text = await call(server, "estimate_cluster", {"chip": "昇腾970", "count": 100, "precision": "fp8"})
    assert estimate["warnings"][-1] == "built on planned figures, of a product not shipped at its source's date (figures #3331, #3333)"
    assert estimate["warnings"][-1] in text


async def test_numbers_of_a_shipped_chip_carry_no_planned_mark(server) -> None:
    lookup, _ = await call(server, "lookup_chip", {"name": "昇腾910C"})
    assert not [d for d in lookup["derived"] if "planned" in d.get("label", "")]
    check, _ = await call(server, "export_control_check", {"chip": "昇腾910C"})
    estimate, _ = await call(server, "estimate_cluster", {"chip": "昇腾910C", "count": 100})
    assert not [w for w in check["warnings"] + estimate["warnings"] if "planned" in w]
