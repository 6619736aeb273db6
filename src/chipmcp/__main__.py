"""`python -m chipmcp`: the same as the `chipmcp` command (chipmcp.cli)."""

import sys

from chipmcp.cli import run

if __name__ == "__main__":
    sys.exit(run())
