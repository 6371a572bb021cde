"""Evaluation datasets: manifests, image folders and Hugging Face datasets on disk."""

from __future__ import annotations

import json

import pytest

from vlmdata.errors import InputError
from vlmdata.labels import load_label_set
from vlmdata.scoring.examples import load_examples

PIL = pytest.importorskip("PIL")


def save_image(path, colour=(120, 60, 30)):
    from PIL import Image

    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (20, 16), colour).save(path)


@pytest.mark.parametrize(
    ("manifest", "labels"),
    [("cars", "stanford_cars"), ("flowers", "flowers102"), ("caltech", "caltech101")],
)
def test_the_papers_manifests_resolve_every_label(shared_data, manifest, labels):
    path = shared_data / "manifests" / f"{manifest}.jsonl"
    label_set = load_label_set(labels)
    records = [json.loads(line) for line in path.read_text().splitlines()]
    test = [r for r in records if r["split"] == "test"]
    root = path.parent / "no-images-here"
    # The error needs every test record to reach the image check: one label that named no
    # class, or several, would be skipped before it and the count would not match.

    with pytest.raises(InputError, match=f"none of its {len(test):,} images.*--image-root"):
        load_examples(path, label_set, split="test", image_root=root)


def test_a_manifest_with_some_images_present(shared_data, tmp_path):
    path = shared_data / "manifests" / "cars.jsonl"
    records = [json.loads(line) for line in path.read_text().splitlines()]
    test = [r for r in records if r["split"] == "test"]
    for record in test[:4]:
        save_image(tmp_path / record["image"])
    cars = load_label_set("stanford_cars")

    found = load_examples(path, cars, split="test", image_root=tmp_path)

    assert [e.key for e in found.examples] == [r["image"] for r in test[:4]]
    assert [cars[e.class_index].name for e in found.examples] == [r["label"] for r in test[:4]]
    assert found.report.records == len(test)
    assert found.report.skipped == {"image file missing": len(test) - 4}
    assert found.open_image(found.examples[0]).size == (20, 16)
    assert len(load_examples(path, cars, split="test", image_root=tmp_path, limit=2).examples) == 2


def test_manifest_labels_by_wordnet_id_and_unknown_ones(tmp_path):
    imagenet = load_label_set("imagenet")
    save_image(tmp_path / "a.jpg")
    save_image(tmp_path / "b.jpg")
    save_image(tmp_path / "c.jpg")
    lines = [
        {"image": "a.jpg", "label": "crane", "imagenet_label": "n02012849"},  # the bird
        {"image": "b.jpg", "label": "crane"},
        {"image": "c.jpg", "label": "hippogriff"},
    ]
    manifest = tmp_path / "m.jsonl"
    manifest.write_text("".join(json.dumps(line) + "\n" for line in lines))

    found = load_examples(manifest, imagenet)

    assert [(e.key, imagenet[e.class_index].name) for e in found.examples] == [
        ("a.jpg", "crane bird")
    ]
    assert found.report.skipped == {
        "label names several classes of imagenet": 1,
        "label not in label set imagenet": 1,
    }
    assert found.report.samples["label not in label set imagenet"] == ["line 3: 'hippogriff'"]


def test_a_broken_manifest_line_is_named(tmp_path):
    manifest = tmp_path / "m.jsonl"
    manifest.write_text('{"image": "a.jpg", "label": "tench"}\n[1, 2]\n')
    with pytest.raises(InputError, match=r"m\.jsonl, line 2: expected a JSON object"):
        load_examples(manifest, load_label_set("imagenet"))


def test_an_image_folder_by_wordnet_id_or_name(tmp_path):
    imagenet = load_label_set("imagenet")
    save_image(tmp_path / "val" / "n01440764" / "1.jpg")
    save_image(tmp_path / "val" / "great_white_shark" / "2.png")
    save_image(tmp_path / "val" / "great_white_shark" / "deeper" / "3.jpeg")
    save_image(tmp_path / "val" / "unicorn" / "4.jpg")
    (tmp_path / "val" / "unicorn" / "notes.txt").write_text("not an image")

    found = load_examples(tmp_path, imagenet, split="val")

    assert [(e.key, e.class_index) for e in found.examples] == [
        ("great_white_shark/2.png", 2),
        ("great_white_shark/deeper/3.jpeg", 2),
        ("n01440764/1.jpg", 0),
    ]
    assert found.report.skipped == {"folder label not in label set imagenet": 1}


def test_a_hugging_face_dataset_on_disk(tmp_path):
    datasets = pytest.importorskip("datasets")
    from PIL import Image

    features = datasets.Features(
        {"img": datasets.Image(), "label": datasets.ClassLabel(names=["goldfish", "tench", "yeti"])}
    )
    images = [Image.new("RGB", (8, 8), c) for c in ((255, 0, 0), (0, 255, 0), (0, 0, 255))]
    rows = datasets.Dataset.from_dict({"img": images, "label": [0, 1, 2]}, features=features)
    datasets.DatasetDict({"test": rows}).save_to_disk(str(tmp_path / "hf"))

    found = load_examples(tmp_path / "hf", load_label_set("imagenet"))

    assert [(e.key, e.class_index, e.split) for e in found.examples] == [
        ("row:0", 1, "test"),
        ("row:1", 0, "test"),
    ]
    assert found.report.skipped == {"label not in label set imagenet": 1}
    assert found.open_image(found.examples[1]).getpixel((0, 0)) == (0, 255, 0)
