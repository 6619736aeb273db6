"""Streamable HTTP (stateless, JSON responses): the ASGI app, its guards and the uvicorn server around it.

From the libraries, configured here:
- the MCP endpoint itself, and the Host/Origin comparison: the SDK's `streamable_http_app` with its
  `TransportSecurityMiddleware` (`TransportSecuritySettings`: allow-lists with `:*` port wildcards);
- the body cap (413): the SDK's `RequestBodyLimitMiddleware`, with the limit computed here;
- Starlette's requests and responses; uvicorn's server, worker processes, keep-alive timeout
  (`timeout_keep_alive`), header-size cap (`h11_max_incomplete_event_size`), a request-concurrency
  backstop (`limit_concurrency`) and graceful shutdown.

Hand-written, because none of them offers it:
- `HostGuard` puts Host and Origin in canonical form before the SDK compares them: the SDK compares
  strings, so `LOCALHOST` or `localhost.` was refused while `localhost:evil` passed its `localhost:*`.
  It also applies the check on every bind (the SDK's app enables it only for three loopback spellings);
- `check` refuses a non-loopback bind without an allow-list and a token (or an explicit --no-auth), and
  a blank CHIPMCP_TOKEN; `BearerAuth` compares the token in constant time and refuses two Authorization
  headers (the SDK's auth is OAuth, not a static bearer token);
- `PostOnly`: a stateless server has nothing to stream on GET, nothing to end on DELETE (405);
- `request_body_limit`: the largest valid request, from the tools' input schemas;
- `JsonRpcFraming`: -32700 / -32600 replies where the SDK answers 202 or a pydantic dump, and notifications
  the schema does not allow dropped (chipmcp.serving.jsonrpc);
- `ExhaustionLog`: running out of descriptors logged once per interval, not a traceback per accept;
- `_StoppedIsDone`: exit 0 after a graceful SIGTERM (uvicorn re-raises the signal once it is done);
- what uvicorn's connection handling lacks (per-request deadline, connection caps overall and per peer,
  shutdown that loses no request): chipmcp.serving.connections, which imports this module, never the reverse.

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
import re
import signal
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, cast

import uvicorn
from mcp.server import MCPServer
from mcp.server.transport_security import RequestBodyLimitMiddleware, TransportSecurityMiddleware, TransportSecuritySettings
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from chipmcp.serving import sdk
from chipmcp.serving.jsonrpc import Ignored, Rejected, parse_message

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
    max_connections_per_peer: int | None = None  # None: no cap of its own
    request_timeout: float = 10.0
    keep_alive: int = 5
    log_level: str = "WARNING"
    # The token itself is not a setting (settings travel to workers in the environment): it is read from
    # token_file or CHIPMCP_TOKEN where it is needed.

    @property
    def per_peer_cap(self) -> int:
        """Connections one peer address may hold (local peers all share 127.0.0.1: what keeps one of them from
        starving the others is that slow requests make room, in chipmcp.serving.connections)."""
        return self.max_connections_per_peer or self.max_connections

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
    token = os.environ.get("CHIPMCP_TOKEN", "")
    if token and not token.strip():  # set, to nothing visible: a mistake, never a wish for no auth
        raise ConfigError("CHIPMCP_TOKEN is blank (only whitespace): set it to the token clients send, or unset it")
    return token.strip() or None


def check(settings: HttpSettings) -> None:
    """Refuse a bind that would expose the server without the guards an open network needs."""
    token = bearer_token(settings)
    if is_loopback(settings.host):
        return
    if not settings.allowed_hosts:
        raise ConfigError(
            f"refusing to serve on {settings.host} without an allow-list: give the Host names clients use, "
            "e.g. --allowed-hosts chips.example.com (or CHIPMCP_ALLOWED_HOSTS=chips.example.com)"
        )
    if token is None and not settings.no_auth:
        raise ConfigError(
            f"refusing to serve on {settings.host} without authentication: give --token-file FILE "
            "(or CHIPMCP_TOKEN), or --no-auth if a proxy in front authenticates clients"
        )


def security_settings(settings: HttpSettings) -> TransportSecuritySettings:
    """DNS-rebinding protection for every bind: loopback names, the bound address and the allow-lists, each
    in its canonical spelling (`canonical_host`), as the Host and Origin headers are rewritten before the check."""
    hosts = [*LOOPBACK_NAMES, _bracketed(settings.host), *settings.allowed_hosts]
    allowed_hosts = sorted({spelling for host in hosts for spelling in _with_any_port(canonical_host(host) or host)})
    origins = [f"http://{name}:*" for name in LOOPBACK_NAMES] + [canonical_origin(o) or o for o in settings.allowed_origins]
    return TransportSecuritySettings(
        enable_dns_rebinding_protection=True, allowed_hosts=allowed_hosts, allowed_origins=sorted(set(origins))
    )


def _bracketed(host: str) -> str:
    return f"[{host}]" if ":" in host and not host.startswith("[") else host


def _with_any_port(host: str) -> tuple[str, ...]:
    """A Host header carries the port unless it is the scheme's default: accept a name with or without one."""
    if host.endswith(":*") or host.rsplit("]", 1)[-1].count(":") == 1:
        return (host,)
    return (host, f"{host}:*")


_HOST = re.compile(r"^(?P<name>\[[0-9a-f:.]+\]|[^\[\]:]+)(?::(?P<port>\d{1,5}|\*))?$")


def canonical_host(value: str) -> str | None:
    """`name[:port]` as DNS compares names — case-insensitive, the root's trailing dot dropped — with a
    numeric port (or the allow-list's `*`); None when it is not a host at all, e.g. `localhost:evil`."""
    found = _HOST.match(value.strip().lower())
    if found is None:
        return None
    name, port = found["name"], found["port"]
    if name.endswith("."):
        name = name[:-1]
    if not name or name.endswith(".") or ".." in name:
        return None
    return f"{name}:{port}" if port else name


def canonical_origin(value: str) -> str | None:
    """`scheme://host[:port]` with scheme and host canonical; None when it is not an origin (`null` is not)."""
    scheme, separator, host = value.strip().partition("://")
    if not separator or not scheme.isalpha() or "/" in host:
        return None
    canonical = canonical_host(host)
    return None if canonical is None else f"{scheme.lower()}://{canonical}"


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
    """Host and Origin against the allow-lists before anything else is looked at (421 / 403). The headers
    are put in canonical form first (or refused when they cannot be), and the SDK's check compares them."""

    def __init__(self, app: ASGIApp, settings: TransportSecuritySettings) -> None:
        self.app, self.check = app, TransportSecurityMiddleware(settings)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            headers, refused = self._canonical(scope["headers"])
            if refused is None:
                scope = {**scope, "headers": headers}
                refused = await self.check.validate_request(Request(scope, receive), is_post=False)
            if refused is not None:
                await refused(scope, receive, send)
                return
        await self.app(scope, receive, send)

    @staticmethod
    def _canonical(headers: list[tuple[bytes, bytes]]) -> tuple[list[tuple[bytes, bytes]], Response | None]:
        canonical = []
        for key, value in headers:
            if key in (b"host", b"origin"):
                text = value.decode("latin-1")
                fixed = canonical_host(text) if key == b"host" else canonical_origin(text)
                if fixed is None:  # `localhost:evil` would pass the SDK's `localhost:*`
                    if key == b"host":
                        return headers, Response("Invalid Host header", status_code=421)
                    return headers, Response("Invalid Origin header", status_code=403)
                value = fixed.encode("latin-1")
            canonical.append((key, value))
        return canonical, None


class BearerAuth:
    """`Authorization: Bearer <token>`, compared in constant time; 401 with `WWW-Authenticate` otherwise."""

    def __init__(self, app: ASGIApp, token: str) -> None:
        self.app, self.token = app, token.encode("utf-8")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            all_given = [value for key, value in scope["headers"] if key == b"authorization"]
            if len(all_given) > 1:  # which one a proxy or a client meant is not ours to guess
                response = JSONResponse(
                    {"error": "invalid_request", "message": f"send one Authorization header, not {len(all_given)}"},
                    status_code=400,
                    headers={"WWW-Authenticate": 'Bearer realm="chipmcp", error="invalid_request"'},
                )
                await response(scope, receive, send)
                return
            given = all_given[0] if all_given else b""
            scheme, _, credential = given.partition(b" ")
            if scheme.lower() != b"bearer" or not hmac.compare_digest(credential.strip(), self.token):
                challenge = 'Bearer realm="chipmcp"' + (', error="invalid_token"' if given else "")
                response = JSONResponse(
                    {"error": "unauthorized", "message": "send Authorization: Bearer <token>"},
                    status_code=401,
                    headers={"WWW-Authenticate": challenge},
                )
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


class PostOnly:
    """Stateless streamable HTTP serves POST only: GET would open an SSE stream nothing can ever be sent on."""

    def __init__(self, app: ASGIApp, path: str) -> None:
        self.app, self.path = app, path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].rstrip("/") == self.path and scope["method"] != "POST":
            response = JSONResponse(
                {
                    "jsonrpc": "2.0",
                    "id": None,
                    "error": {"code": -32600, "message": f"Method Not Allowed: this stateless server answers POST {self.path} only"},
                },
                status_code=405,
                headers={"Allow": "POST"},
            )
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
            response = Response(
                rejected.reply.model_dump_json(by_alias=True, exclude_unset=True), status_code=400, media_type="application/json"
            )
            await response(scope, receive, send)
            return
        except Ignored:  # accepted as every notification is, and acted on by nothing
            await Response(status_code=202)(scope, receive, send)
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
    app: ASGIApp = server.streamable_http_app(
        streamable_http_path=PATH,
        stateless_http=True,
        json_response=True,
        max_request_body_size=limit,
        transport_security=security,
        host=settings.host,
    )
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
    from chipmcp.kb.store import ensure_database

    check(settings)
    os.environ["CHIPMCP_DB"] = str(ensure_database(knowledge))  # built once here, not raced by N workers
    os.environ[SETTINGS_ENV] = settings.to_env()

    options: dict[str, Any] = dict(
        factory=True,
        host=settings.host,
        port=settings.port,
        backlog=BACKLOG,
        http="chipmcp.serving.connections:GuardedH11Protocol",
        lifespan="on",
        # connections are capped by GuardedH11Protocol; uvicorn's limit is the backstop for requests
        limit_concurrency=settings.max_connections + 1,
        timeout_keep_alive=settings.keep_alive,
        h11_max_incomplete_event_size=HEADER_BYTES,
        log_config=logging_config(settings.log_level),
        access_log=settings.log_level in ("DEBUG", "INFO"),
        log_level=settings.log_level.lower(),
    )
    if settings.workers > 1:  # the supervisor stops its workers on SIGTERM and returns: exit 0
        uvicorn.run(APP, workers=settings.workers, **options)
        return
    server = _StoppedIsDone(uvicorn.Config(APP, **options))
    server.run()
    if not server.started:
        raise ConfigError(f"could not serve on {settings.host}:{settings.port} (see the error above)")


APP = "chipmcp.serving.http:create_app"


class _StoppedIsDone(uvicorn.Server):
    """uvicorn re-raises SIGTERM once it has shut down gracefully, so the process dies of the signal
    (exit -15) after finishing its work; a stop asked for and carried out is a clean exit here."""

    def handle_exit(self, sig: int, frame: Any) -> None:
        super().handle_exit(sig, frame)
        if sig == signal.SIGTERM and sig in self._captured_signals:
            self._captured_signals.remove(sig)
