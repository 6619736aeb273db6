"""What a starting server does before its first request: the bare command line read without the parser, the
collector paused while the server is made, the warm-up's wait for a quiet moment before numpy and the answer
models, and no output schema derived for a tools/call."""

from __future__ import annotations

import gc
import json
import os
import subprocess
import sys
import threading

import anyio
import pytest
from mcp import Client
from mcp.types import PromptReference, ResourceTemplateReference
from pydantic import Field

from chipmcp import cli
from chipmcp.core import compute
from chipmcp.reasoning.cells import Model
from chipmcp.serving.server import EXAMPLE_CALLS, Quiet, _warm_up, build_server


def test_a_bare_command_line_reads_as_the_parser_reads_it() -> None:
    assert cli._arguments([]) == cli._parser().parse_args([])
    assert cli._arguments(["serve", "--http"]) == cli._parser().parse_args(["serve", "--http"])


def test_the_collector_runs_again_after_a_server_is_made_even_when_making_it_fails() -> None:
    try:
        with pytest.raises(RuntimeError, match="no server"), cli._collector_paused():
            assert not gc.isenabled()
            raise RuntimeError("no server")
        assert gc.isenabled()
    finally:
        gc.unfreeze()  # the test process's objects go back to the collector


@pytest.mark.anyio
async def test_quiet_waits_while_a_request_is_in_hand_and_returns_once_none_has_been_for_its_period() -> None:
    quiet = Quiet(seconds=0.05)
    answering = anyio.Event()
    release = anyio.Event()
    waited = threading.Event()

    async def handler(ctx: object) -> str:
        answering.set()
        await release.wait()
        return f"answer to {ctx}"

    async with anyio.create_task_group() as group:

        async def request() -> None:
            assert await quiet("a request", handler) == "answer to a request"

        group.start_soon(request)
        await answering.wait()
        threading.Thread(target=lambda: (quiet.wait(), waited.set()), daemon=True).start()
        await anyio.sleep(0.3)  # six quiet periods: a wait that ignored the request in hand would be over
        assert not waited.is_set()
        release.set()
    assert await anyio.to_thread.run_sync(waited.wait, 5.0)


@pytest.mark.anyio
async def test_quiet_counts_its_period_only_from_the_first_answer_a_starting_server_is_not_idle() -> None:
    quiet = Quiet(seconds=0.05)
    waited = threading.Event()
    threading.Thread(target=lambda: (quiet.wait(), waited.set()), daemon=True).start()
    await anyio.sleep(0.3)  # six periods since the server was made, and no request yet: still starting
    assert not waited.is_set()

    async def handler(ctx: object) -> str:
        return "initialized"

    assert await quiet("initialize", handler) == "initialized"
    assert await anyio.to_thread.run_sync(waited.wait, 5.0)


@pytest.mark.anyio
async def test_tools_called_before_the_first_tools_list_are_listed_with_the_same_schemas(kb, server) -> None:
    """A tools/call derives no output schema (tools/list publishes them all): a client that calls first and lists
    after sees what one that lists first sees, and the same answers."""
    fresh = build_server(kb)
    async with Client(fresh) as calls_first, Client(server) as lists_first:
        listed = (await lists_first.list_tools()).tools
        for name, arguments in EXAMPLE_CALLS.items():
            called = await calls_first.call_tool(name, arguments)
            assert called == await lists_first.call_tool(name, arguments)
        assert (await calls_first.list_tools()).tools == listed


FIRST_REQUESTS = {
    "prompts/list": lambda client: client.list_prompts(),
    "prompts/get": lambda client: client.get_prompt("procurement_brief", {"chips": "H20, 910B", "workload": "inference"}),
    "resources/list": lambda client: client.list_resources(),
    "resources/templates/list": lambda client: client.list_resource_templates(),
    "resources/read": lambda client: client.read_resource("chipmcp://chips/huawei-ascend-910b"),
    "resources/read credits": lambda client: client.read_resource("chipmcp://credits"),
    "completion of a prompt": lambda client: client.complete(
        PromptReference(type="ref/prompt", name="domestic_alternative"), {"name": "chip", "value": "91"}
    ),
    "completion of a template": lambda client: client.complete(
        ResourceTemplateReference(type="ref/resource", uri="chipmcp://sources/{source_id}"), {"name": "source_id", "value": "g"}
    ),
}


@pytest.mark.anyio
@pytest.mark.parametrize("first", sorted(FIRST_REQUESTS))
async def test_a_server_whose_first_request_is_a_prompt_or_resource_answers_it_as_one_that_listed_everything(kb, first) -> None:
    """The resources and prompts are registered by the first request that needs them, not when the server is
    made: whichever comes first, its answer and every list after it are those of a server that listed first."""
    listed_first = build_server(kb)
    async with Client(listed_first) as client:
        lists = [await client.list_prompts(), await client.list_resources(), await client.list_resource_templates()]
        expected = await FIRST_REQUESTS[first](client)
    async with Client(build_server(kb)) as client:
        assert await FIRST_REQUESTS[first](client) == expected
        assert [await client.list_prompts(), await client.list_resources(), await client.list_resource_templates()] == lists


def test_build_deferred_builds_every_answer_model_not_built_yet_and_only_those() -> None:
    class Deferred(Model):  # a Model subclass defers its build, as every answer model does
        value: int = 0

    class Nested(Deferred):
        items: list[Deferred] = Field(default_factory=list)

    assert not Deferred.__pydantic_complete__ and not Nested.__pydantic_complete__
    assert Model.build_deferred() >= 2
    assert Deferred.__pydantic_complete__ and Nested.__pydantic_complete__
    assert Model.build_deferred() == 0  # nothing left to build: a second warm-up does nothing
    assert Nested(items=[Deferred(value=3)]).model_dump() == {"value": 0, "items": [{"value": 3}]}


def test_the_warm_up_builds_the_answer_models_after_numpy(kb, monkeypatch) -> None:
    steps: list[str] = []
    monkeypatch.setattr(compute, "as_array", lambda value: steps.append("numpy"))
    monkeypatch.setattr(Model, "build_deferred", classmethod(lambda cls: steps.append("models") or 0))
    monkeypatch.setattr(gc, "freeze", lambda: None)  # this test process is not a server: nothing to freeze
    _warm_up(lambda: kb)
    assert steps == ["numpy", "models"]


@pytest.mark.slow
def test_a_fresh_process_answers_a_lookup_and_a_comparison_without_importing_numpy(db_path) -> None:
    """The warm-up loads numpy only once the server is idle, so a first lookup or compare that needed it would
    wait for its import: both answer in a fresh interpreter with numpy still unloaded (and estimate_cluster,
    which computes with arrays, loads it)."""
    script = (
        "import json, sys\n"
        "from chipmcp.kb.store import KnowledgeBase\n"
        "from chipmcp.serving.server import EXAMPLE_CALLS\n"
        "from chipmcp.tools import BY_NAME\n"
        "kb = KnowledgeBase.open_default()\n"
        "loaded = {}\n"
        "for name in sys.argv[1:]:\n"
        "    assert BY_NAME[name].call(kb, **EXAMPLE_CALLS[name]).summary\n"
        "    loaded[name] = 'numpy' in sys.modules\n"
        "print(json.dumps(loaded))\n"
    )
    tools = ["lookup_chip", "compare_chips", "estimate_cluster"]
    env = {**os.environ, "CHIPMCP_DB": str(db_path)}
    done = subprocess.run([sys.executable, "-c", script, *tools], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"lookup_chip": False, "compare_chips": False, "estimate_cluster": True}


@pytest.mark.anyio
async def test_a_first_call_that_opens_the_knowledge_base_leaves_the_server_answering_meanwhile(kb, monkeypatch) -> None:
    """The first call may build the database (a second or more): it waits in a worker thread, so the server
    answers other requests while it does; a call made on the event loop would hold them until the build ends."""
    from chipmcp.kb.store import KnowledgeBase

    opening, release = threading.Event(), threading.Event()
    released: list[bool] = []

    def slow_open(knowledge: object = None) -> KnowledgeBase:
        opening.set()
        released.append(release.wait(5.0))
        return kb

    monkeypatch.setattr(KnowledgeBase, "open_default", staticmethod(slow_open))
    answers = []
    async with Client(build_server()) as client, anyio.create_task_group() as group:

        async def first_call() -> None:
            answers.append(await client.call_tool("lookup_chip", {"name": "H20"}))

        group.start_soon(first_call)
        assert await anyio.to_thread.run_sync(opening.wait, 5.0)
        assert len((await client.list_tools()).tools) == 8
        release.set()
    assert released == [True]
    assert [a.structured_content["id"] for a in answers] == ["nvidia-h20"]


@pytest.mark.anyio
async def test_once_the_knowledge_base_is_open_tools_answer_on_the_event_loop(kb, monkeypatch) -> None:
    """No hop to a worker thread and back for a call of a millisecond or two (bench_phases measures the hop)."""
    from chipmcp.serving import server as serving

    threads: list[str] = []
    run_tool = serving.run_tool
    monkeypatch.setattr(serving, "run_tool", lambda *a: (threads.append(threading.current_thread().name), run_tool(*a))[1])
    monkeypatch.setattr(serving.KnowledgeBase, "open_default", staticmethod(lambda knowledge=None: kb))
    loop_thread = threading.current_thread().name
    async with Client(build_server(kb)) as given, Client(build_server()) as lazy:
        await given.call_tool("lookup_chip", {"name": "H20"})
        await lazy.call_tool("lookup_chip", {"name": "H20"})  # opens the knowledge base, in a worker thread
        await lazy.call_tool("lookup_chip", {"name": "H200"})
    assert threads[0] == loop_thread and threads[1] != loop_thread and threads[2] == loop_thread, threads
