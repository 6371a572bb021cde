"""Imported predictions: the paper's JSONL, lmms-eval samples, generic fields, our own files."""

from __future__ import annotations

import json

import pytest

from vlmdata.errors import InputError
from vlmdata.labels import load_label_set
from vlmdata.scoring import per_class_from_predictions, score, summary_of
from vlmdata.store import connect
from vlmdata.store.results import load_run


def write_jsonl(path, records):
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return path


@pytest.fixture(scope="module")
def cars():
    return load_label_set("stanford_cars")


@pytest.fixture(scope="module")
def imagenet():
    return load_label_set("imagenet")


def test_the_papers_clip_predictions_give_its_accuracy_per_class(shared_data, cars):
    path = shared_data / "predictions" / "stanford_cars" / "cars_clip_vitl14_336.jsonl"
    records = [json.loads(line) for line in path.read_text().splitlines()]

    table, report = per_class_from_predictions(path, cars)

    assert report.format == "paper" and report.records == len(records)
    assert not report.skipped
    assert table.num_rows == 196
    assert "correct_substring" not in table.column_names  # every prediction is a class name
    n = sum(table["n"].to_pylist())
    right = sum(r["label"] == r["pred"] for r in records)  # the paper's own comparison
    assert n == len(records)
    assert sum(table["correct"].to_pylist()) == right
    by_class = {row["name"]: row for row in table.to_pylist()}
    for name in ("2012 Tesla Model S Sedan", "2007 Suzuki Aerio Sedan"):
        mine = [r for r in records if r["label"] == name]
        assert by_class[name]["n"] == len(mine)
        assert by_class[name]["correct"] == sum(r["pred"] == name for r in mine)


def test_top_k_predictions_give_top1_and_top5(shared_data, cars):
    path = shared_data / "predictions" / "stanford_cars" / "cars_siglip_top5.jsonl"
    records = [json.loads(line) for line in path.read_text().splitlines()]

    table, _ = per_class_from_predictions(path, cars)

    assert sum(table["correct"].to_pylist()) == sum(r["pred"][0] == r["label"] for r in records)
    assert sum(table["correct_top5"].to_pylist()) == sum(r["label"] in r["pred"] for r in records)
    for row in table.to_pylist():
        assert row["accuracy"] <= row["accuracy_top5"]


def test_free_text_answers_are_judged_by_both_rules(tmp_path, imagenet):
    path = write_jsonl(
        tmp_path / "answers.jsonl",
        [
            {"image": "a.jpg", "label": "tench", "pred": "It is a Tinca tinca."},
            {"image": "b.jpg", "label": "goldfish", "pred": "A tench next to a goldfish."},
            {"image": "c.jpg", "label": "goldfish", "pred": "goldfish"},
            {"image": "d.jpg", "label": "crane", "pred": "a crane"},
            {"image": "e.jpg", "label": "unicorn", "pred": "a unicorn"},
            {"image": "f.jpg", "label": "tench", "pred": None},
        ],
    )

    table, report = per_class_from_predictions(path, imagenet)

    rows = {r["name"]: r for r in table.to_pylist()}
    assert (rows["tench"]["n"], rows["tench"]["correct"], rows["tench"]["correct_substring"]) == (
        1,
        1,
        0,
    )  # a synonym: right by the matcher, not a substring of the answer
    assert (rows["goldfish"]["n"], rows["goldfish"]["correct"]) == (2, 1)
    assert rows["goldfish"]["correct_substring"] == 2
    assert report.skipped == {
        "label names several classes of imagenet": 1,
        "label not in label set imagenet": 1,
        "no prediction": 1,
    }
    assert report.samples["label not in label set imagenet"] == ["line 5: 'unicorn'"]
    assert report.kept == 3


def test_lmms_eval_samples_and_named_fields(tmp_path, imagenet):
    lmms = write_jsonl(
        tmp_path / "samples.jsonl",
        [
            {
                "doc_id": 0,
                "doc": {},
                "target": "goldfish",
                "resps": [["goldfish!"]],
                "filtered_resps": ["The fish is a goldfish."],
            },
            {
                "doc_id": 1,
                "doc": {},
                "target": "tench",
                "resps": [["x"]],
                "filtered_resps": ["a great white shark"],
            },
        ],
    )
    table, report = per_class_from_predictions(lmms, imagenet)
    assert report.format == "lmms-eval"
    assert {r["name"]: r["correct"] for r in table.to_pylist()} == {"tench": 0, "goldfish": 1}

    nested = write_jsonl(
        tmp_path / "nested.jsonl",
        [{"gt": {"wnid": "n01440764"}, "out": 0}, {"gt": {"wnid": "n01443537"}, "out": 0}],
    )
    table, report = per_class_from_predictions(nested, imagenet, "gt.wnid", "out")
    assert report.format == "fields"
    assert {r["class_index"]: r["correct"] for r in table.to_pylist()} == {0: 1, 1: 0}


def test_bad_files_are_named_with_the_line(tmp_path, imagenet):
    broken = tmp_path / "broken.jsonl"
    broken.write_text('{"label": "tench", "pred": "tench"}\n{"label": \n')
    with pytest.raises(InputError, match=r"broken\.jsonl, line 2: not valid JSON"):
        per_class_from_predictions(broken, imagenet)
    odd = write_jsonl(tmp_path / "odd.jsonl", [{"truth": "tench", "guess": "tench"}])
    with pytest.raises(InputError, match="fields guess, truth; give --label-field"):
        per_class_from_predictions(odd, imagenet)
    unknown = write_jsonl(tmp_path / "unknown.jsonl", [{"label": "unicorn", "pred": "x"}])
    with pytest.raises(InputError, match=r"no usable prediction.*label not in label set"):
        per_class_from_predictions(unknown, imagenet)


def test_our_own_prediction_files_read_back(tmp_path, imagenet):
    path = write_jsonl(
        tmp_path / "run.jsonl",
        [
            {"key": "a", "class_index": 0, "pred": "x", "correct": True, "correct_top5": True},
            {"key": "b", "class_index": 0, "pred": "y", "correct": False, "correct_top5": True},
            {"key": "c", "class_index": 1, "error": "unreadable image: OSError: truncated"},
        ],
    )
    table, report = per_class_from_predictions(path, imagenet)
    assert report.format == "vlmdata"
    assert table.select(["class_index", "n", "correct", "correct_top5"]).to_pylist() == [
        {"class_index": 0, "n": 2, "correct": 1, "correct_top5": 2}
    ]
    assert report.skipped == {"image could not be scored": 1}


def test_imported_runs_are_stored_in_the_index(shared_data, index_file):
    path = shared_data / "predictions" / "stanford_cars" / "cars_siglip_top5.jsonl"
    table = score("siglip", None, "stanford_cars", predictions=str(path))

    summary = summary_of(table)
    assert summary["run_id"] == "cars_siglip_top5.imported"
    con = connect(index_file)
    try:
        runs = con.execute("SELECT run_id, model, method FROM runs ORDER BY 1").fetchall()
        stored = load_run(con, "cars_siglip_top5.imported")
        top5 = load_run(con, "cars_siglip_top5.imported.top5")
    finally:
        con.close()
    assert runs == [
        ("cars_siglip_top5.imported", "siglip", "imported:paper"),
        ("cars_siglip_top5.imported.top5", "siglip", "imported:paper:top5"),
    ]
    assert stored["accuracy"].to_pylist() == table["accuracy"].to_pylist()
    assert top5["accuracy"].to_pylist() == table["accuracy_top5"].to_pylist()
    assert summary["accuracy"] == pytest.approx(
        sum(table["correct"].to_pylist()) / sum(table["n"].to_pylist())
    )
