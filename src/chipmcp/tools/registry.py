"""What a tool is, declared once: its arguments, answer, text renderer and the function that answers.

A tool's `arguments` model is the single declaration of its parameters: the server turns its fields
into the MCP inputSchema, the docs test reads the README's parameter table against it, and `call`
validates direct calls through it. Light on purpose (pydantic only), so the server can register
every tool without loading numpy.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from chipmcp.core.units import Precision as Precision  # the tools' argument type, one list in units

Name = Annotated[str, Field(min_length=1, max_length=200)]

# detail and paging, shared by every tool that lists figures or rows (tools/common.py `page` and `summarize`).
DEFAULT_LIMIT = 40
MAX_LIMIT = 200
# A period as a model writes it: 2025 or '2025', 2025H1, 1H25, FY25Q3 … (chipmcp.core.periods reads them all).
PeriodArg = int | Annotated[str, Field(max_length=30)] | None
DetailArg = Annotated[
    Literal["summary", "full"],
    Field(description=("summary: each fact once, agreeing figures collapsed with all their citations; full: every figure row")),
]
OffsetArg = Annotated[int, Field(ge=0, le=100_000, description="Skip this many entries (paging; see page.more)")]
LimitArg = Annotated[int, Field(ge=1, le=MAX_LIMIT, description=f"At most this many entries (default {DEFAULT_LIMIT})")]


class Arguments(BaseModel):
    """Base of every tool's argument model: unknown arguments are refused, not ignored."""

    model_config = ConfigDict(extra="forbid", defer_build=True)


A = TypeVar("A", bound=Arguments)
R = TypeVar("R", bound=BaseModel)


@dataclass(frozen=True)
class Tool(Generic[A, R]):
    """One tool: `run(kb, arguments)` answers with an `answer`; `render` writes that answer's text block.
    Generic in its arguments and answer models, so a checker holds `run` and `render` to them."""

    name: str
    title: str
    description: str  # one sentence: it costs the model context on every tools/list
    example: dict[str, Any]  # one call as a model would write it; the docs, tests and benchmarks use it
    arguments: type[A]
    answer: type[R]
    run: Callable[[Any, A], R]  # run(kb, arguments) -> answer (kb: chipmcp.kb.store.KnowledgeBase)
    render: Callable[[R], str]  # the text block of an answer

    def call(self, kb: Any, **arguments: Any) -> R:
        """Answer as the MCP tool would: arguments validated and defaulted by the model first."""
        return self.run(kb, self.arguments.model_validate(arguments))

    @property
    def docstring(self) -> str:
        shown = ", ".join(f"{k}={json.dumps(v, ensure_ascii=False)}" for k, v in self.example.items())
        return f"{self.description}\n\nExample: {self.name}({shown})"
