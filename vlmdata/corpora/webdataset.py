"""webdataset tar shards (img2dataset's output, `cc3m-train-0000.tar`, ...): the members of one
sample share a key (the member path up to the first dot of its file name) and lie next to each
other, `000017.jpg`, `000017.txt`, `000017.json`. Each sample becomes one record with id = key.

The caption is the `.txt` member (or `*.txt`, `.caption`, `.text`); without one, the `text_column`
field or a usual caption field of the `.json` member. Image members (`.jpg`, `.png`, ...) are kept
by name, never read. The tar is read as a stream, so memory holds one sample's text members.
A tar cut short, mid-member or between members (no end-of-archive blocks), raises FileError.
"""

from __future__ import annotations

import re
import tarfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import orjson

from vlmdata.corpora.base import (
    READ_ERRORS,
    CountingReader,
    FileError,
    Record,
    Reject,
    ScanOptions,
    excerpt,
    open_binary,
)
from vlmdata.corpora.jsonl import TEXT_FIELDS

ROLE = "caption"
KEY = re.compile(r"^((?:.*/)?[^./]+)\.([^/]*)$")  # 'dir/000017.seg.png' -> key, 'seg.png'
TEXT_EXTENSIONS = ("txt", "text", "caption")
IMAGE_EXTENSIONS = ("jpg", "jpeg", "png", "webp", "gif", "bmp", "tif", "tiff")
BLOCK = 512


@dataclass(slots=True)
class _Sample:
    key: str
    offset: int
    texts: list[bytes] = field(default_factory=list)
    json: bytes | None = None
    images: list[str] = field(default_factory=list)


def scan(path: Path, options: ScanOptions | None = None) -> Iterator[Record | Reject]:
    """Yield one Record per sample of a webdataset tar shard, or a Reject when it has no text."""
    options = options or ScanOptions()
    for ordinal, sample in enumerate(_samples(path)):
        yield _record(sample, ordinal, options)


def _samples(path: Path) -> Iterator[_Sample]:
    with open_binary(path) as raw:
        stream = CountingReader(raw)
        try:
            with tarfile.open(fileobj=stream, mode="r|*") as tar:
                yield from _grouped(tar)
                _check_end(path, tar, stream)
        except (tarfile.TarError, *READ_ERRORS) as exc:
            problem = f"cannot read the tar on (truncated?): {exc}"
            raise FileError(path, stream.consumed, problem) from exc


def _grouped(tar: tarfile.TarFile) -> Iterator[_Sample]:
    """Consecutive members with one key, as samples."""
    sample = None
    for member in tar:
        match = KEY.match(member.name)
        if not member.isfile() or match is None:
            continue
        key, extension = match.group(1), match.group(2).lower()
        if sample is None or sample.key != key:
            if sample is not None:
                yield sample
            sample = _Sample(key, member.offset)
        _add_member(tar, member, extension, sample)
    if sample is not None:
        yield sample


def _add_member(tar: tarfile.TarFile, member: tarfile.TarInfo, extension: str, sample) -> None:
    last = extension.rsplit(".", 1)[-1]
    if extension in TEXT_EXTENSIONS or last == "txt":
        sample.texts.append(tar.extractfile(member).read())
    elif last == "json":
        sample.json = tar.extractfile(member).read()
    elif last in IMAGE_EXTENSIONS:
        sample.images.append(member.name)


def _check_end(path: Path, tar: tarfile.TarFile, stream: CountingReader) -> None:
    """A tar ends with zero blocks after its last member; a stream that stops right at a member
    boundary was cut short."""
    while stream.read(1 << 16):
        pass
    if stream.consumed < tar.offset + BLOCK:
        raise FileError(path, stream.consumed, "the tar has no end-of-archive blocks (truncated?)")


def _record(sample: _Sample, ordinal: int, options: ScanOptions) -> Record | Reject:
    where = f"sample {sample.key} (byte {sample.offset})"
    shown = sample.texts[0] if sample.texts else sample.json or sample.key
    try:
        texts = [t.decode("utf-8").strip() for t in sample.texts]
        if not texts and sample.json is not None:
            texts = _json_texts(sample.json, options)
    except UnicodeDecodeError as exc:
        return Reject(ordinal, where, "bad_utf8", str(exc), excerpt(shown))
    except orjson.JSONDecodeError as exc:
        return Reject(ordinal, where, "bad_json", f"{sample.key}.json: {exc}", excerpt(shown))
    texts = [t for t in texts if t]
    if not texts:
        detail = "no .txt member and no caption in the .json member"
        return Reject(ordinal, where, "empty_text", detail, excerpt(shown))
    return Record(ordinal, sample.key, sample.images, [(ROLE, t) for t in texts])


def _json_texts(raw: bytes, options: ScanOptions) -> list[str]:
    raw.decode("utf-8")
    item = orjson.loads(raw)
    if not isinstance(item, dict):
        return []
    names = [options.text_column] if options.text_column else TEXT_FIELDS
    name = next((n for n in names if isinstance(item.get(n), str | list)), None)
    value = item.get(name) if name else None
    values = [value] if isinstance(value, str) else value or []
    return [v.strip() for v in values if isinstance(v, str)]
