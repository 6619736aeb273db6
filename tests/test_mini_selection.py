"""The selection rule on the designed knowledge base: every step of the compute rule, the order within a
step, suspect figures, ranges, bounds, a/b pairs, contested specs, money by currency, and a system of parts."""

from __future__ import annotations

import pytest

from chipmcp.errors import InputError
from chipmcp.reasoning import selection
from chipmcp.reasoning.cells import Cell, Claim
from mini import extended, figure_id


def test_a_dense_figure_is_chosen_and_a_disagreeing_one_with_sparsity_not_printed_is_kept_as_a_claim(mini_kb) -> None:
    dense, unstated = figure_id(mini_kb, "mini-alpha", "1000T"), figure_id(mini_kb, "mini-alpha", "800T")
    assert selection.cell(mini_kb, "mini-alpha", "compute_tflops", "fp16") == Cell(
        value=1000.0,
        unit="TFLOPS",
        label="FP16 dense",
        figure_ids=[dense],
        tier="dense",
        span=[800.0, 1000.0],
        claims=[Claim(value=1000.0, figure_ids=[dense]), Claim(value=800.0, figure_ids=[unstated])],
    )


def test_integer_compute_is_counted_in_tops_and_converted_from_its_printed_prefix(mini_kb) -> None:
    assert selection.cell(mini_kb, "mini-alpha", "compute_tflops", "int8") == Cell(
        value=2000.0, unit="TOPS", label="INT8 dense", figure_ids=[figure_id(mini_kb, "mini-alpha", "2P")], tier="dense"
    )


def test_the_p_base_reads_a_printed_p_as_1024_t(mini_kb) -> None:
    assert selection.cell(mini_kb, "mini-alpha", "compute_tflops", "int8", p_base=1024).value == 2048.0


def test_the_shared_cell_reads_a_printed_p_as_1000_t_unless_told_as_cell_does(mini_kb) -> None:
    shared = selection.shared_cell(mini_kb, "mini-alpha", "compute_tflops", "int8")
    assert shared == Cell(
        value=2000.0, unit="TOPS", label="INT8 dense", figure_ids=[figure_id(mini_kb, "mini-alpha", "2P")], tier="dense"
    )
    assert shared == selection.cell(mini_kb, "mini-alpha", "compute_tflops", "int8")
    assert selection.shared_cell(mini_kb, "mini-alpha", "compute_tflops", "int8", p_base=1024).value == 2048.0


def test_a_sparse_only_figure_is_used_and_labelled_as_printed(mini_kb) -> None:
    assert selection.cell(mini_kb, "mini-alpha", "compute_tflops", "fp8") == Cell(
        value=2000.0,
        unit="TFLOPS",
        label="FP8 sparse, as printed",
        figure_ids=[figure_id(mini_kb, "mini-alpha", "2000T")],
        tier="sparse",
    )


def test_compute_with_no_printed_precision_answers_for_any_precision_only_when_nothing_else_exists(mini_kb) -> None:
    unlabelled = figure_id(mini_kb, "mini-beta", "300T")
    for precision in ("fp16", "fp32"):
        assert selection.cell(mini_kb, "mini-beta", "compute_tflops", precision) == Cell(
            value=300.0, unit="TFLOPS", label="precision not printed", figure_ids=[unlabelled], tier="unlabeled"
        )
    assert selection.cell(mini_kb, "mini-beta", "compute_tflops", "int8").unit == "TOPS"


def test_an_unsuspect_sparse_figure_is_chosen_before_a_suspect_dense_one(mini_kb) -> None:
    assert selection.cell(mini_kb, "mini-gamma", "compute_tflops", "fp16") == Cell(
        value=1600.0,
        unit="TFLOPS",
        label="FP16 sparse, as printed",
        figure_ids=[figure_id(mini_kb, "mini-gamma", "1600T")],
        tier="sparse",
    )


def test_a_suspect_figure_is_chosen_when_it_is_the_only_one_and_the_cell_says_so(mini_kb) -> None:
    assert selection.cell(mini_kb, "mini-delta", "compute_tflops", "int8") == Cell(
        value=64.0, unit="TOPS", label="INT8 dense", figure_ids=[figure_id(mini_kb, "mini-delta", "64T")], suspect=True, tier="dense"
    )


def test_tensor_cores_are_chosen_before_vector_units(mini_kb) -> None:
    # An FP32 figure of tensor units is not the vector-unit quantity FP32 headlines are: it says so.
    assert selection.cell(mini_kb, "mini-gamma", "compute_tflops", "fp32") == Cell(
        value=98.0,
        unit="TFLOPS",
        label="FP32, sparsity not printed (tensor units)",
        figure_ids=[figure_id(mini_kb, "mini-gamma", "98T")],
        tier="unstated",
        engine="tensor",
    )


def test_a_vector_unit_figure_says_so_in_its_label(mini_kb) -> None:
    assert selection.cell(mini_kb, "mini-delta", "compute_tflops", "fp32") == Cell(
        value=10.0,
        unit="TFLOPS",
        label="FP32, sparsity not printed (vector units)",
        figure_ids=[figure_id(mini_kb, "mini-delta", "10T")],
        tier="unstated",
    )


def test_a_single_value_is_chosen_before_an_a_b_pair_it_agrees_with_and_cites_both(mini_kb) -> None:
    value, pair = figure_id(mini_kb, "mini-delta", "200T"), figure_id(mini_kb, "mini-delta", "100/200T")
    assert pair < value  # the order, not the id, puts the single value first
    cell = selection.cell(mini_kb, "mini-delta", "compute_tflops", "fp8")
    assert cell == Cell(value=200.0, unit="TFLOPS", label="FP8, sparsity not printed", figure_ids=[value], tier="unstated")


def test_a_range_keeps_both_ends_and_its_bound(mini_kb) -> None:
    assert selection.cell(mini_kb, "mini-delta", "compute_tflops", "fp16") == Cell(
        low=90.0,
        high=110.0,
        bound="approx",
        unit="TFLOPS",
        label="FP16, sparsity not printed",
        figure_ids=[figure_id(mini_kb, "mini-delta", "约90-110T")],
        tier="unstated",
    )
    assert selection.cell(mini_kb, "mini-beta", "tdp_w") == Cell(
        low=150.0, high=200.0, unit="W", figure_ids=[figure_id(mini_kb, "mini-beta", "150-200W")]
    )


def test_a_disagreement_only_with_a_suspect_figure_is_not_a_contest(mini_kb) -> None:
    beta = {row["printed"]: row for row in mini_kb.figures("mini-beta")}
    assert beta["150-200W"]["conflict_group"] is not None and beta["150-200W"]["conflict_group"] == beta["1500W"]["conflict_group"]
    cell = selection.cell(mini_kb, "mini-beta", "tdp_w")
    assert (cell.low, cell.high, cell.claims, cell.span, cell.suspect) == (150.0, 200.0, [], None, False)


def test_a_lower_bound_is_kept_on_the_cell(mini_kb) -> None:
    assert selection.cell(mini_kb, "mini-gamma", "compute_tflops", "bf16") == Cell(
        value=300.0,
        bound="over",
        unit="TFLOPS",
        label="BF16 dense",
        figure_ids=[figure_id(mini_kb, "mini-gamma", "超300T")],
        tier="dense",
    )


def test_two_printed_configurations_are_kept_as_low_and_high_and_labelled(mini_kb) -> None:
    assert selection.cell(mini_kb, "mini-alpha", "memory_gb") == Cell(
        low=40.0, high=80.0, unit="GB", label="a/b configurations", figure_ids=[figure_id(mini_kb, "mini-alpha", "40GB/80GB")]
    )


def test_a_contested_spec_keeps_the_preferred_value_and_every_claim(mini_kb) -> None:
    preferred, other = figure_id(mini_kb, "mini-alpha", "400W"), figure_id(mini_kb, "mini-alpha", "350W")
    assert selection.cell(mini_kb, "mini-alpha", "tdp_w") == Cell(
        value=400.0,
        unit="W",
        figure_ids=[preferred],
        span=[350.0, 400.0],
        claims=[Claim(value=400.0, figure_ids=[preferred]), Claim(value=350.0, figure_ids=[other])],
    )


def test_figures_agreeing_with_the_chosen_one_are_cited_with_it_but_never_a_suspect_one(mini_kb) -> None:
    assert selection.cell(mini_kb, "mini-alpha", "die_area_mm2") == Cell(
        value=500.0, unit="mm²", figure_ids=[figure_id(mini_kb, "mini-alpha", "500mm²"), figure_id(mini_kb, "mini-alpha", "500 mm²")]
    )
    assert selection.cell(mini_kb, "mini-alpha", "compute_tflops", "fp16").figure_ids == [figure_id(mini_kb, "mini-alpha", "1000T")]


def test_a_contested_text_spec_is_the_preferred_wording(mini_kb) -> None:
    assert selection.cell(mini_kb, "mini-alpha", "memory_type") == Cell(
        text="HBM3", figure_ids=[figure_id(mini_kb, "mini-alpha", "HBM3")]
    )
    assert selection.cell(mini_kb, "mini-beta", "memory_type") == Cell()
    release = figure_id(mini_kb, "mini-alpha", "2025年3月")
    assert selection.cell(mini_kb, "mini-alpha", "release") == Cell(text="2025-03", figure_ids=[release])


def test_a_price_stays_in_the_currency_of_the_preferred_figure(mini_kb) -> None:
    assert selection.cell(mini_kb, "mini-alpha", "price") == Cell(
        value=12000.0, unit="美元", figure_ids=[figure_id(mini_kb, "mini-alpha", "1.2万美元")]
    )


def test_a_figure_tied_to_a_period_is_never_a_spec(mini_kb) -> None:
    plan = figure_id(mini_kb, "mini-alpha", "3000T")
    assert plan not in selection.cell(mini_kb, "mini-alpha", "compute_tflops", "fp16").figure_ids
    assert all(plan not in offer.figure_ids for offer in selection.compute_offers(mini_kb, "mini-alpha"))


def test_a_spec_nobody_reports_is_an_empty_cell_in_its_unit(mini_kb) -> None:
    assert selection.cell(mini_kb, "mini-gamma", "tdp_w") == Cell(unit="W")
    assert selection.cell(mini_kb, "mini-gamma", "compute_tflops", "int8") == Cell(unit="TOPS")
    assert selection.cell(mini_kb, "mini-beta", "price") == Cell()


def test_compute_needs_a_known_precision(mini_kb) -> None:
    with pytest.raises(ValueError, match="compute needs a precision"):
        selection.cell(mini_kb, "mini-alpha", "compute_tflops")
    with pytest.raises(InputError, match=r"Unknown precision 'fp12'\. Allowed: fp64, fp32"):
        selection.cell(mini_kb, "mini-alpha", "compute_tflops", "fp12")


def test_cells_gives_each_spec_at_one_precision(mini_kb) -> None:
    got = selection.cells(mini_kb, "mini-alpha", ["compute_tflops", "tdp_w"], "fp16")
    assert got == {
        "compute_tflops": selection.cell(mini_kb, "mini-alpha", "compute_tflops", "fp16"),
        "tdp_w": selection.cell(mini_kb, "mini-alpha", "tdp_w"),
    }


def test_compute_offers_list_each_precision_and_sparsity_in_order_unlabelled_last(mini_kb) -> None:
    offers = [(o.precision, o.sparsity) for o in selection.compute_offers(mini_kb, "mini-gamma")]
    assert offers == [("fp32", None), ("fp16", "dense"), ("fp16", "sparse"), ("bf16", "dense")]
    assert [(o.precision, o.sparsity, o.figure_ids) for o in selection.compute_offers(mini_kb, "mini-beta")] == [
        (None, None, [figure_id(mini_kb, "mini-beta", "300T")])
    ]
    fp32 = next(o for o in selection.compute_offers(mini_kb, "mini-gamma") if o.precision == "fp32")
    assert fp32.figure_ids == [figure_id(mini_kb, "mini-gamma", "24.5T"), figure_id(mini_kb, "mini-gamma", "98T")]


def test_reported_precisions_follow_the_precision_list_and_skip_unlabelled_compute(mini_kb) -> None:
    assert selection.reported_precisions(mini_kb, ["mini-alpha", "mini-beta"]) == ["fp16", "fp8", "int8"]
    assert selection.reported_precisions(mini_kb, ["mini-beta"]) == []


def test_unused_forms_name_a_per_server_figure_and_a_system_with_its_own_compute(mini_kb) -> None:
    assert selection.unused_forms(mini_kb, "mini-delta", "fp16") == ["a per-server figure '0.8P' (used with use_server_figure=true)"]
    assert selection.unused_forms(mini_kb, "mini-delta", "int8") == []
    assert selection.unused_forms(mini_kb, "mini-alpha", "fp16") == [
        "the system mini-pod reports FP16 compute (name it to use its own figures)"
    ]
    assert selection.unused_forms(mini_kb, "mini-alpha", "int8") == []


def test_a_system_of_parts_sums_count_times_each_part_and_says_when_the_parts_mix_steps(mini_kb) -> None:
    assert selection.composition_cell(mini_kb, "mini-pod", "compute_tflops", "fp16") == Cell(
        value=8600.0,
        unit="TFLOPS",
        label="from parts: 8 × 迷你X9 FP16 dense + 2 × 迷你X9B precision not printed",
        figure_ids=sorted([figure_id(mini_kb, "mini-alpha", "1000T"), figure_id(mini_kb, "mini-beta", "300T")]),
        tier="mixed",
    )


def test_a_system_of_parts_keeps_a_part_s_range_as_both_ends(mini_kb) -> None:
    assert selection.composition_cell(mini_kb, "mini-pod", "tdp_w") == Cell(
        low=3500.0,
        high=3600.0,
        unit="W",
        label="from parts: 8 × 迷你X9 + 2 × 迷你X9B",
        figure_ids=sorted([figure_id(mini_kb, "mini-alpha", "400W"), figure_id(mini_kb, "mini-beta", "150-200W")]),
    )


def test_a_system_of_parts_at_one_step_carries_that_step(mini_kb) -> None:
    cell = selection.composition_cell(mini_kb, "mini-pod", "compute_tflops", "int8")
    assert cell is not None and (cell.value, cell.tier) == (8 * 2000.0 + 2 * 300.0, "mixed")
    single = selection.composition_cell(mini_kb, "mini-pod", "memory_gb")
    assert single is None  # Beta reports no memory: no total from parts


def test_no_composition_without_parts_or_for_text_or_money(mini_kb) -> None:
    assert selection.composition_cell(mini_kb, "mini-empty-rack", "tdp_w") is None
    assert selection.composition_cell(mini_kb, "mini-pod", "memory_type") is None
    assert selection.composition_cell(mini_kb, "mini-pod", "price") is None


_PRICED_PAIR = """
[[system]]
id = "mini-priced-pair"
vendor = "minico"
name_zh = "迷你双卡机"
name_en = "Mini Priced Pair"
kind = "server"
parts = [{ chip = "mini-alpha", count = 2, printed = "2", source = "mini-2026", locator = "表2 整机配置" }]
"""


def test_a_system_s_price_is_never_the_sum_of_its_parts_prices_even_when_every_part_prints_one(tmp_path) -> None:
    """A system's price includes more than its chips (board, chassis, margin): no total from parts, although
    its one part, Alpha X9, prints a price and its other specs do sum."""
    kb = extended(tmp_path, _PRICED_PAIR)
    assert selection.cell(kb, "mini-alpha", "price").ends() == (12000.0, 12000.0)
    assert selection.composition_cell(kb, "mini-priced-pair", "price") is None
    assert selection.composition_cell(kb, "mini-priced-pair", "tdp_w") == Cell(
        value=800.0, unit="W", label="from parts: 2 × 迷你X9", figure_ids=[figure_id(kb, "mini-alpha", "400W")]
    )


_TWO_ENGINES = (
    """
[[chip]]
id = "mini-engines"
vendor = "minico"
name_zh = "迷你E1"
name_en = "Engines E1"
model = "E1"
kind = "NPU"
""",
    """
[[figures]]
source = "mini-2026"
locator = "表9 设计"
entity = "mini-engines"
rows = [
  { metric = "compute", engine = "vector", value = 100, unit = "TFLOPS", printed = "100T" },
  { metric = "compute", engine = "tensor", value = 100, unit = "TFLOPS", printed = "100 TFLOPS" },
]
""",
)


def test_of_agreeing_figures_of_no_printed_precision_the_tensor_core_one_is_chosen_before_the_vector_one(tmp_path) -> None:
    """Both agree, so the build prefers both; the vector figure comes first in the file (the lower id), and only
    the engine puts the tensor-core figure first: the cell is not labelled as vector units."""
    kb = extended(tmp_path, *_TWO_ENGINES)
    vector, tensor = figure_id(kb, "mini-engines", "100T"), figure_id(kb, "mini-engines", "100 TFLOPS")
    assert vector < tensor
    assert selection.cell(kb, "mini-engines", "compute_tflops", "fp16") == Cell(
        value=100.0, unit="TFLOPS", label="precision not printed", figure_ids=[tensor, vector], tier="unlabeled"
    )


def test_power_is_the_tdp_for_a_chip_and_the_system_power_for_a_system(mini_kb) -> None:
    chip = selection.cells(mini_kb, "mini-alpha", ["tdp_w", "system_power_w"], "fp16")
    system = selection.cells(mini_kb, "mini-pod", ["tdp_w", "system_power_w"], "fp16")
    assert selection.power_cell(chip) is chip["tdp_w"]
    assert selection.power_cell(system) is system["system_power_w"]
    assert selection.power_cell({}) == Cell(unit="W")


def test_a_derived_ratio_divides_both_ends_and_carries_the_compute_label(mini_kb) -> None:
    specs = selection.cells(mini_kb, "mini-beta", ["compute_tflops", "tdp_w", "system_power_w"], "fp16")
    assert selection.derived_cell("tflops_per_w", specs) == Cell(
        low=1.5,
        high=2.0,
        unit="TFLOPS/W",
        label="precision not printed",
        tier="unlabeled",
        figure_ids=[figure_id(mini_kb, "mini-beta", "300T"), figure_id(mini_kb, "mini-beta", "150-200W")],
    )
    assert selection.derived_cell("w_per_tflops", specs) == Cell(
        low=0.5,
        high=0.6667,
        unit="W/TFLOPS",
        label="precision not printed",
        tier="unlabeled",
        figure_ids=[figure_id(mini_kb, "mini-beta", "150-200W"), figure_id(mini_kb, "mini-beta", "300T")],
    )


def test_a_derived_ratio_on_a_suspect_figure_says_so(mini_kb) -> None:
    specs = selection.cells(mini_kb, "mini-delta", ["compute_tflops", "memory_gb", "price"], "int8")
    derived = selection.derived_cell("gb_per_tflops", specs)
    assert (derived.value, derived.unit, derived.suspect, derived.note) == (0.5, "GB per TOPS", True, "built on a suspect figure")
    price = selection.derived_cell("price_per_tflops", selection.cells(mini_kb, "mini-alpha", ["compute_tflops", "price"], "fp16"))
    assert (price.value, price.unit, price.note) == (12.0, "美元 per TFLOPS", "")


def test_a_row_cell_shows_one_given_figure_with_its_precision_and_sparsity(mini_kb) -> None:
    rows = {row["printed"]: row for row in mini_kb.figures("mini-pod")}
    assert selection.row_cell(rows["8.6P"], "TFLOPS") == Cell(
        value=8600.0, unit="TFLOPS", label="FP16, dense", figure_ids=[rows["8.6P"]["id"]]
    )
    beta = {row["printed"]: row for row in mini_kb.figures("mini-beta")}
    assert selection.row_cell(beta["300T"], "TFLOPS", p_base=1024).label == "precision not printed"
    assert selection.row_cell(beta["150-200W"], "W") == Cell(low=150.0, high=200.0, unit="W", figure_ids=[beta["150-200W"]["id"]])
    delta = {row["printed"]: row for row in mini_kb.figures("mini-delta")}
    assert selection.row_cell(delta["100/200T"], "TFLOPS") == Cell(
        low=100.0, high=200.0, unit="TFLOPS", label="FP8", figure_ids=[delta["100/200T"]["id"]]
    )
    assert selection.row_cell(delta["64T"], "TOPS").suspect is True


def test_derived_ratios_say_which_way_is_better() -> None:
    better = {name: d.higher_is_better for name, d in selection.DERIVED.items()}
    assert better == {
        "tflops_per_w": True,
        "w_per_tflops": False,
        "bandwidth_per_tflops": True,
        "gb_per_tflops": True,
        "price_per_tflops": False,
    }


def test_compute_unit_is_tops_for_integer_precisions_only() -> None:
    assert [selection.compute_unit(p) for p in ("int8", "int4", "fp8", None)] == ["TOPS", "TOPS", "TFLOPS", "TFLOPS"]


def test_cells_read_a_printed_p_as_1000_t_by_default(mini_kb) -> None:
    assert selection.cells(mini_kb, "mini-pod", ["compute_tflops"], "fp16")["compute_tflops"].value == 8600.0


# --- a generation's record stands in for a model's missing figure (mini-m8 for mini-m8e) ----------------


def _family(mini_kb, printed: str, label: str = "family-level: 迷你M8系列", **fields) -> Cell:
    return Cell(label=label, figure_ids=[figure_id(mini_kb, "mini-m8", printed)], tier="family", **fields)


def test_a_spec_the_model_does_not_report_is_its_generation_s_labelled_family_level(mini_kb) -> None:
    assert selection.cell(mini_kb, "mini-m8e", "tdp_w") == _family(mini_kb, "300W", value=300.0, unit="W")
    assert selection.cell(mini_kb, "mini-m8e", "memory_type") == _family(mini_kb, "HBM2e", text="HBM2e")


def test_the_model_s_own_figure_comes_before_its_generation_s(mini_kb) -> None:
    assert selection.cell(mini_kb, "mini-m8e", "memory_gb") == Cell(
        value=48.0, unit="GB", figure_ids=[figure_id(mini_kb, "mini-m8e", "48GB")]
    )
    assert selection.cell(mini_kb, "mini-m8e", "release") == Cell(
        text="2026-01", figure_ids=[figure_id(mini_kb, "mini-m8e", "2026年1月")]
    )


def test_compute_and_die_area_belong_to_the_model_alone(mini_kb) -> None:
    assert selection.cell(mini_kb, "mini-m8e", "compute_tflops", "int8") == Cell(unit="TOPS")
    assert selection.cell(mini_kb, "mini-m8e", "die_area_mm2") == Cell(unit="mm²")
    # The generation does print them: 1.6P INT8 is 1,600 TOPS (P read as 1000 T by default).
    assert selection.family_cell(mini_kb, "mini-m8e", "compute_tflops", "int8") == _family(
        mini_kb, "1.6P", value=1600.0, unit="TOPS", label="family-level: 迷你M8系列, INT8 dense"
    )


def test_no_family_figure_without_a_generation_or_without_its_figure(mini_kb) -> None:
    assert selection.family_cell(mini_kb, "mini-alpha", "tdp_w") is None
    assert selection.family_cell(mini_kb, "mini-m8e", "price") is None
    assert selection.family_cells(mini_kb, "mini-alpha") == {}


def test_family_cells_add_what_the_model_lacks_but_no_compute_die_area_description_or_period_figure(mini_kb) -> None:
    # mini-m8 also prints memory (mini-m8e has its own), INT8 compute and a die area (the model's alone), a use
    # case (descriptive) and a planned system power for 2027; mini-m8e's planned TDP for 2027 is not a TDP.
    assert selection.family_cells(mini_kb, "mini-m8e") == {
        "tdp": _family(mini_kb, "300W", value=300.0, unit="W"),
        "memory_type": _family(mini_kb, "HBM2e", text="HBM2e"),
    }


def test_a_registry_metric_is_a_spec_in_the_unit_of_its_figure_and_compute_counts_in_tflops(mini_kb) -> None:
    # 0.8 PFLOPS per server is 800 TFLOPS: the value and its unit converted together.
    server = figure_id(mini_kb, "mini-delta", "0.8P")
    assert selection.cell(mini_kb, "mini-delta", "server_compute") == Cell(value=800.0, unit="TFLOPS", figure_ids=[server])
    both = [figure_id(mini_kb, "mini-m8e", "3.2P"), figure_id(mini_kb, "mini-m8e", "3200T")]
    assert selection.cell(mini_kb, "mini-m8e", "server_compute") == Cell(value=3200.0, unit="TFLOPS", figure_ids=both)
    assert selection.spec_def(mini_kb, "server_compute") == selection.SpecDef("server_compute", "", text=False)
    assert [selection.is_text(mini_kb, spec) for spec in ("server_compute", "memory_type", "use_case", "no-such-metric")] == [
        False,
        True,
        True,
        False,
    ]
    with pytest.raises(KeyError):
        selection.spec_def(mini_kb, "no-such-metric")
