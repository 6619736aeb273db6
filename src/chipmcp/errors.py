"""The exceptions chipmcp raises, as one small tree.

    ChipMCPError                 anything chipmcp anticipates; its message is safe to show a user
    ├── KnowledgeError           the knowledge files are invalid (`chipmcp build` reports them all)
    ├── NotFoundError            a name, id, period or metric matches nothing; carries candidates
    │   └── AmbiguousNameError   a name matches several entities equally well
    └── InputError               an argument is outside what a tool accepts

The server turns every ChipMCPError into an MCP ToolError; nothing else reaches a client as text.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
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
        ctx, kind, given = error.get("ctx") or {}, error.get("type", ""), error.get("input")
        if len(loc) > 1 and isinstance(loc[1], str) and not str(loc[0]).isdigit():
            # One error per branch of a union type ('period.int', 'period.constrained-str'): said once.
            branch = loc[1].split("[")[0]
            unions.setdefault(str(loc[0]), []).append(_TYPES.get(branch, branch))
            continue
        name = ".".join(str(part) for part in loc) or "arguments"
        shown = f" (got {given!r})" if kind != "missing" and not isinstance(given, dict) else ""
        match kind:
            case "missing":
                said.append(f"`{name}` is required")
            case "literal_error":
                said.append(f"`{name}` must be one of {ctx.get('expected', '')}{shown}")
            case "greater_than_equal" | "greater_than" | "less_than_equal" | "less_than":
                word = {
                    "greater_than_equal": "greater than or equal to",
                    "greater_than": "greater than",
                    "less_than_equal": "at most",
                    "less_than": "less than",
                }[kind]
                limit = next(iter(ctx.values()), "")
                said.append(f"`{name}` must be {word} {limit}{shown}")
            case "too_short" | "too_long":
                limit = ctx.get("min_length") if kind == "too_short" else ctx.get("max_length")
                said.append(
                    f"`{name}` needs {'at least' if kind == 'too_short' else 'at most'} {limit} items (got {ctx.get('actual_length')})"
                )
            case "string_too_short":
                said.append(
                    f"`{name}` must not be empty"
                    if ctx.get("min_length") == 1
                    else f"`{name}` needs at least {ctx.get('min_length')} characters{shown}"
                )
            case "string_too_long":
                said.append(f"`{name}` takes at most {ctx.get('max_length')} characters")
            case "extra_forbidden":
                said.append(f"`{name}` is not an argument of {tool}")
            case _ if kind.endswith(("_type", "_parsing")):
                expected = _TYPES.get(kind.split("_")[0], kind.split("_")[0])
                said.append(f"`{name}` must be {expected}{shown}")
            case _:
                said.append(f"`{name}`: {error.get('msg', 'invalid')}{shown}")
    for name, kinds in unions.items():
        given = next((e.get("input") for e in errors if tuple(e.get("loc", ()))[:1] == (name,)), None)
        what = (allowed or {}).get(name) or " or ".join(dict.fromkeys(kinds))
        said.append(f"`{name}` does not take {given!r}: it takes {what}")
    if allowed and any(e.get("type") == "extra_forbidden" for e in errors):
        said.append(f"the arguments of {tool} are {', '.join(allowed)}")
    # The prefix every other tool error carries, so clients see one shape.
    return f"Error executing tool {tool}: invalid arguments: " + "; ".join(said) + "."
