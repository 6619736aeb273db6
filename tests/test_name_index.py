"""Name resolution on a designed index (no knowledge base): each way of matching, in order, the refusals,
the bare model that other models extend ('X9' → X9B, X9C), and the normalization rules."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chipmcp.core import names
from chipmcp.core.names import AliasEntry, Candidate, EntityInfo, Match, NameIndex
from chipmcp.errors import AmbiguousNameError, NotFoundError, SeveralNamesError

CHIPS = frozenset({"chip"})
VENDORS = frozenset({"vendor"})
ANY = frozenset({"chip", "vendor", "system"})

ENTITIES = [
    EntityInfo("minico", "vendor", "MiniCo", None, None),
    EntityInfo("minico-sub", "vendor", "MiniCo Sub", None, None, parent="minico"),
    EntityInfo("minico-sub-sub", "vendor", "MiniCo Sub Sub", None, None, parent="minico-sub"),
    EntityInfo("otherco", "vendor", "OtherCo", None, None),
    EntityInfo("mini-x9", "chip", "Alpha X9", "minico", "X9"),
    EntityInfo("mini-x9b", "chip", "Beta X9B", "minico", "X9B"),
    EntityInfo("mini-x9c", "chip", "Gamma X9C", "minico", "X9C"),
    EntityInfo("mini-x10", "chip", "Kappa X10", "minico", "X10"),
    EntityInfo("mini-d1", "chip", "Delta D1", "minico-sub", "D1"),
    EntityInfo("other-x9", "chip", "Omega X9", "otherco", "X9"),
    EntityInfo("mini-pod", "system", "Mini Pod", "minico", None),
    EntityInfo("mini-cpu", "chip", "MiniCo CPU", "minico", None),
]
ALIASES = [  # (entity, alias, form, suspect, note)
    ("minico", "MiniCo", "name_en", False, ""),
    ("minico", "迷你芯", "name_zh", False, ""),
    ("minico", "mi ni xin", "pinyin", False, ""),
    ("minico", "688999.SH", "stock_code", False, ""),
    ("minico", "688998.SH", "stock_code", True, "another report prints 688999.SH"),
    ("minico-sub", "MiniSub", "name_en", False, ""),
    ("minico-sub-sub", "MiniSubSub", "name_en", False, ""),
    ("otherco", "OtherCo", "name_en", False, ""),
    ("mini-x9", "Alpha X9", "name_en", False, ""),
    ("mini-x9", "X9", "model", False, ""),
    ("mini-x9b", "Beta X9B", "name_en", False, ""),
    ("mini-x9b", "X9B", "model", False, ""),
    ("mini-x9b", "Z1", "alias", False, ""),
    ("mini-x9c", "Gamma X9C", "name_en", False, ""),
    ("mini-x9c", "X9C", "model", False, ""),
    ("mini-x9c", "Z1", "alias", False, ""),
    ("mini-x10", "Kappa X10", "name_en", False, ""),
    ("mini-x10", "X10", "model", False, ""),
    ("mini-d1", "Delta D1", "name_en", False, ""),
    ("mini-d1", "delta d1", "name_zh", False, ""),
    ("mini-d1", "D1", "model", False, ""),
    ("mini-x9c", "Gamma-9C", "name_zh_hant", False, ""),
    ("mini-x9c", "gamma 9c", "alias", False, ""),
    ("other-x9", "Omega X9", "name_en", False, ""),
    ("other-x9", "Alphe X9", "alias", False, ""),
    ("mini-pod", "Mini Pod", "name_en", False, ""),
    ("mini-pod", "MiniPod Server", "alias", False, ""),
    ("mini-cpu", "MiniCo CPU", "name_en", False, ""),
]


@pytest.fixture(scope="module")
def index() -> NameIndex:
    entries = [
        AliasEntry(names.normalize(alias), entity, alias, form, names.signature(alias), suspect, note)
        for entity, alias, form, suspect, note in ALIASES
    ]
    return NameIndex(entries, ENTITIES)


def test_a_written_alias_matches_exactly(index) -> None:
    assert index.resolve("Kappa X10", CHIPS) == Match("mini-x10", "chip", "Kappa X10", "exact", "Kappa X10", 100.0)


def test_another_spelling_of_an_alias_matches_as_normalized(index) -> None:
    assert index.resolve(" kappa-x10™ ", CHIPS) == Match("mini-x10", "chip", "Kappa X10", "normalized", "Kappa X10", 100.0)


def test_a_pinyin_or_stock_code_alias_says_how_it_matched(index) -> None:
    assert index.resolve("Mi Ni Xin", VENDORS).method == "pinyin"
    assert index.resolve("688999 sh", VENDORS).method == "stock-code"
    assert index.resolve("688999 sh", VENDORS).note == ""
    assert index.resolve("688999.SH", VENDORS).method == "exact"


def test_of_two_spellings_with_one_key_the_higher_ranked_form_is_shown(index) -> None:
    assert index.resolve("DELTA D1", CHIPS).alias == "delta d1"  # a Chinese name before an English one
    assert index.resolve("GAMMA 9C", CHIPS).alias == "gamma 9c"  # an alias before a traditional-script name


def test_a_suspect_alias_answers_with_a_warning(index) -> None:
    match = index.resolve("688998.sh", VENDORS)
    assert (match.id, match.method) == ("minico", "stock-code")
    assert match.note == (
        "Warning: '688998.SH' is a suspect name for MiniCo, printed by a report but probably wrong "
        "(another report prints 688999.SH); it may name something else. Answering for MiniCo, as that "
        "report meant."
    )


def test_an_alias_of_two_entities_is_ambiguous_and_names_both(index) -> None:
    with pytest.raises(AmbiguousNameError) as raised:
        index.resolve("Z1", CHIPS)
    assert str(raised.value) == (
        "'Z1' names 2 different entries: Beta X9B (mini-x9b), Gamma X9C (mini-x9c). Ask for one of them by its full name."
    )
    assert raised.value.candidates == ["Beta X9B (mini-x9b)", "Gamma X9C (mini-x9c)"]


def test_only_entities_of_the_kinds_asked_are_matched(index) -> None:
    with pytest.raises(NotFoundError):
        index.resolve("Mini Pod", CHIPS, suggest=False)
    assert index.resolve("Mini Pod", ANY).id == "mini-pod"


def test_a_vendor_name_before_a_model_matches_among_that_vendor_s_chips(index) -> None:
    assert index.resolve("迷你芯X10", CHIPS) == Match("mini-x10", "chip", "Kappa X10", "vendor-prefix", "X10", 100.0)
    assert index.resolve("OtherCo Omega X9", CHIPS).id == "other-x9"


@pytest.mark.parametrize(
    ("query", "alias"), [("X10 MiniCo", "X10"), ("X10 (MiniCo)", "X10"), ("Kappa X10（迷你芯）", "Kappa X10"), ("D1, MiniSub", "D1")]
)
def test_a_vendor_name_after_a_model_matches_among_that_vendor_s_chips(index, query, alias) -> None:
    found = index.resolve(query, CHIPS)
    assert found == Match(found.id, "chip", found.display, "vendor-suffix", alias, 100.0)
    assert found.id == ("mini-d1" if alias == "D1" else "mini-x10")


def test_a_vendor_name_after_another_vendor_s_model_is_no_match(index) -> None:
    with pytest.raises(NotFoundError):
        index.resolve("Omega X9 MiniCo", CHIPS, suggest=False)


def test_a_parent_company_s_name_finds_its_subsidiaries_chips(index) -> None:
    assert index.resolve("MiniCo D1", CHIPS).id == "mini-d1"
    assert index.resolve("MiniSub D1", CHIPS).id == "mini-d1"


def test_a_vendor_prefix_naming_two_chips_is_ambiguous(index) -> None:
    with pytest.raises(AmbiguousNameError) as raised:
        index.resolve("MiniCo Z1", CHIPS)
    assert str(raised.value) == (
        "'MiniCo Z1' names 2 different entries: Beta X9B (mini-x9b), Gamma X9C (mini-x9c). Ask for one of them by its full name."
    )


def test_a_vendor_name_alone_is_not_a_prefix_of_itself(index) -> None:
    assert index.resolve("MiniCo", VENDORS).method == "exact"
    with pytest.raises(NotFoundError):
        index.resolve("MiniCo", CHIPS, suggest=False)


def test_a_letter_typed_for_a_digit_in_a_model_number_is_read_as_the_digit(index) -> None:
    match = index.resolve("X1O", CHIPS)
    assert match == Match(
        "mini-x10",
        "chip",
        "Kappa X10",
        "digit-typo",
        "X10",
        100.0,
        "'X1O' has a letter where a digit belongs (O for 0, l or I for 1); read as 'x10', which names Kappa X10.",
    )
    assert index.resolve("迷你芯 X1O", CHIPS).id == "mini-x10"  # through the vendor prefix
    assert index.resolve("Xl0", CHIPS).id == "mini-x10"


def test_a_typed_letter_outside_a_model_number_is_not_a_digit_typo(index) -> None:
    with pytest.raises(NotFoundError):
        index.resolve("XOO", CHIPS, suggest=False)  # no digit in the run: no model number to repair


def test_a_close_misspelling_with_the_same_model_number_matches_fuzzily(index) -> None:
    match = index.resolve("Kapap X10", CHIPS)
    assert (match.id, match.method, match.alias) == ("mini-x10", "fuzzy", "Kappa X10")
    assert 82.0 <= match.score < 100.0


def test_the_closest_of_several_misspellings_wins_when_it_is_clearly_closest(index) -> None:
    match = index.resolve("Alphaa X9", CHIPS)
    assert (match.id, match.method) == ("mini-x9", "fuzzy")


def test_an_unknown_word_before_a_model_number_is_not_read_as_a_vendor(index) -> None:
    with pytest.raises(NotFoundError):
        index.resolve("Qwertyu X10", CHIPS, suggest=False)


def test_a_misspelling_equally_close_to_two_entities_is_ambiguous(index) -> None:
    with pytest.raises(AmbiguousNameError) as raised:
        index.resolve("Alphx X9", CHIPS)
    assert str(raised.value) == "'Alphx X9' is equally close to Alpha X9, Omega X9. Name one of them exactly."
    assert raised.value.candidates == ["Alpha X9 (mini-x9)", "Omega X9 (other-x9)"]


def test_a_close_name_with_another_model_number_is_never_matched(index) -> None:
    with pytest.raises(NotFoundError) as raised:
        index.resolve("Kappa X11", CHIPS, what="chip")
    assert str(raised.value).startswith("No chip with model number 'x11' is in the knowledge base. Closest: ")
    assert "Kappa X10 (mini-x10)" in raised.value.candidates


def test_a_name_with_a_known_model_number_but_far_off_is_refused_with_suggestions(index) -> None:
    with pytest.raises(NotFoundError) as raised:
        index.resolve("Zeta X9", CHIPS, what="chip")
    assert str(raised.value).startswith("No chip matches 'Zeta X9'. Closest: ")


def test_nothing_close_is_refused_without_suggestions(index) -> None:
    with pytest.raises(NotFoundError) as raised:
        index.resolve("qqqqqqqq", CHIPS, what="chip")
    assert str(raised.value) == "No chip matches 'qqqqqqqq', and no known name is close to it."
    with pytest.raises(NotFoundError, match=r"No chip name given: '---' has no letters or digits\."):
        index.resolve("---", CHIPS, what="chip")


def test_a_bare_model_that_others_extend_lists_them_as_alternatives(index) -> None:
    match = index.resolve("X9", CHIPS)
    assert match == Match(
        "mini-x9",
        "chip",
        "Alpha X9",
        "exact",
        "X9",
        100.0,
        "Answered for Alpha X9 exactly; Beta X9B, Gamma X9C are separate chips whose model numbers contain X9 — ask for them by name.",
        [Candidate("mini-x9b", "chip", "Beta X9B", 0.0), Candidate("mini-x9c", "chip", "Gamma X9C", 0.0)],
    )


def test_a_model_nobody_extends_has_no_alternatives(index) -> None:
    for query in ("X9B", "X10", "D1", "Omega X9", "MiniCo CPU"):
        match = index.resolve(query, CHIPS)
        assert (match.note, match.alternatives) == ("", []), query
    assert index.resolve("MiniCo", VENDORS).alternatives == []


def test_suggest_lists_the_closest_entities_of_the_kinds_asked_best_first(index) -> None:
    suggested = index.suggest("Kappa", CHIPS, limit=2)
    assert suggested[0].id == "mini-x10" and len(suggested) == 2
    assert suggested[0].score > suggested[1].score >= 50
    assert all(c.score == round(c.score, 1) for c in suggested)
    assert all(c.kind == "vendor" for c in index.suggest("MiniCo", VENDORS))


def test_subsidiaries_follow_parent_links_at_any_depth(index) -> None:
    assert index.subsidiaries("minico") == {"minico-sub", "minico-sub-sub"}
    assert index.subsidiaries("minico-sub-sub") == set()


def test_extending_finds_names_that_start_with_the_query_and_ignores_short_keys(index) -> None:
    assert index.extending("Gamma", CHIPS) == ["mini-x9c"]
    assert index.extending("MiniCo", ANY) == ["mini-cpu", "minico"]
    assert index.extending("X9", CHIPS) == []  # two characters extend too much to say
    assert index.extending("Kap", CHIPS) == ["mini-x10"]


def test_complete_offers_ids_starting_with_the_text_then_those_containing_it(index) -> None:
    assert index.complete("mini-x", CHIPS) == ["mini-x10", "mini-x9", "mini-x9b", "mini-x9c"]
    assert index.complete("x9", CHIPS) == ["mini-x9", "mini-x9b", "mini-x9c", "other-x9"]
    assert index.complete("迷你", VENDORS) == ["minico"]
    assert index.complete("", VENDORS) == ["minico", "minico-sub", "minico-sub-sub", "otherco"]


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("Ascend 910B芯片", "ascend910b"),
        ("ＭＴＴ Ｓ４０００", "mtts4000"),
        ("壁砺™166", "壁砺166"),
        ("X100 chip", "x100"),
        ("Rockchip", "rockchip"),
        ("芯片", "芯片"),
        ("昇騰910B", "升腾910b"),
        ("H100 accelerator", "h100"),
    ],
)
def test_normalize_drops_marks_separators_case_and_a_generic_suffix(text: str, key: str) -> None:
    assert names.normalize(text) == key


@pytest.mark.parametrize(("text", "words"), [("昇腾910B", "升腾 910b"), ("A-B_C  d", "a b c d"), ("x\ud800", "x"), ("910B!!!", "910b")])
def test_spaced_puts_one_space_between_words_and_scripts(text: str, words: str) -> None:
    assert names.spaced(text) == words


@pytest.mark.parametrize(
    ("text", "model"),
    [
        ("Ascend 910B", "910b"),
        ("NVIDIA H100", "h100"),
        ("K100_AI", "k100ai"),
        ("RTX 4090 D", "4090d"),
        ("no digits", ""),
        ("MLU370-X8", "mlu370 x8"),
        ("Ascend910B", "910b"),
        ("910 Pro", "910pro"),
        ("H200 H20", "h20 h200"),
        ("H20 and H200", "h20 h200"),
        ("H20 vs H200", "h20 h200"),
        ("H20 OR H200", "h20 h200"),
        ("H20 to H200", "h20 h200"),
        ("H20 andy", "h20"),
    ],
)
def test_signature_keeps_the_model_numbers_a_name_carries(text: str, model: str) -> None:
    assert names.signature(text) == model


def test_model_numbers_keep_the_order_written_and_each_repeat() -> None:
    assert names.model_numbers("H200 and H20, H200") == ["h200", "h20", "h200"]
    assert names.model_numbers("RTX 4090 D vs K100 AI") == ["4090d", "k100ai"]
    assert names.model_numbers("昇腾910B和H20") == ["910b", "h20"]


def test_a_name_carrying_two_model_numbers_no_one_alias_has_is_named_back_with_both(index) -> None:
    with pytest.raises(SeveralNamesError) as raised:
        index.resolve("X9B X10", CHIPS, what="chip")
    assert str(raised.value).startswith(
        "'X9B X10' names 2 model numbers (x9b, x10) that no one chip carries together: name one chip at a time. Closest: "
    )
    assert {"Beta X9B (mini-x9b)", "Kappa X10 (mini-x10)"} <= set(raised.value.candidates)


@pytest.mark.parametrize(
    "joined", ["X9B and X10", "X9B, X10", "x9b/X10", "Beta X9B & Kappa X10", "X9B和X10", "X9B、X10", "X9B vs. X10"]
)
def test_names_joined_in_one_query_are_refused_and_named_when_each_names_an_entity(index, joined) -> None:
    with pytest.raises(SeveralNamesError) as raised:
        index.resolve(joined, CHIPS, what="chip")
    assert str(raised.value) == (
        f"'{joined}' names more than one chip: name one chip at a time. It names Beta X9B (mini-x9b), Kappa X10 (mini-x10)."
    )
    assert raised.value.candidates == ["Beta X9B (mini-x9b)", "Kappa X10 (mini-x10)"]


def test_joined_names_of_companies_are_refused_by_their_vendor_prefixed_and_plain_names(index) -> None:
    with pytest.raises(SeveralNamesError) as raised:
        index.resolve("MiniCo X10 or OtherCo", ANY, what="entity")
    assert raised.value.candidates == ["Kappa X10 (mini-x10)", "OtherCo (otherco)"]


@pytest.mark.parametrize(
    "query",
    [
        "Kapap X10 and X9B",  # a part that names nothing exactly: the fuzzy path decides
        "Z1 and X10",  # a part naming two entries: not one name of a list
    ],
)
def test_a_join_whose_parts_are_not_several_exact_names_is_left_to_the_other_rules(index, query) -> None:
    with pytest.raises(NotFoundError) as raised:
        index.resolve(query, CHIPS, what="chip")
    assert "names more than one" not in str(raised.value)


@pytest.mark.parametrize(
    ("query", "alias"),
    [
        ("X10 and X10", "X10"),
        ("Kappa X10 (X10)", "Kappa X10"),
        ("Kappa X10（X10）", "Kappa X10"),
        ("Kappa X10 / 迷你芯X10", "Kappa X10"),
        ("x10, Kappa X10", "X10"),
    ],
)
def test_names_joined_in_one_query_that_all_name_one_entity_answer_for_it(index, query, alias) -> None:
    """A chip written in two scripts or by name and model ('昇腾910B (Ascend 910B)') is one chip: the first
    part's alias is the one shown, and the whole query is no alias written exactly."""
    assert index.resolve(query, CHIPS) == Match("mini-x10", "chip", "Kappa X10", "normalized", alias, 100.0)


def test_a_name_with_a_list_mark_and_one_part_is_that_one_name(index) -> None:
    assert index.resolve("X10,", CHIPS).id == "mini-x10"


def test_a_joined_name_only_of_other_kinds_is_not_several_of_the_kind_asked(index) -> None:
    with pytest.raises(NotFoundError) as raised:
        index.resolve("MiniCo and OtherCo", CHIPS, what="chip")
    assert "names more than one" not in str(raised.value)


def test_a_model_number_no_name_carries_makes_the_name_one_unknown_product(index) -> None:
    with pytest.raises(NotFoundError) as raised:
        index.resolve("X10 Q7", CHIPS, what="chip")  # 'Atlas 800I A3': one product, not Atlas 800I and A3
    assert type(raised.value) is NotFoundError
    assert str(raised.value).startswith("No chip with model number 'q7 x10' is in the knowledge base. Closest: ")


def test_several_model_numbers_with_nothing_close_still_say_they_are_several(index) -> None:
    with pytest.raises(SeveralNamesError) as raised:
        index.resolve("X9B X10", CHIPS, what="chip", suggest=False)
    assert str(raised.value) == (
        "'X9B X10' names 2 model numbers (x9b, x10) that no one chip carries together: name one chip at a time, "
        "and no known name is close to it."
    )


def test_one_model_number_written_twice_is_one_model_number(index) -> None:
    assert names.signature("X10 X10") == "x10"
    with pytest.raises(NotFoundError) as raised:
        index.resolve("X10 X10", CHIPS, what="chip")
    assert str(raised.value).startswith("No chip matches 'X10 X10'. Closest: Kappa X10 (mini-x10)")


def test_two_model_numbers_one_alias_carries_are_a_misspelling_of_it_not_two_names() -> None:
    rho = EntityInfo("rho", "chip", "Rho R1-X2", None, "R1-X2")
    index = NameIndex([AliasEntry(names.normalize("Rho R1-X2"), "rho", "Rho R1-X2", "name_en", names.signature("Rho R1-X2"))], [rho])
    with pytest.raises(NotFoundError) as raised:
        index.resolve("Qqqqqqqqq R1 X2", CHIPS, what="chip")
    assert str(raised.value) == "No chip matches 'Qqqqqqqqq R1 X2'. Closest: Rho R1-X2 (rho)."


def _family_index() -> NameIndex:
    """Kunlun I and Kunlun 2 (two chips whose names begin 'Kunlun'), and Sigma, a chip of its own."""
    chips = [EntityInfo("k1", "chip", "Kunlun I", None, "I"), EntityInfo("k2", "chip", "Kunlun 2", None, "2")]
    chips.append(EntityInfo("sigma", "chip", "Sigmax", None, None))
    aliases = [("k1", "Kunlun I"), ("k2", "Kunlun 2"), ("k2", "Kunlun II"), ("sigma", "Sigmax")]
    entries = [AliasEntry(names.normalize(a), e, a, "name_en", names.signature(a)) for e, a in aliases]
    return NameIndex(entries, chips)


def test_a_word_that_begins_the_names_of_several_chips_is_not_answered_by_one_of_them() -> None:
    """'Kunlun' scored 92 against 'Kunlun I' (a letter short) and was answered for it, though Kunlun 2 and
    Kunlun II begin with it too: a family or brand word, not a misspelling of one name."""
    with pytest.raises(AmbiguousNameError) as raised:
        _family_index().resolve("Kunlun", CHIPS, what="chip")
    assert str(raised.value) == "'Kunlun' begins the names of 2 chips: Kunlun I (k1), Kunlun 2 (k2). Name one of them."
    assert raised.value.candidates == ["Kunlun I (k1)", "Kunlun 2 (k2)"]


@pytest.mark.parametrize(("count", "ending"), [(10, "Kunlun 7 (k7), …. Name one of them."), (8, "Kunlun 7 (k7). Name one of them.")])
def test_a_word_beginning_more_names_than_are_listed_lists_eight_and_says_if_there_are_more(count: int, ending: str) -> None:
    chips = [EntityInfo(f"k{n}", "chip", f"Kunlun {n}", None, str(n)) for n in range(1, count)] + [
        EntityInfo("k0", "chip", "Kunlun I", None, "I")
    ]
    entries = [AliasEntry(names.normalize(c.display), c.id, c.display, "name_en", names.signature(c.display)) for c in chips]
    with pytest.raises(AmbiguousNameError) as raised:
        NameIndex(entries, chips).resolve("Kunlun", CHIPS, what="chip")
    assert len(raised.value.candidates) == 8
    assert str(raised.value).startswith(f"'Kunlun' begins the names of {count} chips: Kunlun I (k0), Kunlun 1 (k1),")
    assert str(raised.value).endswith(ending)


@pytest.mark.parametrize(("query", "chip"), [("Z A1", "z-a1"), ("A1 Z", "z-a1"), ("MiniCo Q", "mini-q"), ("Q MiniCo", "mini-q")])
def test_a_company_or_a_model_of_one_character_is_still_split_from_the_other(query: str, chip: str) -> None:
    """Every split of the key is tried, down to one character on either side of it."""
    entities = [
        EntityInfo("z", "vendor", "Z", None, None),
        EntityInfo("minico", "vendor", "MiniCo", None, None),
        EntityInfo("z-a1", "chip", "Zeta A1", "z", "A1"),
        EntityInfo("mini-q", "chip", "MiniCo Q", "minico", "Q"),
    ]
    aliases = [("z", "Z"), ("minico", "MiniCo"), ("z-a1", "A1"), ("mini-q", "Q")]
    entries = [AliasEntry(names.normalize(a), e, a, "name_en", names.signature(a)) for e, a in aliases]
    assert NameIndex(entries, entities).resolve(query, CHIPS).id == chip


def _capacity_index() -> NameIndex:
    """X1 in two 80 GB variants (an SXM one the chip itself, a PCIe card of its own) and X2 with no variant."""
    chips = [
        EntityInfo("x1", "chip", "Acme X1", None, "X1"),
        EntityInfo("x1-pcie", "chip", "Acme X1 80GB PCIe", None, "X1 80GB PCIe"),
        EntityInfo("x2", "chip", "Acme X2", None, "X2"),
    ]
    chips.append(EntityInfo("a800", "chip", "Atlas 800", None, "800"))
    aliases = [("x1", "X1"), ("x1", "X1 SXM 80GB"), ("x1-pcie", "X1 80GB PCIe"), ("x2", "X2"), ("a800", "Atlas 800")]
    entries = [AliasEntry(names.normalize(a), e, a, "name_en", names.signature(a)) for e, a in aliases]
    return NameIndex(entries, chips)


def test_a_memory_size_two_variants_carry_is_refused_with_both() -> None:
    with pytest.raises(AmbiguousNameError) as raised:
        _capacity_index().resolve("X1 80GB", CHIPS, what="chip")
    assert str(raised.value) == (
        "'X1 80GB' names 2 variants with 80 GB: Acme X1 (x1), Acme X1 80GB PCIe (x1-pcie). Ask for one of them by its full name."
    )


@pytest.mark.parametrize(
    ("query", "chip", "size"),
    [
        ("X1 40GB", "x1", "40 GB"),
        ("X2 48 GB", "x2", "48 GB"),
        ("x2 96G", "x2", "96 GB"),
        ("X2 192GB", "x2", "192 GB"),
        ("48 GB X2", "x2", "48 GB"),  # the size first: the words after it are the name
        ("Atlas 800 64GB", "a800", "64 GB"),  # a number not followed by a unit is the name's
    ],
)
def test_a_memory_size_no_variant_carries_answers_for_the_chip_and_says_so(query: str, chip: str, size: str) -> None:
    """'A100 80GB' was 'No chip with model number 80g a100': a memory size is no model number."""
    index = _capacity_index()
    found = index.resolve(query, CHIPS, what="chip")
    display = index.entities[chip].display
    note = f"'{size}' names no variant of {display}: answered for it; its memory figures say what it reports."
    assert found == Match(chip, "chip", display, "normalized", found.alias, 100.0, note)


def test_a_memory_size_one_variant_carries_names_that_variant() -> None:
    index = _capacity_index()
    found = index.resolve("X1 PCIe 80 GB", CHIPS, what="chip")
    assert found == Match("x1-pcie", "chip", "Acme X1 80GB PCIe", "normalized", "X1 80GB PCIe", 100.0)


def test_a_word_that_begins_the_names_of_one_chip_is_still_a_misspelling_of_it() -> None:
    assert _family_index().resolve("Sigma", CHIPS).id == "sigma"


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("a\u3400b", "a \u3400 b"),  # the first ideograph of Extension A
        ("a\u9fffb", "a \u9fff b"),  # the last of the basic block
        ("x芯a", "x 芯 a"),  # one ideograph between two letters: parted from both
        ("é芯a", "é芯 a"),  # only a letter or digit [0-9a-z] is parted from an ideograph
    ],
)
def test_spaced_parts_an_ideograph_from_letters_at_either_end_of_its_block(text: str, words: str) -> None:
    assert names.spaced(text) == words


@pytest.mark.parametrize(
    ("alias", "texts"),
    [
        ("\u3400", ["\u3400", "\u3400"]),
        ("\u9fff", ["\u9fff", "\u9fff"]),
        ("\uf900", ["\uf900", "岂"]),  # a compatibility ideograph, spaced as the unified one it stands for
        ("\ufaff", ["\ufaff", "\ufaff"]),  # the compatibility block's last code point
        ("\u33ff", []),  # each block's neighbours are not Chinese
        ("\ua000", []),
        ("\uf8ff", []),
        ("\ufb00", []),
        ("Ｈ100 café", []),  # full-width and accented letters are not Chinese either
    ],
)
def test_pinyin_texts_are_made_for_ideographs_from_either_end_of_both_blocks_only(alias: str, texts: list[str]) -> None:
    assert names.pinyin_texts(alias) == texts


def test_search_terms_keep_words_of_accented_or_full_width_letters_whole() -> None:
    assert names.search_terms("naïve café") == "naïve café"
    assert names.search_terms("Ｈ100 ａｂ") == "h 100 ab"


def test_search_terms_split_letters_from_digits_and_pair_chinese_characters() -> None:
    assert names.search_terms("全球ASIC芯片市场 gpt4") == "全球 asic 芯片 片市 市场 gpt 4"
    assert names.search_terms("芯 a") == "芯 a"


def search_terms_word_by_word(text: str) -> str:
    """`names.search_terms` without its shortcut for text that has no Chinese: every word looked at."""
    out: list[str] = []
    for word in names._LETTER_DIGIT.sub(" ", names.spaced(text)).split():
        out += [word[i : i + 2] for i in range(len(word) - 1)] if names._has_chinese(word) and len(word) > 1 else [word]
    return " ".join(out)


@settings(max_examples=300)
@given(st.text(alphabet=st.sampled_from("ab9 Z0-._/é™\u200b　Ｈ１中文芯片體"), max_size=30) | st.text(max_size=30))
def test_search_terms_skip_only_text_with_nothing_to_cut(text: str) -> None:
    assert names.search_terms(text) == search_terms_word_by_word(text)


def test_variants_give_pinyin_for_chinese_aliases_only() -> None:
    assert dict(names.variants("昇腾")) == {"shengteng": "pinyin"}
    assert list(names.variants("Ascend")) == []


# --- designed indexes for single rules: each built from (entity, kind, vendor, model, alias, form) rows ----------


def _small_index(rows: list[tuple[str, str, str | None, str | None, str, str]], parents: dict[str, str] | None = None) -> NameIndex:
    entities = {
        entity: EntityInfo(entity, kind, alias, vendor, model, (parents or {}).get(entity))
        for entity, kind, vendor, model, alias, _ in rows
    }
    entries = [AliasEntry(names.normalize(alias), entity, alias, form, names.signature(alias)) for entity, _, _, _, alias, form in rows]
    return NameIndex(entries, list(entities.values()))


@pytest.mark.parametrize(("text", "model"), [("K100 Pro", "k100pro"), ("K100 Plus", "k100"), ("MLU370", "mlu370"), ("Core100", "100")])
def test_a_model_number_takes_a_following_word_and_leading_letters_of_at_most_three_letters(text: str, model: str) -> None:
    assert names.signature(text) == model


def test_an_alias_entry_is_sound_unless_marked_suspect() -> None:
    index = NameIndex([AliasEntry("x1", "x1", "X1", "model", "x1")], [EntityInfo("x1", "chip", "X1", None, "X1")])
    assert index.resolve("x-1", CHIPS) == Match("x1", "chip", "X1", "normalized", "X1", 100.0)


def test_a_vendor_name_before_another_vendor_s_model_is_not_a_vendor_prefix(index) -> None:
    with pytest.raises(NotFoundError):
        index.resolve("OtherCo X9B", CHIPS, suggest=False)


def test_the_longest_vendor_name_a_query_starts_with_is_the_prefix() -> None:
    index = _small_index(
        [
            ("mini", "vendor", None, None, "Mini", "name_en"),
            ("minico", "vendor", None, None, "MiniCo", "name_en"),
            ("mini-cox1", "chip", "mini", "CoX1", "CoX1", "model"),
            ("minico-x1", "chip", "minico", "X1", "X1", "model"),
        ]
    )
    assert index.resolve("MiniCo X1", CHIPS) == Match("minico-x1", "chip", "X1", "vendor-prefix", "X1", 100.0)


def test_letters_with_no_digit_beside_them_are_never_read_as_digits(index) -> None:
    with pytest.raises(NotFoundError):
        index.resolve("XlO", CHIPS, suggest=False)  # 'x10' names Kappa X10, but 'lO' holds no digit


def test_up_to_four_letters_typed_for_digits_are_read_and_five_are_not() -> None:
    index = _small_index([("z", "chip", None, "Z100101", "Z100101", "model")])
    assert (index.resolve("Z1oo1ol", CHIPS).id, index.resolve("Z1oo1ol", CHIPS).method) == ("z", "digit-typo")  # 4 letters
    with pytest.raises(NotFoundError):
        index.resolve("Zloo1ol", CHIPS, suggest=False)  # 5 letters: 32 spellings is past the cap


QUERY = "a" * 98 + " x1"  # one key of 100 characters; each alias below differs from it by substitutions


def _long(entity: str, substituted: int, at_end: bool = True) -> tuple[str, str, None, None, str, str]:
    body = "a" * (98 - substituted) + "b" * substituted if at_end else "b" * substituted + "a" * (98 - substituted)
    return (entity, "chip", None, None, body + " x1", "name_en")


def test_a_fuzzy_score_of_exactly_the_acceptance_threshold_is_accepted() -> None:
    index = _small_index([("far", "chip", None, None, "a" * 39 + "b" * 9 + " x1", "name_en")])
    from rapidfuzz import fuzz

    assert fuzz.ratio(names.normalize("a" * 48 + " x1"), names.normalize("a" * 39 + "b" * 9 + " x1")) == names.FUZZY_ACCEPT
    assert index.resolve("a" * 48 + " x1", CHIPS).id == "far"


def test_a_rival_exactly_the_ambiguity_margin_below_the_best_is_not_ambiguous() -> None:
    index = _small_index([_long("best", 3), _long("rival", 6)])  # fuzzy scores 97 and 94
    match = index.resolve(QUERY, CHIPS)
    assert (match.id, match.method, match.score) == ("best", "fuzzy", 97.0)


def test_of_two_equally_close_aliases_of_one_entity_the_first_is_shown() -> None:
    first, second = _long("one", 3), _long("one", 3, at_end=False)
    match = _small_index([first, second]).resolve(QUERY, CHIPS)
    assert (match.id, match.alias, match.score) == ("one", first[4], 97.0)


def test_entities_equally_close_to_a_misspelling_are_named_in_the_order_of_their_ids() -> None:
    # alpha's alias key ('bbbaa…') sorts after zeta's ('aa…bbb'): the ids, not the keys, give the order.
    index = _small_index([_long("zeta", 3), _long("alpha", 3, at_end=False)])  # both score 97
    with pytest.raises(AmbiguousNameError) as raised:
        index.resolve(QUERY, CHIPS)
    assert raised.value.candidates == [f"{_long('alpha', 3, at_end=False)[4]} (alpha)", f"{_long('zeta', 3)[4]} (zeta)"]


def test_suggestions_are_five_best_first_ties_by_id_with_scores_to_one_decimal() -> None:
    index = _small_index(
        [_long(name, n) for name, n in [("zeta", 30), ("alpha", 30), ("eta", 35), ("beta", 40), ("gamma", 42), ("delta", 44)]]
    )
    suggested = index.suggest("a" * 90, CHIPS)
    # WRatio gives 71.578…, 66.315…, 61.052…, 58.947…, 56.842…: shown to one decimal; delta (56.8) is sixth.
    assert [(c.id, c.score) for c in suggested] == [("alpha", 71.6), ("zeta", 71.6), ("eta", 66.3), ("beta", 61.1), ("gamma", 58.9)]


@pytest.mark.parametrize(
    ("better", "worse"),
    [
        ("name_en", "model"),
        ("model", "alias"),
        ("name_zh_hant", "full_name_zh"),
        ("full_name_zh", "stock_code"),
        ("stock_code", "pinyin"),
    ],
)
def test_of_two_forms_of_one_key_the_higher_ranked_is_shown_whatever_their_order(better: str, worse: str) -> None:
    entries = [AliasEntry("k1", "k", f"{worse} K-1", worse, "k1"), AliasEntry("k1", "k", f"{better} K-1", better, "k1")]
    index = NameIndex(entries, [EntityInfo("k", "chip", "K1", None, "K1")])
    assert index.resolve("K 1", CHIPS).alias == f"{better} K-1"


def test_a_chinese_alias_without_a_pinyin_reading_gives_no_variant_repeating_its_key() -> None:
    # U+FA11 is a CJK compatibility ideograph pypinyin has no reading for: its 'pinyin' is the alias itself.
    assert list(names.variants("X9\ufa11")) == []


def test_suggestions_come_from_the_sixty_closest_alias_keys() -> None:
    # Four entities hold the 60 closest keys (15 each); a fifth holds only the 61st: it is not suggested.
    rows = [(f"e{n % 4}", "chip", None, None, "a" * (300 - n) + "b" * n, "alias") for n in range(1, 61)]
    rows.append(("e5", "chip", None, None, "a" * 239 + "b" * 61, "alias"))
    assert [c.id for c in _small_index(rows).suggest("a" * 300, CHIPS)] == ["e1", "e2", "e3", "e0"]
