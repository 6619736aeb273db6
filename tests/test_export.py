"""export_control_check: TPP per precision, performance density and the ECCN 3A090 standing, through the
MCP client; thresholds are knowledge-base data, so editing them changes the answer."""

from __future__ import annotations

import shutil
import tomllib
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from mcp import Client

from chipmcp.core import compute
from chipmcp.errors import KnowledgeError
from chipmcp.kb import build
from chipmcp.kb.store import KnowledgeBase, knowledge_dir
from chipmcp.serving.server import build_server
from compared import compared_cells

pytestmark = pytest.mark.anyio
GOLDEN = tomllib.loads((Path(__file__).parent / "golden" / "export_controls.toml").read_text(encoding="utf-8"))["row"]


async def check(server, chip: str) -> tuple[dict, str]:
    async with Client(server) as client:
        result = await client.call_tool("export_control_check", {"chip": chip})
    assert not result.is_error, result.content[0].text
    return result.structured_content, result.content[0].text


def rule_class(answer: dict) -> str | None:
    met = [s for s in answer["standings"] if s["reading"] == "rule" and s["status"] == "met"]
    return met[0]["class_name"] if met else None


@pytest.mark.parametrize("row", GOLDEN, ids=[r["chip"] for r in GOLDEN])
async def test_the_reports_bis_table_is_reproduced_where_the_chips_figures_allow(server, row: dict) -> None:
    answer, text = await check(server, row["chip"])
    assert [f["text"] for f in answer["reported"] if f["metric"] == "export_control_class"] == [row["table"]]
    assert answer["reproduction"] in text
    if row["reproduces"]:
        assert rule_class(answer) == (None if row["table"] == "not restricted" else row["table"])
        assert answer["tpp"]["value"] == row["tpp"]
        assert "; reproduced" in answer["reproduction"]
    else:
        assert "not reproduced" in answer["reproduction"]
        assert row["why"] in answer["standing"]


async def test_tpp_is_the_larger_product_of_peak_and_bit_length(server) -> None:
    answer, _ = await check(server, "昇腾910B")
    by_precision = {t["precision"]: t for t in answer["tpp_by_precision"]}
    assert by_precision["fp16"]["tpp"]["value"] == by_precision["fp16"]["compute"]["value"] * 16 == 6016
    assert by_precision["int8"]["tpp"]["value"] == by_precision["int8"]["compute"]["value"] * 8 == 5120
    assert answer["tpp"]["value"] == 6016
    assert rule_class(answer) == "3A090.a"


def test_every_chips_tpp_is_the_largest_of_its_precisions(kb) -> None:
    from chipmcp.reasoning import export_control

    for chip in kb.ids("chip") + kb.ids("system"):
        rows = export_control.tpp_rows(kb, chip)
        tpp = export_control.largest(rows)
        if not rows:
            assert tpp.ends() is None
            continue
        assert tpp.ends() == (max(r.tpp.ends()[0] for r in rows), max(r.tpp.ends()[1] for r in rows)), chip
        for row in rows:
            low, high = row.compute.ends()
            factor = row.bits / (2 if row.sparse_halved else 1)
            assert row.tpp.ends() == (compute.tidy(low * factor), compute.tidy(high * factor)), (chip, row.precision)


async def test_a_sparse_only_figure_is_halved_and_the_answer_says_so(reports_server) -> None:
    # The reports print H20's FP16 only sparse; Epoch's table adds a dense reading (the next test).
    answer, text = await check(reports_server, "H20")
    fp16 = next(t for t in answer["tpp_by_precision"] if t["precision"] == "fp16")
    assert "sparse" in fp16["compute"]["label"]
    assert fp16["tpp"]["value"] == 148 * 16 / 2
    assert any("halved" in w for w in answer["warnings"])
    assert "halved" in text


async def test_headroom_says_how_far_below_each_tpp_threshold(reports_server) -> None:
    answer, text = await check(reports_server, "H20")
    rule = {h["threshold"]: h for h in answer["headroom"] if "rule text" in h["where"]}
    tpp = answer["tpp"]["value"]
    assert rule[1600]["difference"] == [tpp - 1600, tpp - 1600]
    assert rule[4800]["ratio"][0] == pytest.approx(tpp / 4800, rel=1e-3)
    assert answer["standing"].endswith("outside 3A090 by the rule text")
    assert f"{tpp - 1600:,.6g}; ×{tpp / 1600:.4g}" in text


async def test_a_dense_reading_from_another_source_gives_the_tpp_and_the_sparse_one_stays_visible(server) -> None:
    answer, text = await check(server, "H20")
    fp16 = next(t for t in answer["tpp_by_precision"] if t["precision"] == "fp16")
    assert fp16["compute"]["label"] == "FP16 dense" and fp16["tpp"]["value"] == 148 * 16
    assert not any("halved" in w for w in answer["warnings"])
    assert "FP16 dense" in text


async def test_no_precision_stated_compute_figure_means_tpp_cannot_be_computed(server) -> None:
    answer, text = await check(server, "昇腾910D")
    assert answer["tpp_by_precision"] == [] and answer["standings"] == []
    assert answer["standing"].startswith("cannot compute TPP")
    assert any("1.2 PFLOP/s" in n and "no precision printed" in n for n in answer["not_used"])
    assert "cannot compute TPP" in text


async def test_tpp_alone_decides_some_classes_and_the_answer_says_which_stay_open(reports_server, server) -> None:
    # The reports give TPU v5e no die area; Epoch's table gives 325 mm², and its density decides (below).
    answer, text = await check(reports_server, "TPU v5e")  # TPP 3152: above 2400, below 4800, no die area
    by = {(s["class_name"], s["reading"]): s["status"] for s in answer["standings"]}
    assert by[("3A090.b", "rule")] == "undecided"
    assert by[("3A090.a", "rule")] == "undecided"  # a.2 needs PD ≥ 5.92
    assert any("undecided without it" in w for w in answer["warnings"])
    assert answer["standing"] in text
    decided, _ = await check(server, "TPU v5e")
    assert decided["performance_density"]["value"] == pytest.approx(3152 / 325, rel=1e-5)
    assert rule_class(decided) == "3A090.a"  # a.2: TPP ≥ 1600 and PD ≥ 5.92


async def test_a_system_shows_its_tpp_and_its_chips_standing(server) -> None:
    answer, text = await check(server, "CloudMatrix 384")
    assert answer["entity_kind"] == "system" and answer["standings"] == []
    assert answer["tpp"]["value"] == 300_000 * 16
    assert answer["parts"] and "384 × 昇腾910C" in answer["parts"][0] and "3A090.a by the rule text" in answer["parts"][0]
    assert answer["parts"][0] in text


async def test_the_answer_says_it_is_an_indicator_not_a_legal_classification(server) -> None:
    answer, text = await check(server, "H100")
    assert "not a legal classification" in answer["statement"] and answer["statement"] in text
    assert "U.S.-origin" in answer["statement"]
    assert {"us-ccl-3a090-2023", "minsheng-2025h1"} <= {s["id"] for s in answer["sources"]}


async def test_the_thresholds_are_data_a_later_rule_is_a_knowledge_edit(tmp_path: Path) -> None:
    folder = tmp_path / "knowledge"
    shutil.copytree(knowledge_dir(), folder)
    rules = folder / "export-controls.toml"
    rules.write_text(
        rules.read_text(encoding="utf-8").replace(
            '{ quantity = "tpp", op = ">=", value = 4800, printed = "TPP of 4800 or more" }',
            '{ quantity = "tpp", op = ">=", value = 7000, printed = "TPP of 7000 or more" }',
        ),
        encoding="utf-8",
    )
    build.build(folder, tmp_path / "kb.db")
    answer, _ = await check(build_server(KnowledgeBase(tmp_path / "kb.db")), "昇腾910B")  # TPP 6016
    a = next(s for s in answer["standings"] if s["class_name"] == "3A090.a" and s["reading"] == "rule")
    assert a["clauses"][0] == {"test": "TPP >= 7000", "status": "not met"}
    assert any(h["threshold"] == 7000 for h in answer["headroom"])


def test_a_control_class_of_an_unknown_regime_is_rejected_with_file_and_line(tmp_path: Path) -> None:
    folder = tmp_path / "knowledge"
    shutil.copytree(knowledge_dir(), folder)
    rules = folder / "export-controls.toml"
    rules.write_text(
        rules.read_text(encoding="utf-8").replace('regime = "us-export-controls"', 'regime = "us-export-control"', 1), encoding="utf-8"
    )
    with pytest.raises(KnowledgeError) as error:
        build.check(folder)
    problem = next(p for p in error.value.problems if "us-export-control'" in p)
    assert problem.startswith("knowledge/export-controls.toml:") and problem.split(":")[1].isdigit()


def test_verify_says_the_regulation_has_no_report_file_to_check(kb, tmp_path: Path) -> None:
    from chipmcp.authoring.verify import report, verify

    result = verify(kb, tmp_path)  # no report files at all here: every report is missing, the rule is not
    assert not any("us-ccl-3a090-2023" in m for m in result.misses + result.unreported)
    assert result.unchecked["us-ccl-3a090-2023"] > 0
    assert "us-ccl-3a090-2023, which has no report file" in report(result)


intervals = st.tuples(st.floats(-1e6, 1e6), st.floats(0, 1e6)).map(lambda t: (t[0], t[0] + t[1]))


@given(intervals, st.sampled_from([">", ">=", "<", "<="]), st.floats(-1e6, 1e6))
def test_a_test_on_an_interval_holds_only_when_it_holds_at_every_point_of_it(interval, op, threshold) -> None:
    low, high = interval
    points = [low, high, (low + high) / 2, threshold] if low <= threshold <= high else [low, high, (low + high) / 2]
    truth = {compute._COMPARISONS[op](x, threshold) for x in points}
    result = compute.holds(low, high, op, threshold)
    if result is None:
        assert truth == {True, False}
    else:
        assert truth == {result}


def test_three_valued_and_or() -> None:
    assert compute.all_hold([True, None]) is None and compute.all_hold([True, False, None]) is False
    assert compute.any_holds([False, None]) is None and compute.any_holds([None, True]) is True
    assert compute.holds(None, None, ">", 1) is None


async def test_tpp_is_one_number_in_lookup_compare_find_and_the_check(server) -> None:
    """'Which domestic chips exceed TPP 4800?' — the same TPP wherever it is asked for."""
    answer, _ = await check(server, "昇腾910C")
    async with Client(server) as client:
        lookup = (await client.call_tool("lookup_chip", {"name": "昇腾910C"})).structured_content
        compared = await client.call_tool("compare_chips", {"names": ["昇腾910C", "H20"], "metrics": ["tpp"]})
        found = await client.call_tool(
            "find_chips", {"domestic": True, "sort_by": "tpp", "where": [{"metric": "tpp", "op": ">=", "value": 4800}]}
        )
    ends = [answer["tpp"].get("low", answer["tpp"].get("value")), answer["tpp"].get("high", answer["tpp"].get("value"))]
    derived = next(d for d in lookup["derived"] if d["name"] == "tpp")
    assert [derived.get("low", derived.get("value")), derived.get("high", derived.get("value"))] == ends
    tpp = compared_cells(compared.structured_content)["huawei-ascend-910c"]["tpp"]
    assert [tpp.get("low", tpp.get("value")), tpp.get("high", tpp.get("value"))] == ends
    rows = found.structured_content["rows"]
    assert "huawei-ascend-910c" in {r["id"] for r in rows} and "huawei-ascend-910b" in {r["id"] for r in rows}
    lows = [r["cells"]["tpp"].get("low", r["cells"]["tpp"].get("value")) for r in rows]
    assert all(low >= 4800 for low in lows) and lows == sorted(lows, reverse=True)
    assert "nvidia-h20" not in {r["id"] for r in rows}
