"""The per-knowledge-base memo: what it hands out cannot be changed by a caller, and closing a knowledge base
frees it and everything computed from it."""

from __future__ import annotations

import gc
import threading
import weakref
from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp import Client
from pydantic import BaseModel, ConfigDict, PrivateAttr

from chipmcp.errors import ChipMCPError, NotFoundError
from chipmcp.kb.memo import handout
from chipmcp.kb.store import KnowledgeBase
from chipmcp.reasoning import catalog_index
from chipmcp.serving.server import build_server
from chipmcp.tools import BY_NAME
from chipmcp.tools._answer_parts import Citation

# Calls reaching every memoised result: figures, cells, derived metrics, TPP, name matches (hits and
# misses), the catalog index, topics and industry pieces.
CALLS: list[tuple[str, dict[str, Any]]] = [
    ("lookup_chip", {"name": "昇腾910B"}),
    ("lookup_chip", {"name": "昇腾910B", "detail": "full"}),
    ("lookup_chip", {"name": "CloudMatrix 384", "detail": "full"}),
    ("compare_chips", {"names": ["昇腾910B", "H100", "MTT S4000"]}),
    ("compare_chips", {"names": ["昇腾910B", "H20", "CloudMatrix 384"], "detail": "full"}),
    ("estimate_cluster", {"chip": "MTT S4000", "target_pflops": 1000}),
    (
        "estimate_cluster",
        {"chip": "昇腾910B", "count": 64, "parameters_billion": 70, "tokens_billion": 1000, "mfu": 0.4, "detail": "full"},
    ),
    ("export_control_check", {"chip": "H20"}),
    ("export_control_check", {"chip": "昇腾910B"}),
    ("xinchuang_certified", {"name": "壁仞"}),
    ("vendor_financials", {"vendor": "摩尔线程", "period": "2025"}),
    ("vendor_financials", {"vendor": "寒武纪", "detail": "full"}),
    ("find_chips", {"domestic": True, "where": [{"metric": "memory_gb", "op": ">=", "value": 64}], "sort_by": "tflops_per_w"}),
    ("find_chips", {"sort_by": "tpp", "detail": "full"}),
    ("industry_figures", {"topic": "全球ASIC市场规模"}),
]
MISSES: list[tuple[str, dict[str, Any]]] = [
    ("lookup_chip", {"name": "ASIC market"}),
    ("lookup_chip", {"name": "zzqx 9000"}),
    ("lookup_chip", {"name": "摩尔线程"}),
]


def _answer(kb: KnowledgeBase, tool: str, arguments: dict[str, Any]) -> str:
    try:
        answer = BY_NAME[tool].call(kb, **arguments)
    except ChipMCPError as error:
        return f"{type(error).__name__}: {error}"
    return answer.model_dump_json() + "\n" + BY_NAME[tool].render(answer)


def _vandalize(value: Any) -> None:
    """Change every string and number of a model, and empty or extend every list, at any depth."""
    if isinstance(value, BaseModel):
        for name, item in list(value.__dict__.items()):
            if isinstance(item, (BaseModel, list)):
                _vandalize(item)
            elif isinstance(item, str):
                value.__dict__[name] = item + " (changed)"
            elif isinstance(item, (int, float)) and not isinstance(item, bool):
                value.__dict__[name] = item + 7
    elif isinstance(value, list):
        for item in value:
            _vandalize(item)
        value.append(value[0] if value else None)
    elif isinstance(value, dict):
        for item in value.values():
            _vandalize(item)


# industry_figures shares its entries between answers (its own rule, tools/industry.py), so it is not vandalized.
@pytest.mark.parametrize(
    ("tool", "arguments"), [c for c in CALLS if c[0] != "industry_figures"], ids=lambda x: x if isinstance(x, str) else ""
)
def test_changing_an_answer_changes_no_later_answer(db_path: Path, tool: str, arguments: dict[str, Any]) -> None:
    kb, fresh = KnowledgeBase(db_path), KnowledgeBase(db_path)
    try:
        _vandalize(BY_NAME[tool].call(kb, **arguments))
        again = _answer(kb, tool, arguments)
        assert again == _answer(fresh, tool, arguments)
        assert "(changed)" not in again
    finally:
        kb.close()
        fresh.close()


def test_a_memoised_miss_is_raised_afresh_with_the_same_message(db_path: Path) -> None:
    kb = KnowledgeBase(db_path)
    try:
        errors = []
        for _ in range(2):
            with pytest.raises(NotFoundError) as raised:
                kb.names.resolve("zzqx 9000", frozenset({"chip"}), "chip")
            errors.append(raised.value)
        assert errors[0] is not errors[1]
        assert (str(errors[0]), errors[0].candidates) == (str(errors[1]), errors[1].candidates)
        assert str(errors[0]) == str(_fresh_miss(db_path))
    finally:
        kb.close()


def _fresh_miss(db_path: Path) -> NotFoundError:
    kb = KnowledgeBase(db_path)
    try:
        kb.names.resolve("zzqx 9000", frozenset({"chip"}), "chip")
    except NotFoundError as error:
        return error
    finally:
        kb.close()
    raise AssertionError("'zzqx 9000' names no chip")


def test_closing_a_knowledge_base_frees_it_and_everything_computed_from_it(db_path: Path) -> None:
    kb = KnowledgeBase(db_path)
    for tool, arguments in CALLS + MISSES:
        _answer(kb, tool, arguments)
    index = weakref.ref(catalog_index.of(kb))
    held = weakref.ref(kb)
    assert len(kb.memo) > 0
    kb.close()
    assert len(kb.memo) == 0
    del kb
    gc.collect()
    assert held() is None, gc.get_referrers(held())
    assert index() is None


def test_a_closed_knowledge_base_is_freed_with_its_server(db_path: Path) -> None:
    held = _served_and_closed(db_path)
    gc.collect()
    assert held() is None


def _served_and_closed(db_path: Path) -> weakref.ref[KnowledgeBase]:
    """A knowledge base that served every call through the MCP client, then closed; only a weak reference
    leaves this frame (a frame's locals may be snapshotted by whatever inspects it while it runs)."""
    kb = KnowledgeBase(db_path)
    server = build_server(kb)

    async def ask(server: Any) -> None:
        async with Client(server) as client:
            for tool, arguments in CALLS + MISSES:
                await client.call_tool(tool, arguments)

    before = set(threading.enumerate())
    anyio.run(ask, server)
    # A worker thread holds its last call (a tool error's traceback reaches the knowledge base) until it
    # exits, which it does once the event loop is gone.
    for thread in set(threading.enumerate()) - before:
        thread.join(timeout=10)
    kb.close()
    return weakref.ref(kb)


class _Open(BaseModel):
    """A model that keeps extra fields: its copy must copy them."""

    model_config = ConfigDict(extra="allow")
    values: list[int] = []


class _Private(BaseModel):
    """A model with a private attribute: its copy must copy it."""

    values: list[int] = []
    _seen: list[str] = PrivateAttr(default_factory=list)


def test_a_handed_out_model_with_extra_fields_or_private_state_shares_neither_with_the_held_one() -> None:
    held = _Open.model_validate({"values": [1], "notes": ["kept"]})
    copy = handout(held)
    copy.values.append(2)
    (copy.model_extra or {})["notes"].append("changed")
    assert (held.values, held.model_extra) == ([1], {"notes": ["kept"]})
    assert (copy.values, copy.model_extra) == ([1, 2], {"notes": ["kept", "changed"]})
    private = _Private(values=[1])
    private._seen.append("held")
    copied = handout(private)
    copied._seen.append("changed")
    assert (private._seen, copied._seen) == (["held"], ["held", "changed"])


def test_a_handed_out_answer_model_is_an_equal_model_with_no_extra_fields_or_private_state() -> None:
    held = Citation(id=7, source="s", locator="table 1", printed="376")
    copy = handout(held)
    assert copy == held and copy is not held
    assert (copy.__pydantic_extra__, copy.__pydantic_private__, copy.model_fields_set) == (None, None, held.model_fields_set)
