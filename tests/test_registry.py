"""Each tool is declared once (its `Tool`): the MCP signature, the function and the docs agree with it."""

from __future__ import annotations

import inspect

import pytest
from mcp import Client

from chipmcp import tools

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize("tool", tools.TOOLS, ids=lambda t: t.name)
def test_a_tools_function_takes_the_knowledge_base_and_its_arguments_model_only(tool) -> None:
    """The arguments model is the one declaration: the function takes it whole, never the fields again."""
    parameters = inspect.signature(tool.run).parameters
    assert list(parameters) == ["kb", "args"]
    assert parameters["args"].annotation in (tool.arguments, tool.arguments.__name__)


async def test_the_mcp_input_schema_is_the_arguments_model(server) -> None:
    async with Client(server) as client:
        listed = {t.name: t for t in (await client.list_tools()).tools}
    assert list(listed) == [tool.name for tool in tools.TOOLS]
    for tool in tools.TOOLS:
        schema = listed[tool.name].input_schema
        declared = tool.arguments.model_json_schema()
        assert list(schema["properties"]) == list(declared["properties"])
        assert sorted(schema.get("required", [])) == sorted(declared.get("required", []))
        for name, prop in declared["properties"].items():
            assert schema["properties"][name]["description"] == prop["description"]
            assert schema["properties"][name].get("default") == prop.get("default")


def test_calling_a_tool_directly_validates_and_defaults_like_the_server(kb) -> None:
    from pydantic import ValidationError

    answer = tools.BY_NAME["estimate_cluster"].call(kb, chip="MTT S4000", target_pflops=1000)
    assert answer.precision == "fp16" and answer.cards_per_server == 8
    with pytest.raises(ValidationError):
        tools.BY_NAME["estimate_cluster"].call(kb, chip="MTT S4000", count=0)


@pytest.mark.slow  # a fresh interpreter, started as a subprocess
def test_tool_modules_import_without_numpy() -> None:
    import subprocess
    import sys

    code = "import sys, chipmcp.serving.server; print('numpy' in sys.modules)"
    shown = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert shown.stdout.strip() == "False"
