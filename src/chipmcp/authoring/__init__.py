"""The curator's commands (`chipmcp kb …`): verify printed tokens, list candidate figures, start a source.
Never loaded by the server."""
