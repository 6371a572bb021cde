"""The scanner of each on-disk format, and guessing a format from a file's name and content."""

from __future__ import annotations

import importlib
from pathlib import Path

from vlmdata.corpora.base import Scanner, base_suffix, open_binary
from vlmdata.errors import InputError

# format name -> module under vlmdata.corpora that has a `scan(path, options)` function
FORMATS: dict[str, str] = {
    "llava": "llava",
}


def scanner(format: str) -> Scanner:
    """The scan function of a format, by name."""
    if format not in FORMATS:
        raise InputError(f"unknown format {format!r}; known formats: {', '.join(sorted(FORMATS))}")
    module = importlib.import_module(f"vlmdata.corpora.{FORMATS[format]}")
    return module.scan


def detect_format(path: Path) -> str:
    """Guess the format of a file from its suffix and, for JSON, its first bytes."""
    suffix = base_suffix(path)
    if suffix in (".json", ".jsonl"):
        return _detect_json(path)
    raise InputError(
        f"{path}: cannot tell the format from the name; pass --format "
        f"({', '.join(sorted(FORMATS))})"
    )


def _detect_json(path: Path) -> str:
    with open_binary(path) as raw:
        head = raw.read(1 << 16)
    if b'"conversations"' in head:
        return "llava"
    if "coco" in FORMATS and b'"annotations"' in head:
        return "coco"
    if "jsonl" in FORMATS:
        return "jsonl"
    raise InputError(f"{path}: JSON of an unknown layout; pass --format")
