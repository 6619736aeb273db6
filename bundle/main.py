"""Entry point of the Claude Desktop extension (manifest.json, server type "uv").

In the unpacked bundle, `uv run bundle/main.py` first installs chipmcp and its dependencies from the
bundle's pyproject.toml (uv brings a Python if the machine has none), then this serves it over stdio.
"""

import sys

from chipmcp.cli import main

sys.exit(main())
