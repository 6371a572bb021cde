"""Per-image outcomes to per-class accuracy rows, the shape `save_run` stores."""

from __future__ import annotations

import json

import pyarrow as pa

from vlmdata.labels import LabelSet

SUMMARY_KEY = b"vlmdata.summary"


def per_class_table(
    label_set: LabelSet, class_indices: list[int], outcomes: dict[str, list[bool]]
) -> pa.Table:
    """One row per class that has images: class_index, wnid, name, n, and for each outcome
    (`correct`, `correct_top5`, `correct_substring`, ...) its count and accuracy column
    (`accuracy`, `accuracy_top5`, ...). Every outcome list is aligned with `class_indices`."""
    n = [0] * len(label_set)
    hits = {rule: [0] * len(label_set) for rule in outcomes}
    for position, index in enumerate(class_indices):
        n[index] += 1
        for rule, values in outcomes.items():
            hits[rule][index] += bool(values[position])
    present = [i for i in range(len(label_set)) if n[i]]
    columns: dict[str, list] = {
        "class_index": present,
        "wnid": [label_set[i].wnid for i in present],
        "name": [label_set[i].name for i in present],
        "n": [n[i] for i in present],
    }
    for rule in outcomes:
        columns[rule] = [hits[rule][i] for i in present]
        columns[rule.replace("correct", "accuracy", 1)] = [hits[rule][i] / n[i] for i in present]
    schema = pa.schema(
        [
            ("class_index", pa.int32()),
            ("wnid", pa.string()),
            ("name", pa.string()),
            ("n", pa.int64()),
            *[
                field
                for rule in outcomes
                for field in (
                    (rule, pa.int64()),
                    (rule.replace("correct", "accuracy", 1), pa.float64()),
                )
            ],
        ]
    )
    return pa.table(columns, schema=schema)


def rule_view(table: pa.Table, rule: str) -> pa.Table:
    """The table with outcome `rule` (e.g. `correct_top5`) as its `correct`/`accuracy` columns,
    so that another rule's numbers can be stored as a run of their own."""
    accuracy = rule.replace("correct", "accuracy", 1)
    return pa.table(
        {
            "class_index": table["class_index"],
            "n": table["n"],
            "correct": table[rule],
            "accuracy": table[accuracy],
        }
    )


def with_summary(table: pa.Table, summary: dict) -> pa.Table:
    """The table carrying a run summary (images, skips, overall accuracies) in its metadata."""
    metadata = dict(table.schema.metadata or {})
    metadata[SUMMARY_KEY] = json.dumps(summary, default=str).encode()
    return table.replace_schema_metadata(metadata)


def summary_of(table: pa.Table) -> dict:
    """The run summary a scoring function attached to its table ({} when none)."""
    raw = (table.schema.metadata or {}).get(SUMMARY_KEY)
    return json.loads(raw) if raw else {}
