"""The view in a real browser: headless Chromium loads tests/views/host.html, which hands the view a real
tool answer (called through the MCP client) as an MCP Apps host does, and the DOM is read back.

Needs the distribution's Chromium (apt-get install chromium) and playwright-core from npm (no browser
download), found through NODE_PATH; CHIPMCP_CHROMIUM names another browser binary. Without them the test
skips and says what is missing. Screenshots go to the test's tmp folder, and also to the folder
CHIPMCP_SCREENSHOTS names (the README's come from CHIPMCP_SCREENSHOTS=docs/screenshots)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from mcp import Client

from chipmcp.views import view_html
from compared import cells_by_key, compared_cells

HERE = Path(__file__).parent / "views"
CASES: dict[str, tuple[str, dict[str, Any], str]] = {
    # name: (tool, arguments, host theme) — chosen to hold a disagreement, a printed range and a system each
    "compare": ("compare_chips", {"names": ["昇腾910B", "H20", "MTT S4000", "MLU590", "昇腾910C", "曦云C500"]}, "light"),
    "find": (
        "find_chips",
        {"domestic": True, "where": [{"metric": "memory_gb", "op": ">=", "value": 64}], "sort_by": "compute_tflops"},
        "light",
    ),
    "estimate": ("estimate_cluster", {"chip": "昇腾910B", "count": 1024}, "light"),
    "compare-dark": ("compare_chips", {"names": ["昇腾910B", "H20", "MTT S4000", "MLU590", "昇腾910C", "曦云C500"]}, "dark"),
}


def _browser() -> tuple[str, dict[str, str]]:
    """The Chromium binary and the environment node finds playwright-core in; skips naming what is missing."""
    chromium = os.environ.get("CHIPMCP_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    node = shutil.which("node")
    env = dict(os.environ)
    if not chromium:
        pytest.skip("headless Chromium is not installed (apt-get install chromium, or set CHIPMCP_CHROMIUM): browser test not run")
    if not node:
        pytest.skip("node is not installed: the browser test drives Chromium through playwright-core; not run")
    found = subprocess.run([node, "-e", "require.resolve('playwright-core')"], env=env, capture_output=True, timeout=60)
    if found.returncode != 0:
        pytest.skip(
            "playwright-core is not installed for node (npm install playwright-core; point NODE_PATH at its "
            "node_modules): browser test not run"
        )
    return chromium, env


@pytest.fixture(scope="module")
def rendered(server, tmp_path_factory) -> dict[str, Any]:
    chromium, env = _browser()
    out = tmp_path_factory.mktemp("views")
    import anyio

    async def answers() -> dict[str, dict[str, Any]]:
        calls = {}
        async with Client(server) as client:
            for name, (tool, arguments, _) in CASES.items():
                result = await client.call_tool(tool, arguments)
                assert not result.is_error, result
                calls[name] = {
                    "name": tool,
                    "arguments": arguments,
                    "result": result.model_dump(mode="json", by_alias=True, exclude_none=True),
                }
        return calls

    calls = anyio.run(answers)
    job = {
        "chromium": chromium,
        "host": str(HERE / "host.html"),
        "html": view_html(),
        "userDataDir": str(out / "profile"),
        "cases": [
            {
                "name": name,
                "call": calls[name],
                "theme": theme,
                "screenshot": str(out / f"{name}.png"),
                "sortBy": "tdp_w" if name == "compare" else None,
                "switchTheme": "light" if name == "compare-dark" else None,
            }
            for name, (_, _, theme) in CASES.items()
        ],
    }
    (out / "job.json").write_text(json.dumps(job, ensure_ascii=False), encoding="utf-8")
    run = subprocess.run(
        [shutil.which("node") or "node", str(HERE / "drive.cjs"), str(out / "job.json")],
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    facts = json.loads(run.stdout)
    keep = os.environ.get("CHIPMCP_SCREENSHOTS")
    for name in CASES:
        assert (out / f"{name}.png").stat().st_size > 10_000, name
        if keep:
            Path(keep).mkdir(parents=True, exist_ok=True)
            shutil.copy(out / f"{name}.png", Path(keep) / f"{name}.png")
    return {name: {"facts": facts[name], "answer": calls[name]["result"]["structuredContent"]} for name in CASES}


pytestmark = pytest.mark.slow


def _ids(cell: dict[str, Any]) -> list[str]:
    return [f"#{i}" for i in cell.get("figure_ids", [])]


def test_the_view_shakes_hands_as_the_spec_says_and_fetches_nothing(rendered) -> None:
    for name, seen in rendered.items():
        log = seen["facts"]["hostLog"]
        assert log[:2] == ["ui/initialize", "ui/notifications/initialized"], (name, log)
        assert "ui/notifications/size-changed" in log, name
        assert [u for u in seen["facts"]["requests"] if not u.startswith("file://")] == [], name


def test_compare_shows_every_chip_and_every_cell_with_its_citation(rendered) -> None:
    facts, answer = rendered["compare"]["facts"], rendered["compare"]["answer"]
    assert facts["view"] == "compare"
    assert facts["rows"] == [r["id"] for r in answer["rows"]]
    cells = {(c["row"], c["column"].split(" (")[0]): c for c in facts["cells"]}
    expected = {(r, key): cell for r, row in compared_cells(answer).items() for key, cell in row.items()}
    assert set(cells) == set(expected)
    for where, cell in expected.items():
        shown = cells[where]
        assert shown["title"] == shown["cite"], where  # on hover as on click
        assert all(i in shown["cite"] for i in _ids(cell)) and (cell.get("figure_ids") or "computed" in shown["cite"]), where
        assert all(s["id"] in shown["cite"] for s in answer["sources"]), where


def test_compare_charts_have_one_mark_per_chip_and_contested_figures_and_ranges_are_marked(rendered) -> None:
    facts, answer = rendered["compare"]["facts"], rendered["compare"]["answer"]
    compared = compared_cells(answer)
    for column in answer["columns"]:
        with_number = [r for r, row in compared.items() if {"value", "low"} & set(row.get(column["key"], {}))]
        if with_number:
            assert [m["id"] for m in facts["charts"][column["key"]]] == with_number, column["key"]
    compute = "compute_" + answer["derived_precision"]
    numbered = {(r, k) for r, row in compared.items() for k, c in row.items() if {"value", "low"} & set(c)}
    both = [r for r in compared if (r, compute) in numbered and (r, "tdp_w") in numbered]
    assert [m["id"] for m in facts["charts"]["scatter"]] == both
    cells = {(c["row"], c["column"].split(" (")[0]): c for c in facts["cells"]}
    contested = {(r, k) for r, row in compared.items() for k, c in row.items() if c.get("span")}
    ranged = {(r, k) for r, row in compared.items() for k, c in row.items() if "low" in c}
    assert contested and ranged, "the case is chosen to hold both"
    assert {w for w, c in cells.items() if c["contested"]} == contested
    assert all("⚖" in cells[w]["marker"] for w in contested)
    assert {w for w, c in cells.items() if c["range"]} >= ranged
    marks = {(m["id"], key) for key, ms in facts["charts"].items() if key != "scatter" for m in ms if m["contested"]}
    assert marks == {w for w in contested if w[1] in facts["charts"]}
    assert facts["clicked"]["panel"] == facts["clicked"]["cite"]


def test_compare_sorts_by_a_clicked_column_missing_figures_last(rendered) -> None:
    facts, answer = rendered["compare"]["facts"], rendered["compare"]["answer"]

    def low(row: dict[str, Any]) -> float | None:
        cell = cells_by_key(answer, row).get("tdp_w", {})
        return cell.get("value", cell.get("low"))

    reported = sorted((r for r in answer["rows"] if low(r) is not None), key=lambda r: -low(r))
    assert facts["sorted"][: len(reported)] == [r["id"] for r in reported]
    assert set(facts["sorted"][len(reported) :]) == {r["id"] for r in answer["rows"] if low(r) is None}


def test_find_ranks_its_rows_in_a_chart_with_one_mark_per_chip(rendered) -> None:
    facts, answer = rendered["find"]["facts"], rendered["find"]["answer"]
    assert facts["view"] == "find"
    assert facts["rows"] == [r["id"] for r in answer["rows"]]
    assert [m["id"] for m in facts["charts"][answer["sort_by"]]] == [r["id"] for r in answer["rows"]]
    cited = {(c["row"], c["column"].split(" (")[0]): c["cite"] for c in facts["cells"]}
    for row in answer["rows"]:
        for key, cell in row["cells"].items():
            assert all(i in cited[row["id"], key] for i in _ids(cell)), (row["id"], key)
    contested = {r["id"] for r in answer["rows"] if r["cells"][answer["sort_by"]].get("span")}
    assert contested and {m["id"] for m in facts["charts"][answer["sort_by"]] if m["contested"]} == contested


def test_estimate_draws_each_claim_of_a_contested_total_as_its_own_mark(rendered) -> None:
    facts, answer = rendered["estimate"]["facts"], rendered["estimate"]["answer"]
    assert facts["view"] == "estimate"
    totals = [k for k in facts["rows"]]
    assert totals and all(k in answer for k in totals)
    power = answer["chip_power_kw"]
    assert len(power["claims"]) == 2
    assert [m["contested"] for m in facts["charts"]["chip_power_kw"]] == [True, True]
    assert len(facts["charts"]["memory_tb"]) == 1 and not facts["charts"]["memory_tb"][0]["contested"]
    cite = {c["row"]: c["cite"] for c in facts["cells"]}["chip_power_kw"]
    assert all(i in cite for claim in power["claims"] for i in _ids(claim))
    assert answer["sources"][0]["id"] in cite


def test_the_host_theme_sets_the_view_theme_and_a_change_follows(rendered) -> None:
    dark, light = rendered["compare-dark"]["facts"], rendered["compare"]["facts"]

    def brightness(rgb: str) -> int:
        return sum(int(x) for x in rgb[rgb.index("(") + 1 : rgb.index(")")].split(",")[:3])

    assert (dark["theme"], light["theme"]) == ("dark", "light")
    assert brightness(dark["background"]) < 150 < 600 < brightness(light["background"])
    assert dark["switched"][0] == "light" and brightness(dark["switched"][1]) > 600
