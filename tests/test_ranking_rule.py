"""One rule decides which figures a ranking compares (chipmcp.reasoning.ranking), and find_chips and
compare_chips both apply it: a figure whose precision is not printed, a family-level, mixed or suspect
figure is never ranked as a figure of the precision asked, systems' totals are not ranked beside chips,
sparse figures not beside dense ones, a price not beside prices in another currency. What is left out is
shown with the reason, never dropped; a best says how many figures it was chosen from and who lacks one."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest
from mcp import Client

from chipmcp.reasoning import catalog_index, ranking, selection
from chipmcp.reasoning.cells import Cell

pytestmark = pytest.mark.anyio

PRECISIONS = ["fp16", "fp64", "int8", "fp8", "fp4"]


async def _call(server, tool: str, arguments: dict) -> tuple[bool, str, dict]:
    async with Client(server) as client:
        result = await client.call_tool(tool, arguments)
    return result.is_error, result.content[0].text, result.structured_content or {}


# --- find_chips ranks by the rule -----------------------------------------------------------------


@pytest.mark.parametrize("precision", PRECISIONS)
async def test_find_chips_never_ranks_a_compute_figure_whose_precision_is_not_printed(server, precision) -> None:
    error, text, answer = await _call(server, "find_chips", {"sort_by": "compute_tflops", "precision": precision, "limit": 100})
    assert not error, text
    unlabeled = [r["id"] for r in answer["rows"] if "precision not printed" in r["cells"]["compute_tflops"].get("label", "")]
    assert unlabeled == []
    assert "[no precision]" not in text.split("Not ranked", 1)[0]


async def test_find_chips_shows_the_figures_it_does_not_rank_with_the_reason(server) -> None:
    _, text, answer = await _call(server, "find_chips", {"sort_by": "compute_tflops", "limit": 100, "detail": "full"})
    apart = {r["id"]: r["why"] for r in answer["not_ranked"]}
    assert apart["nvidia-rubin-ultra-nvl576"] == "precision not printed"
    assert answer["not_ranked_total"] == len(answer["not_ranked"])
    for row in answer["not_ranked"]:
        assert row["cells"]["compute_tflops"]["figure_ids"], row  # shown with its figure, never dropped
        assert row["id"] in text and row["why"] in text
    ranked = {r["id"] for r in answer["rows"]}
    assert ranked.isdisjoint(apart)


async def test_find_chips_ranks_no_system_total_beside_chips(server) -> None:
    for sort_by, precision in (("tpp", "fp16"), ("compute_tflops", "bf16"), ("memory_gb", "fp16"), ("tflops_per_w", "fp16")):
        _, _, answer = await _call(server, "find_chips", {"sort_by": sort_by, "precision": precision, "limit": 100})
        assert [r["id"] for r in answer["rows"] if r["entity_kind"] == "system"] == [], sort_by
        apart = [r for r in answer["not_ranked"] if r["entity_kind"] == "system"]
        assert apart, sort_by
        assert all(r["why"] in ("system total", "suspect", "precision not printed") for r in apart), sort_by
    _, _, bf16 = await _call(server, "find_chips", {"sort_by": "compute_tflops", "precision": "bf16", "limit": 100})
    assert any(r["why"] == "system total" for r in bf16["not_ranked"])


async def test_find_chips_ranks_systems_among_themselves_when_only_systems_are_asked_for(server) -> None:
    _, _, answer = await _call(server, "find_chips", {"kind": "system", "sort_by": "memory_gb", "limit": 100})
    assert answer["rows"] and {r["entity_kind"] for r in answer["rows"]} == {"system"}
    assert all("system total" not in r["why"] for r in answer.get("not_ranked", []))


async def test_find_chips_kind_chip_keeps_chips_only_and_the_old_kinds_still_work(server) -> None:
    _, _, chips = await _call(server, "find_chips", {"kind": "chip", "sort_by": "tpp", "limit": 100})
    assert chips["rows"] and {r["entity_kind"] for r in chips["rows"]} == {"chip"}
    _, _, gpus = await _call(server, "find_chips", {"kind": "GPU", "limit": 5})
    assert gpus["rows"] and {r["kind"] for r in gpus["rows"]} == {"GPU"}
    error, text, _ = await _call(server, "find_chips", {"kind": "banana"})
    assert error and "chip, system" in text


async def test_find_chips_ranks_no_suspect_figure(server) -> None:
    for sort_by in ("compute_tflops", "tdp_w", "memory_gb", "tpp"):
        _, _, answer = await _call(server, "find_chips", {"sort_by": sort_by, "limit": 100, "detail": "full"})
        assert [r["id"] for r in answer["rows"] if r["cells"][sort_by].get("suspect")] == [], sort_by


async def test_find_and_compare_leave_the_same_figure_out_for_the_same_reason(server) -> None:
    """The same cell kept out of find_chips' ranking is kept out of compare_chips' for the same reason."""
    _, _, found = await _call(server, "find_chips", {"sort_by": "compute_tflops", "limit": 100, "detail": "full"})
    chip = found["rows"][0]["id"]
    for row in found["not_ranked"][:6]:
        _, _, compared = await _call(
            server, "compare_chips", {"names": [chip, row["id"]], "metrics": ["compute_tflops"], "precision": "fp16"}
        )
        left = compared["columns"][0]["left_out"]
        assert left.get(row["id"]) == row["why"], (row["id"], left, row["why"])


# --- the shared rule on designed figures ----------------------------------------------------------


def test_the_rule_leaves_out_each_kind_of_figure_with_its_reason() -> None:
    cells = {
        "a": Cell(value=10, unit="TFLOPS", tier="dense"),
        "b": Cell(value=20, unit="TFLOPS", tier="unstated"),
        "c": Cell(value=30, unit="TFLOPS", tier="sparse"),
        "d": Cell(value=40, unit="TFLOPS", tier="unlabeled"),
        "e": Cell(value=50, unit="TFLOPS", tier="family"),
        "f": Cell(value=60, unit="TFLOPS", tier="mixed"),
        "g": Cell(value=70, unit="TFLOPS", tier="dense", suspect=True),
        "s": Cell(value=80, unit="TFLOPS", tier="dense"),
    }
    assert ranking.left_out(cells, {"s"}, systems_apart=True) == {
        "c": "sparse",
        "d": "precision not printed",
        "e": "family-level figure",
        "f": "parts at different precisions",
        "g": "suspect",
        "s": "system total",
    }
    assert "s" not in ranking.left_out(cells, {"s"}, systems_apart=False)


def test_the_rule_ranks_sparse_figures_together_when_no_dense_one_is_there() -> None:
    cells = {"a": Cell(value=1, tier="sparse"), "b": Cell(value=2, tier="sparse")}
    assert ranking.left_out(cells, set(), systems_apart=False) == {}


def test_the_rule_ranks_prices_in_the_currency_most_print_and_sets_the_others_apart() -> None:
    cells = {"a": Cell(value=1, unit="美元"), "b": Cell(value=2, unit="元"), "c": Cell(value=3, unit="美元")}
    assert ranking.left_out(cells, set(), systems_apart=False) == {"b": "other currency (元)"}


def test_find_on_the_designed_catalog_ranks_by_the_rule_and_lists_the_rest(mini_kb) -> None:
    found = catalog_index.of(mini_kb).find(
        catalog_index.Query(sort_by="compute_tflops"), certification=lambda chips: ["none"] * len(chips)
    )
    assert found.rows.ids == ["mini-alpha", "mini-m8e", "mini-delta"]
    assert {e["id"]: why for (e, _), why in zip(found.apart, found.apart_why, strict=True)} == {
        "mini-beta": "precision not printed",
        "mini-gamma": "sparse",
        "mini-pod": "system total",
    }
    systems = catalog_index.of(mini_kb).find(
        catalog_index.Query(kind="system", sort_by="compute_tflops"), certification=lambda chips: ["none"] * len(chips)
    )
    assert systems.rows.ids == ["mini-pod"] and list(systems.apart) == []


def test_find_on_the_designed_catalog_sets_a_family_level_figure_apart(mini_kb) -> None:
    assert selection.cell(mini_kb, "mini-m8e", "tdp_w").tier == "family"
    found = catalog_index.of(mini_kb).find(catalog_index.Query(sort_by="tdp_w"), certification=lambda chips: ["none"] * len(chips))
    apart = {e["id"]: why for (e, _), why in zip(found.apart, found.apart_why, strict=True)}
    assert apart["mini-m8e"] == "family-level figure"
    assert "mini-m8e" not in found.rows.ids


# --- compare_chips says what its best was chosen from --------------------------------------------


async def test_a_best_says_how_many_figures_it_was_chosen_from_and_who_lacks_one(server) -> None:
    names = ["910B", "H20", "MTT S4000", "MLU370-X8", "K100"]
    _, text, answer = await _call(server, "compare_chips", {"names": names, "metrics": ["price"]})
    column = answer["columns"][0]
    ids = [r["id"] for r in answer["rows"]]
    filled = [i for i, r in zip(ids, answer["rows"], strict=True) if r.get("cells") and r["cells"][0] is not None]
    assert column["best"]
    assert column["ranked"] == len(filled) - len(column.get("left_out", {}))
    assert [ids[j] for j in column["lacking"]] == [i for i in ids if i not in filled]
    assert f"of {column['ranked']}" in text and f"{len(column['lacking'])} lack it: " in text
    for j in column["lacking"]:
        assert ids[j] in text.split("Best per column:", 1)[1].split("\n", 1)[0]


async def test_every_best_of_a_large_comparison_states_its_coverage(server) -> None:
    names = ["910B", "H100", "H20", "B200", "GB200 NVL72", "CloudMatrix 384", "TPU v5e", "MI300X", "MLU370-X8", "K100"]
    _, _, answer = await _call(server, "compare_chips", {"names": names})
    ids = [r["id"] for r in answer["rows"]]
    for j, column in enumerate(answer["columns"]):
        if not column.get("best"):
            continue
        filled = [i for i, r in zip(ids, answer["rows"], strict=True) if r.get("cells") and r["cells"][j] is not None]
        assert column["ranked"] == len(filled) - len(column.get("left_out", {})), column["key"]
        assert [ids[j] for j in column.get("lacking", [])] == [i for i in ids if i not in filled], column["key"]


# --- compare_chips: derived cells cite their inputs; systems apart once per answer ----------------


async def test_a_derived_cell_at_summary_cites_the_figures_it_divides(server) -> None:
    _, text, answer = await _call(server, "compare_chips", {"names": ["MLU370-X8", "MLU370-S4"], "metrics": ["tflops_per_w"]})
    for row in answer["rows"]:
        assert len(row["figure_ids"][0]) == 2, row
        for figure in row["figure_ids"][0]:
            assert f"#{figure}" in text
    assert answer["sources"] and "Sources: " in text and not text.rstrip().endswith("Sources:")


async def test_find_chips_derived_cells_at_summary_cite_both_figures(server) -> None:
    _, _, answer = await _call(server, "find_chips", {"sort_by": "tflops_per_w", "limit": 5})
    assert all(len(r["cells"]["tflops_per_w"]["figure_ids"]) == 2 for r in answer["rows"])


async def test_systems_are_left_out_of_every_column_when_chips_are_compared(server) -> None:
    _, _, answer = await _call(server, "compare_chips", {"names": ["910C", "CloudMatrix 384", "Rubin Ultra NVL576"]})
    systems = {r["id"] for r in answer["rows"] if r.get("system")}
    assert systems
    for column in answer["columns"]:
        assert systems.isdisjoint(column.get("best", [])), column["key"]
    power = next(c for c in answer["columns"] if c["key"] == "system_power_w")
    assert set(power["left_out"]) == systems and set(power["left_out"].values()) == {"system total"}


# --- prices in another currency ---------------------------------------------------------------------


async def test_find_chips_ranks_prices_within_a_currency_and_never_calls_a_priced_chip_unreported(server) -> None:
    _, text, answer = await _call(server, "find_chips", {"sort_by": "price", "limit": 100, "detail": "full"})
    assert answer["total"] > 0
    units = {r["cells"]["price"]["unit"] for r in answer["rows"]}
    assert len(units) == 1
    (unit,) = units
    assert unit in text.split("\n", 1)[0] or unit in " ".join(answer["rules"])
    lacking = next((n["chips"] for n in answer["not_reported"] if n["metric"] == "price"), [])
    for chip in ("nvidia-h20", "huawei-ascend-910b"):
        assert chip not in lacking
    for row in answer.get("not_ranked", []):
        if "other currency" in row["why"]:
            assert row["cells"]["price"]["unit"] in row["why"]


# --- metrics no chip carries ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("arguments", "tool"),
    [
        ({"sort_by": "revenue"}, "vendor_financials"),
        ({"sort_by": "market_cap"}, "vendor_financials"),
        ({"where": [{"metric": "revenue", "op": ">=", "value": 1}]}, "vendor_financials"),
        ({"sort_by": "parameters"}, "industry_figures"),
        ({"sort_by": "gpu_hours"}, "industry_figures"),
    ],
)
async def test_find_chips_refuses_a_metric_no_chip_or_system_carries_and_names_its_tool(server, arguments, tool) -> None:
    error, text, _ = await _call(server, "find_chips", arguments)
    assert error and tool in text


@pytest.mark.parametrize(("metric", "tool"), [("revenue", "vendor_financials"), ("parameters", "industry_figures")])
async def test_compare_chips_refuses_a_metric_no_chip_or_system_carries(server, metric, tool) -> None:
    error, text, _ = await _call(server, "compare_chips", {"names": ["910B", "H20"], "metrics": [metric]})
    assert error and tool in text


# --- not-reported lists say what their chips pass ---------------------------------------------------


async def test_a_not_reported_list_says_how_many_pass_every_other_filter(server) -> None:
    arguments = {
        "domestic": True,
        "where": [{"metric": "memory_gb", "op": ">=", "value": 64}],
        "sort_by": "compute_tflops",
        "detail": "full",
    }
    _, text, answer = await _call(server, "find_chips", arguments)
    # Those that pass memory_gb >= 64 on their own: the rows of the same filters without the sort.
    _, _, memory = await _call(server, "find_chips", {**arguments, "sort_by": None, "limit": 100})
    passing = {r["id"] for r in memory["rows"]}
    compute = {n["metric"]: n for n in answer["not_reported"]}["compute_tflops"]
    assert compute["passes_others"] == len([c for c in compute["chips"] if c in passing])
    assert compute["passes_others"] < compute["count"]
    assert "pass the other filters but have no compute_tflops" not in text
    assert f"{compute['passes_others']} pass every other filter" in text


# --- hints are JSON, paging past the end says so -----------------------------------------------------


async def test_find_chips_hints_are_json_arguments(server) -> None:
    arguments = {"domestic": True, "where": [{"metric": "memory_gb", "op": ">=", "value": 64}], "limit": 2}
    _, _, answer = await _call(server, "find_chips", arguments)
    calls = re.findall(r"find_chips\((\{.*?\})\)", answer["more"])
    assert calls
    for call in calls:
        parsed = json.loads(call)
        assert parsed["domestic"] is True and parsed["where"][0]["value"] == 64


async def test_find_chips_an_offset_past_the_end_says_so(server) -> None:
    error, text, _ = await _call(server, "find_chips", {"offset": 100000})
    assert error and "past the end" in text and "offset" in text


def test_the_column_form_of_the_rule_gives_each_figure_the_reason_the_by_id_form_gives() -> None:
    """find_chips reads the rule over columns, compare_chips by id: the same figures, the same reasons."""
    import random

    tiers = ["dense", "unstated", "sparse", "unlabeled", "family", "mixed", ""]
    units = ["美元", "元", "港元"]
    rng = random.Random(7)
    for _ in range(300):
        n = rng.randint(1, 8)
        cells = {
            f"e{k}": Cell(
                value=k,
                tier=rng.choice(tiers),
                suspect=rng.random() < 0.2,
                unit=rng.choice(units[: rng.randint(1, 3)]),
                engine=rng.choice(["", "", "tensor", "vector"]),
            )
            for k in range(n)
        }
        systems = {i for i in cells if rng.random() < 0.3}
        planned = {i for i in cells if rng.random() < 0.3}
        apart = rng.random() < 0.5
        codes = ranking.reasons(
            np.array([ranking.tier_code(c.tier) for c in cells.values()], dtype=np.int64),
            np.array([c.suspect for c in cells.values()], dtype=bool),
            np.array([i in systems for i in cells], dtype=bool),
            np.array([ranking.currency_code(c.unit) for c in cells.values()], dtype=np.int64),
            apart,
            np.array([i in planned for i in cells], dtype=bool),
            np.array([ranking.engine_code(c.engine) for c in cells.values()], dtype=np.int64),
        )
        by_columns = {
            i: ranking.reason_text(int(code), c.unit)
            for (i, c), code in zip(cells.items(), codes, strict=True)
            if code != ranking.RANKED
        }
        assert by_columns == ranking.left_out(cells, systems, apart, planned)


def test_sparse_figures_rank_apart_only_beside_a_dense_figure_that_ranks() -> None:
    """A suspect dense figure ranks with nothing: the sparse ones beside it rank together."""
    cells = {"a": Cell(value=1, tier="sparse"), "b": Cell(value=2, tier="sparse"), "c": Cell(value=3, tier="dense", suspect=True)}
    assert ranking.left_out(cells, set(), systems_apart=False) == {"c": "suspect"}


def test_the_unit_most_figures_print_ranks_counting_figures_not_kinds_of_figure() -> None:
    """美元 is met first and printed by two kinds of figure (a system's and a chip's), 元 by three figures of one
    kind: 元 is the unit most print."""
    cells = {
        "s": Cell(value=1, unit="美元", tier="dense"),
        "c": Cell(value=2, unit="美元", tier="unstated"),
        "x": Cell(value=3, unit="元", tier="dense"),
        "y": Cell(value=4, unit="元", tier="dense"),
        "z": Cell(value=5, unit="元", tier="dense"),
    }
    assert ranking.left_out(cells, {"s"}, systems_apart=False) == {"s": "other currency (美元)", "c": "other currency (美元)"}


def test_the_rule_over_columns_gives_nothing_for_no_figure() -> None:
    empty = np.zeros(0, dtype=np.int64)
    assert ranking.reasons(empty, empty.astype(bool), empty.astype(bool), empty, False, empty.astype(bool), empty).shape == (0,)


def test_the_rule_over_columns_keeps_apart_marks_of_neighbouring_engines_and_units() -> None:
    """A headline-unit figure in a currency and another-unit figure in none are two marks, however the column
    codes them: the vector one ranks apart, the other ranks."""
    tier, no = np.array([ranking.DENSE, ranking.DENSE]), np.zeros(2, dtype=bool)
    engine = np.array([ranking.HEADLINE_ENGINE, ranking.VECTOR])
    unit = np.array([0, -1])
    assert ranking.reasons(tier, no, no, unit, False, no, engine).tolist() == [ranking.RANKED, ranking.VECTOR_APART]


def test_on_a_tie_the_unit_met_first_ranks() -> None:
    cells = {"a": Cell(value=1, unit="元"), "b": Cell(value=2, unit="美元")}
    assert ranking.left_out(cells, set(), systems_apart=False) == {"b": "other currency (美元)"}


async def test_find_chips_says_how_to_rank_the_systems_it_sets_apart(server) -> None:
    _, text, answer = await _call(server, "find_chips", {"sort_by": "system_power_w"})
    assert answer["total"] == 0 and all(r["why"] == "system total" for r in answer["not_ranked"])
    assert 'kind "system" ranks systems among themselves' in answer["summary"] and answer["summary"] in text
    _, _, systems = await _call(server, "find_chips", {"sort_by": "system_power_w", "kind": "system"})
    # every system set apart is ranked there, but for a roadmap rack's planned figure beside shipped ones
    planned = [r["id"] for r in systems.get("not_ranked", []) if r["why"] == "planned"]
    assert planned == ["nvidia-rubin-ultra-nvl576"] and len(systems["not_ranked"]) == 1
    assert systems["total"] + 1 == answer["not_ranked_total"]
