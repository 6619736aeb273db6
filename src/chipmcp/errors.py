"""The exceptions chipmcp raises, as one small tree.

    ChipMCPError                 anything chipmcp anticipates; its message is safe to show a user
    ├── KnowledgeError           the knowledge files are invalid (`chipmcp build` reports them all)
    ├── NotFoundError            a name, id, period or metric matches nothing; carries candidates
    │   └── AmbiguousNameError   a name matches several entities equally well
    └── InputError               an argument is outside what a tool accepts

The server turns every ChipMCPError into an MCP ToolError; nothing else reaches a client as text.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any


class ChipMCPError(Exception):
    """Base of every error chipmcp anticipates."""


class KnowledgeError(ChipMCPError):
    """The knowledge files break the schema. `problems` lists each as 'file:line: what to fix'."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        shown = "\n".join(f"  {p}" for p in problems[:200])
        more = f"\n  … and {len(problems) - 200} more" if len(problems) > 200 else ""
        super().__init__(f"{len(problems)} problem(s) in the knowledge files:\n{shown}{more}")


class NotFoundError(ChipMCPError):
    """Nothing matches; `candidates` are the closest real entries, best first."""

    def __init__(self, message: str, candidates: list[str] | None = None):
        self.candidates = candidates or []
        super().__init__(message)


class AmbiguousNameError(NotFoundError):
    """Several entities match a name equally well."""


class SeveralNamesError(NotFoundError):
    """A query names several entities ('Cambricon and Hygon'), or carries the model numbers of several products
    that no one product has together ('H20 H200'): `candidates` are the entities, or the closest names."""


class InputError(ChipMCPError):
    """An argument is outside what the tool accepts; the message says what is allowed."""


_TYPES = {
    "int": "a whole number",
    "float": "a number",
    "str": "text",
    "string": "text",
    "bool": "true or false",
    "list": "a list",
    "dict": "an object",
    "constrained-str": "text",
    "literal": "one of its listed values",
    "none": "null",
}


def plain_argument_errors(tool: str, errors: Sequence[Mapping[str, Any]], allowed: dict[str, str] | None = None) -> str:
    """pydantic's argument errors (`ValidationError.errors()`) in plain words: which argument, what is
    allowed, what was given — without pydantic's type codes or links to its documentation. `allowed` maps
    each argument to its description, for the errors that can only say "not this"."""
    said: list[str] = []
    unions: dict[str, list[str]] = {}
    for error in errors:
        loc = tuple(error.get("loc", ()))
        branch = _union_branch(loc)
        if branch is not None:  # one error per branch of a union type: said once, below
            unions.setdefault(str(loc[0]), []).append(_TYPES.get(branch, branch))
        else:
            said.append(_one_error(tool, error, ".".join(str(part) for part in loc) or "arguments"))
    said += [_union_error(name, kinds, errors, allowed) for name, kinds in unions.items()]
    # An unknown argument of the tool's own: the ones it takes (one inside a `where` item names its place).
    if allowed and any(e.get("type") == "extra_forbidden" and len(tuple(e.get("loc", ()))) == 1 for e in errors):
        said.append(f"the arguments of {tool} are {', '.join(allowed)}")
    # The prefix every other tool error carries, so clients see one shape.
    return f"Error executing tool {tool}: invalid arguments: " + "; ".join(said) + "."


def _union_branch(loc: tuple[Any, ...]) -> str | None:
    """The branch of a union argument an error's location names ('period.int', 'period.constrained-str'), or
    None when it names the argument itself or an item of a list."""
    if len(loc) > 1 and isinstance(loc[1], str) and not str(loc[0]).isdigit():
        return loc[1].split("[")[0]
    return None


_BOUNDS = {
    "greater_than_equal": "greater than or equal to",
    "greater_than": "greater than",
    "less_than_equal": "at most",
    "less_than": "less than",
}


def _one_error(tool: str, error: Mapping[str, Any], name: str) -> str:
    """One argument's error: what is allowed, and what was given where that helps."""
    ctx, kind, given = error.get("ctx") or {}, error.get("type", ""), error.get("input")
    shown = f" (got {as_sent(given)})" if kind != "missing" and not isinstance(given, dict) else ""
    if kind in _BOUNDS:
        return f"`{name}` must be {_BOUNDS[kind]} {next(iter(ctx.values()), '')}{shown}"
    if kind in _PHRASES:
        return _PHRASES[kind](name, ctx, shown, tool)
    if kind.endswith(("_type", "_parsing")):
        expected = _TYPES.get(kind.split("_")[0], kind.split("_")[0])
        return f"`{name}` must be {expected}{shown}"
    return f"`{name}`: {error.get('msg', 'invalid')}{shown}"


def as_sent(value: Any, room: int = 80) -> str:
    """A value a client sent, written as JSON (null, true, ["910B"], NaN), as the client wrote it, not as Python
    does; cut at `room` characters."""
    try:
        written = json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        written = str(value)
    return written if len(written) <= room else written[: room - 1] + "…"


def _missing(name: str, ctx: Mapping[str, Any], shown: str, tool: str) -> str:
    return f"`{name}` is required"


def _literal(name: str, ctx: Mapping[str, Any], shown: str, tool: str) -> str:
    return f"`{name}` must be one of {ctx.get('expected', '')}{shown}"


def _too_short(name: str, ctx: Mapping[str, Any], shown: str, tool: str) -> str:
    return f"`{name}` needs at least {ctx.get('min_length')} items (got {ctx.get('actual_length')})"


def _too_long(name: str, ctx: Mapping[str, Any], shown: str, tool: str) -> str:
    return f"`{name}` needs at most {ctx.get('max_length')} items (got {ctx.get('actual_length')})"


def _string_too_short(name: str, ctx: Mapping[str, Any], shown: str, tool: str) -> str:
    if ctx.get("min_length") == 1:
        return f"`{name}` must not be empty"
    return f"`{name}` needs at least {ctx.get('min_length')} characters{shown}"


def _string_too_long(name: str, ctx: Mapping[str, Any], shown: str, tool: str) -> str:
    return f"`{name}` takes at most {ctx.get('max_length')} characters"


def _extra(name: str, ctx: Mapping[str, Any], shown: str, tool: str) -> str:
    if "." in name:  # a key inside an argument's item ('where.0.unit')
        place, key = name.rsplit(".", 1)
        return f"`{place}` takes no key `{key}`"
    return f"`{name}` is not an argument of {tool}"


# How each kind of error is said: (argument, pydantic's ctx, ' (got …)', tool) → the phrase.
_PHRASES: dict[str, Callable[[str, Mapping[str, Any], str, str], str]] = {
    "missing": _missing,
    "literal_error": _literal,
    "too_short": _too_short,
    "too_long": _too_long,
    "string_too_short": _string_too_short,
    "string_too_long": _string_too_long,
    "extra_forbidden": _extra,
    "int_from_float": lambda name, ctx, shown, tool: f"`{name}` must be a whole number{shown}",
    "finite_number": lambda name, ctx, shown, tool: f"`{name}` must be a finite number{shown}",
}


def _union_error(name: str, kinds: list[str], errors: Sequence[Mapping[str, Any]], allowed: dict[str, str] | None) -> str:
    """A union argument's errors said once: what was given, and what it takes (its description when there is one)."""
    given = next((e.get("input") for e in errors if tuple(e.get("loc", ()))[:1] == (name,)), None)
    what = (allowed or {}).get(name) or " or ".join(dict.fromkeys(kinds))
    return f"`{name}` does not take {as_sent(given)}: it takes {what}"
