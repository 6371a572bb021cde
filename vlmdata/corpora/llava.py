"""LLaVA conversation files: a JSON array (`llava_v1_5_mix665k.json`, `blip_laion_cc_sbu_558k.json`)
or JSON Lines, each record `{id, image?, conversations: [{from, value}]}`.

Arrays are parsed as a stream (ijson's C backend), so memory stays flat whatever the file size.
Bytes that are not UTF-8 would stop the parser: such a file is read again with each bad byte
replaced by a sentinel character, and a record that contains one is rejected as `bad_utf8`.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import ijson
import orjson

from vlmdata.corpora.base import (
    BAD_BYTE,
    IMAGE_TOKEN,
    CountingReader,
    FileError,
    MarkedUtf8,
    Record,
    Reject,
    ScanOptions,
    excerpt,
    open_binary,
)


def scan(path: Path, options: ScanOptions | None = None) -> Iterator[Record | Reject]:
    """Yield every record of a LLaVA JSON array or JSON Lines file."""
    with open_binary(path) as raw:
        first = _first_byte(raw)
        if first == b"[":
            yield from _scan_array(path, raw)
        else:
            yield from _scan_lines(path, raw)


def _first_byte(raw: io.BufferedIOBase) -> bytes:
    head = raw.peek(64) if hasattr(raw, "peek") else b""
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    return stripped[:1]


def _scan_array(path: Path, raw) -> Iterator[Record | Reject]:
    """Stream the array's items. Most files are clean UTF-8 and are parsed as they are; at the
    first invalid byte the file is read again through MarkedUtf8, skipping the records already
    yielded, so one bad record costs a re-read instead of the whole file."""
    stream = CountingReader(raw)
    ordinal = 0
    try:
        for item in ijson.items(stream, "item", use_float=True, buf_size=1 << 16):
            yield _check(item, ordinal, f"record {ordinal + 1}", None)
            ordinal += 1
        return
    except ijson.JSONError as exc:
        if "invalid bytes in UTF8" not in str(exc):
            raise _parse_error(path, stream.consumed, ordinal, exc) from exc
    done, ordinal = ordinal, 0
    with open_binary(path) as again:
        stream = MarkedUtf8(again)
        try:
            for item in ijson.items(stream, "item", use_float=True, buf_size=1 << 16):
                if ordinal >= done:
                    yield _check(item, ordinal, f"record {ordinal + 1}", None)
                ordinal += 1
        except ijson.JSONError as exc:
            raise _parse_error(path, stream.consumed, ordinal, exc) from exc


def _parse_error(path: Path, offset: int, ordinal: int, exc: Exception) -> FileError:
    problem = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    if isinstance(exc, ijson.IncompleteJSONError) and "error" not in problem:
        problem = "the JSON array ends early (truncated file?)"
    return FileError(
        path, offset, f"cannot parse record {ordinal + 1} of the JSON array: {problem}"
    )


def _scan_lines(path: Path, raw) -> Iterator[Record | Reject]:
    ordinal = 0
    offset = 0
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
                yield Reject(ordinal, where, "bad_utf8", str(exc), excerpt(line))
            except orjson.JSONDecodeError as exc:
                yield Reject(ordinal, where, "bad_json", str(exc), excerpt(line))
            else:
                yield _check(item, ordinal, where, line)
            ordinal += 1
    except (OSError, EOFError, ValueError) as exc:
        raise FileError(path, offset, f"cannot read on: {exc}") from exc


def _check(item, ordinal: int, where: str, line: bytes | None) -> Record | Reject:
    """Validate one parsed record and turn it into a Record, or a Reject saying what is wrong."""

    def reject(reason: str, detail: str) -> Reject:
        shown = line if line is not None else orjson.dumps(item, default=str)
        return Reject(ordinal, where, reason, detail, excerpt(shown))

    if not isinstance(item, dict):
        return reject("not_an_object", f"got a JSON {type(item).__name__}")
    turns = item.get("conversations")
    if turns is None:
        return reject("missing_field", "no 'conversations' field")
    if not isinstance(turns, list):
        return reject("wrong_type", f"'conversations' is a {type(turns).__name__}, not a list")
    if not turns:
        return reject("empty_text", "'conversations' is empty")
    texts, tokens = [], []
    for turn_no, turn in enumerate(turns):
        if not isinstance(turn, dict):
            return reject("wrong_type", f"conversations[{turn_no}] is not an object")
        role, value = turn.get("from"), turn.get("value")
        if not isinstance(role, str) or not isinstance(value, str):
            return reject(
                "wrong_type" if "from" in turn and "value" in turn else "missing_field",
                f"conversations[{turn_no}] needs string 'from' and 'value'",
            )
        if BAD_BYTE in value or BAD_BYTE in role:
            return reject("bad_utf8", f"conversations[{turn_no}] has bytes that are not UTF-8")
        has_token = IMAGE_TOKEN in value
        if has_token:
            value = value.replace(IMAGE_TOKEN, "").strip()
        texts.append((role, value))
        tokens.append(has_token)
    record_id = item.get("id")
    if record_id is not None and not isinstance(record_id, str | int):
        return reject("wrong_type", f"'id' is a {type(record_id).__name__}")
    images = item.get("image")
    if images is None:
        images = []
    elif isinstance(images, str):
        images = [images]
    elif not (isinstance(images, list) and all(isinstance(i, str) for i in images)):
        return reject("wrong_type", "'image' must be a string or a list of strings")
    if any(BAD_BYTE in i for i in images) or (isinstance(record_id, str) and BAD_BYTE in record_id):
        return reject("bad_utf8", "'id' or 'image' has bytes that are not UTF-8")
    return Record(ordinal, None if record_id is None else str(record_id), images, texts, tokens)
