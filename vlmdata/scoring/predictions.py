"""Per-class accuracy from a file of per-image predictions made elsewhere.

Formats, recognised from the first record unless fields are given:

- `paper`: the paper's JSONL, `{image, label, split, choices, pred}`, `pred` a class name, a
  generated answer, or a top-k list of class names;
- `lmms-eval`: `--log_samples` JSONL (`doc_id`, `target`, `filtered_resps`);
- `vlmdata`: the prediction files `vlmdata score` writes (outcomes are taken as recorded);
- `fields`: any JSONL, with `label_field` and `pred_field` naming the fields (`doc.label` reaches
  into nested objects).

A prediction that names a class (by index, WordNet id or any of its names) is right when that
class is the true one. Free text is judged by both rules of `vlmdata.scoring.judge`. A top-k list
gives `correct` (its first entry) and `correct_top5`. Records whose true label names no class or
several are skipped and counted in the report by reason, never dropped silently.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import orjson
import pyarrow as pa

from vlmdata.errors import InputError
from vlmdata.labels import LabelSet
from vlmdata.scoring.judge import AnswerJudge
from vlmdata.scoring.perclass import per_class_table
from vlmdata.scoring.resolve import LabelResolver, SkipReport, label_problem

log = logging.getLogger(__name__)

TOP = 5


@dataclass
class PredictionReport(SkipReport):
    """What an import read: its format and fields, skipped records by reason, and notes."""

    format: str = ""
    label_field: str = ""
    pred_field: str = ""
    notes: dict[str, int] = field(default_factory=dict)

    def note(self, what: str) -> None:
        self.notes[what] = self.notes.get(what, 0) + 1

    def as_dict(self) -> dict:
        fields = {"format": self.format, "label_field": self.label_field}
        return {**super().as_dict(), **fields, "pred_field": self.pred_field, "notes": self.notes}


def read_records(path: Path) -> Iterator[tuple[int, dict]]:
    """(line number, record) of a JSONL file, or of a JSON file holding a list of records."""
    data = path.read_bytes()
    if data.lstrip()[:1] == b"[":
        try:
            records = orjson.loads(data)
        except orjson.JSONDecodeError as exc:
            raise InputError(f"{path}: not valid JSON ({exc})") from exc
        yield from ((i, r) for i, r in enumerate(records, 1) if isinstance(r, dict))
        return
    for number, line in enumerate(data.splitlines(), 1):
        if not line.strip():
            continue
        yield number, json_object(line, path, number)


def json_object(line: bytes, path: Path, number: int) -> dict:
    """One line of a JSON Lines file as an object, or an InputError naming file and line."""
    try:
        record = orjson.loads(line)
    except orjson.JSONDecodeError as exc:
        raise InputError(f"{path}, line {number}: not valid JSON ({exc})") from exc
    if not isinstance(record, dict):
        raise InputError(f"{path}, line {number}: expected a JSON object")
    return record


def detect_format(record: dict, label_field: str | None, pred_field: str | None):
    """(format, label field, prediction field) for a file whose first record is `record`."""
    if label_field or pred_field:
        return "fields", label_field or "label", pred_field or "pred"
    if {"key", "class_index", "correct"} <= record.keys():
        return "vlmdata", "class_index", "pred"
    if "doc_id" in record and ("filtered_resps" in record or "resps" in record):
        return "lmms-eval", "target", "filtered_resps" if "filtered_resps" in record else "resps"
    if "label" in record and "pred" in record:
        return "paper", "label", "pred"
    raise InputError(
        f"cannot tell the format of a record with fields {', '.join(sorted(record))}; "
        "give --label-field and --pred-field"
    )


def field_value(record: dict, path: str):
    """The value at a dotted path (`doc.label`), or None where any step is missing."""
    value = record
    for part in path.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def _lmms_answer(value):
    # filtered_resps is ["answer"], resps is [["answer"]]
    while isinstance(value, list) and value:
        value = value[0]
    return value if isinstance(value, str) else None


class _Scorer:
    """Judges one record's prediction against its true class."""

    def __init__(self, label_set: LabelSet, report: PredictionReport, match: str):
        self.label_set, self.report = label_set, report
        self.resolve = LabelResolver(label_set)
        self.judge = AnswerJudge(label_set, match=match)

    def outcome(self, pred, true: int, choices) -> dict[str, bool] | None:
        if isinstance(pred, list):
            if not pred:
                return None
            first = self._names_class(pred[0], true)
            top = any(self._names_class(p, true) for p in pred[:TOP])
            return {"correct": first, "correct_top5": top}
        if isinstance(pred, int) and not isinstance(pred, bool):
            return {"correct": pred == true}
        if not isinstance(pred, str):
            return None
        name = self.label_set[true].name.lower()
        substring = bool(name) and name in pred.lower()
        found = self.resolve(pred)
        if not found:
            self.report.note("free-text answers judged")
        if found:
            if len(found) > 1:
                self.report.note("prediction names several classes, one of them counted")
            return {"correct": true in found, "correct_substring": substring}
        competitors = self._choices(choices)
        verdict = self.judge(pred, true, competitors)
        return {"correct": verdict.correct, "correct_substring": verdict.correct_substring}

    def _names_class(self, value, true: int) -> bool:
        return true in self.resolve(value)

    def _choices(self, choices) -> list[int] | None:
        if not isinstance(choices, list) or not choices:
            return None
        return [i for c in choices for i in self.resolve(c)]


def per_class_from_predictions(
    path: str | Path,
    label_set: LabelSet,
    label_field: str | None = None,
    pred_field: str | None = None,
    match: str = "wordnet",
) -> tuple[pa.Table, PredictionReport]:
    """Per-class accuracy rows (see `per_class_table`) of a prediction file, and a report of
    what was read and what was skipped, by reason."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: no such prediction file")
    report = PredictionReport(str(path))
    classes: list[int] = []
    outcomes: dict[str, list[bool]] = {}
    scorer = _Scorer(label_set, report, match)
    for number, record in read_records(path):
        if not report.records:
            report.format, report.label_field, report.pred_field = detect_format(
                record, label_field, pred_field
            )
        report.records += 1
        result = _score_record(record, number, report, scorer)
        if result is None:
            continue
        true, outcome = result
        if outcomes and outcome.keys() != outcomes.keys():
            report.skip("prediction of another kind than the first record's", f"line {number}")
            continue
        for rule, value in outcome.items():
            outcomes.setdefault(rule, []).append(value)
        classes.append(true)
    if not classes:
        raise InputError(f"{path}: no usable prediction ({'; '.join(report.lines()) or 'empty'})")
    for line in report.lines():
        log.warning("%s: %s", path, line)
    judged = report.notes.get("free-text answers judged")
    if report.format != "vlmdata" and "correct_substring" in outcomes and not judged:
        del outcomes["correct_substring"]  # every prediction named a class: nothing to judge
    return per_class_table(label_set, classes, outcomes), report


def _score_record(record: dict, number: int, report: PredictionReport, scorer: _Scorer):
    if report.format == "vlmdata":
        if "error" in record:
            report.skip("image could not be scored", f"line {number}: {record['error'][:80]}")
            return None
        true = record["class_index"]
        if label_problem(scorer.resolve(true), scorer.label_set):
            report.skip("class index outside the label set", f"line {number}: {true!r}")
            return None
        return true, {k: bool(v) for k, v in record.items() if k.startswith("correct")}
    label = field_value(record, report.label_field)
    indices = scorer.resolve(label) if label is not None else []
    problem = "no label" if label is None else label_problem(indices, scorer.label_set)
    if problem:
        report.skip(problem, f"line {number}: {label!r}")
        return None
    pred = field_value(record, report.pred_field)
    if report.format == "lmms-eval":
        pred = _lmms_answer(pred)
    outcome = scorer.outcome(pred, indices[0], record.get("choices"))
    if outcome is None:
        report.skip("no prediction", f"line {number}: {report.pred_field}={pred!r}")
        return None
    return indices[0], outcome
