"""Streamable HTTP (stateless, JSON responses): the ASGI app, its guards and the uvicorn server around it.

What the SDK's app does not do, done here, each by one small piece:
- Host and Origin are checked on every bind (the SDK checks them only for three loopback spellings), and
  a non-loopback bind needs an allow-list and a bearer token (or an explicit --no-auth);
- only POST reaches the endpoint: a stateless server has nothing to stream on GET, nothing to end on DELETE;
- bodies are capped at the size of the largest valid request (413 above it), and JSON-RPC framing errors
  get -32700 / -32600 replies instead of 202 or a pydantic dump;
- idle and slow peers are cut off and the connection count is capped (uvicorn's H11 protocol, extended);
- running out of file descriptors is logged once per interval, not as a traceback per accept.

`create_app()` is a factory that reads its settings from the environment, so uvicorn can start it in
each of N worker processes (`chipmcp serve --http --workers N`).
"""

from __future__ import annotations

import asyncio
import copy
import errno
import hmac
import ipaddress
import json
import logging
import os
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, cast

from mcp.server import MCPServer
from mcp.server.transport_security import RequestBodyLimitMiddleware, TransportSecurityMiddleware, TransportSecuritySettings
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from chipmcp.serving import sdk
from chipmcp.serving.jsonrpc import Rejected, parse_message

__all__ = ["ConfigError", "HttpSettings", "create_app", "request_body_limit", "run"]

log = logging.getLogger("chipmcp.serving.http")

# The listen backlog, which is also how many connections asyncio accepts in one go before a closed one
# gives its descriptor back (connections.py reserves descriptors for it). connections.py imports this
# module, never the reverse: uvicorn loads its protocol class by name.
BACKLOG = 128

SETTINGS_ENV = "CHIPMCP_HTTP_SETTINGS"
PATH = "/mcp"
LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")


class ConfigError(Exception):
    """Settings the server refuses to start with; the message says what to give instead."""


@dataclass(frozen=True)
class HttpSettings:
    host: str = "127.0.0.1"
    port: int = 8000
    allowed_hosts: tuple[str, ...] = ()
    allowed_origins: tuple[str, ...] = ()
    token_file: str | None = None
    no_auth: bool = False
    workers: int = 1
    max_connections: int = 256
    request_timeout: float = 10.0
    keep_alive: int = 5
    log_level: str = "WARNING"
    # The token itself is not a setting (settings travel to workers in the environment): it is read from
    # token_file or CHIPMCP_TOKEN where it is needed.

    def to_env(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_env(cls) -> HttpSettings:
        raw = os.environ.get(SETTINGS_ENV)
        if not raw:
            return cls()
        data = json.loads(raw)
        data["allowed_hosts"], data["allowed_origins"] = tuple(data["allowed_hosts"]), tuple(data["allowed_origins"])
        return cls(**data)


def is_loopback(host: str) -> bool:
    if host.strip("[]").lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def bearer_token(settings: HttpSettings) -> str | None:
    """The token clients must present: the token file's content, else CHIPMCP_TOKEN, else none."""
    if settings.token_file:
        try:
            token = Path(settings.token_file).read_text(encoding="utf-8").strip()
        except OSError as error:
            raise ConfigError(f"cannot read the token file {settings.token_file}: {error.strerror}") from None
        if not token:
            raise ConfigError(f"the token file {settings.token_file} is empty")
        return token
    return os.environ.get("CHIPMCP_TOKEN", "").strip() or None


def check(settings: HttpSettings) -> None:
    """Refuse a bind that would expose the server without the guards an open network needs."""
    token = bearer_token(settings)
    if is_loopback(settings.host):
        return
    if not settings.allowed_hosts:
        raise ConfigError(f"refusing to serve on {settings.host} without an allow-list: give the Host names clients use, "
                          "e.g. --allowed-hosts chips.example.com (or CHIPMCP_ALLOWED_HOSTS=chips.example.com)")
    if token is None and not settings.no_auth:
        raise ConfigError(f"refusing to serve on {settings.host} without authentication: give --token-file FILE "
                          "(or CHIPMCP_TOKEN), or --no-auth if a proxy in front authenticates clients")


def security_settings(settings: HttpSettings) -> TransportSecuritySettings:
    """DNS-rebinding protection for every bind: loopback names, the bound address and the allow-lists."""
    hosts = [*LOOPBACK_NAMES, _bracketed(settings.host), *settings.allowed_hosts]
    allowed_hosts = sorted({spelling for host in hosts for spelling in _with_any_port(host)})
    origins = [f"http://{name}:*" for name in LOOPBACK_NAMES] + list(settings.allowed_origins)
    return TransportSecuritySettings(enable_dns_rebinding_protection=True, allowed_hosts=allowed_hosts,
                                     allowed_origins=sorted(set(origins)))


def _bracketed(host: str) -> str:
    return f"[{host}]" if ":" in host and not host.startswith("[") else host


def _with_any_port(host: str) -> tuple[str, ...]:
    """A Host header carries the port unless it is the scheme's default: accept a name with or without one."""
    if host.endswith(":*") or host.rsplit("]", 1)[-1].count(":") == 1:
        return (host,)
    return (host, f"{host}:*")


# --- the request-size bound ----------------------------------------------------------------------------

# Room for what every request carries besides a tool's arguments: the JSON-RPC envelope, `_meta`, an
# initialize's capabilities and client info.
ENVELOPE_BYTES = 64 * 1024
# A character as long as JSON can write it: a \\uXXXX surrogate pair.
MAX_JSON_CHAR_BYTES = 12
FALLBACK_LIMIT = 4 * 1024 * 1024


def request_body_limit(server: MCPServer) -> int:
    """The size of the largest valid request, from the tools' input schemas (each string and list is
    bounded there), plus the envelope. A tool with an unbounded argument falls back to the SDK's 4 MiB."""
    largest = 0
    for tool in sdk.registered_tools(server):
        bound = _json_bound(tool.parameters, tool.parameters.get("$defs", {}))
        if bound is None:
            log.warning("tool %s has an argument without a size bound; request bodies capped at %d bytes", tool.name, FALLBACK_LIMIT)
            return FALLBACK_LIMIT
        largest = max(largest, bound + len(tool.name))
    return largest + ENVELOPE_BYTES


def _json_bound(schema: dict[str, Any], defs: dict[str, Any]) -> int | None:
    """The longest JSON text a value valid under `schema` can take, or None when it is unbounded."""
    if "$ref" in schema:
        return _json_bound(defs[schema["$ref"].rsplit("/", 1)[-1]], defs)
    for key in ("enum", "const"):
        if key in schema:
            values = schema[key] if key == "enum" else [schema[key]]
            return max(len(json.dumps(v)) for v in values)
    if "anyOf" in schema or "oneOf" in schema:
        bounds = [_json_bound(s, defs) for s in (schema["anyOf"] if "anyOf" in schema else schema["oneOf"])]
        known = [b for b in bounds if b is not None]
        return None if len(known) < len(bounds) else max(known)
    kind = schema.get("type")
    if kind == "string":
        return None if "maxLength" not in schema else schema["maxLength"] * MAX_JSON_CHAR_BYTES + 2
    if kind in ("integer", "number"):
        return 32
    if kind == "boolean":
        return 5
    if kind == "null":
        return 4
    if kind == "array":
        item = _json_bound(schema.get("items", {}), defs)
        return None if item is None or "maxItems" not in schema else schema["maxItems"] * (item + 1) + 2
    if kind == "object":
        properties = schema.get("properties", {})
        bounds = [_json_bound(p, defs) for p in properties.values()]
        known = [b for b in bounds if b is not None]
        if len(known) < len(bounds) or schema.get("additionalProperties", False) not in (False, None):
            return None
        return sum(len(json.dumps(k)) + 1 + b + 1 for k, b in zip(properties, known, strict=True)) + 2
    return None


# --- ASGI guards -------------------------------------------------------------------------------------------

class HostGuard:
    """Host and Origin against the allow-lists before anything else is looked at (421 / 403)."""

    def __init__(self, app: ASGIApp, settings: TransportSecuritySettings) -> None:
        self.app, self.check = app, TransportSecurityMiddleware(settings)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            refused = await self.check.validate_request(Request(scope, receive), is_post=False)
            if refused is not None:
                await refused(scope, receive, send)
                return
        await self.app(scope, receive, send)


class BearerAuth:
    """`Authorization: Bearer <token>`, compared in constant time; 401 with `WWW-Authenticate` otherwise."""

    def __init__(self, app: ASGIApp, token: str) -> None:
        self.app, self.token = app, token.encode("utf-8")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            given = dict(scope["headers"]).get(b"authorization", b"")
            scheme, _, credential = given.partition(b" ")
            if scheme.lower() != b"bearer" or not hmac.compare_digest(credential.strip(), self.token):
                challenge = 'Bearer realm="chipmcp"' + (', error="invalid_token"' if given else "")
                response = JSONResponse({"error": "unauthorized", "message": "send Authorization: Bearer <token>"},
                                        status_code=401, headers={"WWW-Authenticate": challenge})
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


class PostOnly:
    """Stateless streamable HTTP serves POST only: GET would open an SSE stream nothing can ever be sent on."""

    def __init__(self, app: ASGIApp, path: str) -> None:
        self.app, self.path = app, path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].rstrip("/") == self.path and scope["method"] != "POST":
            response = JSONResponse({"jsonrpc": "2.0", "id": None, "error": {
                "code": -32600, "message": f"Method Not Allowed: this stateless server answers POST {self.path} only"}},
                status_code=405, headers={"Allow": "POST"})
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


class JsonRpcFraming:
    """Bodies that are not one valid JSON-RPC message get their JSON-RPC error (400), never a 202."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        first = await receive()  # the body arrives whole: RequestBodyLimitMiddleware, outside, collected it
        try:
            parse_message(first.get("body", b""))
        except Rejected as rejected:
            response = Response(rejected.reply.model_dump_json(by_alias=True, exclude_unset=True), status_code=400,
                                media_type="application/json")
            await response(scope, receive, send)
            return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return first
            return await receive()

        await self.app(scope, replay, send)


class ExhaustionLog:
    """Installs, at start-up in the serving loop, a handler that reports running out of descriptors or
    buffers once per interval: asyncio otherwise logs a traceback at every failed accept."""

    INTERVAL = 10.0
    ERRNOS = frozenset({errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM})

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.last = -float("inf")
        self.suppressed = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            asyncio.get_running_loop().set_exception_handler(self.handle)
        await self.app(scope, receive, send)

    def handle(self, loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        error = context.get("exception")
        if isinstance(error, ValueError) and "_start_serving" in repr(context.get("handle")):
            # asyncio's retry of a paused accept, firing after shutdown closed the socket: nothing to serve
            log.debug("accept retry after shutdown ignored")
            return
        if not (isinstance(error, OSError) and error.errno in self.ERRNOS):
            loop.default_exception_handler(context)
            return
        now = time.monotonic()
        if now - self.last < self.INTERVAL:
            self.suppressed += 1
            return
        more = f" ({self.suppressed} more in the last {self.INTERVAL:.0f} s)" if self.suppressed else ""
        log.error("out of resources: %s: %s; new connections wait%s", context.get("message", "error"), error.strerror, more)
        self.last, self.suppressed = now, 0


def create_app(settings: HttpSettings | None = None, server: MCPServer | None = None) -> ASGIApp:
    """The guarded ASGI app (settings default to those the CLI put in the environment)."""
    from chipmcp.serving.server import LogLevel, build_server

    settings = settings or HttpSettings.from_env()
    check(settings)
    server = server or build_server(log_level=cast(LogLevel, settings.log_level), warm_up=True)  # a --log-level choice
    limit = request_body_limit(server)
    security = security_settings(settings)
    app: ASGIApp = server.streamable_http_app(streamable_http_path=PATH, stateless_http=True, json_response=True,
                                              max_request_body_size=limit, transport_security=security, host=settings.host)
    app = JsonRpcFraming(app)
    app = RequestBodyLimitMiddleware(app, limit)
    app = PostOnly(app, PATH)
    token = bearer_token(settings)
    if token is not None:
        app = BearerAuth(app, token)
    app = HostGuard(app, security)
    return ExhaustionLog(app)


# --- uvicorn ------------------------------------------------------------------------------------------------

HEADER_BYTES = 16 * 1024


def logging_config(level: str) -> dict[str, Any]:
    """uvicorn's logging, with the access log on stderr too: stdout is not a log."""
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    for handler in config["handlers"].values():
        handler["stream"] = "ext://sys.stderr"
    for logger in config["loggers"].values():
        logger["level"] = level
    return config


def run(settings: HttpSettings, knowledge: Sequence[Path] | None = None) -> None:
    """Serve until interrupted, in one process or in `settings.workers` processes over the same database
    (built here from `knowledge`, the bundled folder first, or from the default folders)."""
    import uvicorn

    from chipmcp.kb.store import ensure_database

    check(settings)
    os.environ["CHIPMCP_DB"] = str(ensure_database(knowledge))  # built once here, not raced by N workers
    os.environ[SETTINGS_ENV] = settings.to_env()

    uvicorn.run("chipmcp.serving.http:create_app", factory=True, host=settings.host, port=settings.port, backlog=BACKLOG,
                workers=settings.workers if settings.workers > 1 else None,
                http="chipmcp.serving.connections:GuardedH11Protocol", lifespan="on",
                # connections are capped by GuardedH11Protocol; uvicorn's limit is the backstop for requests
                limit_concurrency=settings.max_connections + 1, timeout_keep_alive=settings.keep_alive,
                h11_max_incomplete_event_size=HEADER_BYTES, log_config=logging_config(settings.log_level),
                access_log=settings.log_level in ("DEBUG", "INFO"), log_level=settings.log_level.lower())
