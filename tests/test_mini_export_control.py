"""Export control on the designed knowledge base: TPP per precision (a sparse figure halved, no bit length for
unlabelled compute), the largest TPP, performance density from a die area or as printed, and every class's
standing with precedence, shadowing within a reading, contested claims and missing quantities."""

from __future__ import annotations

from chipmcp.reasoning import export_control
from chipmcp.reasoning.cells import Cell, ClauseTest, Standing
from mini import figure_id


def _standings(kb, entity: str) -> dict[tuple[str, str, str], Standing]:
    tpp = export_control.chip_tpp(kb, entity)
    pd = export_control.density(kb, entity, tpp)
    return {(s.reading, s.source, s.class_name): s for s in export_control.standings(kb, tpp, pd)}


def test_tpp_is_compute_times_bit_length_for_each_precision_a_sparse_figure_halved(mini_kb) -> None:
    rows = export_control.tpp_rows(mini_kb, "mini-alpha")
    assert [(r.precision, r.bits, r.sparse_halved, r.tpp.value, r.tpp.label, r.tpp.span) for r in rows] == [
        ("fp16", 16, False, 16000.0, "FP16 dense × 16 bits", [12800.0, 16000.0]),
        ("fp8", 8, True, 8000.0, "FP8 sparse, as printed × 8 bits ÷ 2 (sparse figure halved)", None),
        ("int8", 8, False, 16000.0, "INT8 dense × 8 bits", None),
    ]
    dense = figure_id(mini_kb, "mini-alpha", "1000T")
    assert rows[0].compute == Cell(
        value=1000.0,
        unit="TFLOPS",
        label="FP16 dense",
        figure_ids=[dense],
        tier="dense",
        span=rows[0].compute.span,
        claims=rows[0].compute.claims,
    )


def test_compute_without_a_printed_precision_has_no_bit_length_and_gives_no_tpp(mini_kb) -> None:
    assert export_control.tpp_rows(mini_kb, "mini-beta") == []
    assert export_control.chip_tpp(mini_kb, "mini-beta") == Cell(unit="TPP")


def test_the_chip_tpp_is_the_largest_over_its_precisions_naming_each_that_reaches_it(mini_kb) -> None:
    alpha = [figure_id(mini_kb, "mini-alpha", "1000T"), figure_id(mini_kb, "mini-alpha", "2P")]
    assert export_control.chip_tpp(mini_kb, "mini-alpha") == Cell(
        value=16000.0, unit="TPP", label="largest of FP16, INT8", figure_ids=sorted(alpha), span=[12800.0, 16000.0]
    )


def test_a_range_of_compute_gives_a_range_of_tpp_and_the_largest_is_taken_end_by_end(mini_kb) -> None:
    fp16, fp8 = figure_id(mini_kb, "mini-delta", "约90-110T"), figure_id(mini_kb, "mini-delta", "200T")
    assert export_control.chip_tpp(mini_kb, "mini-delta") == Cell(
        low=1600.0, high=1760.0, unit="TPP", label="largest of FP16, FP8", figure_ids=sorted([fp16, fp8])
    )


def test_the_largest_tpp_of_intervals_takes_the_largest_low_and_the_largest_high(mini_kb) -> None:
    rows = export_control.tpp_rows(mini_kb, "mini-delta")
    assert [(r.precision, r.tpp.ends()) for r in rows] == [
        ("fp32", (320.0, 320.0)),
        ("fp16", (1440.0, 1760.0)),
        ("fp8", (1600.0, 1600.0)),
        ("int8", (512.0, 512.0)),
    ]
    assert export_control.largest(rows).ends() == (1600.0, 1760.0)
    assert export_control.largest(rows[:2]).ends() == (1440.0, 1760.0)
    assert export_control.largest([rows[2], rows[3]]).label == "largest of FP8"
    assert export_control.largest([rows[3]]).suspect is True


def test_performance_density_is_tpp_divided_by_the_die_area(mini_kb) -> None:
    tpp = export_control.chip_tpp(mini_kb, "mini-alpha")
    assert export_control.density(mini_kb, "mini-alpha", tpp) == Cell(
        value=32.0,
        unit="TPP",
        label="TPP ÷ 500.0 mm²",
        figure_ids=[*tpp.figure_ids, figure_id(mini_kb, "mini-alpha", "500mm²"), figure_id(mini_kb, "mini-alpha", "500 mm²")],
    )
    gamma = export_control.chip_tpp(mini_kb, "mini-gamma")
    assert export_control.density(mini_kb, "mini-gamma", gamma).value == 12800.0 / 400.0  # type: ignore[union-attr]


def test_performance_density_of_a_tpp_range_divides_both_ends(mini_kb) -> None:
    tpp = Cell(low=1000.0, high=2000.0, unit="TPP", figure_ids=[1], suspect=True)
    pd = export_control.density(mini_kb, "mini-alpha", tpp)
    assert pd is not None and (pd.low, pd.high, pd.suspect) == (2.0, 4.0, True)


def test_without_a_die_area_the_printed_density_is_used_and_without_either_there_is_none(mini_kb) -> None:
    assert export_control.density(mini_kb, "mini-beta", Cell(unit="TPP")) == Cell(
        value=2.5,
        unit="TPP/mm²",
        label="as the report prints it (no die area reported)",
        figure_ids=[figure_id(mini_kb, "mini-beta", "2.5")],
    )
    assert export_control.density(mini_kb, "mini-delta", export_control.chip_tpp(mini_kb, "mini-delta")) is None
    assert export_control.density(mini_kb, "mini-alpha", Cell(unit="TPP")) is None


def test_a_class_met_shadows_the_classes_after_it_within_its_reading_only(mini_kb) -> None:
    standings = _standings(mini_kb, "mini-alpha")
    assert [(s.reading, s.source, s.class_name, s.status, s.shadowed_by) for s in standings.values()] == [
        ("report", "mini-2026", "Tier 2", "met", None),
        ("report", "mini-older-2025", "Top", "met", None),
        ("rule", "mini-rule-2026", "Tier 1", "met", None),
        ("rule", "mini-rule-2026", "Tier 2", "met", "Tier 1"),
    ]


def test_classes_are_tried_in_precedence_order_whatever_the_file_order(mini_kb) -> None:
    rule = [(c["name"], c["precedence"]) for c in mini_kb.control_classes if c["reading"] == "rule"]
    assert rule == [("Tier 1", 1), ("Tier 2", 2)]


def test_a_lower_class_met_alone_is_the_standing(mini_kb) -> None:
    standings = _standings(mini_kb, "mini-delta")
    assert standings[("rule", "mini-rule-2026", "Tier 1")].status == "not met"
    assert standings[("rule", "mini-rule-2026", "Tier 2")] == Standing(
        regime="mini-controls",
        class_name="Tier 2",
        reading="rule",
        source="mini-rule-2026",
        locator="§2",
        status="met",
        clauses=[ClauseTest(test="TPP >= 1000", status="met", needs=[])],
        note="review",
    )


def test_each_clause_is_reported_with_its_own_status(mini_kb) -> None:
    standing = _standings(mini_kb, "mini-alpha")[("rule", "mini-rule-2026", "Tier 1")]
    assert standing == Standing(
        regime="mini-controls",
        class_name="Tier 1",
        reading="rule",
        source="mini-rule-2026",
        locator="§1",
        status="met",
        clauses=[
            ClauseTest(test="TPP >= 10000", status="met", needs=[]),
            ClauseTest(test="TPP > 4000 and PD >= 20", status="met", needs=[]),
        ],
        note="denial",
    )


def test_a_contested_tpp_is_also_tested_on_the_span_of_its_claims(mini_kb) -> None:
    top = _standings(mini_kb, "mini-alpha")[("report", "mini-older-2025", "Top")]
    assert (top.status, top.across_claims) == ("met", "undecided")
    assert _standings(mini_kb, "mini-alpha")[("rule", "mini-rule-2026", "Tier 1")].across_claims is None


def test_a_missing_quantity_leaves_a_class_undecided_and_names_what_it_needs(mini_kb) -> None:
    beta = _standings(mini_kb, "mini-beta")
    assert beta[("rule", "mini-rule-2026", "Tier 1")].clauses == [
        ClauseTest(test="TPP >= 10000", status="undecided", needs=["TPP"]),
        ClauseTest(test="TPP > 4000 and PD >= 20", status="not met", needs=[]),
    ]
    assert beta[("rule", "mini-rule-2026", "Tier 1")].status == "undecided"
    assert beta[("rule", "mini-rule-2026", "Tier 2")].shadowed_by is None
    delta = _standings(mini_kb, "mini-delta")
    assert delta[("report", "mini-2026", "Tier 2")].clauses == [
        ClauseTest(test="TPP < 20000 and PD <= 40", status="undecided", needs=["PD"])
    ]


def test_an_interval_straddling_a_threshold_is_undecided_without_needing_anything(mini_kb) -> None:
    tpp = Cell(low=9000.0, high=11000.0, unit="TPP")
    standings = {(s.reading, s.class_name): s for s in export_control.standings(mini_kb, tpp, None)}
    assert standings[("rule", "Tier 1")].clauses[0] == ClauseTest(test="TPP >= 10000", status="undecided", needs=[])
    assert standings[("rule", "Tier 1")].clauses[1] == ClauseTest(test="TPP > 4000 and PD >= 20", status="undecided", needs=["PD"])
    assert (standings[("rule", "Tier 2")].status, standings[("rule", "Tier 2")].shadowed_by) == ("met", None)


def test_a_bound_widens_the_values_tested(mini_kb) -> None:
    over = Cell(value=4800.0, bound="over", unit="TPP")
    standings = {(s.reading, s.source, s.class_name): s for s in export_control.standings(mini_kb, over, Cell(value=30.0, unit="TPP"))}
    assert standings[("report", "mini-2026", "Tier 2")].status == "undecided"  # TPP < 20000 for 4800, not for all above
    assert standings[("rule", "mini-rule-2026", "Tier 1")].clauses[0].status == "undecided"
    assert standings[("rule", "mini-rule-2026", "Tier 1")].status == "met"
    approx = Cell(value=10000.0, bound="approx", unit="TPP")
    tier1 = next(s for s in export_control.standings(mini_kb, approx, None) if s.class_name == "Tier 1")
    assert tier1.clauses[0].status == "undecided"  # 约10000 is 9500–10500


def test_tpp_labels_its_tpp_with_the_compute_label_and_a_bound_carries_through(mini_kb) -> None:
    rows = {r.precision: r for r in export_control.tpp_rows(mini_kb, "mini-gamma")}
    assert rows["bf16"].tpp == Cell(
        value=4800.0, bound="over", unit="TPP", label="BF16 dense × 16 bits", figure_ids=[figure_id(mini_kb, "mini-gamma", "超300T")]
    )
    assert rows["fp16"].tpp.value == 12800.0 and rows["fp16"].sparse_halved


def test_the_largest_tpp_names_every_precision_reaching_either_end() -> None:
    def row(precision: str, low: float, high: float, figure: int) -> export_control.TppRow:
        tpp = Cell(low=low, high=high, unit="TPP", figure_ids=[figure])
        return export_control.TppRow(precision, 8, Cell(), tpp, False)

    # FP8 holds the largest low (1600) but not the largest high (1760, FP16's): both are named and cited.
    largest = export_control.largest([row("fp16", 1440.0, 1760.0, 1), row("fp8", 1600.0, 1700.0, 2), row("int8", 100.0, 200.0, 3)])
    assert largest == Cell(low=1600.0, high=1760.0, unit="TPP", label="largest of FP16, FP8", figure_ids=[1, 2])


def _row(precision: str, value: float, figure: int, suspect: bool = False) -> export_control.TppRow:
    return export_control.TppRow(precision, 8, Cell(), Cell(value=value, unit="TPP", figure_ids=[figure], suspect=suspect), False)


def test_the_headline_tpp_is_the_largest_sound_row_and_a_larger_suspect_row_is_left_aside() -> None:
    rows = [_row("fp16", 1600.0, 1), _row("int8", 9000.0, 2, suspect=True)]
    assert export_control.headline(rows) == Cell(value=1600.0, unit="TPP", label="largest of FP16", figure_ids=[1])
    assert export_control.suspect_only(rows) == [rows[1]]


def test_when_every_row_is_suspect_the_headline_is_the_largest_of_them_flagged_suspect() -> None:
    rows = [_row("fp16", 1600.0, 1, suspect=True), _row("int8", 900.0, 2, suspect=True)]
    assert export_control.headline(rows) == Cell(value=1600.0, unit="TPP", label="largest of FP16", figure_ids=[1], suspect=True)
    assert export_control.suspect_only(rows) == []


def test_a_contested_density_is_also_tested_on_the_span_of_its_claims(mini_kb) -> None:
    """PD 30 meets Tier 1's 'TPP > 4000 and PD >= 20'; claims from 10 to 30 leave it undecided across them."""
    tpp, pd = Cell(value=5000.0, unit="TPP"), Cell(value=30.0, unit="TPP/mm²", span=[10.0, 30.0])
    tier1 = next(s for s in export_control.standings(mini_kb, tpp, pd) if (s.reading, s.class_name) == ("rule", "Tier 1"))
    assert (tier1.status, tier1.across_claims) == ("met", "undecided")
    assert [c.status for c in tier1.clauses] == ["not met", "met"]
