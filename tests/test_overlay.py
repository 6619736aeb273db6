"""A user's own knowledge folder beside the bundled one: merged, checked as strictly, served, and documented."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from mcp import Client

from chipmcp.authoring.candidates import find_candidates
from chipmcp.errors import KnowledgeError
from chipmcp.kb import build
from chipmcp.kb.fingerprint import fingerprint
from chipmcp.kb.store import KnowledgeBase, knowledge_dir
from chipmcp.serving.server import build_server
from conftest import ROOT
from test_build import VALID, write

EXAMPLE = ROOT / "tests" / "data" / "example-knowledge"
REPORT = ROOT / "tests" / "data" / "example-report.txt"

# `kb candidates` on the example report: (line, entity, printed) — with the bundled knowledge alone, and
# with the example folder added (which holds everything but the server power, left out on purpose).
CANDIDATES_BUNDLED = [(13, "huawei-ascend-910b", "350W")]
CANDIDATES_WITH_EXAMPLE = [(9, "xinghe-xh-200", "3.2kW")]


@pytest.fixture(scope="module")
def overlay_kb(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeBase:
    path = tmp_path_factory.mktemp("overlay") / "chipmcp.db"
    build.build([knowledge_dir(), EXAMPLE], path)
    return KnowledgeBase(path)


@pytest.fixture(scope="module")
def overlay_server(overlay_kb: KnowledgeBase):
    return build_server(overlay_kb)


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("cache")


def run(args: list[str], cache: Path, cwd: Path = ROOT, **env: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if k not in ("CHIPMCP_DB", "CHIPMCP_KNOWLEDGE")}
    return subprocess.run(
        [sys.executable, "-m", "chipmcp", *args],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=cwd,
        env={**base, "XDG_CACHE_HOME": str(cache), "PYTHONIOENCODING": "utf-8", **env},
    )


# --- merged knowledge through the MCP client ------------------------------------------------------------


@pytest.mark.anyio
async def test_a_users_chip_is_found_by_lookup_chip_and_its_figures_cite_the_users_source(overlay_server) -> None:
    async with Client(overlay_server) as client:
        result = await client.call_tool("lookup_chip", {"name": "星河XH-200"})
    assert not result.is_error, result.content
    answer = result.structured_content
    assert answer["id"] == "xinghe-xh-200"
    places = answer["page"]["citations"]
    assert answer["figures"] and {places[f["cite"]]["source"] for f in answer["figures"]} == {"example-2026-03"}
    compute = [f for f in answer["figures"] if f["metric"] == "compute" and f["printed"] == "256 TFLOPS"]
    assert compute and places[compute[0]["cite"]]["locator"] == "表1 XH-200主要参数"
    assert "example-2026-03" in result.content[0].text


@pytest.mark.anyio
async def test_a_users_chip_is_found_and_ranked_by_find_chips_with_its_cells_citing_the_users_figures(
    overlay_server, overlay_kb: KnowledgeBase
) -> None:
    async with Client(overlay_server) as client:
        listed = await client.call_tool("find_chips", {"vendor": "星河智算"})
        ranked = await client.call_tool(
            "find_chips",
            {"domestic": True, "sort_by": "memory_bandwidth_gbs", "where": [{"metric": "memory_gb", "op": ">=", "value": 64}]},
        )
    assert not listed.is_error and not ranked.is_error, (listed.content, ranked.content)
    assert [r["id"] for r in listed.structured_content["rows"]] == ["xinghe-xh-200"]
    row = next(r for r in ranked.structured_content["rows"] if r["id"] == "xinghe-xh-200")
    cited = {f["source"] for f in overlay_kb.figures_by_ids(row["cells"]["memory_bandwidth_gbs"]["figure_ids"])}
    assert cited == {"example-2026-03"} and row["cells"]["memory_bandwidth_gbs"]["value"] == 1800


@pytest.mark.anyio
async def test_an_extension_adds_a_users_spelling_to_a_bundled_chip(overlay_server, server) -> None:
    async with Client(overlay_server) as client:
        extended = await client.call_tool("lookup_chip", {"name": "MTT S4000智算卡"})
    assert not extended.is_error and extended.structured_content["id"] == "moore-threads-mtt-s4000"
    assert extended.structured_content["match"]["method"] == "exact"
    async with Client(server) as client:  # the bundled knowledge alone does not know that spelling exactly
        bundled = await client.call_tool("lookup_chip", {"name": "MTT S4000智算卡"})
    assert bundled.is_error or bundled.structured_content["match"]["method"] != "exact"


@pytest.mark.anyio
async def test_a_users_figure_disagreeing_with_a_bundled_one_is_a_conflict_in_lookup_chip(overlay_server) -> None:
    async with Client(overlay_server) as client:
        result = await client.call_tool("lookup_chip", {"name": "昇腾910B", "detail": "full", "limit": 200})
    figures = result.structured_content["figures"]
    users = next(f for f in figures if f["source"] == "example-2026-03" and f["metric"] == "tdp")
    bundled = next(f for f in figures if f["printed"] == "400W" and f["metric"] == "tdp")
    assert bundled["id"] in users["conflicts_with"]
    assert users["conflict_group"] is not None and users["conflict_group"] == bundled["conflict_group"]
    tdp = [c for c in result.structured_content["conflicts"] if "350W" in c["summary"]]
    assert tdp and "400W" in tdp[0]["summary"]


def test_adding_a_folder_leaves_the_bundled_figures_ids_alone(kb: KnowledgeBase, overlay_kb: KnowledgeBase) -> None:
    bundled = {(f["id"], f["origin"]) for f in kb.all_figures()}
    merged = {(f["id"], f["origin"]) for f in overlay_kb.all_figures()}
    assert bundled < merged
    assert overlay_kb.folders == ("knowledge", EXAMPLE.resolve().as_posix())


# --- collisions and extensions -------------------------------------------------------------------------


def _user_folder(tmp_path: Path, files: dict[str, str]) -> list[Path]:
    return [write(tmp_path / "knowledge", VALID), write(tmp_path / "mine", files)]


def test_an_id_colliding_with_a_bundled_record_is_rejected_with_file_and_line(tmp_path: Path) -> None:
    folders = _user_folder(
        tmp_path,
        {
            "catalog/chips.toml": "# mine\n\n"
            + VALID["catalog/entities.toml"].split("[[chip]]")[0].replace('id = "acme"', 'id = "acme"', 1)
        },
    )
    with pytest.raises(KnowledgeError) as error:
        build.check(folders)
    problem = next(p for p in error.value.problems if "duplicate id" in p)
    mine = (tmp_path / "mine").resolve().as_posix()
    assert re.match(rf"{re.escape(mine)}/catalog/chips\.toml:\d+: vendor acme: ", problem), problem
    assert "knowledge/catalog/entities.toml:2" in problem and "extends = true" in problem


def test_a_collision_with_the_real_bundled_knowledge_names_both_places(tmp_path: Path) -> None:
    mine = write(
        tmp_path / "mine",
        {
            "catalog/chips.toml": (
                '[[chip]]\nid = "huawei-ascend-910b"\nvendor = "huawei"\nname_zh = "昇腾910B"\nname_en = "Ascend 910B"\n'
                'model = "910B"\nkind = "NPU"\n'
            )
        },
    )
    with pytest.raises(KnowledgeError) as error:
        build.check([knowledge_dir(), mine])
    assert any(
        p.startswith(f"{mine.resolve().as_posix()}/catalog/chips.toml:1: chip huawei-ascend-910b: duplicate id")
        and "knowledge/catalog/chips-china.toml:" in p
        for p in error.value.problems
    ), error.value.problems


EXTENSIONS = [
    ("an extension adds aliases", '[[chip]]\nid = "acme-x100"\nextends = true\naliases = ["X-100 Pro"]\n', None),
    (
        "an extension may not rename",
        '[[chip]]\nid = "acme-x100"\nextends = true\naliases = ["X"]\nname_zh = "新名"\n',
        "carries only id and aliases, not name_zh",
    ),
    ("an extension needs aliases", '[[chip]]\nid = "acme-x100"\nextends = true\naliases = []\n', "aliases"),
    ("an extension of nothing", '[[chip]]\nid = "acme-x999"\nextends = true\naliases = ["X999"]\n', "not defined"),
    ("an extension of another kind", '[[chip]]\nid = "acme"\nextends = true\naliases = ["ACM"]\n', "is a vendor"),
    ("a source never extends", '[[source]]\nid = "rep-1"\nextends = true\n', "only vendor, chip"),
    ("extends must be true", '[[chip]]\nid = "acme-x100"\nextends = false\naliases = ["Y"]\n', "extends"),
    (
        "an extension's alias may not name another entity",
        '[[chip]]\nid = "acme-x100"\nextends = true\naliases = ["Acme"]\n',
        "also names",
    ),
]


@pytest.mark.parametrize(("what", "text", "reason"), EXTENSIONS, ids=[e[0] for e in EXTENSIONS])
def test_an_extension_carries_aliases_for_an_existing_entity_and_nothing_else(
    tmp_path: Path, what: str, text: str, reason: str | None
) -> None:
    folders = _user_folder(tmp_path, {"catalog/more.toml": "\n" + text})
    if reason is None:
        out = tmp_path / "kb.db"
        build.build(folders, out)
        names = KnowledgeBase(out).names
        assert names.resolve("X-100 Pro", frozenset({"chip"})).id == "acme-x100"
        return
    with pytest.raises(KnowledgeError) as error:
        build.check(folders)
    problem = next((p for p in error.value.problems if reason in p), None)
    assert problem is not None, error.value.problems
    assert problem.startswith(f"{(tmp_path / 'mine').resolve().as_posix()}/catalog/more.toml:2"), problem


# --- fingerprint -----------------------------------------------------------------------------------------


def test_the_fingerprint_changes_when_a_file_of_an_extra_folder_changes(tmp_path: Path) -> None:
    mine = tmp_path / "mine"
    shutil.copytree(EXAMPLE, mine)
    bundled_only = fingerprint(knowledge_dir())
    first = fingerprint([knowledge_dir(), mine])
    assert first != bundled_only and fingerprint([knowledge_dir(), mine]) == first
    figures = mine / "figures" / "example-2026-03.toml"
    figures.write_text(figures.read_text(encoding="utf-8").replace("3.2亿元", "3.3亿元"), encoding="utf-8")
    edited = fingerprint([knowledge_dir(), mine])
    assert edited != first
    (mine / "catalog" / "more.toml").write_text("# a new file\n", encoding="utf-8")
    assert fingerprint([knowledge_dir(), mine]) not in (first, edited)


# --- kb candidates ---------------------------------------------------------------------------------------


def test_kb_candidates_lists_the_expected_lines_and_nothing_already_held(kb: KnowledgeBase, overlay_kb: KnowledgeBase) -> None:
    text = REPORT.read_text(encoding="utf-8")
    for knowledge, expected in ((kb, CANDIDATES_BUNDLED), (overlay_kb, CANDIDATES_WITH_EXAMPLE)):
        found = find_candidates(knowledge, text)
        assert [(c.line_number, c.entity, c.printed) for c in found] == expected
        lines = text.splitlines()
        assert all(c.line == lines[c.line_number - 1].strip() for c in found)
        for c in found:  # nothing listed is a printed token the entity already has
            assert c.printed not in {f["printed"] for f in knowledge.figures(c.entity)}


def test_kb_candidates_guesses_the_metric_from_the_words_before_the_number(kb: KnowledgeBase) -> None:
    # 400, not 200: Epoch's table gives the S4000 200 TOPS (INT8), and a held amount of the same dimension is
    # no candidate, whatever its precision.
    text = "摩尔线程MTT S4000的FP8算力为400 TFLOPS，显存带宽1TB/s，功耗500W。\n"
    found = {c.printed: c for c in find_candidates(kb, text)}
    assert found["400 TFLOPS"].metric == "compute" and found["400 TFLOPS"].precision == "fp8"
    assert found["1TB/s"].metric == "memory_bandwidth" and found["500W"].metric == "tdp"
    assert {c.entity for c in found.values()} == {"moore-threads-mtt-s4000"}


def test_kb_candidates_does_not_read_a_longer_model_number_as_a_shorter_one(kb: KnowledgeBase) -> None:
    found = find_candidates(kb, "H200的显存为150GB。\nH20 的显存为99GB。\n")
    assert [(c.line_number, c.entity) for c in found if c.printed in ("150GB", "99GB")] == [(1, "nvidia-h200"), (2, "nvidia-h20")]


# --- the CLI: flags, environment, scaffold, verify, check -------------------------------------------------


@pytest.mark.slow  # runs the chipmcp command
def test_the_knowledge_flag_and_the_environment_variable_both_add_a_folder(cache: Path) -> None:
    call = ["call", "lookup_chip", '{"name": "XH-200"}']
    by_flag = run([*call, "--knowledge", str(EXAMPLE)], cache)
    by_env = run(call, cache, CHIPMCP_KNOWLEDGE=os.pathsep.join(["", str(EXAMPLE), ""]))
    on_root = run(["--knowledge", str(EXAMPLE), "call", *call[1:]], cache)
    for result in (by_flag, by_env, on_root):
        assert result.returncode == 0, result.stderr
        assert '"id": "xinghe-xh-200"' in result.stdout
    without = run(call, cache)
    assert without.returncode == 1 and "xinghe" not in without.stdout


@pytest.mark.slow  # runs the chipmcp command
def test_a_missing_knowledge_folder_is_a_clear_error(cache: Path, tmp_path: Path) -> None:
    result = run(["build", "--check", "--knowledge", str(tmp_path / "nowhere")], cache)
    assert result.returncode == 1
    assert "nowhere: knowledge folder not found (given by --knowledge)" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.slow  # runs the chipmcp command
def test_build_check_names_what_each_folder_brought(cache: Path) -> None:
    result = run(["build", "--check", "--knowledge", str(EXAMPLE)], cache)
    assert result.returncode == 0, result.stderr
    bundled_sources = len(tomllib.loads((ROOT / "knowledge" / "sources.toml").read_text(encoding="utf-8"))["source"])
    assert f"from knowledge: {bundled_sources} sources" in result.stdout
    assert f"from {EXAMPLE.resolve().as_posix()}: 1 sources, 2 entities, 11 figures" in result.stdout
    # The whole's counts are the folders' sum (one validation gives both).
    total = result.stdout.splitlines()[0]
    assert total.startswith("the knowledge is valid: ") and f"{bundled_sources + 1} sources" in total


@pytest.mark.slow  # runs the chipmcp command
def test_verify_checks_a_users_source_in_its_reports_folder_and_names_sources_without_one(cache: Path) -> None:
    only = run(["kb", "verify", "--knowledge", str(EXAMPLE), "--reports", str(REPORT.parent), "--source", "example-2026-03"], cache)
    assert only.returncode == 0, only.stdout + only.stderr
    assert "checked 11 printed tokens of 1 source(s): 0 missing" in only.stdout
    assert f"figures per folder: {EXAMPLE.resolve().as_posix()} 11" in only.stdout
    everything = run(["kb", "verify", "--knowledge", str(EXAMPLE), "--reports", str(REPORT.parent)], cache)
    assert everything.returncode == 1
    unreported = [line for line in everything.stdout.splitlines() if line.startswith("NO REPORT FILE")]
    assert len(unreported) == 5 and all("knowledge/sources.toml:" in line for line in unreported)
    assert "example-2026-03" not in "\n".join(unreported)
    unknown = run(["kb", "verify", "--reports", str(REPORT.parent), "--source", "nope"], cache)
    assert unknown.returncode == 1 and "No source 'nope'" in unknown.stderr


@pytest.mark.slow  # runs the chipmcp command
def test_new_source_scaffolds_a_record_and_an_empty_figures_file_that_the_build_checks(cache: Path, tmp_path: Path) -> None:
    mine = tmp_path / "mine"
    made = run(["kb", "new-source", "my-report", "--report", str(REPORT), "--into", str(mine)], cache)
    assert made.returncode == 0, made.stderr
    source, figures = (mine / "sources.toml").read_text(encoding="utf-8"), mine / "figures" / "my-report.toml"
    assert 'id = "my-report"' in source and 'file = "example-report.txt"' in source and 'language = "zh-Hans"' in source
    assert figures.is_file() and all(not line or line.startswith("#") for line in figures.read_text(encoding="utf-8").splitlines())
    refused = run(["build", "--check", "--knowledge", str(mine)], cache)
    assert refused.returncode == 1
    assert f"{mine.resolve().as_posix()}/sources.toml:2: source my-report: publisher:" in refused.stderr
    again = run(["kb", "new-source", "my-report", "--report", str(REPORT), "--into", str(mine)], cache)
    assert again.returncode == 1 and "already" in again.stderr
    taken = run(["kb", "new-source", "guosen-2026", "--report", str(REPORT), "--into", str(tmp_path / "b")], cache)
    assert taken.returncode == 1 and "already exists" in taken.stderr


# --- the walk-through of knowledge/README.md, exactly as written ------------------------------------------


def walkthrough() -> list[str]:
    readme = (ROOT / "knowledge" / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Adding a report of your own", 1)[1]
    block = section.split("```bash\n", 1)[1].split("```", 1)[0]
    return [line for line in block.splitlines() if line.strip() and not line.startswith("#")]


@pytest.mark.slow  # runs the chipmcp command
def test_the_readme_walkthrough_runs_as_written(cache: Path, tmp_path: Path) -> None:
    """Each command from a copy of the repository root's relevant folders; the one the text says is refused
    must fail, every other must succeed."""
    (tmp_path / "tests").symlink_to(ROOT / "tests")
    commands = walkthrough()
    assert len(commands) >= 6
    outputs = []
    for command in commands:
        words = shlex.split(command)
        env = dict(word.split("=", 1) for word in words if re.match(r"^[A-Z_]+=", word))
        words = [w for w in words if not re.match(r"^[A-Z_]+=", w)]
        assert words[0] == ".venv/bin/chipmcp", command
        env = {k: str(tmp_path / v) if k == "CHIPMCP_KNOWLEDGE" else v for k, v in env.items()}
        result = run(words[1:], cache, cwd=tmp_path, **env)
        refused = words[1:3] == ["build", "--check"] and "my-knowledge" in words
        assert (result.returncode == 1) if refused else (result.returncode == 0), (command, result.stderr)
        outputs.append(result.stdout + result.stderr)
    joined = "\n".join(outputs)
    assert "'350W'" in joined and "'3.2kW'" in joined and "xinghe-xh-200" in joined
    assert "0 missing" in joined and "example-2026-03" in joined


@pytest.mark.slow  # runs the chipmcp command
def test_a_report_saved_in_gb18030_is_read_and_a_binary_file_is_a_clear_error(cache: Path, tmp_path: Path) -> None:
    """Chinese PDF-to-text exports are often GBK/GB18030: curation reads them as it reads UTF-8."""
    gbk = tmp_path / "report-gbk.txt"
    gbk.write_bytes(REPORT.read_text(encoding="utf-8").encode("gb18030"))
    as_utf8, as_gbk = run(["kb", "candidates", str(REPORT)], cache), run(["kb", "candidates", str(gbk)], cache)
    assert as_gbk.returncode == as_utf8.returncode == 0, as_gbk.stderr
    assert as_gbk.stdout.replace(str(gbk), "R") == as_utf8.stdout.replace(str(REPORT), "R")
    binary = tmp_path / "picture.txt"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    refused = run(["kb", "candidates", str(binary)], cache)
    assert refused.returncode != 0 and "not a text file" in refused.stderr and "Traceback" not in refused.stderr


@pytest.mark.slow  # runs the chipmcp command
@pytest.mark.parametrize("flags", [["--port", "99999"], ["--max-connections", "0"], ["--workers", "-3"], ["--request-timeout", "-1"]])
def test_serve_refuses_values_out_of_range_with_a_usage_error(cache: Path, flags: list[str]) -> None:
    refused = run(["serve", "--http", *flags], cache)
    assert refused.returncode == 2 and "is outside" in refused.stderr and "Traceback" not in refused.stderr
