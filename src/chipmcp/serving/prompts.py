"""The texts of chipmcp's prompts: plain functions of their arguments and of the tools the server has.

A prompt names only tools the server offers (a model sent to a missing tool wastes a turn and may
invent the answer), so a step whose tool is not there says plainly that chipmcp does not cover it.
"""

from __future__ import annotations

import json
from collections.abc import Collection

CITE = (
    "Quote every figure as chipmcp gives it, with its source report and table and the token as printed; "
    "where reports disagree, give each claim and say which one chipmcp prefers."
)


def split_names(names: str) -> list[str]:
    """'昇腾910B, H20，MLU370' → ['昇腾910B', 'H20', 'MLU370'] (ASCII or full-width commas, semicolons, 、)."""
    for separator in "，;；、":
        names = names.replace(separator, ",")
    return [name.strip() for name in names.split(",") if name.strip()]


def _steps(steps: list[str]) -> str:
    return "\n".join(f"{number}. {step}" for number, step in enumerate(steps, 1))


def domestic_alternative(chip: str, workload: str) -> str:
    return (
        f"Using chipmcp, find Chinese AI chips that could replace {chip} for {workload}. Look up {chip}, "
        "compare it with the domestic candidates (compare_chips), check their 安全可靠测评 status "
        "(xinchuang_certified), and cite every figure with its source report."
    )


def procurement_brief(chips: str, workload: str, scale: str, tools: Collection[str]) -> str:
    names = split_names(chips)
    listed = ", ".join(names) or chips
    steps = [f"For each of {listed}: lookup_chip — vendor, kind and every reported figure."]
    if len(names) > 1:  # compare_chips takes two or more
        steps.append(
            f"compare_chips(names={json.dumps(names, ensure_ascii=False)}) at the precision the workload runs at (training: "
            "fp16/bf16; inference: int8 or fp8 where reported, else fp16): compute, memory, bandwidth, interconnect, power, "
            "TFLOPS/W and price where reported; repeat its warnings where figures are not comparable."
        )
    if scale.strip():
        steps.append(
            f"estimate_cluster for each chip at {scale}: cards, servers, power and energy, with the assumptions the answer states."
        )
    steps.append(
        "xinchuang_certified for each chip: on the 安全可靠测评 list as the listed product, only the "
        "same family, or not at all, with the announcement."
    )
    if "export_control_check" in tools:
        steps.append(
            "export_control_check for each chip: TPP, performance density and the ECCN 3A090 standing, with the working shown."
        )
    else:
        steps.append(
            "Export-control standing: this chipmcp has no export_control_check tool, so write "
            "'not assessed' rather than a judgement of your own."
        )
    steps.append(
        "A recommendation that follows from the figures above, its assumptions stated, then the list of "
        "sources (report, table). Mark anything not from chipmcp as such."
    )
    return f"Prepare a procurement brief on {listed} for {workload}, using chipmcp's tools.\n{_steps(steps)}\n{CITE}"


def company_snapshot(company: str, tools: Collection[str]) -> str:
    steps = [
        f"vendor_financials(vendor={company!r}): identity — names, stock codes, exchange, listing date, market "
        "cap — and every reported financial figure.",
        "Latest results: the most recent periods reported — revenue, net profit, growth, forecasts — each with "
        "its period, unit and source.",
    ]
    if "find_chips" in tools:
        steps.append(f"Products: find_chips(vendor={company!r}), then lookup_chip for the main ones.")
    else:
        steps.append("Products: the chips listed in the vendor_financials answer; lookup_chip for the main ones.")
    steps.append(f"Certification: xinchuang_certified(name={company!r}).")
    market = f"vendor_financials(vendor={company!r}, metric='market_share')"
    if "industry_figures" in tools:
        market += " and, for the share tables that rank it among its rivals, industry_figures(topic='market share')"
    steps.append(f"Market share: {market}; if nothing is reported, say so.")
    return f"Write a company snapshot of {company}, using chipmcp's tools.\n{_steps(steps)}\n{CITE}"
