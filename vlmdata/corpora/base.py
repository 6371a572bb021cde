"""What every scanner yields, and the helpers they share (opening compressed files, excerpts).

A scanner is a function `scan(path: Path, options: ScanOptions) -> Iterator[Record | Reject]`
registered in `vlmdata.corpora.formats`. It streams its file with bounded memory and yields, for
every record it reads, either a Record (indexed) or a Reject (counted with its reason). It never
drops a record silently. A file that cannot be read on (truncated, not the format at all) raises
FileError with the byte offset; the indexer then keeps nothing of that file.
"""

from __future__ import annotations

import codecs
import gzip
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import orjson
import zstandard

from vlmdata.errors import InputError

IMAGE_TOKEN = "<image>"

# A Unicode noncharacter: never produced by valid text, so its presence marks a replaced byte.
BAD_BYTE = "\ufdd0"
codecs.register_error("vlmdata-mark", lambda exc: (BAD_BYTE, exc.end))


@dataclass(slots=True)
class Record:
    """One record of a corpus: a conversation, or an image with its captions.

    `texts` holds (role, text) pairs in turn order; `image_tokens` has one flag per text saying
    whether an `<image>` token was removed from it.
    """

    ordinal: int
    record_id: str | None
    images: list[str]
    texts: list[tuple[str, str]]
    image_tokens: list[bool] | None = None


@dataclass(slots=True)
class Reject:
    """A record that was read but cannot be indexed, with a stable reason code.

    `reason` is a short code from REASONS; `detail` says what exactly was wrong; `position` says
    where, in the file's own terms ("line 12", "record 57", "row 3"); `excerpt` shows the start of
    the raw record.
    """

    ordinal: int
    position: str
    reason: str
    detail: str = ""
    excerpt: str = ""


REASONS = {
    "bad_json": "the record is not valid JSON",
    "bad_utf8": "the record is not valid UTF-8",
    "not_an_object": "the record is not a JSON object",
    "missing_field": "a required field is missing",
    "wrong_type": "a field has the wrong type",
    "empty_text": "the record has no text at all",
    "bad_row": "a delimited row has the wrong number of columns",
    "unknown_image": "a caption refers to an image that the file does not list",
    "duplicate_id": "the record repeats the id of an earlier record of the file",
}


@dataclass(slots=True)
class ScanOptions:
    """Options a user can pass to any scanner; each scanner reads those that apply to it."""

    text_column: str | None = None
    image_column: str | None = None
    id_column: str | None = None
    header: bool | None = None
    delimiter: str | None = None
    extra: dict = field(default_factory=dict)


class FileError(InputError):
    """A whole file cannot be read on. Names the file and the byte offset where reading stopped."""

    def __init__(self, path: Path | str, offset: int | None, problem: str):
        where = f" at byte {offset}" if offset is not None else ""
        super().__init__(f"{path}{where}: {problem}")
        self.path = str(path)
        self.offset = offset


Scanner = Callable[[Path, ScanOptions], Iterator[Record | Reject]]

COMPRESSED_SUFFIXES = (".gz", ".zst", ".zstd")

# What reading a damaged file raises: I/O errors, a gzip stream cut short, a bad zstd frame.
READ_ERRORS = (OSError, EOFError, zstandard.ZstdError)


def open_binary(path: Path) -> IO[bytes]:
    """Open a file for streaming reads, decompressing .gz and .zst transparently."""
    name = path.name.lower()
    try:
        if name.endswith(".gz"):
            return gzip.open(path, "rb")
        if name.endswith((".zst", ".zstd")):
            raw = open(path, "rb")  # noqa: SIM115 - closed with the reader below
            reader = zstandard.ZstdDecompressor().stream_reader(raw, closefd=True)
            return io.BufferedReader(reader, buffer_size=1 << 20)
        return open(path, "rb")
    except OSError as exc:
        raise FileError(path, None, f"cannot open: {exc.strerror or exc}") from exc


def first_byte(raw) -> bytes:
    """The first byte of a stream after a byte-order mark and white space, without consuming it."""
    head = raw.peek(64) if hasattr(raw, "peek") else b""
    return head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]


def base_suffix(path: Path) -> str:
    """The format suffix under any compression suffix: 'a.json.zst' -> '.json'."""
    name = path.name.lower()
    for suffix in COMPRESSED_SUFFIXES:
        if name.endswith(suffix):
            name = name[: -len(suffix)]
            break
    return Path(name).suffix


def excerpt(raw: bytes | str, limit: int = 200) -> str:
    """The start of a raw record, decoded leniently, for a reject row."""
    if isinstance(raw, bytes):
        raw = raw[: limit * 4].decode("utf-8", errors="replace")
    raw = raw.strip()
    return raw if len(raw) <= limit else raw[:limit] + "…"


class MarkedUtf8(io.RawIOBase):
    """Re-encodes a byte stream as valid UTF-8, marking each invalid byte with BAD_BYTE.

    Also counts the bytes consumed, so a parse error can name its offset.
    """

    def __init__(self, raw, chunk: int = 1 << 20):
        self._raw = raw
        self._chunk = chunk
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="vlmdata-mark")
        self._pending = b""
        self.consumed = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        while not self._pending:
            data = self._raw.read(self._chunk)
            self.consumed += len(data)
            final = not data
            self._pending = self._decoder.decode(data, final).encode("utf-8")
            if final:
                break
        size = min(len(buffer), len(self._pending))
        buffer[:size] = self._pending[:size]
        self._pending = self._pending[size:]
        return size


class CountingReader(io.RawIOBase):
    """Passes reads through, counting the bytes, so a parse error can name its offset."""

    def __init__(self, raw):
        self._raw = raw
        self.consumed = 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        data = self._raw.read(size)
        self.consumed += len(data)
        return data

    def readinto(self, buffer) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def json_lines(path: Path, raw) -> Iterator[tuple[int, str, object, bytes | None]]:
    """(ordinal, position, parsed value or Reject, raw line) for each non-blank line of a JSON
    Lines stream; a line that is not UTF-8 or not JSON comes as a Reject."""
    ordinal = offset = 0
    try:
        for line_no, line in enumerate(raw, start=1):
            start, offset = offset, offset + len(line)
            if not line.strip():
                continue
            where = f"line {line_no} (byte {start})"
            try:
                line.decode("utf-8")
                item = orjson.loads(line)
            except UnicodeDecodeError as exc:
                item = Reject(ordinal, where, "bad_utf8", str(exc), excerpt(line))
            except orjson.JSONDecodeError as exc:
                item = Reject(ordinal, where, "bad_json", str(exc), excerpt(line))
            yield ordinal, where, item, line
            ordinal += 1
    except READ_ERRORS as exc:
        raise FileError(path, offset, f"cannot read on: {exc}") from exc
