"""Parquet shards of image-text metadata (LAION `URL`/`TEXT`, DataComp `uid`/`url`/`text`, CC12M
`url`/`caption`, Hugging Face exports), read one record batch at a time with pyarrow.

Also the column logic shared with other Arrow-based formats (`hf_disk`): which column holds the
text (`text_column`, else a usual name, else a `conversations` column of `{from, value}` turns),
the image (`image_column` or a usual name: a string, a list of strings, or a Hugging Face Image
struct, whose `path` is kept) and the id. A text column may hold a string per row (one text of
role `caption`) or a list of strings (one text each). A row whose text is null or empty is
rejected as `empty_text`; a value that is not UTF-8 as `bad_utf8`.
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import orjson
import pyarrow as pa
import pyarrow.parquet as pq

from vlmdata.corpora.base import (
    COMPRESSED_SUFFIXES,
    IMAGE_TOKEN,
    READ_ERRORS,
    FileError,
    Record,
    Reject,
    ScanOptions,
    excerpt,
    open_binary,
)

ROLE = "caption"
BATCH_ROWS = 16_384
TEXT_COLUMNS = (
    "caption",
    "text",
    "captions",
    "texts",
    "alt_text",
    "alt",
    "sentence",
    "sentences",
    "title",
    "description",
    "prompt",
)
CONVERSATION_COLUMNS = ("conversations", "messages")
IMAGE_COLUMNS = (
    "image",
    "images",
    "image_path",
    "file_name",
    "filename",
    "path",
    "url",
    "image_url",
)
ID_COLUMNS = ("id", "uid", "key", "sample_id", "image_id")
TURN_FIELDS = (("from", "value"), ("role", "content"))


@dataclass(frozen=True, slots=True)
class Columns:
    """The columns a table scanner reads, and what kind of value each holds."""

    text: str
    text_kind: str  # "string", "list" or "turns"
    turn_fields: tuple[str, str] | None
    image: str | None
    image_kind: str | None  # "string", "list", "struct" or "structs"
    id: str | None

    @property
    def names(self) -> list[str]:
        return [n for n in (self.text, self.image, self.id) if n is not None]


def scan(path: Path, options: ScanOptions | None = None) -> Iterator[Record | Reject]:
    """Yield every row of a Parquet file as a Record, or a Reject when it has no usable text."""
    with local_copy(path) as local:
        try:
            parquet = pq.ParquetFile(local)
        except (pa.ArrowException, OSError) as exc:
            size = local.stat().st_size
            raise FileError(path, size, f"not a readable Parquet file (truncated?): {exc}") from exc
        columns = choose_columns(parquet.schema_arrow, options or ScanOptions(), path)
        start = 0
        for group in range(parquet.num_row_groups):
            try:
                batches = parquet.iter_batches(BATCH_ROWS, [group], columns.names)
                for batch in batches:
                    yield from batch_records(batch, columns, start)
                    start += batch.num_rows
            except (pa.ArrowException, OSError) as exc:
                offset = _group_offset(parquet.metadata.row_group(group))
                problem = f"cannot read row group {group} (rows from {start + 1}): {exc}"
                raise FileError(path, offset, problem) from exc


@contextlib.contextmanager
def local_copy(path: Path) -> Iterator[Path]:
    """The file itself, or, for a .gz/.zst file, a decompressed temporary copy (Parquet and
    Arrow files need random access)."""
    if not path.name.lower().endswith(COMPRESSED_SUFFIXES):
        yield path
        return
    with tempfile.TemporaryDirectory(prefix="vlmdata-") as tmp:
        copy = Path(tmp) / path.name.rsplit(".", 1)[0]
        with open_binary(path) as source, open(copy, "wb") as target:
            try:
                shutil.copyfileobj(source, target, 1 << 20)
            except READ_ERRORS as exc:
                raise FileError(path, None, f"cannot decompress: {exc}") from exc
        yield copy


def _group_offset(group) -> int:
    chunks = [group.column(i) for i in range(group.num_columns)]
    return min(c.dictionary_page_offset or c.data_page_offset for c in chunks)


def choose_columns(schema: pa.Schema, options: ScanOptions, path: Path) -> Columns:
    """Pick the text, image and id columns of a table, from the options or by usual names."""
    text = _find(schema, options.text_column, path, CONVERSATION_COLUMNS + TEXT_COLUMNS, _text)
    if text is None:
        wanted = ", ".join(TEXT_COLUMNS + CONVERSATION_COLUMNS)
        raise FileError(
            path,
            None,
            f"no text column among {', '.join(schema.names)} (usual names: {wanted}); "
            "name one with --text-column",
        )
    image = _find(schema, options.image_column, path, IMAGE_COLUMNS, _image)
    ident = _find(schema, options.id_column, path, ID_COLUMNS, lambda t: "scalar")
    text_kind = _text(schema.field(text).type)
    turn_fields = _turn_fields(schema.field(text).type) if text_kind == "turns" else None
    image_kind = _image(schema.field(image).type) if image else None
    return Columns(text, text_kind, turn_fields, image, image_kind, ident)


def _find(schema: pa.Schema, given: str | None, path: Path, usual, kind) -> str | None:
    """A column given by name (it must exist and have a usable type), else the first usual name
    (compared without case) whose column has a usable type."""
    if given:
        if given not in schema.names:
            raise FileError(path, None, f"no column {given!r}; columns: {', '.join(schema.names)}")
        if kind(schema.field(given).type) is None:
            problem = f"column {given!r} is {schema.field(given).type}, not a usable type here"
            raise FileError(path, None, problem)
        return given
    lowered = {name.lower(): name for name in reversed(schema.names)}
    for name in usual:
        column = lowered.get(name.lower())
        if column is not None and kind(schema.field(column).type) is not None:
            return column
    return None


def _is_string(t: pa.DataType) -> bool:
    return pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_string_view(t)


def _is_list(t: pa.DataType) -> bool:
    return pa.types.is_list(t) or pa.types.is_large_list(t) or pa.types.is_list_view(t)


def _text(t: pa.DataType) -> str | None:
    if _is_string(t):
        return "string"
    if _is_list(t) and _is_string(t.value_type):
        return "list"
    if _is_list(t) and _turn_fields(t) is not None:
        return "turns"
    return None


def _turn_fields(t: pa.DataType) -> tuple[str, str] | None:
    value = t.value_type
    if not pa.types.is_struct(value):
        return None
    names = {value.field(i).name for i in range(value.num_fields)}
    return next((pair for pair in TURN_FIELDS if set(pair) <= names), None)


def _image(t: pa.DataType) -> str | None:
    if _is_string(t):
        return "string"
    if pa.types.is_struct(t) and t.get_field_index("path") >= 0:
        return "struct"
    if _is_list(t) and _is_string(t.value_type):
        return "list"
    if _is_list(t) and _image(t.value_type) == "struct":
        return "structs"
    return None


def batch_records(batch: pa.RecordBatch, columns: Columns, start: int) -> Iterator[Record | Reject]:
    """The Records and Rejects of one batch whose first row is row number `start` (0-based)."""
    texts, bad = _pylist(batch.column(columns.text))
    images, bad_images = _pylist(batch.column(columns.image)) if columns.image else ([], set())
    ids, bad_ids = _pylist(batch.column(columns.id)) if columns.id else ([], set())
    bad |= bad_images | bad_ids
    for row, value in enumerate(texts):
        image = _image_names(images[row], columns.image_kind) if images else []
        yield _row(start + row, value, image, ids[row] if ids else None, columns, row in bad)


def _row(ordinal: int, value, image: list[str], rid, columns: Columns, bad: bool):
    if bad:
        problem = ("bad_utf8", "a value of the row is not UTF-8")
    else:
        turns, tokens, problem = _texts(value, columns)
    if problem:
        shown = orjson.dumps({columns.text: value, "image": image, "id": rid}, default=str)
        return Reject(ordinal, f"row {ordinal + 1}", *problem, excerpt(shown))
    return Record(ordinal, None if rid is None else str(rid), image, turns, tokens)


def _pylist(array) -> tuple[list, set[int]]:
    """The values of an Arrow array as Python objects, and the rows that are not valid UTF-8."""
    try:
        return array.to_pylist(), set()
    except UnicodeDecodeError:
        values, bad = [], set()
        for row in range(len(array)):
            try:
                values.append(array[row].as_py())
            except UnicodeDecodeError:
                values.append(None)
                bad.add(row)
        return values, bad


def _texts(value, columns: Columns) -> tuple[list, list[bool] | None, tuple | None]:
    """(texts, image-token flags, None) for one row's text value, or ([], None, problem)."""
    if columns.text_kind == "string":
        text = (value or "").strip()
        if not text:
            state = "null" if value is None else "empty"
            return [], None, ("empty_text", f"{columns.text!r} is {state}")
        return [(ROLE, text)], None, None
    if columns.text_kind == "list":
        texts = [(ROLE, v.strip()) for v in value or [] if v and v.strip()]
        return texts, None, None if texts else ("empty_text", f"{columns.text!r} has no text")
    role_field, value_field = columns.turn_fields
    texts, tokens = [], []
    for turn_no, turn in enumerate(value or []):
        role, text = (turn or {}).get(role_field), (turn or {}).get(value_field)
        if role is None or text is None:
            problem = f"{columns.text}[{turn_no}] needs {role_field!r} and {value_field!r}"
            return [], None, ("missing_field", problem)
        tokens.append(IMAGE_TOKEN in text)
        texts.append((role, text.replace(IMAGE_TOKEN, "").strip() if tokens[-1] else text))
    if not texts:
        return [], None, ("empty_text", f"{columns.text!r} has no turns")
    return texts, tokens, None


def _image_names(value, kind: str | None) -> list[str]:
    if value is None:
        return []
    if kind == "string":
        return [value] if value else []
    if kind == "struct":
        return [value["path"]] if value.get("path") else []
    if kind == "list":
        return [v for v in value if v]
    return [v["path"] for v in value if v and v.get("path")]
