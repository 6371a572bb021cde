"""Loading label sets: the built-in ones shipped with the package, and user files.

A user file lists the classes in index order, in one of three formats:

- TXT: one class per line, names separated by commas (the first is the display name, the others
  synonyms), optionally preceded by a WordNet id: `n01440764 tench, Tinca tinca`. Blank lines and
  lines starting with `#` are skipped.
- CSV (or TSV): a header with a `name` column and optionally `wnid`, `synonyms` (separated by
  `;` or `|`) and `index` (then rows may come in any order, but indices must run 0..n-1).
- JSON: a list of names, or a list of objects `{"name", "wnid", "synonyms"}`, or either under a
  `classes` key of an object that may also give the label set's `name`, or an object mapping
  indices to comma-separated names (`{"0": "tench, Tinca tinca"}`).
"""

from __future__ import annotations

import csv
import functools
import io
import json
import re
from importlib import resources
from pathlib import Path

from vlmdata.errors import InputError
from vlmdata.labels.model import LabelClass, LabelSet

BUILTIN = ("imagenet", "flowers102", "stanford_cars", "caltech101")
ALIASES = {"imagenet1k": "imagenet", "flowers": "flowers102", "cars": "stanford_cars"}
_WNID = re.compile(r"^[nvar]\d{8}$")
_TXT_LINE = re.compile(r"^(?:([nvar]\d{8})\s+)?(.+)$")


def load_label_set(name_or_path: str | Path) -> LabelSet:
    """A built-in label set by name (`imagenet`, `flowers102`, `stanford_cars`, `caltech101`) or
    a user file (.json, .txt, .csv, .tsv). Raises InputError naming the file and record at fault.
    """
    key = str(name_or_path)
    if key.lower() in BUILTIN or key.lower() in ALIASES:
        return builtin_label_set(ALIASES.get(key.lower(), key.lower()))
    path = Path(name_or_path)
    if not path.is_file():
        raise InputError(
            f"{key}: no such label set file, and not a built-in label set "
            f"(built in: {', '.join(BUILTIN)})"
        )
    return read_label_file(path)


@functools.cache
def builtin_label_set(name: str) -> LabelSet:
    """A label set shipped in vlmdata/labels/data/ (cached: label sets are immutable)."""
    text = resources.files("vlmdata.labels").joinpath(f"data/{name}.json").read_text("utf-8")
    data = json.loads(text)
    classes = tuple(
        LabelClass(i, c["name"], c.get("wnid"), tuple(c.get("synonyms", ())))
        for i, c in enumerate(data["classes"])
    )
    return LabelSet(name, classes, source=data.get("source", f"built-in:{name}"))


def read_label_file(path: Path) -> LabelSet:
    """A label set from a user file; its name is the file's stem (or a JSON file's `name`).

    The name may not be that of a built-in label set: counts and classes are stored in the
    index under it, and would replace the built-in's.
    """
    suffix = path.suffix.lower()
    try:
        text = path.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read the label set file ({exc})") from exc
    if suffix == ".json":
        name, rows = _json_rows(path, text)
    elif suffix in (".csv", ".tsv"):
        name, rows = path.stem, _csv_rows(path, text, "\t" if suffix == ".tsv" else ",")
    elif suffix in (".txt", ".lst", ""):
        name, rows = path.stem, _txt_rows(path, text)
    else:
        raise InputError(f"{path}: unknown label set format {suffix!r}; use .json, .txt or .csv")
    if name.lower() in BUILTIN:
        where = "its 'name'" if suffix == ".json" and name != path.stem else "the file"
        raise InputError(
            f"{path}: a label set file cannot be named {name!r}, like the built-in label set; "
            f"rename {where} (for example {name}_custom)"
        )
    if not rows:
        raise InputError(f"{path}: the label set has no classes")
    classes = tuple(
        LabelClass(i, display, wnid, tuple(s for s in synonyms if s != display))
        for i, (display, wnid, synonyms) in enumerate(rows)
    )
    return LabelSet(name, classes, source=str(path))


Row = tuple[str, str | None, list[str]]


def _check(path: Path, where: str, display: str, wnid: str | None) -> None:
    if not display.strip():
        raise InputError(f"{path}: {where}: empty class name")
    if wnid and not _WNID.match(wnid):
        raise InputError(f"{path}: {where}: {wnid!r} is not a WordNet id (like n01440764)")


def _split_names(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


def _txt_rows(path: Path, text: str) -> list[Row]:
    rows = []
    for number, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        wnid, names = _TXT_LINE.match(line).groups()
        parts = _split_names(names)
        _check(path, f"line {number}", parts[0] if parts else "", wnid)
        rows.append((parts[0], wnid, parts[1:]))
    return rows


def _csv_rows(path: Path, text: str, delimiter: str) -> list[Row]:
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    fields = [f.strip().lower() for f in reader.fieldnames or []]
    if "name" not in fields:
        raise InputError(f"{path}: the header needs a 'name' column (found: {fields})")
    reader.fieldnames = fields
    rows, indices = [], []
    for number, record in enumerate(reader, 2):
        display = (record.get("name") or "").strip()
        wnid = (record.get("wnid") or "").strip() or None
        _check(path, f"row {number}", display, wnid)
        synonyms = re.split(r"[;|]", record.get("synonyms") or "")
        rows.append((display, wnid, [s.strip() for s in synonyms if s.strip()]))
        if "index" in fields:
            indices.append(_index(path, f"row {number}", record.get("index")))
    return _ordered(path, rows, indices) if indices else rows


def _index(path: Path, where: str, value) -> int:
    try:
        return int(str(value).strip())
    except ValueError:
        raise InputError(f"{path}: {where}: index {value!r} is not an integer") from None


def _ordered(path: Path, rows: list[Row], indices: list[int]) -> list[Row]:
    if sorted(indices) != list(range(len(rows))):
        raise InputError(f"{path}: class indices must run from 0 to {len(rows) - 1}, each once")
    ordered: list[Row] = [rows[0]] * len(rows)
    for index, row in zip(indices, rows, strict=True):
        ordered[index] = row
    return ordered


def _json_rows(path: Path, text: str) -> tuple[str, list[Row]]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}: not valid JSON ({exc})") from exc
    name = path.stem
    if isinstance(data, dict) and "classes" in data:
        name, data = str(data.get("name") or name), data["classes"]
    if isinstance(data, dict):
        indices = [_index(path, f"key {key!r}", key) for key in data]
        rows = [_json_row(path, f"key {key!r}", value) for key, value in data.items()]
        return name, _ordered(path, rows, indices)
    if not isinstance(data, list):
        raise InputError(f"{path}: expected a list of classes or an object with 'classes'")
    return name, [_json_row(path, f"entry {i}", value) for i, value in enumerate(data)]


def _json_row(path: Path, where: str, value) -> Row:
    if isinstance(value, str):
        parts = _split_names(value)
        _check(path, where, parts[0] if parts else "", None)
        return parts[0], None, parts[1:]
    if not isinstance(value, dict):
        raise InputError(f"{path}: {where}: expected a name or an object, got {value!r:.60}")
    display = str(value.get("name") or "")
    wnid = value.get("wnid") or None
    synonyms = value.get("synonyms") or []
    if isinstance(synonyms, str):
        synonyms = re.split(r"[;|,]", synonyms)
    _check(path, where, display, wnid)
    return display.strip(), wnid, [str(s).strip() for s in synonyms if str(s).strip()]
