"""Scale: a synthetic knowledge base 10× and 100× the real one — build time, lookup and compare latency.

Method: the synthetic knowledge is the real knowledge/ plus (FACTOR − 1) copies of every chip, each
copy with its own id, names, aliases and model number (suffix ` Q<k>`: no real chip ends so) and a copy of every figure of
that chip. Vendors, systems, sources and metrics stay as they are. For each factor the build is timed
in process (best of --builds), then lookups and comparisons are timed with the tool functions (no
answer cache): exact names across all chips, names with a typo (the fuzzy path, which scans aliases),
and 3-chip comparisons; then find_chips with two filters and a sort in two shapes, the threshold varied
per call so no two calls ask the same question: domestic + memory_gb ≥ v sorted by compute_tflops (one call
in two), and certified + tdp_w ≤ v sorted by tflops_per_w (one in ten). Each shape's first call is timed
apart: it builds what later calls reuse (the catalog's columns, on code that has them).

`--cpu` times every step in this thread's CPU time instead of the wall clock: steadier on a shared machine
(the build's wait on the disk is then left out).

    python benchmarks/bench_scale.py [--factors 1 10 100] [--calls 1000] [--builds 3] [--cpu]
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import random
import shutil
import tempfile
import tomllib
from pathlib import Path

from _harness import ms, table, timed, timed_cpu

from chipmcp import tools
from chipmcp.core import compute
from chipmcp.errors import ChipMCPError
from chipmcp.kb import build
from chipmcp.kb.store import KnowledgeBase, knowledge_dir
from chipmcp.reasoning.cells import Model
from chipmcp.serving.server import answer

LOOKUP, COMPARE, FIND = (tools.BY_NAME[name] for name in ("lookup_chip", "compare_chips", "find_chips"))


def toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {toml_value(v)}" for k, v in value.items()) + " }"
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a TOML basic string


def synthetic_knowledge(factor: int, out: Path) -> Path:
    """knowledge/ with (factor − 1) extra copies of every chip and its figures."""
    shutil.copytree(knowledge_dir(), out)
    chips = [
        c for path in sorted((out / "catalog").glob("*.toml")) for c in tomllib.loads(path.read_text(encoding="utf-8")).get("chip", [])
    ]
    blocks = [
        b
        for path in sorted((out / "figures").glob("*.toml"))
        for b in tomllib.loads(path.read_text(encoding="utf-8")).get("figures", [])
    ]
    chip_ids = {c["id"] for c in chips}
    catalog, figures = [], []
    for k in range(1, factor):
        suffix = f" Q{k}"
        for chip in chips:
            copy = {
                **chip,
                "id": f"{chip['id']}-q{k}",
                # a chip may lack any of its names (some carry only an English one): copy those it has
                **{key: chip[key] + suffix for key in ("name_zh", "name_en", "model", "name_zh_hant") if key in chip},
                "aliases": [a + suffix for a in chip.get("aliases", [])],
            }
            copy.pop("family", None)
            catalog.append("[[chip]]\n" + "".join(f"{key} = {toml_value(v)}\n" for key, v in copy.items()))
        for block in blocks:
            rows = []
            for row in block["rows"]:
                entity = row.get("entity", block.get("entity"))
                if entity in chip_ids:
                    rows.append({**row, "entity": f"{entity}-q{k}"})
            if rows:
                head = {key: v for key, v in block.items() if key not in ("rows", "entity")}
                figures.append(
                    "[[figures]]\n"
                    + "".join(f"{key} = {toml_value(v)}\n" for key, v in head.items())
                    + "rows = [\n"
                    + "".join(f"  {toml_value(r)},\n" for r in rows)
                    + "]\n"
                )
    (out / "catalog" / "synthetic.toml").write_text("\n".join(catalog), encoding="utf-8")
    (out / "figures" / "synthetic.toml").write_text("\n".join(figures), encoding="utf-8")
    return out


def typo(name: str, rng: random.Random) -> str:
    """Swap two neighbouring characters of the name's longest word (a plausible slip)."""
    if len(name) < 4:
        return name
    i = rng.randrange(1, len(name) - 2)
    return name[:i] + name[i + 1] + name[i] + name[i + 2 :]


def measure(factor: int, calls: int, work: Path, builds: int) -> list[object]:
    knowledge = synthetic_knowledge(factor, work / f"knowledge-{factor}")
    db = work / f"kb-{factor}.db"
    build_seconds = min(timed(build.build, knowledge, db) for _ in range(builds))
    kb = KnowledgeBase(db)
    index_seconds = timed(lambda: kb.names)  # the index is built on first use; timed apart
    # What a served process has done once its warm-up ran: numpy loaded (a lookup never needs it, so the
    # first find_chips below would otherwise time its import, about 0.2 s, instead of building its columns),
    # the answer models built, and what it holds frozen out of the collector (else a full collection over the
    # 100× name index and tables lands on some call, several hundred ms, as it would not in a server).
    compute.as_array(0.0)
    Model.build_deferred()  # the answer models' validators and serializers, which the warm-up builds too
    gc.collect()
    gc.freeze()
    chips = [e for e in kb.entities.values() if e["entity_kind"] == "chip"]
    rng = random.Random(7)
    exact = [rng.choice(chips)["name_zh"] for _ in range(calls)]
    slipped = [typo(rng.choice(chips)["name_en"], rng) for _ in range(calls // 10)]
    groups = [[c["id"] for c in rng.sample(chips, 3)] for _ in range(calls // 2)]
    lookup = ms([timed(lambda n=n: answer(LOOKUP, tools.BY_NAME["lookup_chip"].call(kb, name=n))) for n in exact])
    fuzzy = ms([timed(lambda n=n: _answer_or_error(kb, n)) for n in slipped])
    compare = ms([timed(lambda g=g: answer(COMPARE, tools.BY_NAME["compare_chips"].call(kb, names=g))) for g in groups])
    memory = [rng.choice([16, 24, 32, 48, 64, 80, 96]) + rng.random() for _ in range(calls // 2 + 1)]
    power = [rng.choice([150, 300, 400, 550, 700]) + rng.random() for _ in range(calls // 10 + 1)]

    def domestic_by_compute(v: float) -> None:
        answer(
            FIND,
            tools.BY_NAME["find_chips"].call(
                kb, domestic=True, sort_by="compute_tflops", where=[{"metric": "memory_gb", "op": ">=", "value": v}]
            ),
        )

    def certified_by_efficiency(v: float) -> None:
        answer(
            FIND,
            tools.BY_NAME["find_chips"].call(
                kb, certified=True, sort_by="tflops_per_w", where=[{"metric": "tdp_w", "op": "<=", "value": v}]
            ),
        )

    first = [timed(domestic_by_compute, memory[0]), timed(certified_by_efficiency, power[0])]
    found = ms([timed(domestic_by_compute, v) for v in memory[1:]])
    efficient = ms([timed(certified_by_efficiency, v) for v in power[1:]])
    counts = {t: kb.count(t) for t in ("entities", "aliases", "figures")}
    return [
        f"{factor}×",
        counts["entities"],
        counts["aliases"],
        counts["figures"],
        build_seconds * 1000,
        index_seconds * 1000,
        lookup["p50"],
        lookup["p99"],
        fuzzy["p50"],
        fuzzy["p99"],
        compare["p50"],
        compare["p99"],
        first[0] * 1000,
        found["p50"],
        found["p99"],
        first[1] * 1000,
        efficient["p50"],
        efficient["p99"],
    ]


def _timed_cpu(fn, *args, **kwargs) -> float:
    return timed_cpu(fn, *args, **kwargs)[1]


def _answer_or_error(kb: KnowledgeBase, name: str) -> None:
    with contextlib.suppress(ChipMCPError):  # a typo may be rejected or ambiguous; the time is what counts
        answer(LOOKUP, tools.BY_NAME["lookup_chip"].call(kb, name=name))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--factors", type=int, nargs="+", default=[1, 10, 100])
    parser.add_argument("--calls", type=int, default=1000)
    parser.add_argument("--builds", type=int, default=3, help="builds per factor, the best one reported")
    parser.add_argument("--cpu", action="store_true", help="thread CPU time instead of the wall clock")
    args = parser.parse_args()
    if args.cpu:
        global timed
        timed = _timed_cpu
    with tempfile.TemporaryDirectory() as folder:
        rows = [measure(factor, args.calls, Path(folder), args.builds) for factor in args.factors]
    clock = "thread CPU" if args.cpu else "wall"
    print(
        f"scale, {args.calls} lookups per factor (typos: a tenth; comparisons of 3: a half; find_chips: a half and a tenth), {clock} ms"
    )
    print(
        table(
            [
                "KB",
                "entities",
                "alias keys",
                "figures",
                f"build (best of {args.builds})",
                "name index",
                "lookup p50",
                "lookup p99",
                "typo lookup p50",
                "typo lookup p99",
                "compare p50",
                "compare p99",
                "find domestic/memory/compute first",
                "p50",
                "p99",
                "find certified/tdp/tflops_per_w first",
                "p50",
                "p99",
            ],
            rows,
        )
    )


if __name__ == "__main__":
    main()
