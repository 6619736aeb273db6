"""Name resolution on a designed index (no knowledge base): each way of matching, in order, the refusals,
the bare model that other models extend ('X9' → X9B, X9C), and the normalization rules."""

from __future__ import annotations

import pytest

from chipmcp.core import names
from chipmcp.core.names import AliasEntry, Candidate, EntityInfo, Match, NameIndex
from chipmcp.errors import AmbiguousNameError, NotFoundError

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


def test_a_parent_company_s_name_finds_its_subsidiaries_chips(index) -> None:
    assert index.resolve("MiniCo D1", CHIPS).id == "mini-d1"
    assert index.resolve("MiniSub D1", CHIPS).id == "mini-d1"


def test_a_vendor_prefix_naming_two_chips_is_ambiguous(index) -> None:
    with pytest.raises(AmbiguousNameError) as raised:
        index.resolve("MiniCo Z1", CHIPS)
    assert str(raised.value) == (
        "'MiniCo Z1' names 2 different entries: Beta X9B (mini-x9b), Gamma X9C (mini-x9c). Ask for one by its full name."
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
        "Answered for Alpha X9 exactly; Beta X9B, Gamma X9C share its model number and are separate chips — ask for them by name.",
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


@pytest.mark.parametrize(("text", "words"), [("昇腾910B", "升腾 910b"), ("A-B_C  d", "a b c d"), ("x\ud800", "x?")])
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
    ],
)
def test_signature_keeps_the_model_numbers_a_name_carries(text: str, model: str) -> None:
    assert names.signature(text) == model


def test_search_terms_split_letters_from_digits_and_pair_chinese_characters() -> None:
    assert names.search_terms("全球ASIC芯片市场 gpt4") == "全球 asic 芯片 片市 市场 gpt 4"
    assert names.search_terms("芯 a") == "芯 a"


def test_variants_give_pinyin_for_chinese_aliases_only() -> None:
    assert dict(names.variants("昇腾")) == {"shengteng": "pinyin"}
    assert list(names.variants("Ascend")) == []
