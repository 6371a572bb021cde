"""The two sides of the join: class counts (from the index or a counts file) and per-class
accuracy (from accuracy files or runs stored in the index)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa

from vlmdata.accuracy import (
    CLASS_COLUMNS,
    ModelAccuracy,
    Problem,
    read_accuracy,
    read_rows,
    resolve_entries,
)
from vlmdata.errors import InputError
from vlmdata.labels import LabelSet
from vlmdata.store.results import load_run

BREAKDOWNS = ("role", "corpus")
MEASURES = ("texts", "mentions")
COUNT_COLUMNS = ("count", "frequency", "freq")
ALL = "all"
COUNTS_SCHEMA = pa.schema(
    [
        ("group", pa.string()),
        ("class_index", pa.int32()),
        ("wnid", pa.string()),
        ("name", pa.string()),
        ("frequency", pa.int64()),
        ("texts", pa.int64()),
        ("mentions", pa.int64()),
    ]
)


@dataclass
class Counts:
    """Class frequency per group (`all`, then each role or corpus when broken down).

    `table` has one row per (group, class) with a count; `source` says where counts came from.
    """

    table: pa.Table
    source: str
    corpora: list[str] = field(default_factory=list)
    mode: str | None = None
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def check_choice(value: str | None, choices: tuple[str, ...], what: str) -> None:
    if value is not None and value not in choices:
        raise InputError(f"unknown {what} {value!r}: use {' or '.join(choices)}")


def counted_corpora(con: duckdb.DuckDBPyConnection, label_set: str, mode: str) -> list[str]:
    """The corpora whose classes of `label_set` were counted in `mode`."""
    rows = con.execute(
        "SELECT corpus FROM count_runs WHERE label_set = ? AND mode = ? ORDER BY 1",
        [label_set, mode],
    ).fetchall()
    return [r[0] for r in rows]


def counts_from_index(
    con: duckdb.DuckDBPyConnection,
    label_set: LabelSet,
    corpora: list[str] | None,
    mode: str,
    by: str | None,
    measure: str,
) -> Counts:
    """Counts of every class of the label set in the given corpora (all counted ones if None),
    zero for classes never mentioned, from the index's class_counts views."""
    counted = counted_corpora(con, label_set.name, mode)
    missing = [c for c in corpora or [] if c not in counted]
    if not counted or missing:
        corpus = missing[0] if missing else "CORPUS"
        who = f"corpus {corpus!r} has no" if missing else "no corpus of this index has"
        raise InputError(
            f"{who} counts of {label_set.name} (match {mode}){_other_modes(con, label_set)}; "
            f"run: vlmdata count-classes {corpus} --labels {label_set.name}"
        )
    corpora = corpora or counted
    params = {"corpora": corpora, "label_set": label_set.name, "mode": mode}
    group = {"role": "role", "corpus": "corpus"}.get(by or "", "'all'")
    view = "class_counts_by_role" if by == "role" else "class_counts"
    rows = con.execute(
        f"SELECT {group}, class_index, sum(texts), sum(mentions) FROM {view} "
        "WHERE list_contains($corpora, corpus) AND label_set = $label_set AND mode = $mode "
        "GROUP BY ALL",
        params,
    ).fetchall()
    groups = [ALL]
    if by == "role":
        groups += _roles(con, corpora)
    elif by == "corpus":
        groups += list(corpora)
    counts = {(g, k): (int(t if measure == "texts" else m), int(t), int(m)) for g, k, t, m in rows}
    if by:
        _add_totals(counts)
    table = _counts_table(label_set, groups, counts, complete=True)
    source = f"{', '.join(corpora)} (match {mode}, {measure})"
    return Counts(table, source, list(corpora), mode)


def _other_modes(con: duckdb.DuckDBPyConnection, label_set: LabelSet) -> str:
    rows = con.execute(
        "SELECT DISTINCT mode FROM count_runs WHERE label_set = ? ORDER BY 1", [label_set.name]
    ).fetchall()
    return f" (counted with --match {', '.join(r[0] for r in rows)})" if rows else ""


def _roles(con: duckdb.DuckDBPyConnection, corpora: list[str]) -> list[str]:
    rows = con.execute(
        "SELECT DISTINCT role FROM texts WHERE list_contains($corpora, corpus) ORDER BY 1",
        {"corpora": corpora},
    ).fetchall()
    return [r[0] for r in rows]


CountDict = dict[tuple[str, int], tuple[int, int | None, int | None]]
"""(group, class index) -> (frequency, texts, mentions)."""


def _add_totals(counts: CountDict) -> None:
    """Sum each class's counts over the groups into the `all` group."""
    for (_, index), values in list(counts.items()):
        old = counts.get((ALL, index))
        counts[(ALL, index)] = values if old is None else _sum(old, values)


def _sum(a: tuple, b: tuple) -> tuple:
    return tuple(None if x is None or y is None else x + y for x, y in zip(a, b, strict=True))


def _counts_table(
    label_set: LabelSet, groups: list[str], counts: CountDict, complete: bool
) -> pa.Table:
    """Rows per (group, class); `complete` fills absent classes with zero."""
    rows = []
    for group in groups:
        for cls in label_set.classes:
            found = counts.get((group, cls.index))
            if found is None and not complete:
                continue
            frequency, texts, mentions = found or (0, 0, 0)
            rows.append(
                {
                    "group": group,
                    "class_index": cls.index,
                    "wnid": cls.wnid,
                    "name": cls.name,
                    "frequency": frequency,
                    "texts": texts,
                    "mentions": mentions,
                }
            )
    return pa.Table.from_pylist(rows, COUNTS_SCHEMA)


def counts_from_file(
    path: str | os.PathLike, label_set: LabelSet, by: str | None, measure: str
) -> Counts:
    """Counts from a table file: a class column (index, WordNet id or name) and a count column
    (`count`, `frequency`, or `texts`/`mentions`). With `by`, a `role` or `corpus` column, or
    for roles one column per role (`texts_human`, `texts_gpt`, as `count-classes` writes)."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: no such counts file")
    rows = read_rows(path)
    if not rows:
        raise InputError(f"{path}: the counts file has no rows")
    column = next((c for c in (measure, *COUNT_COLUMNS, *MEASURES) if c in rows[0]), None)
    if column is None:
        raise InputError(
            f"{path}: no count column; name one {', '.join((*COUNT_COLUMNS, *MEASURES))}"
        )
    groups = _count_groups(path, rows, column, by)
    counts: CountDict = {}
    problems: list[Problem] = []
    for group, entries in groups.items():
        where, keys, values = zip(*entries, strict=True)
        classes, found_problems, _ = resolve_entries(str(path), label_set, list(keys), list(where))
        problems += found_problems
        for index, value in zip(classes, values, strict=True):
            if index is not None:
                counts[(group, index)] = (
                    value,
                    value if column == "texts" else None,
                    value if column == "mentions" else None,
                )
    if by:
        _add_totals(counts)
    names = [ALL, *sorted(groups)] if by else [ALL]
    table = _counts_table(label_set, names, counts, complete=False)
    counted = len({k for g, k in counts if g == ALL})
    notes = []
    if counted < len(label_set):
        notes.append(
            f"{path}: {len(label_set) - counted} classes of {label_set.name} have no count in "
            "the file and are left out of the join"
        )
    return Counts(table, f"{path} ({column})", [], None, problems, notes)


def _count_groups(
    path: Path, rows: list[dict], column: str, by: str | None
) -> dict[str, list[tuple[str, object, int]]]:
    """(where, class key, count) per group: `all`, or each value of the `by` column, or each
    `COLUMN_ROLE` column."""
    wide = [c for c in rows[0] if c.startswith(f"{column}_")] if by == "role" else []
    if by and by not in rows[0] and not wide:
        raise InputError(f"{path}: counts by {by} need a {by!r} column (or {column}_ROLE ones)")
    groups: dict[str, list[tuple[str, object, int]]] = {}
    for number, row in enumerate(rows, 1):
        key = next((row[c] for c in CLASS_COLUMNS if row.get(c) not in (None, "")), None)
        if key is None:
            raise InputError(f"{path}: row {number}: no class ({', '.join(CLASS_COLUMNS)})")
        if wide:
            for name in wide:
                value = _count(path, number, row.get(name))
                groups.setdefault(name[len(column) + 1 :], []).append((f"row {number}", key, value))
            continue
        group = str(row[by]) if by else ALL
        value = _count(path, number, row.get(column))
        groups.setdefault(group, []).append((f"row {number}", key, value))
    return groups


def _count(path: Path, number: int, value) -> int:
    try:
        count = float(value)
    except (TypeError, ValueError):
        count = -1.0
    if not count >= 0 or count != int(count):
        raise InputError(f"{path}: row {number}: count {value!r} is not a whole number >= 0")
    return int(count)


def load_accuracy(
    spec: str, label_set: LabelSet, con: duckdb.DuckDBPyConnection | None
) -> list[ModelAccuracy]:
    """Accuracy from `FILE`, `FILE#MODEL` (one model of a file that holds several) or the id of
    a run stored in the index."""
    path, _, model = spec.rpartition("#")
    if Path(spec).is_file():
        return read_accuracy(spec, label_set)
    if path and Path(path).is_file():
        return read_accuracy(path, label_set, model=model)
    if con is None:
        raise InputError(f"{spec}: no such accuracy file")
    found = con.execute("SELECT model, label_set FROM runs WHERE run_id = ?", [spec]).fetchall()
    if not found:
        known = [r[0] for r in con.execute("SELECT run_id FROM runs ORDER BY 1").fetchall()]
        raise InputError(
            f"{spec}: neither an accuracy file nor a run in the index "
            f"(runs: {', '.join(known) or 'none'})"
        )
    run_model, run_labels = found[0]
    if run_labels != label_set.name:
        raise InputError(
            f"run {spec!r} scored label set {run_labels}, not {label_set.name}; "
            f"pass --labels {run_labels}"
        )
    table = load_run(con, spec)
    result = ModelAccuracy(run_model, label_set.name, table, f"run {spec}", "run")
    result.run_id = spec
    return [result]
