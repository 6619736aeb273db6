"""JSON-RPC framing checks both transports share, applied before the SDK sees a message.

The SDK drops a line it cannot parse without a word and takes a request whose id is null, a float, a
bool, an object or an array for a notification, so the client waits forever for an answer that never
comes. JSON-RPC 2.0 requires an answer to both: -32700 (parse error) and -32600 (invalid request), with
id null when the request's id cannot be read.

A notification (no id) is never answered, whatever is wrong with it. One the server acts on must be a
client notification the schema knows, in the schema's shape; any other is dropped here (`Ignored`), so
no method and no params can reach the SDK's bookkeeping or ours (a `notifications/cancelled` whose
requestId was a list once stopped the stdio transport)."""

from __future__ import annotations

import json
import re
from typing import Any

import pydantic_core
from mcp_types import (
    INVALID_REQUEST,
    PARSE_ERROR,
    ErrorData,
    JSONRPCError,
    JSONRPCMessage,
    client_notification_adapter,
    jsonrpc_message_adapter,
)
from pydantic import ValidationError

__all__ = ["Ignored", "Rejected", "parse_message"]


class Rejected(Exception):
    """A message that gets an error reply instead of being dispatched."""

    def __init__(self, reply: JSONRPCError) -> None:
        super().__init__(reply.error.message)
        self.reply = reply


class Ignored(Exception):
    """A notification the server does not act on: it is dropped, and gets no answer."""


def _reject(request_id: Any, code: int, message: str) -> Rejected:
    return Rejected(JSONRPCError(jsonrpc="2.0", id=request_id, error=ErrorData(code=code, message=message)))


def _unparseable(raw: bytes | str) -> Rejected:
    """-32700, with the request's id when it can still be read: a lone surrogate (\\ud800 without its pair)
    is not a character, so the message is not JSON text, yet Python's lenient parser reads the rest."""
    try:
        lenient = json.loads(raw)
    except (ValueError, RecursionError):  # `[[[[…`: the stdlib parser recurses where pydantic's does not
        lenient = None
    if isinstance(lenient, dict) and _LONE_SURROGATE.search(json.dumps(lenient, ensure_ascii=False, allow_nan=True)):
        request_id = lenient.get("id") if _is_request_id(lenient.get("id")) else None
        return _reject(
            request_id,
            PARSE_ERROR,
            "Parse error: the message holds a lone surrogate (a \\uD800-\\uDFFF escape "
            "without its pair), which is not a character; send the pair or the character itself.",
        )
    return _reject(None, PARSE_ERROR, "Parse error: the message is not valid JSON.")


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _is_request_id(value: Any) -> bool:
    return isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool))


def parse_message(raw: bytes | str) -> JSONRPCMessage:
    """The JSON-RPC message in `raw` (one line or one HTTP body), or `Rejected` carrying the error reply."""
    try:
        data = pydantic_core.from_json(raw)
    except ValueError:
        raise _unparseable(raw) from None
    if not isinstance(data, dict):
        raise _reject(None, INVALID_REQUEST, "Invalid request: send one JSON-RPC object per message (batches are not supported).")
    if "id" not in data and isinstance(data.get("method"), str):
        _check_notification(data)
    if "id" in data and not _is_request_id(data["id"]):
        raise _reject(None, INVALID_REQUEST, "Invalid request: id must be a string or an integer.")
    try:
        return jsonrpc_message_adapter.validate_python(data, by_name=False)
    except ValidationError:
        raise _reject(
            data.get("id"),
            INVALID_REQUEST,
            'Invalid request: expected {"jsonrpc": "2.0", "id": <string or integer>, '
            '"method": <string>, "params": <object, optional>}.',
        ) from None


def _check_notification(data: dict[str, Any]) -> None:
    try:
        client_notification_adapter.validate_python(data, by_name=False)
    except ValidationError:
        raise Ignored(data["method"]) from None
