"""How many of an entity's distinct facts its first answer carries, per tool, over the whole knowledge base.

Method: the real server in process, through the SDK's Client. For every chip and system (lookup_chip),
every company with figures (vendor_financials) and every market, group and AI model with figures
(industry_figures), the default call (detail="summary") is the first answer; detail="full", paged to the
end at limit=200, lists every figure row.

A fact is a figure row's claim: its metric, qualifiers (precision, sparsity, engine, measure, period,
basis, as of, quantity), bound and value (number, range or text), suspect flag. Figures stating the same
claim are one fact. A fact is in the first answer when one of its figures is cited there: as a figure
entry or one of its `also` citations, in a conflict's claims, a share table's rows or a series' claims.
An entity is complete when every fact is; `paged` counts first answers that say more entries follow.
With --each, also one row per entity: its distinct facts and how many its first answer carries.

    python benchmarks/bench_coverage.py [--each]
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from typing import Any

import anyio
from _harness import ROOT, table
from mcp import Client

from chipmcp.kb.store import KnowledgeBase
from chipmcp.serving.server import build_server

sys.path.insert(0, str(ROOT / "tests"))  # the every-fact tests' definition of a fact, so both count alike
from facts import cited_ids, every_row, facts_of


def compact(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def calls(kb: KnowledgeBase) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for entity in kb.ids("chip") + kb.ids("system"):
        yield "chips and systems", "lookup_chip", {"name": entity}
    for vendor in kb.ids("vendor"):
        yield "companies", "vendor_financials", {"vendor": vendor}
    for entity in kb.ids("market") + kb.ids("workload"):
        yield "topics", "industry_figures", {"topic": entity}


async def measure(kb: KnowledgeBase, each: list[list[Any]] | None = None) -> list[list[Any]]:
    server = build_server(kb)
    totals: dict[str, dict[str, int]] = {}
    async with Client(server) as client:
        for label, tool, arguments in calls(kb):
            first = await client.call_tool(tool, arguments)
            if first.is_error:  # named by the reports but without figures: nothing to carry
                continue
            facts = facts_of(await every_row(client, tool, arguments))
            shown = cited_ids(first.structured_content)
            carried = sum(1 for ids in facts.values() if ids & shown)
            if each is not None:
                each.append([label, next(iter(arguments.values())), len(facts), carried])
            row = totals.setdefault(
                label, dict.fromkeys(("entities", "complete", "paged", "facts", "carried", "json_max", "text_max"), 0)
            )
            row["entities"] += 1
            row["complete"] += carried == len(facts)
            row["paged"] += "more entries" in first.structured_content["page"].get("more", "")
            row["facts"] += len(facts)
            row["carried"] += carried
            row["json_max"] = max(row["json_max"], len(compact(first.structured_content)))
            row["text_max"] = max(row["text_max"], len(first.content[0].text))
    return [
        [
            label,
            r["entities"],
            f"{r['complete']} ({100 * r['complete'] / r['entities']:.1f}%)",
            r["paged"],
            r["facts"],
            f"{r['carried']} ({100 * r['carried'] / r['facts']:.1f}%)",
            r["json_max"],
            r["text_max"],
        ]
        for label, r in totals.items()
    ]


def main() -> None:
    each: list[list[Any]] | None = [] if "--each" in sys.argv[1:] else None
    rows = anyio.run(measure, KnowledgeBase.open_default(), each)
    if each is not None:
        print(table(["entities", "entity", "distinct facts", "facts in the first answer"], each) + "\n")
    print(
        table(
            [
                "entities",
                "answers",
                "every fact in the first answer",
                "first answer paged",
                "distinct facts",
                "facts in the first answer",
                "JSON max",
                "text max",
            ],
            rows,
        )
    )


if __name__ == "__main__":
    main()
