"""MCP serving: the server wiring (tools, resources, prompts, completions), protocol checks, the compact
schemas clients are sent, and the stdio and streamable-HTTP transports. The only layer that imports MCP."""
