"""`correlate`: class frequency joined with per-class accuracy by class id, and what the join
says: rank and linear correlation per model, accuracy by frequency bin, and the same per role or
corpus when asked."""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from vlmdata.accuracy import ModelAccuracy, summarise
from vlmdata.errors import InputError
from vlmdata.labels import LabelSet, load_label_set
from vlmdata.reports import inputs
from vlmdata.reports.stats import PAPER_EDGES, binned_accuracy, correlation_statistics, log_edges
from vlmdata.store import connect

log = logging.getLogger(__name__)

TABLES = ("statistics", "bins", "classes")


@dataclass
class Correlation:
    """The join and its statistics, as Arrow tables.

    - `per_class`: one row per (group, model, class) with frequency, accuracy and covariate;
    - `statistics`: one row per (group, model): classes, spearman, pearson_log, kendall and, with
      a covariate, partial_spearman, each with `_low`/`_high` (bootstrap 95%) and p-values;
    - `bins`: one row per (group, model, scheme, bin), scheme `paper` or `log`;
    - `counts`: every counted class per group, with or without accuracy (the long tail).

    `group` is `all`, then each role or corpus when broken down.
    """

    per_class: pa.Table
    statistics: pa.Table
    bins: pa.Table
    counts: pa.Table
    label_set: str
    counts_source: str
    models: list[str]
    settings: dict = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def table(self, name: str) -> pa.Table:
        """`statistics`, `bins` or `classes` (the per-class join)."""
        if name not in TABLES:
            raise InputError(f"unknown table {name!r}: use {', '.join(TABLES)}")
        return self.per_class if name == "classes" else getattr(self, name)

    def summary(self, name: str = "statistics") -> pa.Table:
        """A table in short text columns for reading on a screen: statistics as
        `0.50 [0.45, 0.54]`, bins with their mean accuracy and interval, classes briefly."""
        if name == "bins":
            return pa.Table.from_pylist(
                [
                    {
                        "group": r["group"],
                        "model": r["model"],
                        "scheme": r["scheme"],
                        "bin": r["bin"],
                        "classes": r["classes"],
                        "accuracy": with_interval(r, "accuracy"),
                    }
                    for r in self.bins.to_pylist()
                ]
            )
        if name == "classes":
            keep = ["group", "model", "class_index", "name", "frequency", "accuracy"]
            return self.per_class.select(keep)
        rows = []
        for row in self.table(name).to_pylist():
            shown = {"group": row["group"], "model": row["model"], "classes": row["classes"]}
            for statistic in ("spearman", "pearson_log", "kendall", "partial_spearman"):
                if statistic in row:
                    shown[statistic] = with_interval(row, statistic)
            rows.append(shown)
        return pa.Table.from_pylist(rows)

    def to_dict(self) -> dict:
        """Everything as plain JSON-ready values."""
        return {
            "label_set": self.label_set,
            "counts": self.counts_source,
            "models": self.models,
            "settings": self.settings,
            "statistics": self.statistics.to_pylist(),
            "bins": self.bins.to_pylist(),
            "classes": self.per_class.to_pylist(),
            "problems": self.problems,
            "notes": self.notes,
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, default=str)


def with_interval(row: dict, name: str, missing: str = "") -> str:
    """`0.50 [0.45, 0.54]` from row[name], row[name_low] and row[name_high]."""
    if row[name] is None:
        return missing
    low, high = row[f"{name}_low"], row[f"{name}_high"]
    interval = "" if low is None else f" [{low:.2f}, {high:.2f}]"
    return f"{row[name]:.2f}{interval}"


def correlate(
    corpus: str | Sequence[str] | None = None,
    counts: str | os.PathLike | None = None,
    accuracy: Sequence[str] = (),
    labels: str | LabelSet = "imagenet",
    covariate: str | None = None,
    by: str | None = None,
    index: str | os.PathLike | None = None,
    mode: str = "wordnet",
    measure: str = "texts",
    bootstraps: int = 1000,
    seed: int = 0,
) -> Correlation:
    """Join class counts with each accuracy input and measure how accuracy follows frequency.

    Counts come from `counts` (a file) or from the index (`corpus`, one or several, default every
    corpus counted for the label set in `mode`); `measure` picks texts mentioning a class or
    all its mentions. Each item of `accuracy`, and `covariate`, is a file, `FILE#MODEL` or a run
    id in the index; a covariate holds one model (e.g. another model's accuracy) whose rank is
    held constant in `partial_spearman`. `by` (`role` or `corpus`) adds a group per value.
    """
    inputs.check_choice(by, inputs.BREAKDOWNS, "breakdown")
    inputs.check_choice(measure, inputs.MEASURES, "measure")
    if not accuracy:
        raise InputError("give at least one accuracy file or run (--accuracy)")
    if bootstraps < 1:
        raise InputError(f"bootstraps must be at least 1, got {bootstraps}")
    label_set = labels if isinstance(labels, LabelSet) else load_label_set(labels)
    corpora = [corpus] if isinstance(corpus, str) else list(corpus or [])
    specs = [*accuracy, *([covariate] if covariate else [])]
    if counts is not None and corpora:
        raise InputError("give either CORPUS (counts from the index) or --counts FILE")
    con = _open_if_needed(index, counts is not None, specs)
    try:
        if counts is not None:
            class_counts = inputs.counts_from_file(counts, label_set, by, measure)
        else:
            class_counts = inputs.counts_from_index(con, label_set, corpora, mode, by, measure)
        runs = [r for spec in accuracy for r in inputs.load_accuracy(spec, label_set, con)]
        held = _covariate(covariate, label_set, con)
    finally:
        if con is not None:
            con.close()
    settings = {
        "corpora": class_counts.corpora,
        "mode": class_counts.mode,
        "measure": measure,
        "by": by,
        "covariate": covariate,
        "bootstraps": bootstraps,
        "seed": seed,
    }
    return _join(label_set, class_counts, runs, held, settings)


def _open_if_needed(index, counts_from_file: bool, specs: list[str]):
    """A read-only connection when counts or a run must come from the index, else None."""
    if counts_from_file and all(_is_file_spec(spec) for spec in specs):
        return None
    return connect(index, read_only=True)


def _is_file_spec(spec: str) -> bool:
    path = spec.rpartition("#")[0]
    return Path(spec).is_file() or (bool(path) and Path(path).is_file())


def _covariate(spec: str | None, label_set: LabelSet, con) -> ModelAccuracy | None:
    if spec is None:
        return None
    found = inputs.load_accuracy(spec, label_set, con)
    if len(found) != 1:
        models = ", ".join(r.model for r in found)
        raise InputError(
            f"{spec}: the covariate must be one model; pick one as FILE#MODEL of {models}"
        )
    return found[0]


def _labels(runs: list[ModelAccuracy]) -> list[str]:
    """A distinct name per run: the model, or `model (source)` when two runs share a model."""
    seen: dict[str, int] = {}
    for run in runs:
        seen[run.model] = seen.get(run.model, 0) + 1
    return [
        run.model
        if seen[run.model] == 1
        else f"{run.model} ({run.run_id or Path(run.source).stem})"
        for run in runs
    ]


def _join(
    label_set: LabelSet,
    class_counts: inputs.Counts,
    runs: list[ModelAccuracy],
    held: ModelAccuracy | None,
    settings: dict,
) -> Correlation:
    counts = class_counts.table
    groups = list(dict.fromkeys(counts["group"].to_pylist()))
    by_group = {g: counts.filter(pc.equal(counts["group"], g)) for g in groups}
    held_map = _accuracy_map(held) if held else None
    names = _labels(runs)
    per_class, statistics, bins = [], [], []
    for group, table in by_group.items():
        frequency = dict(zip(table["class_index"].to_pylist(), table.to_pylist(), strict=True))
        for name, run in zip(names, runs, strict=True):
            rows = _joined_rows(group, name, run, frequency, held_map)
            per_class += rows
            stat, binned = _measure(rows, held_map is not None, settings)
            statistics.append({"group": group, "model": name, "run": _run_label(run), **stat})
            bins += [{"group": group, "model": name, **b} for b in binned]
    if not any(r["group"] == inputs.ALL for r in per_class):
        raise InputError(
            f"no class of {label_set.name} has both a count ({class_counts.source}) and an "
            "accuracy; do the counts and the accuracy use the same label set?"
        )
    problems = summarise([p for r in runs for p in r.problems], len(runs))
    problems += summarise(class_counts.problems)
    notes = list(dict.fromkeys([n for r in runs for n in r.notes] + class_counts.notes))
    notes += _coverage_notes(label_set, names, runs, per_class)
    return Correlation(
        per_class=pa.Table.from_pylist(per_class),
        statistics=pa.Table.from_pylist(statistics),
        bins=pa.Table.from_pylist(bins),
        counts=counts,
        label_set=label_set.name,
        counts_source=class_counts.source,
        models=names,
        settings=settings,
        problems=problems,
        notes=notes,
    )


def _run_label(run: ModelAccuracy) -> str:
    return run.run_id or f"{Path(run.source).name}#{run.model}"


def _accuracy_map(run: ModelAccuracy) -> dict[int, float]:
    table = run.per_class
    return dict(zip(table["class_index"].to_pylist(), table["accuracy"].to_pylist(), strict=True))


def _joined_rows(group, name, run, frequency: dict[int, dict], held_map) -> list[dict]:
    rows = []
    for row in run.per_class.to_pylist():
        counted = frequency.get(row["class_index"])
        if counted is None:
            continue
        rows.append(
            {
                "group": group,
                "model": name,
                "class_index": row["class_index"],
                "wnid": counted["wnid"],
                "name": counted["name"],
                "frequency": counted["frequency"],
                "texts": counted["texts"],
                "mentions": counted["mentions"],
                "accuracy": row["accuracy"],
                "n": row["n"],
                "covariate": None if held_map is None else held_map.get(row["class_index"]),
            }
        )
    return rows


def _measure(rows: list[dict], with_covariate: bool, settings: dict) -> tuple[dict, list[dict]]:
    """Statistics and bins of one (group, model) join."""
    if with_covariate:
        rows = [r for r in rows if r["covariate"] is not None]
    f = np.array([r["frequency"] for r in rows], dtype=float)
    a = np.array([r["accuracy"] for r in rows], dtype=float)
    z = np.array([r["covariate"] for r in rows], dtype=float) if with_covariate else None
    draws = {"bootstraps": settings["bootstraps"], "seed": settings["seed"]}
    stat = correlation_statistics(f, a, z, **draws)
    binned = [
        {"scheme": scheme, **row}
        for scheme, edges in (("paper", PAPER_EDGES), ("log", log_edges(f.max() if f.size else 0)))
        for row in binned_accuracy(f, a, edges, **draws)
    ]
    return stat, binned


def _coverage_notes(label_set, names, runs, per_class) -> list[str]:
    joined: dict[str, int] = {}
    for row in per_class:
        if row["group"] == inputs.ALL:
            joined[row["model"]] = joined.get(row["model"], 0) + 1
    notes = []
    for name, run in zip(names, runs, strict=True):
        missing = run.per_class.num_rows - joined.get(name, 0)
        if missing:
            notes.append(f"{name}: {missing} classes with an accuracy have no count; left out")
        if joined.get(name, 0) < len(label_set) and not missing:
            notes.append(
                f"{name}: {len(label_set) - joined.get(name, 0)} classes of {label_set.name} "
                "have no accuracy"
            )
    return notes
