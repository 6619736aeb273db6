"""Start an installed chipmcp the way a client does (stdio, from outside the checkout, a cache of its own)
and call every tool with its example arguments; list the resources and get every prompt.

    python .ci/call_every_tool.py LABEL COMMAND [ARG...]
    python .ci/call_every_tool.py LABEL --bundle DIR     the command an unpacked .mcpb's manifest gives

Exits non-zero on the first failure. It runs with the checkout's venv (for the MCP client and the
example calls); the server it starts runs from wherever COMMAND installed it.
"""

from __future__ import annotations

import json
import os
import re
import sys
import tempfile
from pathlib import Path

import anyio
from mcp import Client, StdioServerParameters

from chipmcp.serving.server import EXAMPLE_CALLS

PROMPT_ARGUMENTS = {"chip": "H20", "chips": "昇腾910B, H20", "workload": "inference", "company": "寒武纪"}

UNSET = ("PYTHONPATH", "CHIPMCP_KNOWLEDGE", "CHIPMCP_BUNDLED_KNOWLEDGE", "CHIPMCP_DB", "VIRTUAL_ENV")


def bundle_command(bundle: Path) -> tuple[list[str], dict[str, str]]:
    """The command and environment a host derives from the manifest: ${__dirname} is the unpacked bundle,
    each ${user_config.x} its default (what a user who changes no setting gets)."""
    manifest = json.loads((bundle / "manifest.json").read_text(encoding="utf-8"))
    values = {"__dirname": str(bundle)} | {f"user_config.{key}": str(option.get("default", ""))
                                           for key, option in manifest.get("user_config", {}).items()}

    def fill(text: str) -> str:
        return re.sub(r"\$\{([^}]+)\}", lambda m: values[m.group(1)], text)

    config = manifest["server"]["mcp_config"]
    return ([fill(config["command"]), *map(fill, config.get("args", []))],
            {key: fill(value) for key, value in config.get("env", {}).items()})


async def main(label: str, command: list[str]) -> None:
    home = tempfile.mkdtemp(prefix=f"chipmcp-{label}-")
    env = {k: v for k, v in os.environ.items() if k not in UNSET}
    env |= {"XDG_CACHE_HOME": os.path.join(home, "cache"), "PYTHONIOENCODING": "utf-8"}
    if command[0] == "--bundle":
        command, bundle_env = bundle_command(Path(command[1]).resolve())
        env |= bundle_env
    params = StdioServerParameters(command=command[0], args=command[1:], cwd=home, env=env)
    with anyio.fail_after(600):  # the bundle's first start installs its dependencies
        async with Client(params) as client:
            tools = {t.name for t in (await client.list_tools()).tools}
            assert set(EXAMPLE_CALLS) <= tools, f"{label}: missing tools {set(EXAMPLE_CALLS) - tools}"
            for tool, arguments in EXAMPLE_CALLS.items():
                result = await client.call_tool(tool, arguments)
                assert not result.is_error, f"{label}: {tool} failed: {result.content}"
                assert result.structured_content and result.content[0].text, f"{label}: {tool} answered nothing"
                print(f"  ok {label} {tool} → {result.structured_content.get('summary', '')[:90]}")
            resources = (await client.list_resources()).resources
            assert any(r.uri == "chipmcp://chips/huawei-ascend-910b" for r in resources), f"{label}: resources/list"
            for prompt in (await client.list_prompts()).prompts:
                await client.get_prompt(prompt.name, {a.name: PROMPT_ARGUMENTS[a.name] for a in prompt.arguments
                                                      if a.required})
    print(f"  ok {label}: {len(tools)} tools, {len(resources)} resources, prompts rendered")


if __name__ == "__main__":
    anyio.run(main, sys.argv[1], sys.argv[2:])
