"""A catalog column built in bulk (chipmcp.reasoning.bulk_cells) holds, for every entity it is sure of, exactly
what `chip_cell` gives that entity: whether it reports anything, both ends, the envelope of its claims, its
text, and what the ranking rule reads of it (tier, suspect, currency) — for every metric find_chips accepts
at every precision, on the real knowledge base, the reports alone and the designed one. A row's place in a
ranking therefore never disagrees with the cell printed for it."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from chipmcp.core.units import PRECISIONS
from chipmcp.kb.store import KnowledgeBase
from chipmcp.reasoning import bulk_cells, catalog_index, export_control, ranking, selection
from chipmcp.reasoning.metric_cells import INDICATORS, known_metrics, metric_key
from mini import WithSpecRows, extended, spec_row

PRECISION_FREE = "fp16"  # a metric other than compute and its ratios reads no precision: one is enough


def _catalog(kb: KnowledgeBase) -> tuple[list[str], dict[str, int], list[tuple[int, str]]]:
    index = catalog_index.CatalogIndex(kb)
    generations = [(p, e["generation"]) for p, e in enumerate(index.entities) if e.get("generation")]
    return index.ids, index.position, generations


def _metrics(kb: KnowledgeBase) -> list[str]:
    """Every metric find_chips filters or sorts on: each name it accepts, as it reads it (memory_capacity → memory_gb)."""
    return list(dict.fromkeys(key for m in known_metrics(kb) if (key := metric_key(kb, m)) is not None))


def _precisions(metric: str) -> tuple[str, ...]:
    return PRECISIONS if metric == "compute_tflops" or metric in selection.DERIVED else (PRECISION_FREE,)


def _end(value: float) -> float | None:
    return None if math.isnan(value) else float(value)


def _differences(kb: KnowledgeBase) -> tuple[list[str], int, int]:
    """Every entry of every column that is not chip_cell's, and how many entries were sure and in all."""
    ids, position, generations = _catalog(kb)
    wrong: list[str] = []
    sure = total = 0
    for metric in _metrics(kb):
        for precision in _precisions(metric):
            found = bulk_cells.entries(kb, ids, position, generations, metric, precision)
            tiers = bulk_cells.rank_tiers(found)
            text = selection.is_text(kb, metric) or metric in ("memory_type", "release")
            for at, entity in enumerate(ids):
                total += 1
                if not found.sure[at]:
                    continue
                sure += 1
                cell = catalog_index.chip_cell(kb, entity, metric, precision)
                ends = cell.ends()
                expected: tuple[object, ...] = (cell.text is not None or ends is not None,)
                got: tuple[object, ...] = (bool(found.reported[at]),)
                if text:
                    expected += (cell.text or "",)
                    got += ((found.text or [""] * len(ids))[at] if found.reported[at] else "",)
                else:
                    span = cell.span or ends
                    expected += (ends, None if ends is None or span is None else (min(ends[0], span[0]), max(ends[1], span[1])))
                    low, high = _end(found.low[at]), _end(found.high[at])
                    wide = (_end(found.wide_low[at]), _end(found.wide_high[at]))
                    got += (None if low is None or high is None else (low, high), None if wide[0] is None else wide)
                    if ends is not None:  # what the ranking rule reads of a reported cell
                        expected += (ranking.tier_code(cell.tier), cell.suspect, ranking.currency_code(cell.unit))
                        expected += (ranking.engine_code(cell.engine), selection.is_planned(kb, cell))
                        assert found.flagged is not None and found.planned is not None
                        got += (int(tiers[at]), bool(found.flagged[at]), int(found.currency[at]))
                        got += (ranking.HEADLINE_ENGINE if found.engine is None else int(found.engine[at]), bool(found.planned[at]))
                if expected != got:
                    wrong.append(f"{entity} {metric} {precision}: chip_cell {expected}, bulk {got}")
    return wrong, sure, total


@pytest.mark.parametrize("which", ["kb", "reports_kb", "mini_kb"])
def test_every_bulk_entry_is_the_rules_cell_for_every_metric_and_precision(which: str, request: pytest.FixtureRequest) -> None:
    kb: KnowledgeBase = request.getfixturevalue(which)
    wrong, sure, total = _differences(kb)
    assert wrong == []
    assert sure == total  # every entry is the bulk form's own, TPP's too (test_the_bulk_form_is_sure_of_every_entry)


@pytest.mark.parametrize("which", ["kb", "mini_kb"])
def test_the_bulk_form_is_sure_of_every_entry(which: str, request: pytest.FixtureRequest) -> None:
    """Every entry of every column is bulk, TPP's (a rule of its own over every precision) too."""
    kb: KnowledgeBase = request.getfixturevalue(which)
    ids, position, generations = _catalog(kb)
    assert "tpp" in _metrics(kb) and INDICATORS == ["tpp"]
    unsure = {
        (metric, precision): len(ids) - int(found.sure.sum())
        for metric in _metrics(kb)
        for precision in _precisions(metric)
        if (found := bulk_cells.entries(kb, ids, position, generations, metric, precision)) is not None
    }
    assert {key: n for key, n in unsure.items() if n} == {}


def test_an_entry_the_bulk_form_is_unsure_of_comes_from_the_rule(mini_kb: KnowledgeBase) -> None:
    """A column's entries the bulk form is not sure of (here mini-m8's TDP, beside a row in an unknown unit, and
    its model mini-m8e's, which it stands in for) are filled from chip_cell, entity by entity, and hold what it gives."""
    kb = WithSpecRows(mini_kb.path, [spec_row("mini-m8", "tdp", 10_001, 2.0, "马力")])
    index = catalog_index.CatalogIndex(kb)
    column = index.column("tdp_w", "fp16")
    assert _unsure(kb, "tdp_w") == ["mini-m8", "mini-m8e"]
    for at, entity in enumerate(index.ids):
        ends = catalog_index.chip_cell(kb, entity, "tdp_w", "fp16").ends()
        assert (ends is not None, ends) == (
            bool(column.reported[at]),
            (float(column.low[at]), float(column.high[at])) if column.reported[at] else None,
        )


def test_a_generation_record_outside_the_catalog_still_stands_in_for_its_model(mini_kb: KnowledgeBase) -> None:
    """The rows of an entity the catalog does not list (here the generation record mini-m8, left out) are read
    too, so its model mini-m8e takes the generation's figure where it has none, as chip_cell does."""
    ids = [i for i in _catalog(mini_kb)[0] if i != "mini-m8"]
    position = {entity: at for at, entity in enumerate(ids)}
    at = position["mini-m8e"]
    family_level = 0
    for metric in _metrics(mini_kb):
        found = bulk_cells.entries(mini_kb, ids, position, [(at, "mini-m8")], metric, "fp16")
        if not found.sure[at] or selection.is_text(mini_kb, metric) or metric in ("memory_type", "release"):
            continue
        cell = catalog_index.chip_cell(mini_kb, "mini-m8e", metric, "fp16")
        got = (_end(found.low[at]), _end(found.high[at])) if found.reported[at] else None
        assert got == cell.ends(), metric
        family_level += cell.tier == "family"
    assert family_level > 0


# Two chips whose figures at FP16 set the rule's steps against the build's preference: the figure of the later
# step is the preferred one (`prefer`) and comes first (the lower id), so only the step can put the other first.
# A third prices itself in 元 (mini_kb's one priced chip chooses its USD price, which find_chips does not rank).
_TIER_CHIPS = """
[[chip]]
id = "tier-dense"
vendor = "minico"
name_zh = "迷你T1"
name_en = "Tier T1"
model = "T1"
kind = "NPU"

[[chip]]
id = "tier-unstated"
vendor = "minico"
name_zh = "迷你T2"
name_en = "Tier T2"
model = "T2"
kind = "NPU"

[[chip]]
id = "priced-in-yuan"
vendor = "minico"
name_zh = "迷你P3"
name_en = "Priced P3"
model = "P3"
kind = "NPU"
"""
_TIER_FIGURES = """
[[figures]]
source = "mini-2026"
locator = "表9 设计"
entity = "tier-dense"
rows = [
  { metric = "compute", precision = "fp16", value = 700, unit = "TFLOPS", printed = "700T", prefer = true },
  { metric = "compute", precision = "fp16", sparsity = "dense", value = 500, unit = "TFLOPS", printed = "500T" },
]

[[figures]]
source = "mini-2026"
locator = "表9 设计"
entity = "tier-unstated"
rows = [
  { metric = "compute", precision = "fp16", sparsity = "sparse", value = 900, unit = "TFLOPS", printed = "900T", prefer = true },
  { metric = "compute", precision = "fp16", value = 600, unit = "TFLOPS", printed = "600T" },
]

[[figures]]
source = "mini-2026"
locator = "表9 设计"
entity = "priced-in-yuan"
rows = [
  { metric = "price", value = 8, unit = "万元", printed = "8万元" },
  { metric = "compute", precision = "fp16", sparsity = "dense", value = 160, unit = "TFLOPS", printed = "160T" },
]
"""


@pytest.fixture(scope="module")
def designed_kb(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeBase:
    """The designed knowledge base with the three chips above (built apart: mini_kb's own tests stay as they are)."""
    return extended(tmp_path_factory.mktemp("designed"), _TIER_CHIPS, _TIER_FIGURES)


def test_dense_compute_comes_before_unstated_sparsity_and_unstated_before_sparse_whatever_the_build_prefers(
    designed_kb: KnowledgeBase,
) -> None:
    ids, position, generations = _catalog(designed_kb)
    found = bulk_cells.entries(designed_kb, ids, position, generations, "compute_tflops", "fp16")
    got = {
        e: (bool(found.sure[position[e]]), _end(found.low[position[e]]), _end(found.high[position[e]]))
        for e in ("tier-dense", "tier-unstated")
    }
    assert got == {"tier-dense": (True, 500.0, 500.0), "tier-unstated": (True, 600.0, 600.0)}
    assert catalog_index.chip_cell(designed_kb, "tier-dense", "compute_tflops", "fp16").ends() == (500.0, 500.0)
    assert catalog_index.chip_cell(designed_kb, "tier-unstated", "compute_tflops", "fp16").ends() == (600.0, 600.0)
    wrong, _, _ = _differences(designed_kb)
    assert wrong == []


def test_specs_kept_for_the_next_column_keep_compute_apart_by_precision(mini_kb: KnowledgeBase) -> None:
    """A column at INT8 after one at FP16, sharing `specs`, reads INT8 figures, not the FP16 entries kept;
    a spec of no precision is kept once for both."""
    ids, position, generations = _catalog(mini_kb)
    specs: dict[tuple[str, str | None], bulk_cells.Entries] = {}
    at = position["mini-alpha"]
    for precision, expected in (("fp16", 1000.0), ("int8", 2000.0)):
        shared = bulk_cells.entries(mini_kb, ids, position, generations, "compute_tflops", precision, specs)
        fresh = bulk_cells.entries(mini_kb, ids, position, generations, "compute_tflops", precision)
        assert (_end(shared.low[at]), _end(shared.high[at])) == (expected, expected)
        assert all(
            np.array_equal(getattr(shared, end), getattr(fresh, end), equal_nan=True)
            for end in ("low", "high", "wide_low", "wide_high")
        )
        bulk_cells.entries(mini_kb, ids, position, generations, "tdp_w", precision, specs)
    assert sorted(specs) == [("compute_tflops", "fp16"), ("compute_tflops", "int8"), ("tdp_w", None)]


def _unsure(kb: KnowledgeBase, metric: str) -> list[str]:
    ids, position, generations = _catalog(kb)
    found = bulk_cells.entries(kb, ids, position, generations, metric, PRECISION_FREE)
    return [entity for at, entity in enumerate(ids) if not found.sure[at]]


def test_a_figure_in_a_unit_the_rule_does_not_know_leaves_its_entity_and_the_models_it_stands_in_for_to_chip_cell(
    mini_kb: KnowledgeBase,
) -> None:
    """mini-m8's TDP stands in for its model mini-m8e: a row of mini-m8 in an unknown unit makes both unsure."""
    kb = WithSpecRows(mini_kb.path, [spec_row("mini-m8", "tdp", 10_001, 2.0, "马力")])
    assert _unsure(kb, "tdp_w") == ["mini-m8", "mini-m8e"]
    assert _unsure(mini_kb, "tdp_w") == []


def test_a_price_in_a_unit_the_rule_does_not_know_leaves_its_entity_to_chip_cell(mini_kb: KnowledgeBase) -> None:
    kb = WithSpecRows(mini_kb.path, [spec_row("mini-beta", "price", 10_002, 3.0, "卢布")])
    assert _unsure(kb, "price") == ["mini-beta"]


def test_a_figure_the_conversion_refuses_leaves_its_entity_to_chip_cell(mini_kb: KnowledgeBase) -> None:
    """A TDP printed in GB (another dimension) cannot become watts: mini-beta is left to the rule."""
    kb = WithSpecRows(mini_kb.path, [spec_row("mini-beta", "tdp", 10_003, 2.0, "GB")])
    assert _unsure(kb, "tdp_w") == ["mini-beta"]


def test_a_price_is_reported_in_its_currency_and_so_is_the_price_per_tflops_over_it(designed_kb: KnowledgeBase) -> None:
    ids, position, generations = _catalog(designed_kb)
    priced, alpha = position["priced-in-yuan"], position["mini-alpha"]  # Alpha X9's chosen price is in USD
    price = bulk_cells.entries(designed_kb, ids, position, generations, "price", PRECISION_FREE)
    ratio = bulk_cells.entries(designed_kb, ids, position, generations, "price_per_tflops", "fp16")
    assert (bool(price.reported[priced]), _end(price.low[priced]), _end(price.high[priced])) == (True, 80000.0, 80000.0)
    assert (bool(ratio.reported[priced]), _end(ratio.low[priced]), _end(ratio.high[priced])) == (True, 500.0, 500.0)
    yuan, dollar = ranking.CURRENCIES.index("元"), ranking.CURRENCIES.index("美元")
    assert (int(price.currency[priced]), int(price.currency[alpha])) == (yuan, dollar)
    # A price in another currency is reported in its own (the ranking rule ranks one currency, the others apart).
    assert (bool(price.reported[alpha]), bool(ratio.reported[alpha])) == (True, True)
    assert (int(ratio.currency[priced]), int(ratio.currency[alpha])) == (yuan, dollar)
    assert catalog_index.chip_cell(designed_kb, "priced-in-yuan", "price_per_tflops", "fp16").ends() == (500.0, 500.0)


# A registry metric (no spec of its own: the chosen figure's unit is the cell's) printed in two units at two
# precisions: the second chip's figure is in the second unit and at the second precision the column holds, so
# its cell unit must be worked out from its own (unit, precision) pair, not a neighbouring one.
_LOAD_POWER_METRIC = """
[[metric]]
id = "load_power"
dimension = "power"
label_en = "power under load"
label_zh = "负载功耗"
about = "power drawn running at the figure's precision"
"""
_LOAD_POWER_CHIPS = """
[[chip]]
id = "load-watts"
vendor = "minico"
name_zh = "迷你L1"
name_en = "Load L1"
model = "L1"
kind = "NPU"

[[chip]]
id = "load-kilowatts"
vendor = "minico"
name_zh = "迷你L2"
name_en = "Load L2"
model = "L2"
kind = "NPU"
"""
_LOAD_POWER_FIGURES = """
[[figures]]
source = "mini-2026"
locator = "表9 设计"
entity = "load-watts"
rows = [{ metric = "load_power", precision = "int8", value = 300, unit = "W", printed = "300W" }]

[[figures]]
source = "mini-2026"
locator = "表9 设计"
entity = "load-kilowatts"
rows = [{ metric = "load_power", precision = "fp16", value = 0.4, unit = "kW", printed = "0.4kW" }]
"""


def test_a_registry_metric_in_two_units_at_two_precisions_keeps_each_entitys_own_unit(tmp_path: Path) -> None:
    kb = extended(tmp_path, _LOAD_POWER_CHIPS, _LOAD_POWER_FIGURES, _LOAD_POWER_METRIC)
    ids, position, generations = _catalog(kb)
    found = bulk_cells.entries(kb, ids, position, generations, "load_power", PRECISION_FREE)
    at = {e: position[e] for e in ("load-watts", "load-kilowatts")}
    got = {e: (bool(found.sure[p]), bool(found.reported[p]), _end(found.low[p]), _end(found.high[p])) for e, p in at.items()}
    assert got == {"load-watts": (True, True, 300.0, 300.0), "load-kilowatts": (True, True, 0.4, 0.4)}
    assert catalog_index.chip_cell(kb, "load-watts", "load_power", PRECISION_FREE).ends() == (300.0, 300.0)
    assert catalog_index.chip_cell(kb, "load-kilowatts", "load_power", PRECISION_FREE).ends() == (0.4, 0.4)


# TPP's own rule over precisions: a sparse-only FP16 figure counts half; a larger INT8 figure marked suspect is
# passed over while a sound precision exists; a chip whose every precision is suspect still states the largest;
# a figure printed at no precision gives no TPP; FP16/BF16 on one row prints both precisions.
_TPP_MODELS = (("tpp-sparse", "S1"), ("tpp-suspect", "S2"), ("tpp-all-suspect", "S3"), ("tpp-unlabeled", "S4"), ("tpp-both", "S5"))
_TPP_CHIPS = "".join(
    f'\n[[chip]]\nid = "{chip}"\nvendor = "minico"\nname_zh = "迷你{model}"\nname_en = "TPP {model}"\nmodel = "{model}"\nkind = "NPU"\n'
    for chip, model in _TPP_MODELS
)
_TPP_ROWS = {
    "tpp-sparse": ['precision = "fp16", sparsity = "sparse", value = 400, unit = "TFLOPS"'],
    "tpp-suspect": [
        'precision = "fp16", sparsity = "dense", value = 100, unit = "TFLOPS"',
        'precision = "int8", sparsity = "dense", value = 900, unit = "TOPS", suspect = true',
    ],
    "tpp-all-suspect": [
        'precision = "fp16", value = 50, unit = "TFLOPS", suspect = true',
        'precision = "int8", value = 80, unit = "TOPS", suspect = true',
    ],
    "tpp-unlabeled": ['value = 300, unit = "TFLOPS"'],
    "tpp-both": ['precision = "fp16/bf16", sparsity = "dense", low = 200, high = 250, unit = "TFLOPS"'],
}
_TPP_FIGURES = "".join(
    f'\n[[figures]]\nsource = "mini-2026"\nlocator = "表9 设计"\nentity = "{chip}"\nrows = [\n'
    + "".join(f'  {{ metric = "compute", {row}, printed = "{at}" }},\n' for at, row in enumerate(rows))
    + "]\n"
    for chip, rows in _TPP_ROWS.items()
)


def test_tpp_in_bulk_is_export_controls_for_sparse_suspect_unlabeled_and_shared_precisions(tmp_path: Path) -> None:
    kb = extended(tmp_path, _TPP_CHIPS, _TPP_FIGURES)
    ids, position, generations = _catalog(kb)
    found = bulk_cells.entries(kb, ids, position, generations, "tpp", PRECISION_FREE)
    chips = ("tpp-sparse", "tpp-suspect", "tpp-all-suspect", "tpp-unlabeled", "tpp-both")
    got = {e: (bool(found.sure[position[e]]), _end(found.low[position[e]]), _end(found.high[position[e]])) for e in chips}
    assert got == {
        "tpp-sparse": (True, 3200.0, 3200.0),  # 400 × 16 ÷ 2
        "tpp-suspect": (True, 1600.0, 1600.0),  # 100 × 16; INT8's 7200 is suspect
        "tpp-all-suspect": (True, 800.0, 800.0),  # max(50 × 16, 80 × 8)
        "tpp-unlabeled": (True, None, None),
        "tpp-both": (True, 3200.0, 4000.0),  # FP16 and BF16 alike, 16 bits
    }
    for entity in chips:
        ends = export_control.chip_tpp(kb, entity).ends()
        assert ends == (None if got[entity][1] is None else got[entity][1:]), entity
    wrong, _, _ = _differences(kb)
    assert wrong == []


def test_a_figure_of_an_entity_the_entities_table_does_not_hold_is_no_catalog_entitys(mini_kb: KnowledgeBase) -> None:
    """Its rows' rank is -1 (spec_columns.RANK): they stay apart, past the catalog's end, and every entry of the
    column is what it is without them (mini-beta, at position 1, reports no memory of its own)."""
    ids, position, generations = _catalog(mini_kb)
    kb = WithSpecRows(mini_kb.path, [spec_row("no-such-chip", "memory_capacity", 10_004, 96.0, "GB")])
    plain = bulk_cells.entries(mini_kb, ids, position, generations, "memory_gb", PRECISION_FREE)
    found = bulk_cells.entries(kb, ids, position, generations, "memory_gb", PRECISION_FREE)
    at = position["mini-beta"]
    assert (bool(found.sure[at]), bool(found.reported[at]), _end(found.low[at]), _end(found.high[at])) == (True, False, None, None)
    assert all(
        np.array_equal(getattr(found, field), getattr(plain, field), equal_nan=True)
        for field in ("sure", "reported", "low", "high", "wide_low", "wide_high", "currency")
    )
