"""Every tool driven with generated arguments through the in-memory client: the server never crashes,
every error is a message a model can act on, every answer validates against the tool's outputSchema,
and the knowledge base file is unchanged afterwards.

CHIPMCP_FUZZ_EXAMPLES sets the examples per tool of the full run (default 2000; 10000+ for a long run), which is
marked slow; the quick loop (pytest -m "not slow") runs QUICK_EXAMPLES per tool.
"""

from __future__ import annotations

import hashlib
import math
import os
import sqlite3
from contextlib import contextmanager

import anyio.from_thread
import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mcp import Client

EXAMPLES = int(os.environ.get("CHIPMCP_FUZZ_EXAMPLES", "2000"))
QUICK_EXAMPLES = 60


def fuzz(examples: int) -> settings:
    return settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


nasty_text = st.one_of(
    st.sampled_from(
        [
            "",
            " ",
            "\t\n",
            "910B'; DROP TABLE chips;--",
            "' OR '1'='1",
            '{"name": "910B"}',
            "昇腾910B",
            "H100",
            "ＭＴＴ Ｓ４０００",
            "壁砺™166",
            "\x00\x01\x1b[31m",
            "\ud800",
            "🚀🔥",
            "null",
            "NaN",
            "x" * 10_000,
            "910",
            "920",
            "寒武纪",
            "2025",
            "revenue",
            "亿元",
            "fp16",
        ]
    ),
    st.text(max_size=60),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=30),
)
anything = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    nasty_text,
    st.lists(nasty_text, max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
)
names_list = st.one_of(
    st.lists(nasty_text, max_size=25),
    st.lists(st.sampled_from(["910B", "H100", "H20", "MTT S4000", "MLU370-X8", "A100", "B200", "曦云C500"]), min_size=0, max_size=500),
)


def args(**fields):
    """Arguments with each field either plausible, absent, or anything at all."""
    return st.fixed_dictionaries({}, optional={k: st.one_of(v, anything) for k, v in fields.items()})


STRATEGIES = {
    "lookup_chip": args(name=nasty_text),
    "compare_chips": args(
        names=names_list,
        metrics=st.lists(st.sampled_from(["compute_tflops", "tdp_w", "speed", "tflops_per_w"]), max_size=4),
        baseline=nasty_text,
        precision=st.sampled_from(["fp16", "bf16", "fp8", "int8", "fp13"]),
    ),
    "estimate_cluster": args(
        chip=nasty_text,
        count=st.integers(-5, 10**8),
        target_pflops=st.floats(),
        precision=st.sampled_from(["fp16", "bf16", "fp8", "int8", "fp4", "fp99"]),
        cards_per_server=st.integers(-1, 2000),
        utilization=st.floats(),
        p_base=st.sampled_from([1000, 1024, 999]),
        parameters_billion=st.floats(),
        tokens_billion=st.floats(),
        mfu=st.floats(),
        workload=nasty_text,
    ),
    "xinchuang_certified": args(name=nasty_text),
    "export_control_check": args(chip=nasty_text),
    "vendor_financials": args(vendor=nasty_text, period=nasty_text, metric=nasty_text, unit=nasty_text),
}


def checksum(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@contextmanager
def connected(server):
    with anyio.from_thread.start_blocking_portal() as portal, portal.wrap_async_context_manager(Client(server)) as client:
        yield portal, client


@pytest.mark.parametrize(
    "examples", [pytest.param(QUICK_EXAMPLES, id="quick"), pytest.param(EXAMPLES, id="full", marks=pytest.mark.slow)]
)
@pytest.mark.parametrize("tool", sorted(STRATEGIES))
def test_generated_arguments_never_crash_a_tool(server, db_path, tool: str, examples: int) -> None:
    before = checksum(db_path)
    with connected(server) as (portal, client):
        schema = {t.name: t.output_schema for t in portal.call(client.list_tools).tools}[tool]

        @fuzz(examples)
        @given(arguments=STRATEGIES[tool])
        def call(arguments: dict) -> None:
            result = portal.call(client.call_tool, tool, arguments)
            if result.is_error:
                text = result.content[0].text
                assert text.startswith(f"Error executing tool {tool}: ") or "validation error" in text, text
                assert "Traceback" not in text and 'File "' not in text, text
            else:
                jsonschema.validate(result.structured_content, schema)
                _no_nan(result.structured_content)

        call()
    assert checksum(db_path) == before, "the knowledge base file changed during the fuzz run"


def _no_nan(value: object) -> None:
    if isinstance(value, float):
        assert math.isfinite(value)
    elif isinstance(value, dict):
        for item in value.values():
            _no_nan(item)
    elif isinstance(value, list):
        for item in value:
            _no_nan(item)


def test_the_knowledge_base_rejects_writes(kb, db_path) -> None:
    before = checksum(db_path)
    for statement in (
        "DROP TABLE figures",
        "DELETE FROM figures",
        "INSERT INTO meta VALUES ('x', 'y')",
        "UPDATE figures SET value = 0",
    ):
        with pytest.raises(sqlite3.OperationalError, match=r"readonly|read-only|query_only|attempt to write"):
            kb._connection.execute(statement)
    assert checksum(db_path) == before
