"""Per-class accuracy from files: read, mapped to classes of a label set, stored as runs.

Three kinds of file are read:

- a per-class table (CSV, TSV, a JSON list of objects, JSON Lines, Parquet) with a class column
  (`class_index`, `wnid`, or a name: `class`, `name`, `label`), an accuracy column (`accuracy`,
  `acc`, `top1`) or `correct` with `n`, optionally `n` and `correct`, and a `model` column when
  the table holds several models;
- the nested format `{model: {"classwise": {class name: accuracy}}}` (or `{"classwise": ...}`,
  or a flat `{class name: accuracy}`, for one model);
- per-image predictions as JSON Lines, `{label, pred}` with `pred` a name or a top-k list.

Accuracies are fractions or percentages: a file whose values exceed 1 is read as percent.
Names go through the label set's lexicon (`vlmdata.labels.resolve_name`). A name that matches no
class, or several that the rest of the file cannot tell apart, is left out and reported as a
Problem; two entries that land on the same class are an error.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import math
import os
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa

from vlmdata.errors import InputError
from vlmdata.labels import LabelSet, load_label_set, resolve_name
from vlmdata.store import connect
from vlmdata.store.results import Run, save_run

log = logging.getLogger(__name__)

SCALES = ("auto", "fraction", "percent")
CLASS_COLUMNS = (
    *("class_index", "index", "wnid", "wordnet_id"),
    *("class", "name", "class_name", "label"),
)
"""Columns that name the class of a row, tried in this order: ids before names."""
ACCURACY_COLUMNS = ("accuracy", "acc", "top1", "top1_accuracy")
PER_CLASS_SCHEMA = pa.schema(
    [
        ("class_index", pa.int32()),
        ("n", pa.int64()),
        ("correct", pa.int64()),
        ("accuracy", pa.float64()),
    ]
)


@dataclass(frozen=True, slots=True)
class Problem:
    """An entry of an input file left out of the result, and why."""

    source: str
    where: str
    name: str
    reason: str

    def __str__(self) -> str:
        return f"{self.source}: {self.where}: {self.name!r}: {self.reason}"


@dataclass
class ModelAccuracy:
    """Per-class accuracy of one model, read from one file or run.

    `per_class` has columns class_index, n, correct (null when the file does not say) and
    accuracy (a fraction). `problems` lists the entries left out; `notes` the decisions taken.
    """

    model: str
    label_set: str
    per_class: pa.Table
    source: str
    format: str
    scale: str = "fraction"
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    run_id: str | None = None
    names_models: bool = False


@dataclass
class _Entry:
    where: str
    key: object
    value: object
    n: object = None
    correct: object = None


def read_accuracy(
    path: str | os.PathLike,
    labels: str | LabelSet = "imagenet",
    *,
    model: str | None = None,
    scale: str = "auto",
    strict: bool = False,
    label_field: str | None = None,
    pred_field: str | None = None,
) -> list[ModelAccuracy]:
    """Per-class accuracy of every model in an accuracy file (or of `model` only).

    For a file that does not name its models, `model` names the one it holds (default: the
    file's stem). `strict` turns every reported Problem into an InputError.
    """
    path = Path(path)
    label_set = labels if isinstance(labels, LabelSet) else load_label_set(labels)
    if scale not in SCALES:
        raise InputError(f"unknown accuracy scale {scale!r}: use {', '.join(SCALES)}")
    if not path.is_file():
        raise InputError(f"{path}: no such accuracy file")
    if _is_predictions(path, label_field, pred_field):
        results = [_read_predictions(path, label_set, model, label_field, pred_field)]
    else:
        kind, groups = _read_entries(path)
        results = _from_entries(path, label_set, kind, groups, model, scale)
    problems = [p for r in results for p in r.problems]
    if strict and problems:
        more = f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""
        raise InputError("; ".join(map(str, problems[:5])) + more)
    for line in summarise(problems, len(results)):
        log.warning("left out: %s", line)
    return results


def import_accuracy(
    path: str | os.PathLike,
    labels: str | LabelSet = "imagenet",
    *,
    model: str | None = None,
    run: str | None = None,
    index: str | os.PathLike | None = None,
    scale: str = "auto",
    strict: bool = False,
    label_field: str | None = None,
    pred_field: str | None = None,
) -> list[ModelAccuracy]:
    """Read an accuracy file (see `read_accuracy`) and store each model as a run in the index's
    `accuracy` table.

    Run ids default to the file's stem, or `stem/model` for a file that names its models; `run`
    sets the id when one model is imported. Each result's `run_id` says where it went.
    """
    label_set = labels if isinstance(labels, LabelSet) else load_label_set(labels)
    results = read_accuracy(
        path,
        label_set,
        model=model,
        scale=scale,
        strict=strict,
        label_field=label_field,
        pred_field=pred_field,
    )
    if run and len(results) > 1:
        raise InputError(
            f"{path}: holds {len(results)} models and --run names one run; choose one with "
            "--model, or leave --run out to store each as FILE_STEM/MODEL"
        )
    stem = Path(path).stem
    con = connect(index)
    try:
        for result in results:
            result.run_id = run or (f"{stem}/{result.model}" if result.names_models else stem)
            record = Run(
                run_id=result.run_id,
                model=result.model,
                label_set=label_set.name,
                method=f"import:{result.format}",
                settings={"scale": result.scale, "left_out": len(result.problems)},
                source=str(Path(path).resolve()),
            )
            save_run(con, record, result.per_class, label_set)
            log.info("stored run %s: %d classes", result.run_id, result.per_class.num_rows)
    finally:
        con.close()
    return results


def summarise(problems: list[Problem], models: int = 1) -> list[str]:
    """One line per distinct left-out entry; one that recurs in several models of a file (the
    same name in each) is listed once with the number of models."""
    seen: dict[tuple[str, str, str], int] = {}
    for problem in problems:
        key = (problem.source, problem.name, problem.reason)
        seen[key] = seen.get(key, 0) + 1
    return [
        f"{source}: {name!r}: {reason}" + (f" (in {k} of {models} models)" if k > 1 else "")
        for (source, name, reason), k in seen.items()
    ]


def read_rows(path: Path) -> list[dict]:
    """The records of a table file (CSV, TSV, JSON list, JSON Lines, Parquet), keys lower-cased."""
    suffix = path.suffix.lower()
    try:
        if suffix == ".parquet":
            import pyarrow.parquet as pq

            rows = pq.read_table(path).to_pylist()
        elif suffix in (".csv", ".tsv"):
            text = path.read_text("utf-8-sig")
            delimiter = "\t" if suffix == ".tsv" else ","
            rows = list(csv.DictReader(io.StringIO(text), delimiter=delimiter))
        elif suffix in (".jsonl", ".ndjson"):
            rows = [_json_line(path, n, line) for n, line in _lines(path) if line.strip()]
        else:
            rows = load_json(path)
    except (OSError, UnicodeDecodeError, pa.ArrowException) as exc:
        raise InputError(f"{path}: cannot read the file ({exc})") from exc
    if isinstance(rows, dict) and isinstance(rows.get("classes"), list):
        rows = rows["classes"]
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        raise InputError(f"{path}: expected a table, one record per class")
    return [{str(k).strip().lower(): v for k, v in r.items() if k is not None} for r in rows]


def load_json(path: Path):
    """A JSON document; an object that repeats a key is an error naming the key."""

    def unique(pairs):
        seen: dict = {}
        for key, value in pairs:
            if key in seen:
                raise InputError(f"{path}: the key {key!r} appears twice in one object")
            seen[key] = value
        return seen

    try:
        return json.loads(path.read_text("utf-8"), object_pairs_hook=unique)
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}: not valid JSON ({exc})") from exc


def _lines(path: Path):
    with path.open(encoding="utf-8") as handle:
        yield from enumerate(handle, 1)


def _json_line(path: Path, number: int, line: str):
    try:
        return json.loads(line)
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}: line {number}: not valid JSON ({exc})") from exc


def _is_predictions(path: Path, label_field: str | None, pred_field: str | None) -> bool:
    if label_field or pred_field:
        return True
    if path.suffix.lower() not in (".jsonl", ".ndjson"):
        return False
    for number, line in _lines(path):
        if line.strip():
            first = _json_line(path, number, line)
            return isinstance(first, dict) and "pred" in first and "label" in first
    return False


def _read_entries(path: Path) -> tuple[str, dict[str | None, list[_Entry]]]:
    """(format, entries per model; the key None when the file does not name its models)."""
    data = load_json(path) if path.suffix.lower() == ".json" else None
    if data in ({}, []):
        raise InputError(f"{path}: no per-class accuracies in the file")
    if isinstance(data, dict) and data and "classes" not in data:
        if "classwise" in data:
            return "nested", {None: _classwise(path, None, data)}
        if all(isinstance(v, dict) and "classwise" in v for v in data.values()):
            return "nested", {str(m): _classwise(path, str(m), v) for m, v in data.items()}
        if all(isinstance(v, int | float | str) for v in data.values()):
            return "nested", {None: [_Entry("top level", k, v) for k, v in data.items()]}
        raise InputError(
            f"{path}: expected per-class rows, {{class: accuracy}} or "
            '{model: {"classwise": {class: accuracy}}}'
        )
    groups: dict[str | None, list[_Entry]] = {}
    for number, row in enumerate(read_rows(path), 1):
        where = f"row {number}"
        key = _pick(row, CLASS_COLUMNS)
        if key in (None, ""):
            raise InputError(f"{path}: {where}: no class column ({', '.join(CLASS_COLUMNS)})")
        value = _pick(row, ACCURACY_COLUMNS)
        model = row.get("model")
        entry = _Entry(where, key, value, row.get("n"), row.get("correct"))
        groups.setdefault(None if model in (None, "") else str(model), []).append(entry)
    if len(groups) > 1 and None in groups:
        raise InputError(f"{path}: some rows name a model and others do not")
    return "table", groups


def _classwise(path: Path, model: str | None, data: dict) -> list[_Entry]:
    classwise = data["classwise"]
    if not isinstance(classwise, dict):
        raise InputError(f"{path}: model {model!r}: 'classwise' must map class names to values")
    where = f"model {model!r}" if model else "classwise"
    return [_Entry(where, k, v) for k, v in classwise.items()]


def _pick(row: dict, names: tuple[str, ...]):
    for name in names:
        if name in row and row[name] not in (None, ""):
            return row[name]
    return None


def _from_entries(
    path: Path,
    label_set: LabelSet,
    kind: str,
    groups: dict[str | None, list[_Entry]],
    model: str | None,
    scale: str,
) -> list[ModelAccuracy]:
    names_models = None not in groups
    if names_models and model is not None:
        if model not in groups:
            raise InputError(f"{path}: no model {model!r}; models: {', '.join(groups)}")
        groups = {model: groups[model]}
    if not groups or not any(groups.values()):
        raise InputError(f"{path}: no per-class accuracies in the file")
    scale = _detect_scale(path, [e for entries in groups.values() for e in entries], scale)
    results = []
    for name, entries in groups.items():
        result = _model_accuracy(path, label_set, entries, scale)
        result.model = name if name is not None else (model or path.stem)
        result.format, result.names_models = kind, names_models
        results.append(result)
    return results


def _number(path: Path, entry: _Entry, value, what: str) -> float:
    try:
        number = float(value) if not isinstance(value, bool) else math.nan
    except (TypeError, ValueError):
        number = math.nan
    if math.isnan(number) or math.isinf(number):
        raise InputError(f"{path}: {entry.where} ({entry.key!r}): {what} {value!r} is not a number")
    return number


def _detect_scale(path: Path, entries: list[_Entry], scale: str) -> str:
    values = [(e, _number(path, e, e.value, "accuracy")) for e in entries if e.value is not None]
    for entry, value in values:
        if not 0.0 <= value <= 100.0:
            raise InputError(
                f"{path}: {entry.where} ({entry.key!r}): accuracy {value:g} is outside both "
                "[0, 1] and [0, 100]"
            )
    if scale == "auto":
        scale = "percent" if any(v > 1.0 for _, v in values) else "fraction"
    if scale == "fraction":
        for entry, value in values:
            if value > 1.0:
                raise InputError(
                    f"{path}: {entry.where} ({entry.key!r}): accuracy {value:g} is outside [0, 1]"
                )
    return scale


def _model_accuracy(
    path: Path, label_set: LabelSet, entries: list[_Entry], scale: str
) -> ModelAccuracy:
    source = str(path)
    keys, wheres = [e.key for e in entries], [e.where for e in entries]
    classes, problems, notes = resolve_entries(source, label_set, keys, wheres)
    rows = []
    for entry, found in zip(entries, classes, strict=True):
        if found is not None:
            rows.append({"class_index": found, **_values(path, entry, scale)})
    _check_coverage(source, label_set, len(entries), len(rows), problems)
    table = pa.Table.from_pylist(sorted(rows, key=lambda r: r["class_index"]), PER_CLASS_SCHEMA)
    return ModelAccuracy("", label_set.name, table, source, "", scale, problems, notes)


def _values(path: Path, entry: _Entry, scale: str) -> dict:
    n = None if entry.n in (None, "") else _number(path, entry, entry.n, "n")
    correct = (
        None if entry.correct in (None, "") else _number(path, entry, entry.correct, "correct")
    )
    if n is not None and (n <= 0 or n != int(n)):
        raise InputError(f"{path}: {entry.where} ({entry.key!r}): n {n:g} is not a count > 0")
    if correct is not None and (n is None or not 0 <= correct <= n or correct != int(correct)):
        raise InputError(
            f"{path}: {entry.where} ({entry.key!r}): correct {correct:g} needs n and must lie "
            "in [0, n]"
        )
    if entry.value is None:
        if correct is None:
            raise InputError(f"{path}: {entry.where} ({entry.key!r}): no accuracy, nor correct/n")
        accuracy = correct / n
    else:
        accuracy = _number(path, entry, entry.value, "accuracy")
        accuracy = accuracy / 100.0 if scale == "percent" else accuracy
    return {
        "n": None if n is None else int(n),
        "correct": None if correct is None else int(correct),
        "accuracy": min(max(accuracy, 0.0), 1.0),
    }


def resolve_entries(
    source: str, label_set: LabelSet, keys: list[object], wheres: list[str] | None = None
) -> tuple[list[int | None], list[Problem], list[str]]:
    """The class of each key (an index, a WordNet id or a name), or None when left out;
    `wheres` says where each key is in the input (default `entry N`).

    A name that fits several classes is settled when all but one of them are named, on their
    own, by other keys of the same input (ImageNet's two `missile`s: `projectile` names one).
    Two keys landing on one class are an InputError.
    """
    wheres = wheres or [f"entry {p + 1}" for p in range(len(keys))]
    candidates = [list(_cached_candidates(label_set, key)) for key in keys]
    owners: dict[int, list[int]] = {}
    for position, found in enumerate(candidates):
        if len(found) == 1:
            owners.setdefault(found[0], []).append(position)
    _refuse_duplicates(source, label_set, keys, wheres, owners)
    notes: list[str] = []
    settled = True
    while settled:
        settled = False
        for position, found in enumerate(candidates):
            free = [k for k in found if k not in owners] if len(found) > 1 else []
            if len(free) == 1:
                notes.append(
                    f"{source}: {keys[position]!r} read as class {free[0]} "
                    f"({label_set[free[0]].name}); the other classes it names appear on their own"
                )
                candidates[position] = free
                owners[free[0]] = [position]
                settled = True
    problems = [
        Problem(source, wheres[p], str(keys[p]), _reason(label_set, found))
        for p, found in enumerate(candidates)
        if len(found) != 1
    ]
    return [f[0] if len(f) == 1 else None for f in candidates], problems, notes


_MEMO: dict[int, tuple[LabelSet, dict]] = {}


def _cached_candidates(label_set: LabelSet, key: object) -> tuple[int, ...]:
    """_candidates, remembered per label set: a file of 21 models names each class 21 times."""
    entry = _MEMO.get(id(label_set))
    if entry is None or entry[0] is not label_set:
        if len(_MEMO) > 8:
            _MEMO.clear()
        entry = _MEMO[id(label_set)] = (label_set, {})
    known = entry[1]
    memo_key = (type(key).__name__, str(key))
    if memo_key not in known:
        known[memo_key] = tuple(_candidates(label_set, key))
    return known[memo_key]


def _candidates(label_set: LabelSet, key: object) -> list[int]:
    if isinstance(key, int | float) and not isinstance(key, bool):
        index = int(key)
        return [index] if index == key and 0 <= index < len(label_set) else []
    text = str(key).strip()
    if text.isdigit():
        index = int(text)
        return [index] if index < len(label_set) else []
    return resolve_name(label_set, text)


def _reason(label_set: LabelSet, found: list[int]) -> str:
    if not found:
        return f"no class of {label_set.name} has this name or id"
    names = ", ".join(f"{k} {label_set[k].name}" for k in found[:4])
    return f"names {len(found)} classes ({names}); left out as ambiguous"


def _refuse_duplicates(
    source: str,
    label_set: LabelSet,
    keys: list[object],
    wheres: list[str],
    owners: dict[int, list[int]],
) -> None:
    for index, positions in owners.items():
        if len(positions) > 1:
            named = " and ".join(f"{keys[p]!r} ({wheres[p]})" for p in positions[:3])
            raise InputError(
                f"{source}: {named} all name class {index} ({label_set[index].name}) of "
                f"{label_set.name}; keep one accuracy per class"
            )


def _check_coverage(
    source: str, label_set: LabelSet, entries: int, resolved: int, problems: list[Problem]
) -> None:
    if entries and resolved * 2 < entries:
        examples = ", ".join(repr(p.name) for p in problems[:3])
        raise InputError(
            f"{source}: only {resolved} of {entries} classes match label set {label_set.name} "
            f"(not matched: {examples}, ...); is --labels the right label set?"
        )


def _read_predictions(
    path: Path,
    label_set: LabelSet,
    model: str | None,
    label_field: str | None,
    pred_field: str | None,
) -> ModelAccuracy:
    from vlmdata.scoring.predictions import per_class_from_predictions

    table, report = per_class_from_predictions(
        path, label_set, label_field=label_field, pred_field=pred_field
    )
    if table.num_rows == 0:
        raise InputError(f"{path}: no prediction could be scored against {label_set.name}")
    per_class = table.select(["class_index", "n", "correct", "accuracy"]).cast(PER_CLASS_SCHEMA)
    problems = [Problem(str(path), "predictions", "", line) for line in report.lines()]
    name = model or path.stem
    return ModelAccuracy(
        name, label_set.name, per_class, str(path), "predictions", "fraction", problems
    )
