"""LLaVA conversation files: a JSON array (`llava_v1_5_mix665k.json`, `blip_laion_cc_sbu_558k.json`)
or JSON Lines, each record `{id, image?, conversations: [{from, value}]}`.

Arrays are parsed as a stream (ijson's C backend), so memory stays flat whatever the file size.
Bytes that are not UTF-8 would stop the parser: such a file is read again with each bad byte
replaced by a sentinel character, and a record that contains one is rejected as `bad_utf8`.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import ijson
import orjson

from vlmdata.corpora.base import (
    BAD_BYTE,
    IMAGE_TOKEN,
    READ_ERRORS,
    CountingReader,
    FileError,
    MarkedUtf8,
    Record,
    Reject,
    ScanOptions,
    excerpt,
    first_byte,
    json_lines,
    open_binary,
)


def scan(path: Path, options: ScanOptions | None = None) -> Iterator[Record | Reject]:
    """Yield every record of a LLaVA JSON array or JSON Lines file."""
    with open_binary(path) as raw:
        first = first_byte(raw)
        if first == b"[":
            yield from _scan_array(path, raw)
        else:
            yield from _scan_lines(path, raw)


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
    except READ_ERRORS as exc:
        raise FileError(path, stream.consumed, f"cannot read on: {exc}") from exc
    done, ordinal = ordinal, 0
    with open_binary(path) as again:
        stream = MarkedUtf8(again)
        try:
            for item in ijson.items(stream, "item", use_float=True, buf_size=1 << 16):
                if ordinal >= done:
                    yield _check(item, ordinal, f"record {ordinal + 1}", None, marked=True)
                ordinal += 1
        except ijson.JSONError as exc:
            raise _parse_error(path, stream.consumed, ordinal, exc) from exc
        except READ_ERRORS as exc:
            raise FileError(path, stream.consumed, f"cannot read on: {exc}") from exc


def _parse_error(path: Path, offset: int, ordinal: int, exc: Exception) -> FileError:
    problem = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    if isinstance(exc, ijson.IncompleteJSONError) and "error" not in problem:
        problem = "the JSON array ends early (truncated file?)"
    return FileError(
        path, offset, f"cannot parse record {ordinal + 1} of the JSON array: {problem}"
    )


def _scan_lines(path: Path, raw) -> Iterator[Record | Reject]:
    for ordinal, where, item, line in json_lines(path, raw):
        yield item if isinstance(item, Reject) else _check(item, ordinal, where, line)


def _check(
    item, ordinal: int, where: str, line: bytes | None, marked: bool = False
) -> Record | Reject:
    """Validate one parsed record and turn it into a Record, or a Reject saying what is wrong.

    `marked` says the record was read through MarkedUtf8, so BAD_BYTE may stand for a byte that
    was not UTF-8; on the other paths invalid UTF-8 never reaches here.
    """

    def reject(reason: str, detail: str) -> Reject:
        shown = line if line is not None else orjson.dumps(item, default=str)
        return Reject(ordinal, where, reason, detail, excerpt(shown))

    if type(item) is not dict:
        return reject("not_an_object", f"got a JSON {type(item).__name__}")
    turns = item.get("conversations")
    if turns is None:
        return reject("missing_field", "no 'conversations' field")
    if type(turns) is not list:
        return reject("wrong_type", f"'conversations' is a {type(turns).__name__}, not a list")
    if not turns:
        return reject("empty_text", "'conversations' is empty")
    texts, tokens = [], []
    for turn in turns:
        try:
            role, value = turn["from"], turn["value"]
        except (TypeError, KeyError):
            return reject(*_turn_problem(turns, turn))
        if type(role) is not str or type(value) is not str:
            return reject(*_turn_problem(turns, turn))
        if IMAGE_TOKEN in value:
            value = value.replace(IMAGE_TOKEN, "").strip()
            tokens.append(True)
        else:
            tokens.append(False)
        texts.append((role, value))
    record_id = item.get("id")
    if record_id is not None and not isinstance(record_id, str | int):
        return reject("wrong_type", f"'id' is a {type(record_id).__name__}")
    images = item.get("image")
    if images is None:
        images = []
    elif type(images) is str:
        images = [images]
    elif not (isinstance(images, list) and all(isinstance(i, str) for i in images)):
        return reject("wrong_type", "'image' must be a string or a list of strings")
    if marked and _has_bad_byte(record_id, images, texts):
        return reject("bad_utf8", "the record has bytes that are not UTF-8")
    return Record(ordinal, None if record_id is None else str(record_id), images, texts, tokens)


def _turn_problem(turns: list, turn) -> tuple[str, str]:
    number = next(i for i, t in enumerate(turns) if t is turn)
    if not isinstance(turn, dict):
        return "wrong_type", f"conversations[{number}] is not an object"
    reason = "wrong_type" if "from" in turn and "value" in turn else "missing_field"
    return reason, f"conversations[{number}] needs string 'from' and 'value'"


def _has_bad_byte(record_id, images: list[str], texts: list[tuple[str, str]]) -> bool:
    if isinstance(record_id, str) and BAD_BYTE in record_id:
        return True
    return any(BAD_BYTE in i for i in images) or any(
        BAD_BYTE in role or BAD_BYTE in text for role, text in texts
    )
