"""Writing and reading per-class accuracy runs (`runs` and `accuracy` tables).

The scorer and the accuracy importers both end here, so `correlate` and the report read one
table whatever produced the numbers.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import duckdb
import pyarrow as pa

from vlmdata.errors import InputError
from vlmdata.labels.model import LabelSet


@dataclass(slots=True)
class Run:
    """A scoring or import run: which model, on what, with which settings."""

    run_id: str
    model: str
    label_set: str
    method: str
    dataset: str | None = None
    settings: dict = field(default_factory=dict)
    seed: int | None = None
    source: str | None = None


def save_run(
    con: duckdb.DuckDBPyConnection, run: Run, per_class: pa.Table, label_set: LabelSet | None = None
) -> None:
    """Store a run and its per-class rows, replacing a run of the same id, in one transaction.

    `per_class` has columns class_index (int), accuracy (float in [0, 1]) and optionally n and
    correct (int). Classes are ids: a row whose class_index is outside the label set is refused.
    """
    names = set(per_class.column_names)
    if not {"class_index", "accuracy"} <= names:
        raise InputError(
            f"run {run.run_id}: per-class table needs class_index and accuracy, got {sorted(names)}"
        )
    rows = per_class.to_pylist()
    if label_set is not None:
        bad = [r["class_index"] for r in rows if not 0 <= r["class_index"] < len(label_set)]
        if bad:
            raise InputError(
                f"run {run.run_id}: class indices {bad[:5]} are outside "
                f"label set {label_set.name} ({len(label_set)} classes)"
            )
    bad_acc = [r["accuracy"] for r in rows if not 0.0 <= r["accuracy"] <= 1.0]
    if bad_acc:
        raise InputError(f"run {run.run_id}: accuracies must lie in [0, 1], got {bad_acc[:5]}")
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute("DELETE FROM accuracy WHERE run_id = ?", [run.run_id])
        con.execute("DELETE FROM runs WHERE run_id = ?", [run.run_id])
        con.execute(
            "INSERT INTO runs (run_id, model, dataset, label_set, method, settings, seed, source)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                run.run_id,
                run.model,
                run.dataset,
                run.label_set,
                run.method,
                json.dumps(run.settings, sort_keys=True),
                run.seed,
                run.source,
            ],
        )
        per_class_rows = pa.table(
            {
                "run_id": [run.run_id] * len(rows),
                "label_set": [run.label_set] * len(rows),
                "class_index": pa.array([r["class_index"] for r in rows], pa.int32()),
                "n": pa.array([r.get("n") for r in rows], pa.int32()),
                "correct": pa.array([r.get("correct") for r in rows], pa.int32()),
                "accuracy": pa.array([r["accuracy"] for r in rows], pa.float64()),
            }
        )
        con.register("_vlmdata_accuracy", per_class_rows)
        con.execute("INSERT INTO accuracy BY NAME SELECT * FROM _vlmdata_accuracy")
        con.unregister("_vlmdata_accuracy")
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise


def load_run(con: duckdb.DuckDBPyConnection, run_id: str) -> pa.Table:
    """The per-class rows of a stored run, ordered by class index."""
    if not con.execute("SELECT count(*) FROM runs WHERE run_id = ?", [run_id]).fetchall()[0][0]:
        known = [r[0] for r in con.execute("SELECT run_id FROM runs ORDER BY 1").fetchall()]
        raise InputError(
            f"no run {run_id!r} in the index; known runs: {', '.join(known) or 'none'}"
        )
    return con.sql(
        "SELECT class_index, n, correct, accuracy FROM accuracy WHERE run_id = $run ORDER BY 1",
        params={"run": run_id},
    ).to_arrow_table()
