"""Reading a summary answer's citations as a client does: an entry cites by key, a dataset's cell by key and
column."""

from __future__ import annotations

from typing import Any


def located(ref: dict[str, Any], table: dict[str, dict[str, str]]) -> dict[str, Any]:
    """A reference citing by key, with its source and locator from the page's table: a dataset's cell names its
    column (`at`) in the row the key names."""
    place = table[ref["cite"]]
    at = ref.get("at")
    rest = {k: v for k, v in ref.items() if k != "at"}
    return {**rest, **place, "locator": f"{place['locator']} / {at}" if at else place["locator"]}
