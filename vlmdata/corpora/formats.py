"""The scanner of each on-disk format, and guessing a file's format from its name and content."""

from __future__ import annotations

import importlib
from pathlib import Path

import ijson

from vlmdata.corpora.base import Scanner, base_suffix, open_binary
from vlmdata.errors import InputError

# format name -> module under vlmdata.corpora that has a `scan(path, options)` function
FORMATS: dict[str, str] = {
    "llava": "llava",
    "coco": "coco",
    "jsonl": "jsonl",
    "delimited": "delimited",
    "parquet": "parquet",
    "webdataset": "webdataset",
    "hf_disk": "hf_disk",
}

SUFFIXES = {
    ".csv": "delimited",
    ".tsv": "delimited",
    ".txt": "delimited",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".tar": "webdataset",
    ".tgz": "webdataset",
    ".arrow": "hf_disk",
}
HF_METADATA = ("dataset_info.json", "state.json", "dataset_dict.json")
HEAD_BYTES = 1 << 16


def scanner(format: str) -> Scanner:
    """The scan function of a format, by name."""
    if format not in FORMATS:
        raise InputError(f"unknown format {format!r}; known formats: {', '.join(sorted(FORMATS))}")
    module = importlib.import_module(f"vlmdata.corpora.{FORMATS[format]}")
    return module.scan


def detect_format(path: Path) -> str:
    """Guess the format of a file (or of a saved Hugging Face dataset directory) from its name
    and, where the name says too little, its first bytes.

    A directory is judged by its first file (shards of one corpus share a format), unless it is
    a saved dataset. JSON is told apart by its keys: `conversations` -> llava, `images` and
    `annotations` -> coco, anything else -> jsonl.
    """
    if path.is_dir():
        if any((path / name).is_file() for name in ("state.json", "dataset_dict.json")):
            return "hf_disk"
        files = sorted(p for p in path.rglob("*") if p.is_file() and not p.name.startswith("."))
        if not files:
            raise InputError(f"{path}: no files in this directory")
        return detect_format(files[0])
    if path.name in HF_METADATA:
        return "hf_disk"
    suffix = base_suffix(path)
    if path.name.lower().endswith((".tar.gz", ".tar.zst", ".tar.zstd")):
        return "webdataset"
    if suffix in (".json", ".jsonl", ".ndjson"):
        return _detect_json(path)
    if suffix in SUFFIXES:
        return SUFFIXES[suffix]
    return _detect_content(path)


def _head(path: Path) -> bytes:
    with open_binary(path) as raw:
        return raw.read(HEAD_BYTES)


def _detect_content(path: Path) -> str:
    head = _head(path)
    if head.startswith(b"PAR1"):
        return "parquet"
    if head[257:262] == b"ustar":
        return "webdataset"
    if head.startswith((b"ARROW1", b"\xff\xff\xff\xff")):
        return "hf_disk"
    if head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] in (b"{", b"["):
        return _detect_json(path, head)
    if b"\t" in head.split(b"\n", 1)[0]:
        return "delimited"
    raise InputError(
        f"{path}: cannot tell the format from the name or the first bytes; pass --format "
        f"({', '.join(sorted(FORMATS))})"
    )


def _detect_json(path: Path, head: bytes | None = None) -> str:
    """llava when the first record has `conversations`; coco when the document has `images`
    objects with a `file_name` or an `annotations` key; jsonl otherwise."""
    keys = _first_keys(head if head is not None else _head(path))
    if "conversations" in keys:
        return "llava"
    if "images.item.file_name" in keys or {"images", "annotations"} <= keys:
        return "coco"
    return "jsonl"


def _first_keys(head: bytes) -> set[str]:
    """The keys of the first record (top level or first array item), and the keys of the objects
    under a top-level `images` array written as `images.item.KEY`, as far as `head` goes."""
    keys: set[str] = set()
    events = ijson.parse(head, multiple_values=True)
    try:
        for prefix, event, value in events:
            if event != "map_key":
                continue
            if prefix in ("", "item"):
                keys.add(value)
            elif prefix == "images.item":
                keys.add(f"images.item.{value}")
            if prefix in ("", "item") and len(keys) > 64:
                break
    except ijson.JSONError:
        pass  # the head ends mid-document, or is not JSON at all: judge by what was read
    return keys
