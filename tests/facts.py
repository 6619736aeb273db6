"""What counts as one fact of an entity, and which facts an answer cites: the one definition behind the
every-fact tests (tests/test_every_fact.py) and the coverage benchmark (benchmarks/bench_coverage.py).

A fact is a figure row's claim: its metric, qualifiers (precision, sparsity, engine, measure, period, basis,
as of, quantity), bound and value (number, range or text), suspect flag; figures stating the same claim are
one fact. An answer cites a figure as an entry or one of its `also` citations, in a conflict's claims, a
share table's rows, a series' claims, or a company's market capitalisation."""

from __future__ import annotations

from typing import Any

from mcp import Client

FACT_FIELDS = (
    "metric",
    "precision",
    "sparsity",
    "engine",
    "measure",
    "period",
    "basis",
    "as_of",
    "quantity",
    "bound",
    "alternatives",
    "text",
    "value",
    "low",
    "high",
    "unit",
    "suspect",
)


def fact(figure: dict[str, Any]) -> tuple[Any, ...]:
    return tuple((figure.get(k) or "").casefold() if k == "text" else figure.get(k) for k in FACT_FIELDS)


def entries(answer: dict[str, Any]) -> list[dict[str, Any]]:
    """The figure entries of an answer, flattened (industry_figures groups them by entity)."""
    out = []
    for item in answer.get("figures", []):
        out += item["figures"] if "metric" not in item else [item]
    return out


def cited_ids(answer: dict[str, Any]) -> set[int]:
    """Every figure id the answer cites a value for."""
    ids = {i for e in entries(answer) for i in (e["id"], *(c["id"] for c in e.get("also", [])))}
    ids |= {cap["figure_id"] for cap in answer.get("vendor", {}).get("market_cap", [])}
    ids |= {i for c in answer.get("conflicts", []) for claim in c["claims"] for i in claim["figure_ids"]}
    ids |= {r["figure_id"] for t in answer.get("share_tables", []) for r in t["rows"]}
    ids |= {i for s in answer.get("series", []) for c in s["claims"] for i in c["figure_ids"]}
    return ids


async def every_row(client: Client, tool: str, arguments: dict[str, Any]) -> list[dict[str, Any]]:
    """Every figure row of the entity: detail='full', paged to the end."""
    rows: list[dict[str, Any]] = []
    while True:
        result = await client.call_tool(tool, {**arguments, "detail": "full", "limit": 200, "offset": len(rows)})
        page = entries(result.structured_content)
        rows += page
        if not page or len(rows) >= result.structured_content["page"]["total"]:
            return rows


def facts_of(rows: list[dict[str, Any]]) -> dict[tuple[Any, ...], set[int]]:
    """Each distinct fact and the ids of the figures stating it."""
    facts: dict[tuple[Any, ...], set[int]] = {}
    for row in rows:
        facts.setdefault(fact(row), set()).add(row["id"])
    return facts
