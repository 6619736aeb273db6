"""The pure core: units, periods, names and the numpy compute core. No SQLite, no answer models, no MCP."""
