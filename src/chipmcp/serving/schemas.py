"""Output schemas as clients are sent them: structure, types and defaults, without the prose.

tools/list goes into a model's context on every connection. The input schemas keep their
descriptions (a model needs them to call a tool); output schemas keep what a client needs to read an
answer — types, enums, required fields and the defaults that are not the empty value of their type
(answers leave out fields at their default; absent means null, "", false, 0 or [] unless the schema
says otherwise) — and drop per-field titles and descriptions, which models.py documents for
developers. The result validates exactly the same documents, save that unknown keys are no longer
refused (the answer models still refuse them when the server builds an answer)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

_PROSE = ("title", "description", "additionalProperties")
_EMPTY: tuple[object, ...] = (None, "", False, 0, [], {})
_SCHEMA_LISTS = ("anyOf", "oneOf", "allOf", "prefixItems")
_SCHEMA_MAPS = ("properties", "$defs", "patternProperties")
_SCHEMA_VALUES = ("items", "additionalProperties", "not", "contains")


def compact_output_schema(schema: dict[str, Any], depth: int = 0) -> dict[str, Any]:
    """A copy of an output schema without titles and descriptions (property *names* such as 'title' stay),
    describing the answer's fields and those of the objects it holds (`depth` levels of models below the
    root); objects nested deeper are typed as objects."""
    return _without_prose(_shallow(schema, depth))


def _shallow(schema: dict[str, Any], depth: int) -> dict[str, Any]:
    defs: dict[str, Any] = schema.get("$defs", {})
    level = {name: 1 for name in _refs({k: v for k, v in schema.items() if k != "$defs"})}
    frontier = list(level)
    while frontier:
        name = frontier.pop(0)
        for ref in _refs(defs.get(name, {})):
            if ref not in level:
                level[ref] = level[name] + 1
                frontier.append(ref)
    kept = {name for name, at in level.items() if at <= depth}

    def rewrite(node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref", "")
            if ref.startswith("#/$defs/") and ref[len("#/$defs/") :] not in kept:
                return {"type": "object"}
            return {k: rewrite(v) for k, v in node.items() if k != "$defs"}
        if isinstance(node, list):
            return [rewrite(v) for v in node]
        return node

    out = rewrite(schema)
    if kept:
        out["$defs"] = {name: rewrite(defs[name]) for name in defs if name in kept}
    return out


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        ref = node.get("$ref", "")
        found = [ref[len("#/$defs/") :]] if ref.startswith("#/$defs/") else []
        return found + [r for v in node.values() for r in _refs(v)]
    if isinstance(node, list):
        return [r for v in node for r in _refs(v)]
    return []


def _without_prose(schema: dict[str, Any]) -> dict[str, Any]:
    schema = _nullable_as_type(schema)
    return {key: _within(key, value, _without_prose) for key, value in schema.items() if _sent(key, value)}


def _nullable_as_type(schema: dict[str, Any]) -> dict[str, Any]:
    nullable = _nullable(schema)
    if nullable is None:
        return schema
    # A field whose default is null is left out of an answer when null: what is sent is never null.
    sent = nullable["type"][0] if "default" in schema and schema["default"] is None else nullable["type"]
    return {**{k: v for k, v in schema.items() if k != "anyOf"}, "type": sent}


def _sent(key: str, value: Any) -> bool:
    """Whether a schema keyword stays: not prose (an additionalProperties schema is structure), not a default
    that is its type's empty value."""
    if key in _PROSE and not (key == "additionalProperties" and isinstance(value, dict)):
        return False
    return not (key == "default" and any(value == e and type(value) is type(e) for e in _EMPTY))


def _within(key: str, value: Any, rewrite: Callable[[dict[str, Any]], dict[str, Any]]) -> Any:
    """A keyword's value with `rewrite` applied to each schema it holds (a map, list or single subschema)."""
    if key in _SCHEMA_MAPS and isinstance(value, dict):
        return {name: rewrite(sub) if isinstance(sub, dict) else sub for name, sub in value.items()}
    if key in _SCHEMA_LISTS and isinstance(value, list):
        return [rewrite(sub) if isinstance(sub, dict) else sub for sub in value]
    if key in _SCHEMA_VALUES and isinstance(value, dict):
        return rewrite(value)
    return value


def _nullable(schema: dict[str, Any]) -> dict[str, Any] | None:
    """`anyOf: [{type: T}, {type: null}]` written as `type: [T, null]`, which says the same in a third of the space."""
    options = schema.get("anyOf")
    if not isinstance(options, list) or len(options) != 2 or {"type": "null"} not in options:
        return None
    other = next(o for o in options if o != {"type": "null"})
    if set(other) != {"type"} or not isinstance(other["type"], str):
        return None
    return {"type": [other["type"], "null"]}


def untitled_input_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """An input schema without pydantic's generated titles ('Name', 'lookup_chipArguments'), and with an
    optional argument shown as its type alone: `{"anyOf": [T, {"type": "null"}], "default": null}` becomes T
    (not required: leave it out for the default; the server still accepts an explicit null). The
    descriptions, which tell a model how to call the tool, stay."""
    out = _optional_as_type({k: v for k, v in schema.items() if k != "title"})
    return {key: _within(key, value, untitled_input_schema) for key, value in out.items()}


def _optional_as_type(schema: dict[str, Any]) -> dict[str, Any]:
    branches = schema.get("anyOf")
    if not (isinstance(branches, list) and schema.get("default", 0) is None and {"type": "null"} in branches):
        return schema
    kept = [b for b in branches if b != {"type": "null"}]
    out = {k: v for k, v in schema.items() if k != "default"}
    if len(kept) == 1 and isinstance(kept[0], dict):
        del out["anyOf"]
        return {**kept[0], **out}
    out["anyOf"] = kept
    return out
