"""A report's text file, however it was saved: UTF-8 (with or without a BOM), or the GB18030 and Big5
encodings that Chinese PDF-to-text tools write. Anything else is a clear error, never a traceback."""

from __future__ import annotations

from pathlib import Path

from chipmcp.errors import InputError

ENCODINGS = ("utf-8-sig", "gb18030", "big5")


def read_report(path: Path) -> str:
    try:
        data = path.read_bytes()
    except OSError as error:
        raise InputError(f"Cannot read the report {path}: {error.strerror or error}.") from None
    if b"\x00" in data[:4096]:
        raise InputError(f"{path} is not a text file (it holds binary data); give the report as plain text.")
    for encoding in ENCODINGS:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise InputError(f"{path} is not text in UTF-8, GB18030 or Big5; save the report as UTF-8 text and try again.")
