"""Store pypinyin's readings of the bundled knowledge's Chinese names in src/chipmcp/core/pinyin_readings.json.

The build gives every Chinese alias pinyin spellings (chipmcp.core.names.variants). pypinyin's dictionaries
take longer to load than the rest of the build, so the readings of the bundled names are stored with the
package, for the pypinyin release that read them (names.stored_readings uses them only under that release).

    python scripts/pinyin_readings.py          rewrite the file
    python scripts/pinyin_readings.py --check  exit 1 if a bundled name has no stored reading or one differs

Run it after adding Chinese names to knowledge/, or after upgrading pypinyin: a name without a stored reading is
still read right, by pypinyin, only the build is slower.
"""

from __future__ import annotations

import argparse
import json
import sys

from chipmcp.core import names
from chipmcp.kb import build
from chipmcp.kb.folders import bundled_dir


def bundled_texts() -> list[str]:
    """Every text the build reads in pinyin: each written Chinese alias, as written and spaced (names.variants)."""
    aliases = build.assemble(build.load(bundled_dir()))["aliases"]
    written = {row["alias"] for row in aliases if row["form"] != "pinyin"}
    return sorted({text for alias in written for text in names.pinyin_texts(alias)})


def main() -> int:
    parser = argparse.ArgumentParser(description="Store pypinyin's readings of the bundled knowledge's Chinese names.")
    parser.add_argument("--check", action="store_true", help="compare instead of writing")
    args = parser.parse_args()
    readings = {text: names.read_pinyin(text) for text in bundled_texts()}
    content = {**names.reading_inputs(), "readings": readings}
    if args.check:
        stored = names.stored_readings()
        stale = sorted(t for t, r in readings.items() if stored.get(t) != r)
        for text in stale:
            print(f"no stored reading, or another one, for {text!r}: run python scripts/pinyin_readings.py", file=sys.stderr)
        return 1 if stale else 0
    names.READINGS_FILE.write_text(json.dumps(content, ensure_ascii=False, indent=0, sort_keys=True) + "\n", encoding="utf-8")
    print(f"stored {len(readings)} readings (pypinyin {content['pypinyin']}) in {names.READINGS_FILE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
