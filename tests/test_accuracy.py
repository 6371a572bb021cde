"""Per-class accuracy from files: the three formats, name matching, and bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from vlmdata.accuracy import import_accuracy, read_accuracy
from vlmdata.cli import app
from vlmdata.errors import InputError
from vlmdata.labels import load_label_set
from vlmdata.store import connect
from vlmdata.store.results import load_run

CC3M_MODEL = "backboneRN50_pretrainedcc3m"


@pytest.fixture(scope="module")
def nested_file(shared_data: Path) -> Path:
    return shared_data / "predictions" / "clip_per_class_accuracy" / "imagenet_class_results.json"


@pytest.fixture(scope="module")
def nested(nested_file: Path) -> dict:
    return json.loads(nested_file.read_text())


@pytest.fixture
def tiny_labels(tmp_path: Path):
    """Four classes; two share the display name 'crane'."""
    path = tmp_path / "tiny.csv"
    path.write_text(
        "wnid,name,synonyms\n"
        "n01440764,tench,Tinca tinca\n"
        "n01443537,goldfish,Carassius auratus\n"
        "n02012849,crane,\n"
        "n03126707,crane,\n"
    )
    return load_label_set(path)


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_nested_file_gives_every_model_as_fractions(nested_file, nested):
    results = read_accuracy(nested_file, "imagenet")
    assert [r.model for r in results] == list(nested)
    imagenet = load_label_set("imagenet")
    first = results[0]
    assert first.scale == "percent" and first.format == "nested" and not first.problems
    assert first.per_class.num_rows == len(imagenet)
    columns = first.per_class.to_pydict()
    by_class = dict(zip(columns["class_index"], columns["accuracy"], strict=True))
    for name, value in list(nested[first.model]["classwise"].items())[:50]:
        (index,) = [i for i in range(len(imagenet)) if imagenet[i].name == name]
        assert by_class[index] == pytest.approx(value / 100)


def test_a_name_shared_by_two_classes_is_settled_by_the_other_names(nested_file):
    (result,) = read_accuracy(nested_file, "imagenet", model=CC3M_MODEL)
    imagenet = load_label_set("imagenet")
    missiles = [c.index for c in imagenet.classes if c.name == "missile"]
    assert len(missiles) == 2
    indices = set(result.per_class["class_index"].to_pylist())
    assert set(missiles) <= indices
    assert any("'missile'" in note for note in result.notes)


def test_unknown_model_lists_the_models(nested_file):
    with pytest.raises(InputError, match=f"no model 'nope'; models: {CC3M_MODEL}"):
        read_accuracy(nested_file, "imagenet", model="nope")


def test_unknown_names_are_reported_not_dropped_silently(tmp_path, nested, caplog):
    classwise = dict(nested[CC3M_MODEL]["classwise"])
    classwise["not a class at all"] = 12.0
    path = write(tmp_path, "acc.json", json.dumps({"m": {"classwise": classwise}}))
    (result,) = read_accuracy(path, "imagenet")
    assert result.per_class.num_rows == 1000
    assert [p.name for p in result.problems] == ["not a class at all"]
    assert "no class of imagenet" in result.problems[0].reason
    assert "not a class at all" in caplog.text
    with pytest.raises(InputError, match=r"acc\.json: model 'm': 'not a class at all'"):
        read_accuracy(path, "imagenet", strict=True)


def test_ambiguous_names_are_reported(tmp_path, tiny_labels):
    path = write(tmp_path, "acc.csv", "class,accuracy\ntench,0.5\ncrane,0.25\n")
    (result,) = read_accuracy(path, tiny_labels)
    assert result.per_class["class_index"].to_pylist() == [0]
    (problem,) = result.problems
    assert problem.name == "crane" and "names 2 classes" in problem.reason
    assert problem.where == "row 2"


def test_table_by_wordnet_id_with_n_and_correct(tmp_path, tiny_labels):
    path = write(
        tmp_path,
        "acc.csv",
        "wnid,accuracy,n,correct\nn01443537,0.5,10,5\nn02012849,0.25,8,2\n",
    )
    (result,) = read_accuracy(path, tiny_labels, model="mine")
    assert result.model == "mine" and result.scale == "fraction"
    assert result.per_class.to_pylist() == [
        {"class_index": 1, "n": 10, "correct": 5, "accuracy": 0.5},
        {"class_index": 2, "n": 8, "correct": 2, "accuracy": 0.25},
    ]


def test_accuracy_from_correct_and_n_alone(tmp_path, tiny_labels):
    path = write(tmp_path, "acc.tsv", "class_index\tn\tcorrect\n0\t4\t1\n3\t5\t5\n")
    (result,) = read_accuracy(path, tiny_labels)
    assert result.per_class["accuracy"].to_pylist() == [0.25, 1.0]


def test_json_records_flat_maps_and_model_columns(tmp_path, tiny_labels):
    records = write(tmp_path, "r.json", json.dumps([{"name": "tench", "acc": 40}]))
    flat = write(tmp_path, "f.json", json.dumps({"tench": 0.4, "goldfish": 0.1}))
    models = write(tmp_path, "m.csv", "model,class,accuracy\na,tench,0.4\nb,tench,0.6\n")
    assert read_accuracy(records, tiny_labels)[0].per_class["accuracy"].to_pylist() == [0.4]
    assert read_accuracy(flat, tiny_labels)[0].per_class.num_rows == 2
    assert [r.model for r in read_accuracy(models, tiny_labels)] == ["a", "b"]


def test_predictions_give_top1_accuracy_per_class(shared_data):
    for name in ("cars_clip_vitl14_336.jsonl", "cars_siglip_top5.jsonl"):
        path = shared_data / "predictions" / "stanford_cars" / name
        lines = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
        top1 = [r["pred"][0] if isinstance(r["pred"], list) else r["pred"] for r in lines]
        expected = sum(p == r["label"] for p, r in zip(top1, lines, strict=True)) / len(lines)
        (result,) = read_accuracy(path, "stanford_cars")
        table = result.per_class
        assert result.format == "predictions" and table.num_rows == 196
        assert sum(table["correct"].to_pylist()) / sum(table["n"].to_pylist()) == pytest.approx(
            expected
        )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("class,accuracy\ntench,130\n", r"row 1 \('tench'\): accuracy 130 is outside both"),
        ("class,accuracy\ntench,-0.1\n", "accuracy -0.1 is outside both"),
        ("class,accuracy\ntench,high\n", "accuracy 'high' is not a number"),
        ("class,accuracy\ntench,0.5\nTench,0.6\n", r"'tench' \(row 1\) and 'Tench' \(row 2\)"),
        ("class,accuracy\n", "no per-class accuracies"),
        ("class,accuracy\ntench,0.5,extra,\n\n", None),
        ("accuracy\n0.5\n", "no class column"),
        ("class,n,correct\ntench,4,5\n", r"correct 5 needs n and must lie in \[0, n\]"),
    ],
)
def test_bad_tables_name_the_file_and_the_record(tmp_path, tiny_labels, text, message):
    path = write(tmp_path, "bad.csv", text)
    if message is None:  # a ragged row still reads as long as its class and value are there
        assert read_accuracy(path, tiny_labels)[0].per_class.num_rows == 1
        return
    with pytest.raises(InputError, match=message) as caught:
        read_accuracy(path, tiny_labels)
    assert "bad.csv" in str(caught.value)


def test_percent_values_with_fraction_scale_are_refused(tmp_path, tiny_labels):
    path = write(tmp_path, "p.csv", "class,accuracy\ntench,40\n")
    with pytest.raises(InputError, match=r"accuracy 40 is outside \[0, 1\]"):
        read_accuracy(path, tiny_labels, scale="fraction")
    assert (
        read_accuracy(path, tiny_labels, scale="percent")[0].per_class["accuracy"][0].as_py() == 0.4
    )


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("dup.json", '{"m": {"classwise": {"tench": 1, "tench": 2}}}', "'tench' appears twice"),
        ("empty.json", "{}", "no per-class accuracies"),
        ("odd.json", '{"m": [1, 2]}', "expected per-class rows"),
        ("empty2.json", "[]", "no per-class accuracies"),
        ("nested.json", '{"m": {"classwise": {}}}', "no per-class accuracies"),
        ("broken.json", '{"m": ', "not valid JSON"),
        ("empty.jsonl", "", "no per-class accuracies"),
        ("zero.jsonl", '{"label": "zebra", "pred": "tench"}\n', "zero.jsonl: .*zebra"),
    ],
)
def test_bad_json_inputs(tmp_path, tiny_labels, name, text, message):
    path = write(tmp_path, name, text)
    with pytest.raises(InputError, match=message):
        read_accuracy(path, tiny_labels)


def test_the_wrong_label_set_is_caught(shared_data):
    path = shared_data / "predictions" / "clip_per_class_accuracy" / "flowers102_class_results.json"
    with pytest.raises(InputError, match="is --labels the right label set"):
        read_accuracy(path, "imagenet", model=CC3M_MODEL)


def test_import_stores_one_run_per_model(index_file, shared_data):
    path = shared_data / "predictions" / "clip_per_class_accuracy" / "caltech101_class_results.json"
    models = list(json.loads(path.read_text()))
    stored = import_accuracy(path, "caltech101", index=index_file)
    assert [r.run_id for r in stored] == [f"caltech101_class_results/{m}" for m in models]
    con = connect(index_file, read_only=True)
    try:
        table = load_run(con, f"caltech101_class_results/{CC3M_MODEL}")
        runs = con.execute("SELECT count(*), min(method), min(label_set) FROM runs").fetchall()
    finally:
        con.close()
    assert table.select(["class_index", "accuracy"]).equals(
        stored[0].per_class.select(["class_index", "accuracy"])
    )
    assert runs == [(len(models), "import:nested", "caltech101")]


def test_import_with_a_run_id_needs_one_model(index_file, nested_file):
    with pytest.raises(InputError, match="choose one with --model"):
        import_accuracy(nested_file, "imagenet", run="x", index=index_file)
    (one,) = import_accuracy(nested_file, "imagenet", model=CC3M_MODEL, run="x", index=index_file)
    assert one.run_id == "x"


def test_cli_imports_and_reports_errors(index_file, nested_file, tmp_path):
    runner = CliRunner()
    ok = runner.invoke(
        app, ["import-accuracy", str(nested_file), "--model", CC3M_MODEL, "--format", "json"]
    )
    assert ok.exit_code == 0, ok.output
    row = json.loads(ok.stdout.splitlines()[0])
    assert row["run"] == f"imagenet_class_results/{CC3M_MODEL}" and row["classes"] == 1000
    bad = write(tmp_path, "bad.csv", "class,accuracy\ntench,300\n")
    failed = runner.invoke(app, ["import-accuracy", str(bad)])
    assert failed.exit_code == 1
    assert "bad.csv: row 1 ('tench'): accuracy 300 is outside both" in failed.stderr
