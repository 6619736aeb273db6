"""Every fact before paging (issue #21, item 7), through the MCP client: a default answer of lookup_chip,
vendor_financials and industry_figures carries every distinct fact of its entity, cited once by key, or says
that more follow and honours `limit`; notes that say what a figure is stay whole; the blocks given on the
first page are not repeated on later ones."""

from __future__ import annotations

from typing import Any

import pytest
from mcp import Client

from facts import cited_ids, entries, every_row, facts_of

pytestmark = pytest.mark.anyio


def calls(kb) -> list[tuple[str, dict[str, Any]]]:
    out = [("lookup_chip", {"name": e}) for e in kb.ids("chip") + kb.ids("system")]
    out += [("vendor_financials", {"vendor": v}) for v in kb.ids("vendor")]
    return out + [("industry_figures", {"topic": e}) for e in kb.ids("market") + kb.ids("workload")]


@pytest.mark.slow  # a whole-catalog sweep
async def test_a_default_answer_holds_every_fact_of_its_entity_or_says_more_follow_within_its_limit(reports_server, reports_kb) -> None:
    # Calibrated on the reports' knowledge; the full catalog's answers are held to the same rules below.
    complete, answered = await _coverage(reports_server, calls(reports_kb))
    assert complete >= 0.95 * answered, (complete, answered)


@pytest.mark.slow
async def test_every_entity_of_the_catalog_holds_every_fact_in_its_default_answer_or_pages_within_its_limit(server, kb) -> None:
    """Issue #21's property over every chip, system, company and topic of the shipped catalog (with Epoch's
    rows): the first answer's facts are the distinct facts of detail='full', or it says more follow and
    `limit` holds at both details; and for at least 95% of entities, every fact is there."""
    complete, answered = await _coverage(server, calls(kb), with_limit=True)
    assert complete >= 0.95 * answered, (complete, answered)


# A few entities, each kind and each way the first answer holds them: Epoch's rows cited by row and column
# (V100 PCIe 16GB, RTX 4090), a system (CloudMatrix 384), a company with a hundred chips (NVIDIA), topics.
COMPLETE = [
    ("lookup_chip", {"name": "nvidia-v100-pcie-16gb"}),
    ("lookup_chip", {"name": "nvidia-rtx-4090"}),
    ("lookup_chip", {"name": "nvidia-l4"}),
    ("vendor_financials", {"vendor": "cambricon"}),
    ("industry_figures", {"topic": "gpt-4"}),
]
PAGED = [("lookup_chip", {"name": "nvidia-h100"}), ("vendor_financials", {"vendor": "smic"})]


async def test_a_few_entities_default_answers_hold_every_fact_or_say_more_follow_within_their_limit(server) -> None:
    complete, answered = await _coverage(server, COMPLETE + PAGED, with_limit=True)
    assert (complete, answered) == (len(COMPLETE), len(COMPLETE + PAGED))


async def _coverage(server, asked: list[tuple[str, dict[str, Any]]], with_limit: bool = False) -> tuple[int, int]:
    complete = answered = 0
    async with Client(server) as client:
        for tool, arguments in asked:
            first = await client.call_tool(tool, arguments)
            if first.is_error:  # named by the reports without figures: an error that says where to look
                continue
            answered += 1
            complete += await _holds_every_fact_or_pages(client, tool, arguments, first.structured_content)
            if with_limit:
                await _limit_holds(client, tool, arguments)
    return complete, answered


async def _holds_every_fact_or_pages(client: Client, tool: str, arguments: dict[str, Any], answer: dict[str, Any]) -> bool:
    facts = facts_of(await every_row(client, tool, arguments))
    shown = cited_ids(answer)
    missing = [f for f, ids in facts.items() if not ids & shown]
    page = answer["page"]
    assert page["returned"] <= 40  # the default limit
    if missing:
        assert "more entries: ask" in page["more"] and page["returned"] < page["total"], (tool, arguments)
    for entry in entries(answer):  # each fact cited by key, the key in the answer's table
        assert "source" not in entry and {entry["cite"], *(c["cite"] for c in entry.get("also", []))} <= set(
            answer["page"]["citations"]
        ), (tool, arguments)
    return not missing


async def _limit_holds(client: Client, tool: str, arguments: dict[str, Any]) -> None:
    """`limit` counts entries alike at both details: at most that many, and the call for the rest."""
    for detail in ("summary", "full"):
        page = (await client.call_tool(tool, {**arguments, "detail": detail, "limit": 3})).structured_content
        returned = page["page"]["returned"]
        assert returned == len(entries(page)) <= 3, (tool, arguments, detail)
        if returned < page["page"]["total"]:
            assert f"offset={returned}, limit=3)" in page["page"]["more"], (tool, arguments, detail)


@pytest.mark.parametrize(
    ("tool", "arguments"),
    [("lookup_chip", {"name": "H100"}), ("vendor_financials", {"vendor": "SMIC"}), ("industry_figures", {"topic": "DeepSeek-V3"})],
)
async def test_limit_counts_entries_alike_in_both_details_and_later_pages_leave_out_the_first_pages_blocks(
    server, tool, arguments
) -> None:
    async with Client(server) as client:
        for detail in ("summary", "full"):
            answer = (await client.call_tool(tool, {**arguments, "detail": detail, "limit": 3})).structured_content
            assert len(entries(answer)) == answer["page"]["returned"] == 3 and "limit=3" in answer["page"]["more"]
        later = await client.call_tool(tool, {**arguments, "offset": 3, "limit": 3})
    answer = later.structured_content
    assert not answer.get("conflicts") and not answer.get("derived") and not answer.get("share_tables")
    assert "on the first page (offset=0): not repeated" in later.content[0].text


async def test_a_note_saying_what_a_figure_is_stays_whole_in_the_summary(server, kb) -> None:
    """'per superchip (Grace CPU + …)' and 'header says billion; the value reads as 亿 (…)' change what a
    figure means: cut at 40 characters they would lose the part that does."""
    models = sorted(
        {r["entity"] for e in kb.ids("workload") for r in kb.figures(e) if (r["note"] or "").startswith("header says billion")}
    )
    async with Client(server) as client:
        gb200 = (await client.call_tool("lookup_chip", {"name": "GB200"})).structured_content
        topics = [(await client.call_tool("industry_figures", {"topic": t})).structured_content for t in models]
    notes = {e.get("note") for e in entries(gb200)}
    assert len(models) >= 5
    assert "per superchip (Grace CPU + 2 Blackwell GPUs)" in notes
    header = [e["note"] for t in topics for e in entries(t) if e.get("note", "").startswith("header says billion")]
    assert header and all("亿" in n and not n.endswith("…") for n in header), header
