"""`recipe`: classes chosen from real counts and accuracy, images from a real manifest, and
LLaVA conversations that our own scanner reads back without a reject."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.reports.conftest import exact_mentions, fill_index
from vlmdata.cli import app
from vlmdata.errors import InputError
from vlmdata.indexing import index
from vlmdata.labels import load_label_set, resolve_name
from vlmdata.reports.recipe import (
    ANSWERS,
    CAPTIONS,
    PROMPTS,
    QUESTIONS,
    SHORT_QUESTION,
    allocate,
    recipe,
    with_article,
)
from vlmdata.sql import sql

MODEL = "backboneRN50_pretrainedcc3m"


@pytest.fixture(scope="module")
def flowers():
    return load_label_set("flowers102")


@pytest.fixture(scope="module")
def manifest(shared_data) -> Path:
    return shared_data / "manifests" / "flowers.jsonl"


@pytest.fixture(scope="module")
def accuracy_file(shared_data) -> Path:
    return shared_data / "predictions" / "clip_per_class_accuracy" / "flowers102_class_results.json"


@pytest.fixture(scope="module")
def flowers_index(tmp_path_factory, cc3m_texts, flowers) -> Path:
    """CC3M validation captions with exact-name mentions of the Flowers102 classes."""
    path = tmp_path_factory.mktemp("recipe") / "index.duckdb"
    fill_index(path, "cc3m_val", cc3m_texts, flowers, exact_mentions(cc3m_texts, flowers))
    return path


def train_images(manifest: Path, label_set) -> Counter:
    counts = Counter()
    for line in manifest.read_text().splitlines():
        item = json.loads(line)
        if item["split"] == "train":
            counts[resolve_name(label_set, item["label"])[0]] += 1
    return counts


def cc3m_accuracy(accuracy_file: Path, label_set) -> tuple[dict[int, float], list[str]]:
    """Accuracy by class, and the names of the file that name no class of the label set."""
    classwise = json.loads(accuracy_file.read_text())[MODEL]["classwise"]
    found = {name: resolve_name(label_set, name) for name in classwise}
    unknown = [name for name, classes in found.items() if len(classes) != 1]
    return {found[n][0]: acc / 100 for n, acc in classwise.items() if n not in unknown}, unknown


def frequency(path: Path) -> dict[int, int]:
    rows = sql("SELECT class_index, texts FROM class_counts", index=path).to_pylist()
    return {r["class_index"]: r["texts"] for r in rows}


def make(tmp_path, manifest, flowers, flowers_index, accuracy_file, **options):
    settings = dict(
        labels=flowers,
        corpus="cc3m_val",
        index=flowers_index,
        accuracy=f"{accuracy_file}#{MODEL}",
        max_frequency=1,
        max_accuracy=0.05,
        per_class=8,
        budget=10_000,
    )
    settings.update(options)
    return recipe(manifest, tmp_path / "recipe.json", **settings)


def test_chooses_the_rare_and_inaccurate_classes(
    tmp_path, manifest, flowers, flowers_index, accuracy_file
):
    made = make(tmp_path, manifest, flowers, flowers_index, accuracy_file)
    counts = frequency(flowers_index)
    accuracy, unknown = cc3m_accuracy(accuracy_file, flowers)
    expected = {c for c, acc in accuracy.items() if counts.get(c, 0) < 1 and acc < 0.05}
    assert expected and {row["class_index"] for row in made.classes} == expected
    available = train_images(manifest, flowers)
    for row in made.classes:
        assert row["frequency"] == counts.get(row["class_index"], 0)
        assert row["accuracy"] == pytest.approx(accuracy[row["class_index"]])
        assert row["images_available"] == available[row["class_index"]]
        assert row["examples_added"] == min(8, available[row["class_index"]])
    plan = json.loads(made.plan_path.read_text())
    assert plan["classes"] == made.classes and plan["examples"] == made.examples
    assert plan["manifest_left_out"] == {"split test": 6149}
    assert len(plan["problems"]) == len(unknown)
    assert all(any(repr(name) in p for p in plan["problems"]) for name in unknown)


def test_output_reads_back_with_no_reject(
    tmp_path, manifest, flowers, flowers_index, accuracy_file
):
    made = make(tmp_path, manifest, flowers, flowers_index, accuracy_file)
    summary = index(str(made.output), index=tmp_path / "again.duckdb")
    assert summary.format == "llava" and summary.rejects == 0
    assert summary.records == made.examples and summary.texts == 2 * made.examples
    records = json.loads(made.output.read_text())
    names = {row["class_index"]: row["name"] for row in made.classes}
    assert len({r["id"] for r in records}) == len(records)
    for record in records:
        human, gpt = record["conversations"]
        assert set(record) == {"id", "image", "conversations"}
        assert (human["from"], gpt["from"]) == ("human", "gpt")
        assert human["value"].startswith("<image>\n")
        class_index = int(record["id"].rsplit("-", 2)[1])
        assert names[class_index].lower() in gpt["value"].lower()


def test_same_seed_same_bytes_and_a_bigger_count_extends_a_smaller(
    tmp_path, manifest, flowers, flowers_index, accuracy_file
):
    first = make(tmp_path / "a", manifest, flowers, flowers_index, accuracy_file)
    again = make(tmp_path / "b", manifest, flowers, flowers_index, accuracy_file)
    other = make(tmp_path / "c", manifest, flowers, flowers_index, accuracy_file, seed=1)
    more = make(tmp_path / "d", manifest, flowers, flowers_index, accuracy_file, per_class=12)
    assert first.output.read_bytes() == again.output.read_bytes()
    assert first.output.read_bytes() != other.output.read_bytes()
    bigger = {r["id"]: r for r in json.loads(more.output.read_text())}
    for record in json.loads(first.output.read_text()):
        assert bigger[record["id"]] == record


def test_a_tight_budget_is_shared_evenly(tmp_path, manifest, flowers, flowers_index, accuracy_file):
    made = make(tmp_path, manifest, flowers, flowers_index, accuracy_file, budget=25)
    added = [row["examples_added"] for row in made.classes]
    assert made.examples == sum(added) == 25
    assert max(added) - min(added) <= 1 and len(added) > 3


def test_caption_style(tmp_path, manifest, flowers, flowers_index, accuracy_file):
    made = make(tmp_path, manifest, flowers, flowers_index, accuracy_file, style="caption")
    for record in json.loads(made.output.read_text()):
        human, gpt = record["conversations"]
        assert human["value"].removeprefix("<image>\n") in PROMPTS
        name = flowers[int(record["id"].rsplit("-", 2)[1])].name
        assert name in gpt["value"] or name.capitalize() in gpt["value"]


def test_templates_vary(tmp_path, manifest, flowers, flowers_index, accuracy_file):
    made = make(tmp_path, manifest, flowers, flowers_index, accuracy_file)
    questions = Counter(
        r["conversations"][0]["value"].removeprefix("<image>\n")
        for r in json.loads(made.output.read_text())
    )
    assert set(questions) <= {*QUESTIONS, SHORT_QUESTION}
    assert len(questions) >= len(QUESTIONS) // 2


def test_image_folder_and_a_counts_file(tmp_path, shared_data):
    imagenet = load_label_set("imagenet")
    root = tmp_path / "train"
    for folder, files in {"n01440764": 4, "goldfish": 2, "n01514859": 3}.items():
        (root / folder).mkdir(parents=True)
        for number in range(files):
            (root / folder / f"img{number}.JPEG").write_bytes(b"")
    (root / "n01440764" / "notes.txt").write_text("not an image")
    counts = tmp_path / "counts.csv"
    counts.write_text("wnid,count\nn01440764,0\nn01443537,3\nn01514859,50\n")
    made = recipe(
        root,
        tmp_path / "out.jsonl",
        labels=imagenet,
        counts=counts,
        max_frequency=10,
        per_class=3,
        split="all",
    )
    added = {row["name"]: row["examples_added"] for row in made.classes}
    assert added == {"tench": 3, "goldfish": 2}
    assert made.plan["manifest_left_out"] == {"not an image file": 1}
    assert made.plan["image_root"] == str(root.resolve())
    records = [json.loads(line) for line in made.output.read_text().splitlines()]
    assert {r["image"].split("/")[0] for r in records} == {"n01440764", "goldfish"}
    assert all((root / r["image"]).is_file() for r in records)


def test_allocate():
    assert allocate([3, 1, 5], 6) == [3, 1, 2]
    assert allocate([3, 1, 5], 100) == [3, 1, 5]
    assert allocate([0, 2], 1) == [0, 1]


def test_articles():
    assert with_article("axolotl") == "an axolotl"
    assert with_article("tench") == "a tench"
    assert with_article("mashed potatoes") == "mashed potatoes"
    assert with_article("bus") == "a bus"
    assert {a.count("{a}") for a in ANSWERS} == {1} and all("{" in c for c in CAPTIONS)


def write_lines(path: Path, lines: list[str]) -> Path:
    path.write_text("".join(line + "\n" for line in lines))
    return path


BAD_OPTIONS = [
    ({"budget": 0}, "must be at least 1"),
    ({"per_class": 0}, "must be at least 1"),
    ({"max_frequency": None, "max_accuracy": None}, "give --max-frequency"),
    ({"max_accuracy": 30}, r"fraction in \[0, 1\]"),
    ({"corpus": None}, "--max-frequency needs"),
    ({"style": "poem"}, "unknown style"),
    ({"max_frequency": 0, "max_accuracy": None}, "no class of flowers102 is below"),
    ({"split": "val"}, "no image of split 'val'; its splits: test, train"),
]


@pytest.mark.parametrize(("options", "message"), BAD_OPTIONS)
def test_bad_options(tmp_path, manifest, flowers, flowers_index, accuracy_file, options, message):
    with pytest.raises(InputError, match=message):
        make(tmp_path, manifest, flowers, flowers_index, accuracy_file, **options)
    assert not (tmp_path / "recipe.json").exists()


def bad_manifests(tmp_path: Path) -> list[tuple[Path, str]]:
    good = '{"image": "a.jpg", "label": "sweet pea", "split": "train"}'
    return [
        (write_lines(tmp_path / "empty.jsonl", []), "lists no images"),
        (
            write_lines(tmp_path / "unknown.jsonl", [good, good.replace("sweet pea", "no rose")]),
            r"1 labels do not name one class of flowers102: 'no rose' \(line 2\) names no class",
        ),
        (write_lines(tmp_path / "broken.jsonl", [good, "{oops"]), "line 2: not JSON"),
        (write_lines(tmp_path / "noimage.jsonl", ['{"label": "sweet pea"}']), "line 1: needs"),
        (tmp_path / "missing.jsonl", "no such manifest"),
    ]


def test_bad_manifests(tmp_path, flowers, flowers_index, accuracy_file):
    for path, message in bad_manifests(tmp_path):
        with pytest.raises(InputError, match=message):
            make(tmp_path, path, flowers, flowers_index, accuracy_file)


def test_a_shared_name_is_refused_and_a_wnid_settles_it(tmp_path):
    imagenet = load_label_set("imagenet")
    counts = write_lines(tmp_path / "counts.csv", ["class_index,count", "657,0", "744,0"])
    shared = write_lines(tmp_path / "m.jsonl", ['{"image": "x.jpg", "label": "missile"}'])
    options = dict(labels=imagenet, counts=counts, max_frequency=1, split="all")
    with pytest.raises(InputError, match=r"'missile' \(line 1\) names 2 classes \(657"):
        recipe(shared, tmp_path / "out.json", **options)
    wnid = imagenet[744].wnid
    settled = write_lines(tmp_path / "w.jsonl", [f'{{"image": "x.jpg", "wnid": "{wnid}"}}'])
    made = recipe(settled, tmp_path / "out.json", **options)
    assert {r["class_index"]: r["examples_added"] for r in made.classes} == {657: 0, 744: 1}
    assert made.classes[0]["note"] == "no image of this class in the manifest"


def test_cli(tmp_path, manifest, flowers_index, accuracy_file):
    args = [
        "recipe",
        str(manifest),
        "--output",
        str(tmp_path / "r.json"),
        "--labels",
        "flowers102",
        "--corpus",
        "cc3m_val",
        "--index",
        str(flowers_index),
        "--max-frequency",
        "1",
        "--per-class",
        "2",
        "--format",
        "csv",
    ]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.stderr
    rows = result.stdout.splitlines()
    assert rows[0].startswith('"class_index","wnid","name","frequency"')
    assert f"plan: {tmp_path / 'r.plan.json'}" in result.stderr
    bad = CliRunner().invoke(app, [*args[:-2], "--budget", "0"])
    assert bad.exit_code == 1
    assert bad.stderr.strip().splitlines() == [
        "Error: --per-class and --budget must be at least 1 (got 2, 0)"
    ]
