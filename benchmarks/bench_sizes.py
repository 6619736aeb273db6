"""How large the answers are, per tool, over every chip, system and vendor in the knowledge base.

Method: the real server in process, through the SDK's Client (what a client receives). For each
answer: the structured content as compact JSON (`json.dumps(…, ensure_ascii=False,
separators=(",", ":"))`, characters, not bytes) and the text block's length. Calls use each tool's
defaults, as a model would first ask:

- lookup_chip: every chip and every system by id;
- vendor_financials: every vendor;
- xinchuang_certified: every chip, every vendor, and the whole list (no name);
- industry_figures: every market, group and AI model the reports give figures for (by id), and the
  metric-only views "capex" and "market share";
- estimate_cluster: every chip and system with count=8 (those without the figures it needs answer
  with an error and are counted apart);
- compare_chips: every chip in windows of 3 (the example's size), and the 20-chip comparisons —
  windows of 20 over the chips and the 20 chips with the most figures; every system in windows of 2;
- export_control_check: every chip and every system;
- find_chips: the example, every vendor with chips, and everything sorted by compute, memory, TDP,
  price and TPP (the default page of 10 rows).

Also tools/list (compact JSON of the listed tools, as on the wire). Budgets: default answers ≤ 6,000
JSON and ≤ 4,000 text (p100), a 20-chip compare ≤ 16,000 JSON, tools/list ≤ 20,000.

    python benchmarks/bench_sizes.py [--named 昇腾910B H100]
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterator
from typing import Any

import anyio
import numpy as np
from _harness import table
from mcp import Client

from chipmcp.kb.store import KnowledgeBase
from chipmcp.serving.server import EXAMPLE_CALLS, build_server

BUDGET_JSON, BUDGET_TEXT, BUDGET_COMPARE_20, BUDGET_TOOLS_LIST = 6_000, 4_000, 16_000, 20_000


def compact(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def calls(kb: KnowledgeBase) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(row label, tool, arguments) for every call measured."""
    chips, systems, vendors = kb.ids("chip"), kb.ids("system"), kb.ids("vendor")
    for entity in chips + systems:
        yield "lookup_chip", "lookup_chip", {"name": entity}
    for vendor in vendors:
        yield "vendor_financials", "vendor_financials", {"vendor": vendor}
    yield "xinchuang_certified", "xinchuang_certified", {}
    for entity in chips + vendors:
        yield "xinchuang_certified", "xinchuang_certified", {"name": entity}
    for entity in kb.ids("market") + kb.ids("workload"):
        if kb.figures(entity):  # one the reports only name is a not-found error by design
            yield "industry_figures", "industry_figures", {"topic": entity}
    for topic in ("capex", "market share"):
        yield "industry_figures", "industry_figures", {"topic": topic}
    for entity in chips + systems:
        yield "estimate_cluster", "estimate_cluster", {"chip": entity, "count": 8}
    for start in range(0, len(chips), 3):
        window = chips[start : start + 3]
        if len(window) >= 2:
            yield "compare_chips", "compare_chips", {"names": window}
    for start in range(0, len(chips) - 19, 20):
        yield "compare_chips (20 chips)", "compare_chips", {"names": chips[start : start + 20]}
    richest = sorted(chips, key=lambda c: -len(kb.figures(c)))[:20]
    yield "compare_chips (20 chips)", "compare_chips", {"names": richest}
    for start in range(0, len(systems) - 1, 2):
        yield "compare_chips (systems)", "compare_chips", {"names": systems[start : start + 2]}
    for entity in chips + systems:
        yield "export_control_check", "export_control_check", {"chip": entity}
    yield "find_chips", "find_chips", EXAMPLE_CALLS["find_chips"]
    for vendor in vendors:
        if kb.entities_of_vendor(vendor):
            yield "find_chips", "find_chips", {"vendor": vendor}
    for metric in ("compute_tflops", "memory_gb", "tdp_w", "price", "tpp"):
        yield "find_chips", "find_chips", {"sort_by": metric}


async def measure(kb: KnowledgeBase, named: list[str]) -> None:
    server = build_server(kb)
    sizes: dict[str, list[tuple[int, int, str]]] = {}
    errors: dict[str, int] = {}
    async with Client(server) as client:
        tools_list = (await client.list_tools()).tools
        listed = compact([t.model_dump(mode="json", by_alias=True, exclude_none=True) for t in tools_list])
        output_schemas = sum(len(compact(t.output_schema)) for t in tools_list if t.output_schema)
        for label, tool, arguments in calls(kb):
            result = await client.call_tool(tool, arguments)
            if result.is_error:
                errors[label] = errors.get(label, 0) + 1
                continue
            what = next(iter(arguments.values()), "(all)") if arguments else "(all)"
            what = what if isinstance(what, str | list) else json.dumps(arguments, ensure_ascii=False)
            sizes.setdefault(label, []).append(
                (
                    len(compact(result.structured_content)),
                    len(result.content[0].text),
                    what if isinstance(what, str) else f"{len(what)} chips",
                )
            )
        for name in named:
            result = await client.call_tool("lookup_chip", {"name": name})
            print(
                f"lookup_chip({name!r}): JSON {len(compact(result.structured_content)):,} characters, "
                f"text {len(result.content[0].text):,}"
            )
    rows = []
    for label, measured in sizes.items():
        json_sizes = np.array([m[0] for m in measured])
        text_sizes = np.array([m[1] for m in measured])
        worst = max(measured)
        budget = BUDGET_COMPARE_20 if "20 chips" in label else BUDGET_JSON
        rows.append(
            [
                label,
                len(measured),
                errors.get(label, 0),
                int(np.percentile(json_sizes, 50)),
                int(json_sizes.max()),
                f"{budget:,}",
                int(np.percentile(text_sizes, 50)),
                int(text_sizes.max()),
                "—" if "20 chips" in label else f"{BUDGET_TEXT:,}",
                worst[2],
            ]
        )
    print(
        table(
            ["tool", "answers", "errors", "JSON p50", "JSON max", "JSON budget", "text p50", "text max", "text budget", "largest JSON"],
            rows,
        )
    )
    print(f"tools/list: {len(listed):,} characters (budget {BUDGET_TOOLS_LIST:,}); output schemas {output_schemas:,}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--named", nargs="*", default=["昇腾910B", "H100"], help="lookups to print one by one")
    args = parser.parse_args()
    anyio.run(measure, KnowledgeBase.open_default(), args.named)


if __name__ == "__main__":
    main()
