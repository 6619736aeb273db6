"""lookup_chip's default answer (summary, first page) is made from what the memo holds for its entity; it must
read exactly as the paged rule (every other page and detail) makes it, whatever the spelling and limit."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from chipmcp.errors import ChipMCPError
from chipmcp.kb.memo import handout
from chipmcp.kb.store import KnowledgeBase
from chipmcp.tools import lookup
from chipmcp.tools._answer_parts import Page
from chipmcp.tools._common import ANSWER_BUDGET, ENTRIES_SLACK, first_summary_page
from chipmcp.tools.lookup import LookupChipArguments
from chipmcp.tools.registry import MAX_LIMIT


def _read(answer: lookup.ChipAnswer) -> str:
    return answer.model_dump_json(exclude_defaults=True) + "\n" + lookup.render(answer)


@pytest.fixture
def fresh_kb(db_path: Path) -> Iterator[KnowledgeBase]:
    """A knowledge base of its own: its memo holds only what the test asked."""
    kb = KnowledgeBase(db_path)
    try:
        yield kb
    finally:
        kb.close()


def _chips_and_systems(kb: KnowledgeBase) -> Iterator[dict[str, Any]]:
    return (entity for entity in kb.entities.values() if entity["entity_kind"] in ("chip", "system"))


def test_every_entitys_default_answer_reads_as_the_paged_rule_makes_it_for_any_spelling_and_limit(fresh_kb: KnowledgeBase) -> None:
    kb = fresh_kb
    checked = 0
    for entity in _chips_and_systems(kb):
        # The id (a short match) and a written name (a longer one): the budget left for entries differs.
        for name in (entity["id"], entity["name_zh"] or entity["name_en"]):
            for limit in (1, 5, MAX_LIMIT):
                args = LookupChipArguments(name=name, limit=limit)
                held = lookup.lookup_chip(kb, args)
                paged = lookup._paged(kb, lookup.resolve_chip(kb, name), args)
                assert _read(held) == _read(paged), (name, limit)
                checked += 1
    assert checked > 1_500


def test_a_default_answer_cut_by_its_budget_and_one_cut_by_its_limit_both_read_as_the_paged_rule(fresh_kb: KnowledgeBase) -> None:
    kb = fresh_kb
    args = LookupChipArguments(name="H100")
    budget_cut = lookup.lookup_chip(kb, args)
    assert 1 < budget_cut.page.returned < min(budget_cut.page.total, args.limit)  # the budget, not the limit, cut it
    assert _read(budget_cut) == _read(lookup._paged(kb, lookup.resolve_chip(kb, "H100"), args))
    few = LookupChipArguments(name="nvidia-h100", limit=3)
    limit_cut = lookup.lookup_chip(kb, few)
    assert limit_cut.page.returned == 3
    assert _read(limit_cut) == _read(lookup._paged(kb, lookup.resolve_chip(kb, "nvidia-h100"), few))


def test_a_first_page_holds_its_first_entry_even_when_that_entry_alone_outgrows_the_budget(fresh_kb: KnowledgeBase) -> None:
    held = lookup._entity(fresh_kb, "nvidia-h100")
    # The same entries, each sized far beyond any budget: as summary_page, the page keeps one and points on.
    swollen = replace(held.plan, running=tuple(cost + 100_000 * (k + 1) for k, cost in enumerate(held.plan.running)))
    entries, page = first_summary_page(swollen, 3_000, 40, "lookup_chip(name='nvidia-h100'", held.figures)
    assert [e.id for e in entries] == [held.plan.entries[0].id]
    assert (page.total, page.returned, page.offset) == (held.plan.total, 1, 0)
    assert page.more.startswith(f"{held.plan.total - 1} more entries: ask lookup_chip(name='nvidia-h100', offset=1)")


def test_the_size_held_for_an_entity_plus_a_questions_match_is_the_size_room_measures_for_every_spelling(
    fresh_kb: KnowledgeBase,
) -> None:
    kb = fresh_kb
    for entity in _chips_and_systems(kb):
        for name in {entity["id"], entity["name_zh"] or entity["name_en"], entity["name_en"].lower(), *kb.aliases_of(entity["id"])}:
            try:
                match = lookup.resolve_chip(kb, name)
            except ChipMCPError:  # a bare model number two chips share
                continue
            held = lookup._entity(kb, match.id)
            rest = handout(held.answer)
            rest.match, rest.page = match, Page(total=0, returned=0)
            assert held.size_but_match + lookup._size(match) == len(rest.model_dump_json(exclude_defaults=True)), name


def test_a_plan_sizes_entries_up_to_the_first_beyond_the_largest_budget_any_match_leaves_and_no_further(
    fresh_kb: KnowledgeBase,
) -> None:
    cut = 0
    for entity in _chips_and_systems(fresh_kb):
        held = lookup._entity(fresh_kb, entity["id"])
        largest = ANSWER_BUDGET - held.size_but_match + ENTRIES_SLACK  # a match of no size
        running = held.plan.running
        assert len(held.plan.entries) == len(running)  # entries past the sizing are neither cited nor kept
        assert all(used <= largest for used in running[:-1]), entity["id"]
        if len(running) < held.plan.total:
            assert running[-1] > largest, entity["id"]
            cut += 1
        else:
            assert len(running) == held.plan.total
    assert cut >= 5  # rich entities are sized only partly
