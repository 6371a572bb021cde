"""JSON Lines, or a JSON array, of flat records whose texts lie in fields of any name: caption
lists, instruction/output pairs, question files (the LLaVA-Bench `*.jsonl` files, for example).

A record's texts are the fields named by `text_column` (several, comma-separated), else every
field with a usual text name (TEXT_FIELDS), in the record's own order. The role of a text is its
field name; a list field gives one text per item, under the singular name (`captions` ->
`caption`). The image is `image_column` or the first usual image field; the id is `id_column`
or the first usual id field. Files with `conversations` are LLaVA's and have their own scanner.

Arrays are parsed as a stream through a reader that marks bytes that are not UTF-8, so a record
holding one is rejected as `bad_utf8` and the scan goes on.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import ijson
import orjson

from vlmdata.corpora.base import (
    BAD_BYTE,
    READ_ERRORS,
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

# What a damaged or truncated compressed stream raises while it is read.

TEXT_FIELDS = (
    "caption",
    "captions",
    "text",
    "texts",
    "TEXT",
    "sentence",
    "sentences",
    "instruction",
    "question",
    "prompt",
    "input",
    "output",
    "answer",
    "answers",
    "response",
    "description",
    "alt_text",
)
IMAGE_FIELDS = ("image", "images", "image_path", "file_name", "filename", "img", "image_url", "url")
ID_FIELDS = ("id", "uid", "key", "sample_id", "question_id", "image_id")
SINGULAR = {"captions": "caption", "texts": "text", "sentences": "sentence", "answers": "answer"}


def scan(path: Path, options: ScanOptions | None = None) -> Iterator[Record | Reject]:
    """Yield every record of a JSON Lines file or JSON array of objects."""
    fields = _Fields.from_options(options or ScanOptions())
    for ordinal, where, item, raw in json_records(path):
        if isinstance(item, Reject):
            yield item
        else:
            yield fields.record(item, ordinal, where, raw)


def json_records(path: Path) -> Iterator[tuple[int, str, object, bytes | None]]:
    """(ordinal, position, parsed value or Reject, raw line) for each record of a JSON Lines file
    or a JSON array. Lines that are not JSON or not UTF-8 come as Rejects."""
    with open_binary(path) as raw:
        if first_byte(raw) == b"[":
            for ordinal, item in enumerate(json_items(path, "item", raw)):
                yield ordinal, f"record {ordinal + 1}", item, None
            return
        yield from json_lines(path, raw)


def json_items(path: Path, prefix: str, raw=None) -> Iterator[object]:
    """The items under `prefix` of a JSON document, parsed as a stream. Bytes that are not UTF-8
    come through as BAD_BYTE; a file that cannot be parsed on raises FileError with its offset."""
    if raw is None:
        with open_binary(path) as opened:
            yield from json_items(path, prefix, opened)
        return
    stream = MarkedUtf8(raw)
    try:
        yield from ijson.items(stream, prefix, use_float=True, buf_size=1 << 16)
    except ijson.JSONError as exc:
        problem = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        if isinstance(exc, ijson.IncompleteJSONError) and "error" not in problem:
            problem = "the JSON ends early (truncated file?)"
        raise FileError(path, stream.consumed, f"cannot parse the JSON: {problem}") from exc
    except READ_ERRORS as exc:
        raise FileError(path, stream.consumed, f"cannot read on: {exc}") from exc


def _first_present(item: dict, names: tuple[str, ...]) -> str | None:
    """The first of `names` that is a key of `item`."""
    return next((name for name in names if name in item), None)


def _strings(value) -> list[str] | None:
    """A string or a list of strings as a list; None for any other type."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return value
    return None


class _Fields:
    """Which fields of a record hold its texts, image and id."""

    def __init__(self, texts: tuple[str, ...] | None, image: str | None, id: str | None):
        self.texts, self.image, self.id = texts, image, id

    @classmethod
    def from_options(cls, options: ScanOptions) -> _Fields:
        texts = None
        if options.text_column:
            texts = tuple(n.strip() for n in options.text_column.split(",") if n.strip())
        return cls(texts, options.image_column, options.id_column)

    def record(self, item, ordinal: int, where: str, raw: bytes | None) -> Record | Reject:
        def reject(reason: str, detail: str) -> Reject:
            shown = raw if raw is not None else orjson.dumps(item, default=str)
            return Reject(ordinal, where, reason, detail, excerpt(shown))

        if not isinstance(item, dict):
            return reject("not_an_object", f"got a JSON {type(item).__name__}")
        names = self.texts or tuple(k for k in item if k in TEXT_FIELDS)
        present = [n for n in names if n in item]
        if not present:
            wanted = ", ".join(self.texts or TEXT_FIELDS)
            return reject("missing_field", f"no text field (looked for {wanted})")
        texts = []
        for name in present:
            if item[name] is None:
                continue
            values = _strings(item[name])
            if values is None:
                return reject("wrong_type", f"{name!r} is not a string or a list of strings")
            role = SINGULAR.get(name, name)
            texts.extend((role, v.strip()) for v in values if v.strip())
        if not texts:
            return reject("empty_text", f"{', '.join(present)}: empty")
        image_field = self.image or _first_present(item, IMAGE_FIELDS)
        images = _strings(item.get(image_field)) if image_field else []
        if images is None and item.get(image_field) is not None:
            return reject("wrong_type", f"{image_field!r} is not a string or a list of strings")
        id_field = self.id or _first_present(item, ID_FIELDS)
        record_id = item.get(id_field) if id_field else None
        if record_id is not None and not isinstance(record_id, str | int):
            return reject("wrong_type", f"{id_field!r} is a {type(record_id).__name__}")
        if any(BAD_BYTE in t for _, t in texts) or any(BAD_BYTE in i for i in images or []):
            return reject("bad_utf8", "the record has bytes that are not UTF-8")
        rid = None if record_id is None else str(record_id)
        return Record(ordinal, rid, images or [], texts)
