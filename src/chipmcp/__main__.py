"""`python -m chipmcp`: the same as the `chipmcp` command (chipmcp.cli)."""

import sys

from chipmcp.cli import main

if __name__ == "__main__":
    sys.exit(main())
