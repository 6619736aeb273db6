"""The pinyin readings stored with the package (scripts/pinyin_readings.py) are pypinyin's own, and are used
only under the pypinyin release and brand words that made them: the build writes the same alias table with
them as without them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from chipmcp.core import names


@pytest.fixture
def fresh_readings():
    """names' memo of the stored readings and of each reading, emptied before and after the test."""
    names.stored_readings.cache_clear()
    names._pinyin.cache_clear()
    yield
    names.stored_readings.cache_clear()
    names._pinyin.cache_clear()


def test_every_stored_reading_is_what_pypinyin_reads_and_is_used_only_under_the_release_that_read_it(fresh_readings) -> None:
    stored = json.loads(names.READINGS_FILE.read_text(encoding="utf-8"))
    assert len(stored["readings"]) > 1000
    made_here = {key: stored[key] for key in names.reading_inputs()} == names.reading_inputs()
    if made_here:
        assert {text: names.read_pinyin(text) for text in stored["readings"]} == stored["readings"]
        assert names.stored_readings() == stored["readings"]
    else:  # another pypinyin is installed: its readings may differ, so the stored ones are not used
        assert names.stored_readings() == {}


def test_stored_readings_of_another_pypinyin_release_or_other_brand_words_are_not_used(
    fresh_readings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    wrong = {"昇腾": "wrong reading"}
    for stale in ({**names.reading_inputs(), "pypinyin": "0.0.1"}, {**names.reading_inputs(), "brands": {}}):
        path = tmp_path / "readings.json"
        path.write_text(json.dumps({**stale, "readings": wrong}, ensure_ascii=False), encoding="utf-8")
        monkeypatch.setattr(names, "READINGS_FILE", path)
        names.stored_readings.cache_clear()
        assert names.stored_readings() == {}
        assert dict(names.variants("昇腾")) == {"shengteng": "pinyin"}
    path.write_text(json.dumps({**names.reading_inputs(), "readings": wrong}, ensure_ascii=False), encoding="utf-8")
    names.stored_readings.cache_clear()
    assert names.stored_readings() == wrong  # the same release and brand words: used as stored


def test_the_bundled_knowledge_gets_the_same_alias_table_with_the_stored_readings_as_with_pypinyin_alone(
    fresh_readings, monkeypatch: pytest.MonkeyPatch
) -> None:
    from chipmcp.kb import build
    from chipmcp.kb.folders import bundled_dir

    loaded = build.load(bundled_dir())
    with_stored = build.assemble(loaded)["aliases"]
    stored = json.loads(names.READINGS_FILE.read_text(encoding="utf-8"))
    if {key: stored[key] for key in names.reading_inputs()} == names.reading_inputs():
        assert names.stored_readings() == stored["readings"]  # the build above read them
    monkeypatch.setattr(names, "stored_readings", lambda: {})
    names._pinyin.cache_clear()
    assert build.assemble(loaded)["aliases"] == with_stored
