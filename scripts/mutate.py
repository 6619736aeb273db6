"""Mutation testing of the pure core: flip one operator or constant of a module at a time, run that module's
own fast tests against the flipped copy, and count the mutants the tests kill.

    .venv/bin/python scripts/mutate.py core/periods.py            # every mutant of one module
    .venv/bin/python scripts/mutate.py --all                       # the eight modules of TESTING.md
    .venv/bin/python scripts/mutate.py core/compute.py --sample 0.4 --seed 19   # a deterministic 40%
    .venv/bin/python scripts/mutate.py core/units.py --list        # the mutants, without running tests

Mutations (each applied alone, to the source text so line numbers stay true):
  comparison   <→<=  <=→<  >→>=  >=→>  ==→!=  !=→==  in→not in  not in→in  is→is not  is not→is
  arithmetic   +→-  -→+  *→/  /→*  //→/  %→//  **→*  (also in `x += …`)
  boolean      and→or  or→and  `not x`→`x`
  sign         `-x`→`x`
  constant     int n→n+1, float x→2x (0.0→1.0), True↔False
Annotations are never mutated (they are strings at run time); strings are not mutated.

Each mutant's tests run in a scratch copy of src/ and tests/ (the checkout is never touched), in a child forked
from a process that has imported the third-party libraries once (the child imports chipmcp afresh from the
copy), as `pytest -x -q -p no:cacheprovider`, hypothesis derandomized ('mutation' profile, tests/conftest.py),
under a time limit; a failing, erroring or timed-out run kills the mutant.

Which of the module's tests run: once per module, its tests run unmutated under a line tracer, which records the
tests that execute each line of the module. A mutant then runs only the tests that execute its statement (the
fastest first), since a test that never executes the changed statement runs the same code and passes the same
way. A statement executed outside a test's call (at import, at collection, or in a fixture's setup, which a
later test may reuse) runs all of the module's tests. A statement no test executes leaves its mutant
'unreached': counted as survived, without a run (--every-test runs every test for every mutant instead).
Survivors are printed with their line, and every result goes to .mutation/<module>.json. Why not mutmut:
mutmut 3 mutates only inside functions (its trampolines), so the unit tables of core/units.py and the
module-level thresholds would go unmeasured.
"""

from __future__ import annotations

import argparse
import ast
import io
import json
import os
import random
import shutil
import sys
import tempfile
import time
import tokenize
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "chipmcp"

# Each module's own fast tests: what a change to it must answer to within seconds.
TESTS: dict[str, list[str]] = {
    "core/units.py": ["tests/test_units.py"],
    "core/periods.py": ["tests/test_periods.py"],
    "core/names.py": ["tests/test_name_index.py", "tests/test_pinyin_readings.py"],
    "core/compute.py": ["tests/test_compute.py", "tests/test_compute_core.py"],
    "reasoning/selection.py": ["tests/test_selection.py", "tests/test_mini_selection.py"],
    "reasoning/export_control.py": ["tests/test_mini_export_control.py"],
    "reasoning/bulk_cells.py": ["tests/test_bulk_cells.py"],
    "reasoning/ranking.py": ["tests/test_ranking_rule.py", "tests/test_compare_marks.py"],
}

_COMPARE = {
    ast.Lt: "<=",
    ast.LtE: "<",
    ast.Gt: ">=",
    ast.GtE: ">",
    ast.Eq: "!=",
    ast.NotEq: "==",
    ast.In: "not in",
    ast.NotIn: "in",
    ast.Is: "is not",
    ast.IsNot: "is",
}
_BINARY = {
    ast.Add: ("+", "-"),
    ast.Sub: ("-", "+"),
    ast.Mult: ("*", "/"),
    ast.Div: ("/", "*"),
    ast.FloorDiv: ("//", "/"),
    ast.Mod: ("%", "//"),
    ast.Pow: ("**", "*"),
}
_BOOLEAN = {ast.And: ("and", "or"), ast.Or: ("or", "and")}


@dataclass(frozen=True)
class Mutant:
    line: int
    start: int  # character offsets in the source text
    end: int
    original: str
    replacement: str
    kind: str

    def describe(self) -> str:
        return f"line {self.line}: {self.kind} {self.original!r} → {self.replacement!r}"


class _Source:
    """The module's text with conversions between ast positions (UTF-8 byte columns) and text offsets."""

    def __init__(self, text: str):
        self.text = text
        self.lines = text.splitlines(keepends=True)
        self.line_starts = [0]
        for line in self.lines:
            self.line_starts.append(self.line_starts[-1] + len(line))
        self.tokens = [t for t in tokenize.generate_tokens(io.StringIO(text).readline) if t.type in (tokenize.OP, tokenize.NAME)]

    def offset(self, line: int, byte_col: int) -> int:
        return self.line_starts[line - 1] + len(self.lines[line - 1].encode("utf-8")[:byte_col].decode("utf-8"))

    def token_offset(self, row: int, col: int) -> int:
        return self.line_starts[row - 1] + col

    def start(self, node: ast.AST) -> int:
        return self.offset(node.lineno, node.col_offset)  # type: ignore[attr-defined]

    def end(self, node: ast.AST) -> int:
        return self.offset(node.end_lineno, node.end_col_offset)  # type: ignore[attr-defined]

    def tokens_between(self, start: int, end: int) -> list[tuple[int, int, str]]:
        """(start, end, text) of the operator and keyword tokens lying in [start, end)."""
        out = []
        for token in self.tokens:
            begin = self.token_offset(*token.start)
            finish = self.token_offset(*token.end)
            if begin >= start and finish <= end and token.string not in "()[]{},":
                out.append((begin, finish, token.string))
        return out

    def line_of(self, offset: int) -> int:
        low, high = 0, len(self.line_starts) - 1
        while low < high - 1:
            middle = (low + high) // 2
            if self.line_starts[middle] <= offset:
                low = middle
            else:
                high = middle
        return low + 1


def _annotation_nodes(tree: ast.AST) -> set[int]:
    """ids of every node inside an annotation (never evaluated: `from __future__ import annotations`)."""
    skip: set[int] = set()

    def mark(node: ast.AST | None) -> None:
        if node is not None:
            skip.update(id(n) for n in ast.walk(node))

    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            mark(node.returns)
            for argument in [*node.args.args, *node.args.kwonlyargs, *node.args.posonlyargs, node.args.vararg, node.args.kwarg]:
                if argument is not None:
                    mark(argument.annotation)
        elif isinstance(node, ast.AnnAssign):
            mark(node.annotation)
    return skip


def mutants_of(text: str) -> list[Mutant]:
    source = _Source(text)
    tree = ast.parse(text)
    skip = _annotation_nodes(tree)
    out: list[Mutant] = []

    def add(start: int, end: int, replacement: str, kind: str) -> None:
        out.append(Mutant(source.line_of(start), start, end, text[start:end], replacement, kind))

    def operator_between(left: ast.AST, right: ast.AST, words: list[str]) -> tuple[int, int] | None:
        found = [t for t in source.tokens_between(source.end(left), source.start(right)) if t[2] in words]
        if [t[2] for t in found] != words:
            return None
        return found[0][0], found[-1][1]

    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Compare):
            operands = [node.left, *node.comparators]
            for index, op in enumerate(node.ops):
                words = {ast.NotIn: ["not", "in"], ast.IsNot: ["is", "not"]}.get(type(op))
                if words is None:
                    words = [
                        {
                            ast.Lt: "<",
                            ast.LtE: "<=",
                            ast.Gt: ">",
                            ast.GtE: ">=",
                            ast.Eq: "==",
                            ast.NotEq: "!=",
                            ast.In: "in",
                            ast.Is: "is",
                        }[type(op)]
                    ]
                span = operator_between(operands[index], operands[index + 1], words)
                if span:
                    add(*span, _COMPARE[type(op)], "comparison")
        elif isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
            symbol, replacement = _BINARY[type(node.op)]
            span = operator_between(node.left, node.right, [symbol])
            if span:
                add(*span, replacement, "arithmetic")
        elif isinstance(node, ast.AugAssign) and type(node.op) in _BINARY:
            symbol, replacement = _BINARY[type(node.op)]
            span = operator_between(node.target, node.value, [symbol + "="])
            if span:
                add(*span, replacement + "=", "arithmetic")
        elif isinstance(node, ast.BoolOp):
            word, replacement = _BOOLEAN[type(node.op)]
            for left, right in zip(node.values, node.values[1:], strict=False):
                span = operator_between(left, right, [word])
                if span:
                    add(*span, replacement, "boolean")
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.Not, ast.USub)):
            start, operand = source.start(node), source.start(node.operand)
            kind = "boolean" if isinstance(node.op, ast.Not) else "sign"
            add(start, operand, "", kind)
        elif isinstance(node, ast.Constant) and type(node.value) in (bool, int, float):
            value = node.value
            if isinstance(value, bool):
                replacement = repr(not value)
            elif isinstance(value, int):
                replacement = repr(value + 1)
            else:
                replacement = repr(value * 2) if value else "1.0"
            add(source.start(node), source.end(node), replacement, "constant")
    # A mutant that leaves the program as it was (the same tree) is no mutant.
    original = ast.dump(tree)
    kept = []
    for mutant in sorted(out, key=lambda m: (m.start, m.kind, m.replacement)):
        try:
            mutated = ast.dump(ast.parse(apply(text, mutant)))
        except SyntaxError:
            continue
        if mutated != original:
            kept.append(mutant)
    return kept


def apply(text: str, mutant: Mutant) -> str:
    return text[: mutant.start] + mutant.replacement + text[mutant.end :]


def _scratch() -> Path:
    """src/ and tests/ copied beside a link to knowledge/: the tests import the copy (PYTHONPATH comes first)."""
    memory = Path("/dev/shm")  # the tests' SQLite files written to memory, where there is one
    scratch = Path(tempfile.mkdtemp(prefix="chipmcp-mutate-", dir=memory if memory.is_dir() else None))
    shutil.copytree(ROOT / "src", scratch / "src", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "tests", scratch / "tests", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", scratch / "pyproject.toml")
    (scratch / "knowledge").symlink_to(ROOT / "knowledge")
    return scratch


# hypothesis and anyio are pytest plugins too: imported here, pytest cannot rewrite their asserts and says so
# (a warning _PYTEST ignores); importing hypothesis once instead of per mutant takes two thirds off a mutant's CPU.
_PRELOADED = (
    "numpy",
    "pydantic",
    "sqlite_utils",
    "rapidfuzz",
    "opencc",
    "pypinyin",
    "pytest",
    "hypothesis",
    "_hypothesis_pytestplugin",
    "anyio",
    "anyio.pytest_plugin",
)
_PYTEST = ["-q", "-p", "no:cacheprovider", "-W", "ignore::pytest.PytestAssertRewriteWarning"]


def _preload(scratch: Path) -> None:
    """Import the third-party libraries once, in this process, before any child is forked: each child then
    imports only chipmcp (from the scratch copy, never from the checkout) and its tests."""
    import importlib

    for name in _PRELOADED:
        importlib.import_module(name)
    assert "chipmcp" not in sys.modules, "chipmcp must be imported afresh by each child"
    sys.path.insert(0, str(scratch / "src"))
    os.environ.update({"PYTHONDONTWRITEBYTECODE": "1", "CHIPMCP_HYPOTHESIS_PROFILE": "mutation", "TMPDIR": str(scratch)})
    tempfile.tempdir = None
    os.environ.pop("CHIPMCP_KNOWLEDGE", None)
    sys.dont_write_bytecode = True


def _build_db(knowledge: Path, path: Path) -> str:
    """A knowledge folder built once, in a forked child (this process never imports chipmcp)."""
    child = os.fork()
    if child == 0:
        code = 0
        try:
            from chipmcp.kb import build

            build.build(knowledge, path)
        except BaseException:
            code = 1
        os._exit(code)
    _, status = os.waitpid(child, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{knowledge} does not build")
    return str(path)


_EVERYWHERE = ""  # the line map's name for "executed outside any test's call": every test must run


def _line_map(scratch: Path, module: Path, tests: list[str]) -> tuple[dict[int, set[str]], dict[str, float]]:
    """Run `tests` unmutated under a line tracer: for each line of `module`, the node ids of the tests whose call
    executes it (or _EVERYWHERE), and each test's duration. Traced in a forked child, written back as JSON."""
    read, write = os.pipe()
    child = os.fork()
    if child == 0:
        code = 0
        try:
            os.close(read)
            os.chdir(scratch)
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, 1)
            os.dup2(devnull, 2)
            import threading

            import pytest

            filename = str(module)
            lines: dict[int, set[str]] = {}
            durations: dict[str, float] = {}
            current = [_EVERYWHERE]

            def local(frame, event, arg):
                if event in ("line", "call"):
                    lines.setdefault(frame.f_lineno, set()).add(current[0])
                return local

            def trace(frame, event, arg):
                if frame.f_code.co_filename == filename:
                    return local(frame, event, arg)
                return None

            class Recorder:
                @pytest.hookimpl(hookwrapper=True)
                def pytest_runtest_call(self, item):
                    current[0] = item.nodeid
                    began = time.monotonic()
                    yield
                    durations[item.nodeid] = time.monotonic() - began
                    current[0] = _EVERYWHERE

            sys.settrace(trace)
            threading.settrace(trace)
            code = int(pytest.main([*_PYTEST, *tests], plugins=[Recorder()]))
            sys.settrace(None)
            payload = json.dumps({"lines": {n: sorted(t) for n, t in lines.items()}, "durations": durations})
            with os.fdopen(write, "w", encoding="utf-8") as out:
                out.write(payload)
        except BaseException:
            code = 3
        os._exit(code)
    os.close(write)
    with os.fdopen(read, encoding="utf-8") as pipe:
        payload = pipe.read()
    _, status = os.waitpid(child, 0)
    if os.waitstatus_to_exitcode(status) != 0 or not payload:
        raise SystemExit(f"{module}: its tests fail on the unmutated code (under the line tracer); fix them first")
    data = json.loads(payload)
    return {int(n): set(t) for n, t in data["lines"].items()}, data["durations"]


def _statement_lines(tree: ast.Module) -> list[tuple[int, int, range]]:
    """(start offset line, end line, the statement's own lines) of every statement: a compound statement's own
    lines are its header's (the body's statements are listed apart), a simple statement's all of them."""
    spans = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.stmt):
            continue
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.stmt):
            own = range(node.lineno, max(node.lineno, body[0].lineno - 1) + 1)
        else:
            own = range(node.lineno, (node.end_lineno or node.lineno) + 1)
        spans.append((node.lineno, node.end_lineno or node.lineno, own))
    return spans


def _tests_for(mutant: Mutant, spans: list[tuple[int, int, range]], lines: dict[int, set[str]]) -> set[str] | None:
    """The tests that execute the mutant's statement; None when every test must run (executed outside a test,
    or not inside any statement the tracer can see, such as a decorator)."""
    inside = [s for s in spans if s[0] <= mutant.line <= s[1] and mutant.line in s[2]]
    if not inside:
        return None
    own = min(inside, key=lambda s: s[1] - s[0])[2]
    found: set[str] = set()
    for line in own:
        found |= lines.get(line, set())
    return None if _EVERYWHERE in found else found


def _run_tests(scratch: Path, tests: list[str], timeout: float) -> tuple[str, float]:
    """pytest in a forked child; killed, with status 'timeout', when it outlives `timeout` seconds."""
    began = time.monotonic()
    child = os.fork()
    if child == 0:  # the child: run the tests quietly and exit with pytest's code
        try:
            os.chdir(scratch)
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, 1)
            os.dup2(devnull, 2)
            import pytest

            code = int(pytest.main(["-x", *_PYTEST, *tests]))
        except BaseException:
            code = 3
        os._exit(code)
    while True:
        done, status = os.waitpid(child, os.WNOHANG)
        if done:
            break
        if time.monotonic() - began > timeout:
            os.kill(child, 9)
            os.waitpid(child, 0)
            return "timeout", time.monotonic() - began
        time.sleep(0.05)
    code = os.waitstatus_to_exitcode(status)
    # A usage error (a test id not found) or nothing collected: the unmutated run collected these very ids (the
    # line map), so the mutant changed what the tests are made of (a constant their parameters are built from).
    return ("survived" if code == 0 else "killed"), time.monotonic() - began


_SCRATCH = Path()


def run_module(
    module: str,
    sample: float | None,
    seed: int,
    listing: bool,
    only: list[int] | None = None,
    picked: list[int] | None = None,
    every_test: bool = False,
) -> dict[str, object]:
    path = PACKAGE / module
    text = path.read_text(encoding="utf-8")
    mutants = mutants_of(text)
    chosen = list(range(len(mutants)))
    if sample is not None:
        chosen = sorted(random.Random(f"{seed}:{module}").sample(chosen, round(len(chosen) * sample)))
    out = ROOT / ".mutation" / (module.replace("/", "_").removesuffix(".py") + ".json")
    earlier: dict[int, dict] = {}
    if only is not None:  # run these again (after a test was added) and keep the earlier results of the others
        previous = json.loads(out.read_text(encoding="utf-8"))
        sample, seed = previous["sample"], previous["seed"] or seed
        earlier = {r["index"]: r for r in previous["results"]}
        chosen = [i for i in only if i < len(mutants)]
    if picked is not None:  # named mutants, apart from any sample: their own results file
        chosen, out = picked, out.with_suffix(".picked.json")
    if listing:
        for index in chosen:
            print(f"{module} #{index} {mutants[index].describe()}")
        return {"module": module, "mutants": len(mutants)}
    tests = TESTS[module]
    scratch = _SCRATCH
    target = scratch / "src" / "chipmcp" / module
    os.environ.pop("CHIPMCP_MINI_DB", None)
    os.environ.pop("CHIPMCP_TEST_DB", None)
    if module.startswith("reasoning/"):  # the build uses nothing of reasoning/: the test databases built once
        os.environ["CHIPMCP_MINI_DB"] = _build_db(scratch / "tests" / "data" / "mini-knowledge", scratch / "mini.db")
        os.environ["CHIPMCP_TEST_DB"] = _build_db(scratch / "knowledge", scratch / "real.db")
    try:
        began = time.monotonic()
        lines, durations = _line_map(scratch, target, tests)
        baseline = time.monotonic() - began
        spans = _statement_lines(ast.parse(text))
        if _run_tests(scratch, sorted(durations, key=durations.__getitem__), timeout=600)[0] != "survived":
            raise SystemExit(f"{module}: its tests, fastest first, fail on the unmutated code: they depend on their order")
        timeout = max(30.0, 4 * baseline)
        results = []
        for done, index in enumerate(chosen, 1):
            before = earlier.get(index)
            if before and mutants[index].describe() != Mutant(**{k: before[k] for k in Mutant.__dataclass_fields__}).describe():
                raise SystemExit(f"{module} changed since the earlier run: run it whole again")
            mutant = mutants[index]
            covering = None if every_test else _tests_for(mutant, spans, lines)
            if covering is not None and not covering:
                status, seconds, ran = "unreached", 0.0, 0
            else:
                selected = sorted(durations if covering is None else covering, key=lambda t: durations.get(t, 0.0))
                target.write_text(apply(text, mutant), encoding="utf-8")
                status, seconds = _run_tests(scratch, selected, timeout)
                ran = len(durations) if covering is None else len(covering)
            results.append({**asdict(mutant), "index": index, "status": status, "seconds": round(seconds, 1), "tests_run": ran})
            print(f"[{done}/{len(chosen)}] {module} #{index} {status:9} ({ran} tests) {mutant.describe()}", flush=True)
    finally:
        target.write_text(text, encoding="utf-8")
    if earlier:
        results = sorted({**earlier, **{r["index"]: r for r in results}}.values(), key=lambda r: r["index"])
    killed = sum(r["status"] not in ("survived", "unreached") for r in results)
    summary = {
        "module": module,
        "tests": tests,
        "mutants": len(mutants),
        "run": len(results),
        "sample": sample,
        "seed": seed if sample is not None else None,
        "killed": killed,
        "survived": len(results) - killed,
        "baseline_seconds": round(baseline, 1),
        "results": results,
    }
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(summary, ensure_ascii=False, indent=1), encoding="utf-8")
    return summary


def _survivors(module: str) -> list[int]:
    out = ROOT / ".mutation" / (module.replace("/", "_").removesuffix(".py") + ".json")
    results = json.loads(out.read_text(encoding="utf-8"))["results"]
    return [r["index"] for r in results if r["status"] in ("survived", "unreached")]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("modules", nargs="*", help="paths under src/chipmcp, e.g. core/periods.py")
    parser.add_argument("--all", action="store_true", help="every module of the table in TESTING.md")
    parser.add_argument("--sample", type=float, help="run this share of the mutants, chosen by --seed")
    parser.add_argument("--seed", type=int, default=19)
    parser.add_argument("--list", action="store_true", help="list the mutants; run nothing")
    parser.add_argument("--index", help="run only these mutants (numbers as --list shows them, comma-separated)")
    parser.add_argument(
        "--survivors",
        action="store_true",
        help="run again only the mutants that survived the module's last run, and update its results",
    )
    parser.add_argument("--every-test", action="store_true", help="run all of the module's tests for every mutant (no line map)")
    options = parser.parse_args(argv)
    modules = list(TESTS) if options.all else options.modules
    if not modules:
        parser.error("name a module or give --all")
    unknown = [m for m in modules if m not in TESTS]
    if unknown:
        parser.error(f"no tests are assigned to {', '.join(unknown)}; known: {', '.join(TESTS)}")
    global _SCRATCH
    _SCRATCH = _scratch()
    try:
        if not options.list:
            _preload(_SCRATCH)
        picked = [int(i) for i in options.index.split(",")] if options.index else None
        summaries = [
            run_module(
                m, options.sample, options.seed, options.list, _survivors(m) if options.survivors else None, picked, options.every_test
            )
            for m in modules
        ]
    finally:
        shutil.rmtree(_SCRATCH, ignore_errors=True)
    if options.list:
        return 0
    print()
    for summary in summaries:
        rate = 100 * summary["killed"] / summary["run"] if summary["run"] else 100.0  # type: ignore[operator]
        print(
            f"{summary['module']}: {summary['killed']}/{summary['run']} killed ({rate:.0f}%)"
            + (f", a {summary['sample']:.0%} sample (seed {summary['seed']})" if summary["sample"] else "")
        )
        for result in summary["results"]:  # type: ignore[attr-defined]
            if result["status"] in ("survived", "unreached"):
                print(f"  {result['status']} {Mutant(**{k: result[k] for k in Mutant.__dataclass_fields__}).describe()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
