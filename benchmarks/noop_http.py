"""The HTTP floor: a bare MCPServer's streamable-HTTP app (stateless, JSON responses, as chipmcp serves)
with the no-op tools of benchmarks/noop_server.py, for `uvicorn noop_http:app --workers N`."""

from noop_server import server

app = server.streamable_http_app(stateless_http=True, json_response=True)
