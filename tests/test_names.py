"""Name resolution: the golden table end to end through the MCP tools, and the invariants of normalization."""

from __future__ import annotations

import random
import re
import tomllib
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from mcp import Client

from chipmcp.core import names
from chipmcp.errors import NotFoundError
from chipmcp.tools._common import CHIP_OR_SYSTEM
from conftest import ROOT

GOLDEN = tomllib.loads((ROOT / "tests" / "golden" / "names.toml").read_text(encoding="utf-8"))
ARGUMENT = {
    "lookup_chip": "name",
    "vendor_financials": "vendor",
    "xinchuang_certified": "name",
    "estimate_cluster": "chip",
    "compare_chips": "names",
}


def matched_id(tool: str, answer: dict) -> str:
    if tool == "lookup_chip":
        return answer["id"]
    if tool == "vendor_financials":
        return answer["vendor"]["id"]
    return answer["match"]["id"]


@pytest.fixture(scope="module")
def golden_results(server) -> dict[tuple[str, str], tuple[bool, object]]:
    """Every golden query sent once through the in-memory MCP client."""
    import anyio

    rows = [*GOLDEN.get("match", []), *GOLDEN.get("reject", []), *GOLDEN.get("ambiguous", [])]

    async def run() -> dict[tuple[str, str], tuple[bool, object]]:
        out = {}
        async with Client(server) as client:
            for row in rows:
                result = await client.call_tool(row["tool"], {ARGUMENT[row["tool"]]: row["query"]})
                out[(row["tool"], row["query"])] = (
                    result.is_error,
                    result.content[0].text if result.is_error else result.structured_content,
                )
        return out

    return anyio.run(run)


@pytest.mark.parametrize("row", GOLDEN.get("match", []), ids=lambda r: f"{r['tool']}:{r['query']}")
def test_golden_spelling_resolves_to_its_entity(golden_results, row: dict) -> None:
    is_error, answer = golden_results[(row["tool"], row["query"])]
    assert not is_error, answer
    assert matched_id(row["tool"], answer) == row["expect"]  # type: ignore[arg-type]
    if "method" in row:
        assert answer["match"]["method"] == row["method"]  # type: ignore[index]


@pytest.mark.parametrize("row", GOLDEN.get("reject", []), ids=lambda r: f"{r['tool']}:{r['query']!r}")
def test_golden_non_name_is_refused_with_candidates_not_a_near_match(golden_results, row: dict) -> None:
    is_error, answer = golden_results[(row["tool"], row["query"])]
    assert is_error, f"{row['query']!r} resolved to {answer and matched_id(row['tool'], answer)}"  # type: ignore[arg-type]
    for expected in row.get("candidates_include", []):
        assert expected in answer  # type: ignore[operator]


@pytest.mark.parametrize("row", GOLDEN.get("ambiguous", []), ids=lambda r: f"{r['tool']}:{r['query']}")
def test_golden_ambiguous_name_lists_every_reading(golden_results, row: dict) -> None:
    is_error, answer = golden_results[(row["tool"], row["query"])]
    assert is_error, answer
    for entity in row["among"]:
        assert entity in answer  # type: ignore[operator]


def test_golden_table_is_big_enough() -> None:
    assert len(GOLDEN["match"]) >= 200
    assert len(GOLDEN.get("reject", [])) + len(GOLDEN.get("ambiguous", [])) >= 40


text = st.text(max_size=40)


@given(text)
def test_normalization_is_idempotent(value: str) -> None:
    once = names.spaced(value)
    assert names.spaced(once) == once


# Chinese and the boundary between scripts as regular expressions: the plain statement of what names.py finds
# by comparing code points.
CHINESE = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
SCRIPT_BOUNDARY = re.compile(r"(?<=[\u3400-\u9fff])(?=[0-9a-z])|(?<=[0-9a-z])(?=[\u3400-\u9fff])")


def spaced_in_full(value: str) -> str:
    """`names.spaced` without its shortcuts: every text through NFKC, the marks, casefolding, OpenCC and both splits."""
    value = value.encode("utf-8", "replace").decode("utf-8").translate(names._MARKS)
    value = unicodedata.normalize("NFKC", "".join(c for c in value if unicodedata.category(c) != "Cf")).casefold()
    if CHINESE.search(value):
        value = names._t2s().convert(value)
    return " ".join(SCRIPT_BOUNDARY.sub(" ", names._SEPARATORS.sub(" ", value)).split())


@settings(max_examples=300)
@given(st.text(alphabet=st.sampled_from("Ab9 -_.·™®\u200b　ＡＢ１é中文體積芯片H100ǅß\ufb01\u2160"), max_size=30) | text)
def test_spaced_takes_its_shortcuts_only_where_they_change_nothing(value: str) -> None:
    # ASCII skips NFKC, casefolding and OpenCC; text without Chinese skips the script boundaries.
    assert names.spaced(value) == spaced_in_full(value)


NOISE = st.lists(st.sampled_from([" ", "™", "®", "-", "_", "　"]), max_size=3)


@settings(max_examples=300, deadline=None)
@given(row=st.sampled_from(GOLDEN["match"]), before=NOISE, after=NOISE, wide=st.booleans())
def test_noise_never_changes_the_answer(kb, row: dict, before: list[str], after: list[str], wide: bool) -> None:
    if row["tool"] != "lookup_chip":
        return
    query = row["query"]
    if wide:  # full-width forms of ASCII letters and digits
        query = "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in query)
    noisy = "".join(before) + query + "".join(after)
    assert kb.names.resolve(noisy, CHIP_OR_SYSTEM).id == kb.names.resolve(row["query"], CHIP_OR_SYSTEM).id


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_a_model_number_changed_by_one_character_never_resolves_to_the_original(kb, data) -> None:
    chip = data.draw(st.sampled_from(sorted(kb.ids("chip"))))
    model = kb.entity(chip)["model"]
    digits = [i for i, c in enumerate(model) if c.isdigit()]
    if not digits:
        return
    at = data.draw(st.sampled_from(digits))
    changed = model[:at] + data.draw(st.sampled_from([d for d in "0123456789" if d != model[at]])) + model[at + 1 :]
    try:
        found = kb.names.resolve(changed, CHIP_OR_SYSTEM)
    except NotFoundError:
        return
    assert found.id != chip, f"{changed!r} resolved to {chip} (model {model!r})"


def test_chinese_and_script_boundaries_are_found_as_the_regular_expressions_over_the_ideographs_find_them() -> None:
    """names tells Chinese by comparing code points (a class over 27,000 ideographs takes 4 ms to compile at
    every start): held here to the expressions it replaced, over random text of ideographs (both ends of each
    block), compatibility ideographs, kana, full-width and Latin letters, digits and separators."""
    edges = ["\u3400", "\u33ff", "\u9fff", "\ua000", "\uf900", "\uf8ff", "\ufaff", "\ufb00", "\U00020000"]
    alphabet = [*"a9zA0 -_.é昇腾アＨ", *edges]
    rng = random.Random(24)
    for _ in range(3000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12)))
        assert names._has_chinese(text) == bool(CHINESE.search(text)), text
        assert names._split_scripts(text) == SCRIPT_BOUNDARY.sub(" ", text), text
