"""The exceptions chipmcp raises, as one small tree.

    ChipMCPError                 anything chipmcp anticipates; its message is safe to show a user
    ├── KnowledgeError           the knowledge files are invalid (`chipmcp build` reports them all)
    ├── NotFoundError            a name, id, period or metric matches nothing; carries candidates
    │   └── AmbiguousNameError   a name matches several entities equally well
    └── InputError               an argument is outside what a tool accepts

The server turns every ChipMCPError into an MCP ToolError; nothing else reaches a client as text.
"""

from __future__ import annotations


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
