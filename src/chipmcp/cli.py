"""The `chipmcp` command: a thin shell over the library.

    chipmcp                              serve over stdio (what MCP clients start)
    chipmcp serve [--http] [--host H] [--port P] [--workers N] [--allowed-hosts …] [--token-file F] …
    chipmcp build [--check] [--out FILE]
    chipmcp call TOOL '{json args}'      print a tool's JSON answer
    chipmcp export --what figures|chips|financials --format csv|xlsx|parquet|json [--out FILE] [filters]
    chipmcp kb verify --reports DIR      check every printed token against the reports
    chipmcp kb candidates FILE           lines of a report that look like figures not held yet
    chipmcp kb new-source ID --report FILE --into DIR   start a knowledge folder for a report
    chipmcp kb refresh DATASET --from PATH|URL --into DIR   a newer copy of a bundled table, pinned, in a folder of yours

Every command takes `--knowledge DIR` (repeatable): an extra knowledge folder merged with the bundled
one, after those of CHIPMCP_KNOWLEDGE.
"""

from __future__ import annotations

import argparse
import gc
import json
import logging
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the server loads only for the commands that serve
    from chipmcp.serving.server import LogLevel


def _utf8_stdio() -> None:
    """Chinese names must survive GBK/cp950 consoles: force UTF-8 on the standard streams."""
    for stream in (sys.stdin, sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(encoding="utf-8", errors="replace" if stream is not sys.stdout else "strict")


def _add_knowledge(parser: argparse.ArgumentParser, dest: str = "knowledge") -> None:
    parser.add_argument(
        "--knowledge",
        dest=dest,
        action="append",
        type=Path,
        metavar="DIR",
        help="an extra knowledge folder (knowledge/ format) merged with the bundled one; "
        "repeatable; added after those of CHIPMCP_KNOWLEDGE",
    )


def _bounded(kind: type, low: float, high: float):
    """An argparse type: a number of `kind` within [low, high], else a usage error naming the range."""

    def parse(text: str):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a {'whole ' if kind is int else ''}number") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{text} is outside {low:g}-{high:g}")
        return value

    return parse


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="chipmcp",
        description="MCP server for AI accelerator chips. A bare `chipmcp` (no command) is the stdio "
        "server an MCP client starts: it reads JSON-RPC on stdin and answers on stdout.",
        epilog="Serve streamable HTTP with `chipmcp serve --http` (--host 127.0.0.1 --port 8000 by default); try a tool "
        'with `chipmcp call lookup_chip \'{"name": "910B"}\'`.',
    )
    _add_knowledge(parser, dest="knowledge_first")  # `chipmcp --knowledge DIR` serves stdio with it
    commands = parser.add_subparsers(dest="command")
    serve = commands.add_parser("serve", help="serve MCP over stdio (default) or streamable HTTP")
    serve.add_argument("--http", action="store_true", help="streamable HTTP (stateless) instead of stdio")
    serve.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default 127.0.0.1, loopback only; any other needs --allowed-hosts and a token or --no-auth)",
    )
    serve.add_argument("--port", type=_bounded(int, 1, 65535), default=8000, help="port to listen on (default 8000)")
    serve.add_argument(
        "--log-level",
        default="WARNING",
        choices=["DEBUG", "INFO", "WARNING", "ERROR"],
        help="server log level on stderr; INFO logs every HTTP request (default WARNING)",
    )
    serve.add_argument(
        "--allowed-hosts",
        type=_names,
        default=_names(os.environ.get("CHIPMCP_ALLOWED_HOSTS", "")),
        help="Host header values accepted besides loopback, comma-separated (env CHIPMCP_ALLOWED_HOSTS); required off loopback",
    )
    serve.add_argument(
        "--allowed-origins",
        type=_names,
        default=_names(os.environ.get("CHIPMCP_ALLOWED_ORIGINS", "")),
        help="Origin header values accepted besides loopback, e.g. https://app.example.com (env CHIPMCP_ALLOWED_ORIGINS)",
    )
    serve.add_argument(
        "--token-file",
        help="file holding the bearer token clients must send (else env CHIPMCP_TOKEN); required off loopback unless --no-auth",
    )
    serve.add_argument("--no-auth", action="store_true", help="serve off loopback without a token (a proxy authenticates)")
    serve.add_argument(
        "--workers", type=_bounded(int, 1, 64), default=1, help="HTTP worker processes over the same database (default 1)"
    )
    serve.add_argument(
        "--max-connections", type=_bounded(int, 1, 65536), default=256, help="open HTTP connections at most (default 256)"
    )
    serve.add_argument(
        "--max-connections-per-peer",
        type=_bounded(int, 1, 65536),
        default=None,
        metavar="N",
        help="open HTTP connections one client address may hold (default: --max-connections; not for "
        "loopback or a proxy, where every client has the same address)",
    )
    serve.add_argument(
        "--request-timeout",
        type=_bounded(float, 0.1, 3600),
        default=10.0,
        help="seconds a request's headers and body may take to arrive (default 10)",
    )
    serve.add_argument(
        "--keep-alive", type=_bounded(int, 0, 3600), default=5, help="seconds an idle HTTP connection stays open (default 5)"
    )
    build = commands.add_parser("build", help="validate knowledge/ and write the SQLite knowledge base")
    build.add_argument("--check", action="store_true", help="validate only; write nothing")
    build.add_argument("--out", type=Path, help="database file (default: the cache path the server uses)")
    call = commands.add_parser("call", help="call a tool and print its JSON answer")
    call.add_argument("tool", help="the tool's name (listed below)")
    plain_help = call.format_help
    call.format_help = lambda: f"{plain_help()}\ntools: {', '.join(_tool_names())}\n"
    call.add_argument("arguments", nargs="?", default="{}", help="JSON object of arguments")
    call.add_argument("--text", action="store_true", help="print the readable text block instead of JSON")
    export = commands.add_parser(
        "export",
        help="write figures, chips or financials as CSV, XLSX, Parquet or JSON, every cell cited",
        description=(
            "Write the knowledge base as a table: figures (one row per figure), chips (one row per chip, each metric's "
            "preferred value with its citation and the claims' span) or financials (one row per company figure). "
            "The filters are find_chips' and choose the chips (financials: their makers). xlsx and parquet need "
            "pip install 'chipmcp[export]'."
        ),
    )
    export.add_argument("--what", required=True, choices=["figures", "chips", "financials"])
    export.add_argument("--format", required=True, choices=["csv", "xlsx", "parquet", "json"])
    export.add_argument(
        "--out",
        type=Path,
        metavar="FILE",
        help="file to write (replaced whole); default stdout for csv and json, required for xlsx and parquet",
    )
    export.add_argument("--vendor", help="a company and its subsidiaries, any spelling (find_chips' vendor)")
    export.add_argument(
        "--domestic",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="--domestic: Chinese vendors only; --no-domestic: the others",
    )
    export.add_argument("--kind", help="GPU, NPU, ASIC, TPU, DCU, … or system kinds server, rack, supernode")
    export.add_argument(
        "--certified",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="on the 安全可靠测评 list as the listed product (or, with --no-certified, not)",
    )
    export.add_argument(
        "--where",
        action="append",
        type=_condition,
        default=[],
        metavar="'METRIC OP VALUE'",
        help="a find_chips where condition, e.g. 'memory_gb >= 64' or 'memory_type contains HBM'; repeatable",
    )
    export.add_argument("--precision", default="fp16", help="precision of compute and the metrics built on it (default fp16)")
    kb = commands.add_parser("kb", help="knowledge-base checks")
    kb_commands = kb.add_subparsers(dest="kb_command", required=True)
    verify = kb_commands.add_parser("verify", help="check printed tokens against the source reports")
    verify.add_argument(
        "--reports",
        type=Path,
        action="append",
        required=True,
        metavar="DIR",
        help="folder holding report files (repeatable; each source's file is looked up in each)",
    )
    verify.add_argument(
        "--source", action="append", default=None, metavar="ID", help="check only this source (repeatable); default every source"
    )
    candidates = kb_commands.add_parser(
        "candidates", help="list report lines naming a known chip or company with a number and unit the knowledge base does not hold"
    )
    candidates.add_argument("file", type=Path, help="the report as a UTF-8 text file")
    candidates.add_argument("--json", action="store_true", help="print the candidates as JSON")
    new_source = kb_commands.add_parser(
        "new-source", help="write a source record and an empty figures file for a report into a knowledge folder of yours"
    )
    new_source.add_argument("id", help="the new source's id: lowercase letters, digits and '-'")
    new_source.add_argument("--report", type=Path, required=True, help="the report as a UTF-8 text file")
    new_source.add_argument(
        "--into",
        type=Path,
        help="the knowledge folder to write into (created if need be; default: the one extra folder given, if exactly one is)",
    )
    refresh = kb_commands.add_parser(
        "refresh",
        help="bring a newer copy of a bundled dataset (a CSV) into a knowledge folder of yours, pinned; the bundled one is untouched",
    )
    refresh.add_argument("dataset", help="the bundled dataset's id, e.g. epoch-ml-hardware")
    refresh.add_argument(
        "--from", dest="origin", required=True, metavar="PATH|URL", help="the new CSV: a file, or an http(s) URL to download"
    )
    refresh.add_argument(
        "--into", type=Path, required=True, metavar="DIR", help="the knowledge folder to write the copy into (created if need be)"
    )
    for command in (serve, build, call, export, verify, candidates, new_source, refresh):
        _add_knowledge(command)
    return parser


def run() -> int:
    """`chipmcp` as a process (the console script, `python -m chipmcp`): `main`, then the exit."""
    code = main()
    # All that is left is the interpreter's exit, whose last cycle collections would walk every object still
    # alive (after a build, some 50 ms) to free memory the exit returns anyway; frozen objects are skipped.
    # Every command has finished its writing by now: files closed, databases renamed into place.
    gc.freeze()
    return code


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    """The parsed command line. A bare `chipmcp`, what MCP clients start, has nothing to parse: making the
    parser of every command (a hundredth of a cold start) is skipped for it."""
    given = sys.argv[1:] if argv is None else argv
    return _parser().parse_args(given) if given else argparse.Namespace(knowledge_first=None, command=None)


def main(argv: list[str] | None = None) -> int:
    _utf8_stdio()
    logging.basicConfig(stream=sys.stderr, level=logging.WARNING, format="chipmcp: %(message)s")
    logging.getLogger("mcp.server.streamable_http").addFilter(_hang_ups_in_one_line)
    args = _arguments(argv)
    from chipmcp.errors import ChipMCPError

    try:
        folders = _folders(args)
        if args.command is None:
            _hint_on_a_terminal()
            return _serve_stdio("WARNING", folders)
        if args.command == "serve":
            return _serve_http(args, folders) if args.http else _serve_stdio(args.log_level, folders)
        if args.command == "build":
            return _build(args.check, args.out, folders)
        if args.command == "call":
            return _call(args.tool, args.arguments, args.text, folders)
        if args.command == "export":
            return _export(args, folders)
        if args.command == "kb" and args.kb_command == "verify":
            return _verify(args.reports, args.source or [], folders)
        if args.command == "kb" and args.kb_command == "candidates":
            return _candidates(args.file, args.json, folders)
        if args.command == "kb" and args.kb_command == "new-source":
            return _new_source(args.id, args.report, args.into, folders)
        if args.command == "kb" and args.kb_command == "refresh":
            return _refresh(args.dataset, args.origin, args.into, folders)
    except ChipMCPError as error:  # a broken folder, an unknown source: the message says what to fix
        print(f"error: {error}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # `chipmcp call … | head`: the reader left; nothing to report
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # so the exit flush cannot fail again
        return 1
    return 2


def _hang_ups_in_one_line(record: logging.LogRecord) -> bool:
    """A client hanging up before its request body arrived is routine for an HTTP server: one line, no traceback."""
    error = record.exc_info[1] if record.exc_info else None
    if error is not None and type(error).__name__ == "ClientDisconnect":
        record.msg, record.args, record.exc_info, record.exc_text = "a client disconnected mid-request", (), None, None
    return True


def _folders(args: argparse.Namespace) -> list[Path]:
    """The bundled folder, CHIPMCP_KNOWLEDGE's and the --knowledge ones (checked: each must exist)."""
    from chipmcp.kb.folders import knowledge_folders

    return knowledge_folders([*(args.knowledge_first or []), *(getattr(args, "knowledge", None) or [])])


def _names(value: str) -> tuple[str, ...]:
    return tuple(name.strip() for name in value.split(",") if name.strip())


def _hint_on_a_terminal() -> None:
    """A bare `chipmcp` typed in a terminal waits silently for a client and looks hung: say what it waits for.
    Only on stderr, and only when a person is at stdin: an MCP client's pipe gets nothing but JSON-RPC."""
    if sys.stdin.isatty():
        print(
            "chipmcp: an MCP server waiting on stdio for a client's JSON-RPC messages (Ctrl-D ends it). Add it to an "
            'MCP client with the command `chipmcp`, or try a tool here: chipmcp call lookup_chip \'{"name": "910B"}\'',
            file=sys.stderr,
            flush=True,
        )


def _tool_names() -> list[str]:
    from chipmcp.tools import TOOLS

    return [tool.name for tool in TOOLS]


def _serve_stdio(log_level: LogLevel, folders: list[Path]) -> int:
    with _collector_paused():
        import anyio

        from chipmcp.serving.server import build_server
        from chipmcp.serving.stdio import serve_stdio

        logging.getLogger().setLevel(log_level)
        server = build_server(log_level=log_level, warm_up=True, knowledge=folders)
    anyio.run(serve_stdio, server)
    return 0


@contextmanager
def _collector_paused() -> Iterator[None]:
    """No garbage collection while a server is made: start-up allocates what lives as long as the server (the
    SDK's and chipmcp's modules, models and schemas), so the collector's passes over it, a tenth of the
    start's CPU time, find next to nothing (under 2,000 objects of 136,000). What was made is then frozen
    out of the collector's sight, as the warm-up freezes the knowledge base's tables after it."""
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        gc.enable()


def _serve_http(args: argparse.Namespace, folders: list[Path]) -> int:
    from chipmcp.serving import http

    logging.getLogger().setLevel(args.log_level)
    settings = http.HttpSettings(
        host=args.host,
        port=args.port,
        allowed_hosts=args.allowed_hosts,
        allowed_origins=args.allowed_origins,
        token_file=args.token_file,
        no_auth=args.no_auth,
        workers=args.workers,
        max_connections=args.max_connections,
        max_connections_per_peer=args.max_connections_per_peer,
        request_timeout=args.request_timeout,
        keep_alive=args.keep_alive,
        log_level=args.log_level,
    )
    try:
        http.run(settings, folders)
    except http.ConfigError as error:
        print(f"chipmcp: {error}", file=sys.stderr)
        return 2
    return 0


def _build(check_only: bool, out: Path | None, folders: list[Path]) -> int:
    # Its imports, like the build itself (chipmcp.kb.build.build), make objects that live to the end and few
    # cycles: without the cyclic collector walking them they take a tenth less time.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _build_collected_after(check_only, out, folders)
    finally:
        if collecting:
            gc.enable()


def _build_collected_after(check_only: bool, out: Path | None, folders: list[Path]) -> int:
    from chipmcp.errors import KnowledgeError
    from chipmcp.kb import build, store

    try:
        if check_only:
            total, by_folder = build.check_by_folder(folders)
            print(f"the knowledge is valid: {_counts(total)}")
            if len(folders) > 1:  # name what each folder brought, so a user sees their records were read
                for label, counts in by_folder.items():
                    print(f"  from {label}: {_counts(counts) or 'nothing'}")
        else:
            path = out or store.default_db_path(folders)
            counts = build.build(folders, path)
            print(f"built {path}: {_counts(counts)}")
    except KnowledgeError as error:
        print(error, file=sys.stderr)
        return 1
    return 0


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{n} {table}" for table, n in counts.items())


def _call(tool: str, arguments: str, text: bool, folders: list[Path]) -> int:
    from mcp.server.mcpserver.exceptions import ToolError
    from mcp.types import CallToolResult, TextContent

    from chipmcp.serving.server import build_server

    try:
        parsed = json.loads(arguments)
    except json.JSONDecodeError as error:
        print(f"error: arguments must be a JSON object: {error}", file=sys.stderr)
        return 2
    if not isinstance(parsed, dict):
        print('error: arguments must be a JSON object, e.g. \'{"name": "昇腾910B"}\'', file=sys.stderr)
        return 2
    names = _tool_names()
    if tool not in names:
        import difflib

        close = difflib.get_close_matches(tool, names, n=1)
        print(
            f"error: unknown tool {tool!r}. " + (f"Did you mean {close[0]}? " if close else "") + f"The tools: {', '.join(names)}",
            file=sys.stderr,
        )
        return 2
    import asyncio  # here, not at the top: `chipmcp build` runs without it, and it is a tenth of a build's imports

    server = build_server(knowledge=folders)
    try:
        result = asyncio.run(server.call_tool(tool, parsed))
    except ToolError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    if not isinstance(result, CallToolResult):  # no chipmcp tool asks the client for input
        raise TypeError(f"{tool} answered {type(result).__name__}, not a tool result")
    if text:
        first = result.content[0]
        print(first.text if isinstance(first, TextContent) else first)
    else:
        print(json.dumps(result.structured_content, ensure_ascii=False, indent=2))
    return 0


def _condition(text: str) -> dict[str, object]:
    """'memory_gb >= 64' as find_chips' where condition (the value a number when it reads as one)."""
    import re

    found = re.fullmatch(r"\s*([A-Za-z_]\w*)\s*(>=|<=|!=|>|<|=|\s+contains\s+)\s*(.+?)\s*", text)
    if not found:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not 'METRIC OP VALUE' (OP one of > >= < <= = != contains), e.g. 'memory_gb >= 64'"
        )
    metric, op, value = found.group(1), found.group(2).strip(), found.group(3)
    try:
        return {"metric": metric, "op": op, "value": float(value)}
    except ValueError:
        return {"metric": metric, "op": op, "value": value}


def _export(args: argparse.Namespace, folders: list[Path]) -> int:
    from chipmcp.errors import ChipMCPError, KnowledgeError
    from chipmcp.kb.store import KnowledgeBase
    from chipmcp.views import dataset

    filters = dataset.Filters(
        vendor=args.vendor,
        domestic=args.domestic,
        kind=args.kind,
        certified=args.certified,
        where=tuple(args.where),
        precision=args.precision,
    )
    try:
        table = dataset.export(KnowledgeBase.open_default(folders), args.what, args.format, args.out, filters, sys.stdout)
    except KnowledgeError:
        raise
    except ChipMCPError as error:  # bad input: a filter matching nothing, an unwritable path, a missing extra
        print(f"error: {error}", file=sys.stderr)
        return 2
    if args.out is not None:
        print(f"wrote {args.out}: {len(table.rows)} {args.what} rows, {len(table.columns)} columns", file=sys.stderr)
    return 0


def _verify(reports: list[Path], sources: list[str], folders: list[Path]) -> int:
    from chipmcp.authoring.verify import report, verify
    from chipmcp.kb.store import KnowledgeBase

    result = verify(KnowledgeBase.open_default(folders), reports, sources)
    print(report(result))
    return 0 if result.ok else 1


def _refresh(dataset: str, origin: str, into: Path, folders: list[Path]) -> int:
    from chipmcp.authoring.refresh import read_source, refresh, report

    print(report(refresh(dataset, read_source(origin), into, folders)))
    return 0


def _candidates(file: Path, as_json: bool, folders: list[Path]) -> int:
    from dataclasses import asdict

    from chipmcp.authoring.candidates import find_candidates
    from chipmcp.authoring.reports import read_report
    from chipmcp.kb.store import KnowledgeBase

    if not file.is_file():
        print(f"error: report file {file} not found", file=sys.stderr)
        return 2
    found = find_candidates(KnowledgeBase.open_default(folders), read_report(file))
    if as_json:
        print(json.dumps([asdict(c) for c in found], ensure_ascii=False, indent=1))
        return 0
    lines = len({c.line_number for c in found})
    print(
        f"{len(found)} candidate figure(s) on {lines} line(s) of {file}: a known entity with a number and unit "
        "the knowledge base does not hold (nothing was added)"
    )
    for c in found:
        metric = f"{c.metric} {c.precision}" if c.precision else c.metric
        print(f"{c.line_number:>5}  {c.entity}  {metric}?  {c.printed!r}  | {_around(c.line, c.printed)}")
    return 0


def _around(line: str, token: str, width: int = 36) -> str:
    """The part of a long line around a token: enough to recognise it, short enough to scan a list."""
    at = line.find(token)
    start, end = max(0, at - width), min(len(line), at + len(token) + width)
    return ("…" if start else "") + line[start:end] + ("…" if end < len(line) else "")


def _new_source(source_id: str, report: Path, into: Path | None, folders: list[Path]) -> int:
    from chipmcp.authoring.scaffold import new_source
    from chipmcp.kb import build
    from chipmcp.kb.records import Source

    if into is None:
        if len(folders) != 2:
            print("error: name the knowledge folder to write into with --into DIR", file=sys.stderr)
            return 2
        into = folders[1]
    known = {build.record_as(loc, Source).id for loc in build.load(folders).by_kind.get("source", [])}
    made = new_source(source_id, report, into, known)
    print(
        f"wrote {made.source_file} (source {source_id}: fill in publisher, publisher_en, kind and date) and "
        f"{made.figures_file} (empty: add [[figures]] blocks)"
    )
    print(f"read off the report: language {made.filled['language']}, title {made.filled['title']!r} (check them)")
    print(f"next: chipmcp kb candidates {report} --knowledge {into}   then   chipmcp build --check --knowledge {into}")
    return 0
