"""Entry point of the Claude Desktop extension (manifest.json, server type "uv").

In the unpacked bundle, `uv run bundle/main.py` first installs chipmcp and its dependencies from the
bundle's pyproject.toml (uv brings a Python if the machine has none), then this serves it over stdio.

The extension passes its optional "knowledge folder" setting as CHIPMCP_KNOWLEDGE. A host may hand it on
unfilled (the literal `${user_config.knowledge_dir}`), and a folder chosen once may since have moved. The
command line refuses such a folder; an extension that refused would simply not start, with the reason in a
log the user never sees. So here an unusable entry is named in a warning on stderr (the host's log) and
left out, and the bundled knowledge is served.
"""

import os
import sys

from chipmcp.cli import main

SETTING = "CHIPMCP_KNOWLEDGE"


def usable_knowledge_setting() -> None:
    entries = [entry for entry in os.environ.get(SETTING, "").split(os.pathsep) if entry.strip()]
    kept = []
    for entry in entries:
        if "${" in entry:
            print(f"chipmcp: the knowledge folder setting was not filled in ({entry}); serving the bundled knowledge",
                  file=sys.stderr)
        elif not os.path.isdir(entry):
            print(f"chipmcp: the knowledge folder {entry} does not exist; serving the bundled knowledge without it "
                  "(choose the folder again in the extension's settings)", file=sys.stderr)
        else:
            kept.append(entry)
    if kept:
        os.environ[SETTING] = os.pathsep.join(kept)
    else:
        os.environ.pop(SETTING, None)


if __name__ == "__main__":
    usable_knowledge_setting()
    sys.exit(main())
