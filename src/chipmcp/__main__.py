"""The `chipmcp` command: a thin shell over the library.

    chipmcp                              serve over stdio (what MCP clients start)
    chipmcp serve [--http] [--host H] [--port P] [--workers N] [--allowed-hosts …] [--token-file F] …
    chipmcp build [--check] [--out FILE]
    chipmcp call TOOL '{json args}'      print a tool's JSON answer
    chipmcp kb verify --reports DIR      check every printed token against the reports
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
from pathlib import Path


def _utf8_stdio() -> None:
    """Chinese names must survive GBK/cp950 consoles: force UTF-8 on the standard streams."""
    for stream in (sys.stdin, sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(encoding="utf-8", errors="replace" if stream is not sys.stdout else "strict")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="chipmcp", description="MCP server for AI accelerator chips.")
    commands = parser.add_subparsers(dest="command")
    serve = commands.add_parser("serve", help="serve MCP over stdio (default) or streamable HTTP")
    serve.add_argument("--http", action="store_true", help="streamable HTTP (stateless) instead of stdio")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--log-level", default="WARNING", choices=["DEBUG", "INFO", "WARNING", "ERROR"],
                       help="server log level on stderr; INFO logs every HTTP request (default WARNING)")
    serve.add_argument("--allowed-hosts", type=_names, default=_names(os.environ.get("CHIPMCP_ALLOWED_HOSTS", "")),
                       help="Host header values accepted besides loopback, comma-separated (env CHIPMCP_ALLOWED_HOSTS); "
                            "required off loopback")
    serve.add_argument("--allowed-origins", type=_names, default=_names(os.environ.get("CHIPMCP_ALLOWED_ORIGINS", "")),
                       help="Origin header values accepted besides loopback, e.g. https://app.example.com "
                            "(env CHIPMCP_ALLOWED_ORIGINS)")
    serve.add_argument("--token-file", help="file holding the bearer token clients must send (else env CHIPMCP_TOKEN); "
                                            "required off loopback unless --no-auth")
    serve.add_argument("--no-auth", action="store_true", help="serve off loopback without a token (a proxy authenticates)")
    serve.add_argument("--workers", type=int, default=1, help="HTTP worker processes over the same database (default 1)")
    serve.add_argument("--max-connections", type=int, default=256, help="open HTTP connections at most (default 256)")
    serve.add_argument("--request-timeout", type=float, default=10.0,
                       help="seconds a request's headers and body may take to arrive (default 10)")
    serve.add_argument("--keep-alive", type=int, default=5, help="seconds an idle HTTP connection stays open (default 5)")
    build = commands.add_parser("build", help="validate knowledge/ and write the SQLite knowledge base")
    build.add_argument("--check", action="store_true", help="validate only; write nothing")
    build.add_argument("--out", type=Path, help="database file (default: the cache path the server uses)")
    build.add_argument("--knowledge", type=Path, help="knowledge folder (default: the installed one)")
    call = commands.add_parser("call", help="call a tool and print its JSON answer")
    call.add_argument("tool")
    call.add_argument("arguments", nargs="?", default="{}", help="JSON object of arguments")
    call.add_argument("--text", action="store_true", help="print the readable text block instead of JSON")
    kb = commands.add_parser("kb", help="knowledge-base checks")
    kb_commands = kb.add_subparsers(dest="kb_command", required=True)
    verify = kb_commands.add_parser("verify", help="check printed tokens against the source reports")
    verify.add_argument("--reports", type=Path, required=True, help="folder holding the report files")
    return parser


def main(argv: list[str] | None = None) -> int:
    _utf8_stdio()
    logging.basicConfig(stream=sys.stderr, level=logging.WARNING, format="chipmcp: %(message)s")
    logging.getLogger("mcp.server.streamable_http").addFilter(_hang_ups_in_one_line)
    args = _parser().parse_args(argv)
    try:
        if args.command is None:
            return _serve_stdio("WARNING")
        if args.command == "serve":
            return _serve_http(args) if args.http else _serve_stdio(args.log_level)
        if args.command == "build":
            return _build(args.check, args.out, args.knowledge)
        if args.command == "call":
            return _call(args.tool, args.arguments, args.text)
        if args.command == "kb":
            return _verify(args.reports)
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


def _names(value: str) -> tuple[str, ...]:
    return tuple(name.strip() for name in value.split(",") if name.strip())


def _serve_stdio(log_level: str) -> int:
    import anyio

    from .server import build_server
    from .stdio import serve_stdio

    logging.getLogger().setLevel(log_level)
    anyio.run(serve_stdio, build_server(log_level=log_level, warm_up=True))  # type: ignore[arg-type]
    return 0


def _serve_http(args: argparse.Namespace) -> int:
    from . import http

    logging.getLogger().setLevel(args.log_level)
    settings = http.HttpSettings(host=args.host, port=args.port, allowed_hosts=args.allowed_hosts,
                                 allowed_origins=args.allowed_origins, token_file=args.token_file, no_auth=args.no_auth,
                                 workers=args.workers, max_connections=args.max_connections,
                                 request_timeout=args.request_timeout, keep_alive=args.keep_alive, log_level=args.log_level)
    try:
        http.run(settings)
    except http.ConfigError as error:
        print(f"chipmcp: {error}", file=sys.stderr)
        return 2
    return 0


def _build(check_only: bool, out: Path | None, knowledge: Path | None) -> int:
    from . import build, kb
    from .errors import KnowledgeError

    folder = knowledge or kb.knowledge_dir()
    try:
        if check_only:
            counts = build.check(folder)
            print(f"knowledge/ is valid: {_counts(counts)}")
        else:
            path = out or kb.default_db_path(folder)
            counts = build.build(folder, path)
            print(f"built {path}: {_counts(counts)}")
    except KnowledgeError as error:
        print(error, file=sys.stderr)
        return 1
    return 0


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{n} {table}" for table, n in counts.items())


def _call(tool: str, arguments: str, text: bool) -> int:
    from mcp.server.mcpserver.exceptions import ToolError

    from .server import build_server

    try:
        parsed = json.loads(arguments)
    except json.JSONDecodeError as error:
        print(f"error: arguments must be a JSON object: {error}", file=sys.stderr)
        return 2
    if not isinstance(parsed, dict):
        print("error: arguments must be a JSON object, e.g. '{\"name\": \"昇腾910B\"}'", file=sys.stderr)
        return 2
    server = build_server()
    try:
        result = asyncio.run(server.call_tool(tool, parsed))
    except ToolError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    if text:
        print(result.content[0].text)  # type: ignore[union-attr]
    else:
        print(json.dumps(result.structured_content, ensure_ascii=False, indent=2))  # type: ignore[union-attr]
    return 0


def _verify(reports: Path) -> int:
    from .kb import KnowledgeBase
    from .verify import report, verify

    result = verify(KnowledgeBase.open_default(), reports)
    print(report(result))
    return 0 if result.ok else 1


if __name__ == "__main__":
    sys.exit(main())
