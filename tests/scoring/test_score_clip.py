"""CLIP zero-shot scoring with tiny random transformers and open_clip models saved to disk."""

from __future__ import annotations

import json

import pytest

from vlmdata.errors import InputError
from vlmdata.labels import load_label_set
from vlmdata.scoring import score, summary_of
from vlmdata.store import connect
from vlmdata.store.results import load_run

pytestmark = pytest.mark.torch
torch = pytest.importorskip("torch")


def read_jsonl(path):
    return [json.loads(line) for line in path.read_text().splitlines()]


def manifest_images(manifest):
    rows = read_jsonl(manifest)
    return [(row["image"], manifest.parent / row["image"]) for row in rows]


def hf_reference(folder, manifest, names):
    """Top-5 class indices per image, computed with transformers directly."""
    from PIL import Image
    from transformers import AutoImageProcessor, AutoTokenizer, CLIPModel

    model = CLIPModel.from_pretrained(folder).eval()
    tokenizer = AutoTokenizer.from_pretrained(folder)
    processor = AutoImageProcessor.from_pretrained(folder)
    with torch.no_grad():
        tokens = tokenizer(
            [f"a photo of a {n}." for n in names],
            padding=True,
            truncation=True,
            return_tensors="pt",
        )
        text = model.get_text_features(**tokens).pooler_output
        text = text / text.norm(dim=-1, keepdim=True)
        top = {}
        for key, path in manifest_images(manifest):
            pixels = processor(images=Image.open(path).convert("RGB"), return_tensors="pt")
            image = model.get_image_features(**pixels).pooler_output
            image = image / image.norm(dim=-1, keepdim=True)
            top[key] = (image @ text.T)[0].topk(5).indices.tolist()
    return top


def openclip_reference(folder, manifest, names):
    """Top-5 class indices per image, computed with open_clip directly."""
    import open_clip
    from PIL import Image

    model, _, transform = open_clip.create_model_and_transforms(f"local-dir:{folder}")
    tokenizer = open_clip.get_tokenizer(f"local-dir:{folder}")
    model.eval()
    with torch.no_grad():
        text = model.encode_text(tokenizer([f"a photo of a {n}." for n in names]))
        text = text / text.norm(dim=-1, keepdim=True)
        top = {}
        for key, path in manifest_images(manifest):
            image = model.encode_image(transform(Image.open(path).convert("RGB"))[None])
            image = image / image.norm(dim=-1, keepdim=True)
            top[key] = (image @ text.T)[0].topk(5).indices.tolist()
    return top


@pytest.mark.parametrize("backend", ["hf", "openclip"])
def test_zero_shot_predictions_match_a_direct_computation(
    backend, request, image_manifest, index_file, tmp_path
):
    imagenet = load_label_set("imagenet")
    names = [c.name for c in imagenet.classes]
    if backend == "hf":
        folder = request.getfixturevalue("tiny_hf_clip")
        expected = hf_reference(folder, image_manifest, names)
    else:
        folder = request.getfixturevalue("tiny_openclip")
        expected = openclip_reference(folder, image_manifest, names)
    output = tmp_path / "run" / "preds.jsonl"

    table = score(
        f"{backend}:{folder}", str(image_manifest), "imagenet", output=output, batch_size=4
    )

    records = {r["key"]: r for r in read_jsonl(output)}
    assert set(records) == set(expected)
    for key, top in expected.items():
        assert records[key]["pred_index"] == top
        assert records[key]["pred"] == [names[i] for i in top]
        assert records[key]["correct"] == (top[0] == records[key]["class_index"])
    rows = table.to_pylist()
    assert [r["class_index"] for r in rows] == [0, 1, 2]
    for row in rows:
        mine = [r for r in records.values() if r["class_index"] == row["class_index"]]
        assert row["n"] == len(mine) == 3
        assert row["correct"] == sum(r["correct"] for r in mine)
        assert row["accuracy"] == pytest.approx(row["correct"] / 3)
        assert row["correct_top5"] == sum(r["correct_top5"] for r in mine)
    summary = summary_of(table)
    con = connect(index_file)
    try:
        stored = load_run(con, summary["run_id"]).to_pylist()
        top5 = load_run(con, summary["run_id"] + ".top5").to_pylist()
        method = con.execute("SELECT method FROM runs WHERE run_id = ?", [summary["run_id"]])
        assert method.fetchall() == [("zeroshot",)]
    finally:
        con.close()
    assert [r["accuracy"] for r in stored] == [r["accuracy"] for r in rows]
    assert [r["accuracy"] for r in top5] == [r["accuracy_top5"] for r in rows]


def test_a_rerun_resumes_and_refuses_other_settings(tiny_hf_clip, image_manifest, tmp_path):
    output = tmp_path / "preds.jsonl"
    model = f"hf:{tiny_hf_clip}"
    first = score(model, str(image_manifest), "imagenet", output=output, save=False)
    assert summary_of(first)["scored_now"] == 9

    lines = output.read_text().splitlines(keepends=True)
    output.write_text("".join(lines[:6]) + lines[6][:10])  # 6 finished, one cut short
    again = score(model, str(image_manifest), "imagenet", output=output, save=False)

    assert summary_of(again)["scored_now"] == 3
    assert again.select(["class_index", "n", "correct"]) == first.select(
        ["class_index", "n", "correct"]
    )
    assert len(output.read_text().splitlines()) == 9
    with pytest.raises(InputError, match=r"other settings.*prompts"):
        score(model, str(image_manifest), "imagenet", output=output, prompts="ensemble")


def test_text_features_are_computed_once_per_label_set(
    tiny_hf_clip, image_manifest, tmp_path, monkeypatch
):
    from vlmdata.scoring.clip import ClipModel

    labels = tmp_path / "three.json"  # the 80 templates of 3 classes, not of 1,000
    labels.write_text(json.dumps(["tench", "goldfish", "great white shark"]))
    model = f"hf:{tiny_hf_clip}"
    first = score(
        model,
        str(image_manifest),
        str(labels),
        prompts="ensemble",
        output=tmp_path / "a.jsonl",
        save=False,
    )
    assert len(list((tmp_path / "cache").glob("text_features_*.npy"))) == 1

    def no_text(self, texts):
        raise AssertionError("text features should come from the cache")

    monkeypatch.setattr(ClipModel, "encode_text", no_text)
    second = score(
        model,
        str(image_manifest),
        str(labels),
        prompts="ensemble",
        output=tmp_path / "b.jsonl",
        save=False,
    )
    assert second.column("correct") == first.column("correct")


def test_k_candidates_restrict_the_prediction(tiny_openclip, image_manifest, tmp_path):
    output = tmp_path / "k.jsonl"
    imagenet = load_label_set("imagenet")
    score(
        f"openclip:{tiny_openclip}",
        str(image_manifest),
        "imagenet",
        k=2,
        order="fixed",
        seed=3,
        output=output,
        save=False,
    )
    for record in read_jsonl(output):
        true = imagenet[record["class_index"]].name
        assert len(record["choices"]) == 2 and true in record["choices"]
        assert set(record["pred"]) == set(record["choices"])
        assert record["correct"] == (record["pred"][0] == true)


def test_an_unreadable_image_is_recorded_not_fatal(tiny_hf_clip, image_manifest, tmp_path):
    records = read_jsonl(image_manifest)
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(b"\xff\xd8 not really a jpeg")
    for record in records:  # absolute paths, so the manifest can live elsewhere
        record["image"] = str(image_manifest.parent / record["image"])
    records.append({"image": str(broken), "label": "tench", "split": "val"})
    manifest = tmp_path / "with_broken.jsonl"
    output = tmp_path / "p.jsonl"
    manifest.write_text("".join(json.dumps(r) + "\n" for r in records))

    table = score(f"hf:{tiny_hf_clip}", str(manifest), "imagenet", output=output, save=False)

    failed = [r for r in read_jsonl(output) if "error" in r]
    assert [r["key"] for r in failed] == [str(broken)]
    assert failed[0]["error"].startswith("unreadable image: UnidentifiedImageError")
    assert summary_of(table)["skipped"] == {"image could not be scored": 1}
    assert sum(table["n"].to_pylist()) == 9
