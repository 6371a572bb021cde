import json
from collections import Counter, defaultdict
from pathlib import Path

import pytest

from vlmdata.corpora.base import FileError, Record, Reject
from vlmdata.corpora.coco import scan

COCO = "coco_captions_val2017.json"


def kinds(items) -> Counter:
    return Counter("record" if isinstance(i, Record) else i.reason for i in items)


def small_coco(corpora_data: Path) -> dict:
    """Three real images and their real captions, from the COCO val2017 file."""
    real = json.loads((corpora_data / COCO).read_bytes())
    images = real["images"][:3]
    ids = {image["id"] for image in images}
    annotations = [a for a in real["annotations"] if a["image_id"] in ids]
    return {"info": real["info"], "images": images, "annotations": annotations}


def test_real_file_one_record_per_image_with_all_its_captions(corpora_data):
    path = corpora_data / COCO
    real = json.loads(path.read_bytes())
    captions = defaultdict(list)
    for annotation in real["annotations"]:
        captions[annotation["image_id"]].append(annotation["caption"].strip())

    items = list(scan(path))

    assert kinds(items) == {"record": len(real["images"])}
    assert sum(len(r.texts) for r in items) == len(real["annotations"])
    names = {str(image["id"]): image["file_name"] for image in real["images"]}
    for record in items[:50]:
        assert record.images == [names[record.record_id]]
        assert [t for _, t in record.texts] == captions[int(record.record_id)]
        assert {role for role, _ in record.texts} == {"caption"}
    assert [r.ordinal for r in items] == list(range(len(items)))


def test_bad_annotations_and_uncaptioned_images_are_rejected(corpora_data, tmp_path):
    data = small_coco(corpora_data)
    real_caption = data["annotations"][0]["caption"]
    data["annotations"] += [
        {"image_id": 999_999_999, "id": 1, "caption": real_caption},
        {"image_id": data["images"][0]["id"], "id": 2, "caption": 17},
        {"id": 3, "caption": real_caption},
        "not an object",
    ]
    data["images"].append({"id": 5, "file_name": "no_captions.jpg"})
    data["images"].append({"id": 6})
    path = tmp_path / "c.json"
    path.write_text(json.dumps(data))

    items = list(scan(path))

    assert kinds(items) == {
        "record": 3,
        "unknown_image": 1,
        "wrong_type": 1,
        "missing_field": 2,
        "not_an_object": 1,
        "empty_text": 1,
    }
    unknown = next(i for i in items if isinstance(i, Reject) and i.reason == "unknown_image")
    assert unknown.position == f"annotations[{len(data['annotations']) - 4}]"
    assert "999999999" in unknown.detail and real_caption[:20] in unknown.excerpt
    ordinals = [i.ordinal for i in items]
    assert len(set(ordinals)) == len(ordinals)


def test_invalid_utf8_caption_is_rejected_and_the_rest_kept(corpora_data, tmp_path):
    data = small_coco(corpora_data)
    marker = "XXBADXX"
    data["annotations"][1]["caption"] = marker
    raw = json.dumps(data).encode().replace(marker.encode(), b"caf\xe9 au lait")
    path = tmp_path / "c.json"
    path.write_bytes(raw)

    items = list(scan(path))

    assert kinds(items) == {"record": 3, "bad_utf8": 1}
    assert sum(len(r.texts) for r in items if isinstance(r, Record)) == len(data["annotations"]) - 1


def test_truncated_file_raises_with_offset(corpora_data, tmp_path):
    raw = (corpora_data / COCO).read_bytes()
    path = tmp_path / "cut.json"
    path.write_bytes(raw[: len(raw) // 2])
    with pytest.raises(FileError) as caught:
        list(scan(path))
    assert caught.value.offset is not None and 0 < caught.value.offset <= len(raw) // 2
    assert "cut.json" in str(caught.value) and "truncated" in str(caught.value)


def test_json_without_images_or_annotations_is_not_coco(tmp_path):
    path = tmp_path / "other.json"
    path.write_text(json.dumps({"info": {}, "categories": []}))
    with pytest.raises(FileError, match="not a COCO caption file"):
        list(scan(path))


@pytest.mark.parametrize("suffix", [".gz", ".zst"])
def test_compressed_copy_reads_the_same(corpora_data, compress, suffix):
    raw = (corpora_data / COCO).read_bytes()
    plain = list(scan(corpora_data / COCO))
    packed = list(scan(compress(raw, COCO + suffix)))
    assert packed == plain
