import json
from collections import Counter
from pathlib import Path

import pyarrow as pa
import pytest

from vlmdata.corpora.base import FileError, Record
from vlmdata.corpora.hf_disk import scan


def kinds(items) -> Counter:
    return Counter("record" if isinstance(i, Record) else i.reason for i in items)


def coco_captions(corpora_data: Path, n: int) -> list[dict]:
    real = json.loads((corpora_data / "coco_captions_val2017.json").read_bytes())
    names = {image["id"]: image["file_name"] for image in real["images"]}
    return [
        {"caption": a["caption"], "image": {"bytes": None, "path": names[a["image_id"]]}}
        for a in real["annotations"][:n]
    ]


def save_dataset(folder: Path, shards: list[pa.Table], features: dict) -> list[Path]:
    """The layout `Dataset.save_to_disk` writes: Arrow IPC streams, dataset_info, state."""
    folder.mkdir(parents=True)
    names = [f"data-{i:05d}-of-{len(shards):05d}.arrow" for i in range(len(shards))]
    for name, table in zip(names, shards, strict=True):
        with (
            pa.OSFile(str(folder / name), "wb") as sink,
            pa.ipc.new_stream(sink, table.schema) as w,
        ):
            for batch in table.to_batches(max_chunksize=100):
                w.write_batch(batch)
    (folder / "dataset_info.json").write_text(json.dumps({"features": features}))
    state = {"_data_files": [{"filename": n} for n in names], "_split": None}
    (folder / "state.json").write_text(json.dumps(state))
    return [folder / n for n in names]


FEATURES = {
    "caption": {"dtype": "string", "_type": "Value"},
    "image": {"_type": "Image"},
}


def test_saved_dataset_shards_are_read_row_by_row(corpora_data, tmp_path):
    rows = coco_captions(corpora_data, 450)
    shards = [pa.Table.from_pylist(rows[:300]), pa.Table.from_pylist(rows[300:])]
    files = save_dataset(tmp_path / "ds", shards, FEATURES)

    items = [list(scan(f)) for f in files]

    assert [len(i) for i in items] == [300, 150]
    assert all(isinstance(r, Record) for r in items[0] + items[1])
    second = items[1][0]
    assert second.ordinal == 0 and second.texts == [("caption", rows[300]["caption"].strip())]
    assert second.images == [rows[300]["image"]["path"]]
    assert list(scan(tmp_path / "ds" / "state.json")) == []
    assert list(scan(tmp_path / "ds" / "dataset_info.json")) == []


def test_unlisted_arrow_file_is_skipped_and_bad_rows_rejected(corpora_data, tmp_path):
    rows = coco_captions(corpora_data, 4)
    captions = [r["caption"].encode() for r in rows]
    captions[1], captions[2] = None, b"\xc3(bad"
    text = pa.array(captions, pa.binary()).view(pa.string())
    table = pa.table({"caption": text, "url": [r["image"]["path"] for r in rows]})
    (data,) = save_dataset(tmp_path / "ds", [table], FEATURES)
    cache = tmp_path / "ds" / "cache-0123abcd.arrow"
    cache.write_bytes(data.read_bytes())

    items = list(scan(data))

    assert kinds(items) == {"record": 2, "empty_text": 1, "bad_utf8": 1}
    assert [i.position for i in items if not isinstance(i, Record)] == ["row 2", "row 3"]
    assert list(scan(cache)) == []


def test_truncated_arrow_file_raises_with_offset(corpora_data, tmp_path):
    rows = coco_captions(corpora_data, 400)
    (data,) = save_dataset(tmp_path / "ds", [pa.Table.from_pylist(rows)], FEATURES)
    raw = data.read_bytes()
    data.write_bytes(raw[: len(raw) // 2])
    with pytest.raises(FileError) as caught:
        list(scan(data))
    assert 0 < caught.value.offset <= len(raw) // 2 and data.name in str(caught.value)


@pytest.mark.parametrize("suffix", [".gz", ".zst"])
def test_compressed_arrow_file_reads_the_same(corpora_data, tmp_path, compress, suffix):
    rows = coco_captions(corpora_data, 50)
    (data,) = save_dataset(tmp_path / "ds", [pa.Table.from_pylist(rows)], FEATURES)
    packed = compress(data.read_bytes(), "data.arrow" + suffix)
    assert list(scan(packed)) == list(scan(data))


def test_matches_what_the_datasets_package_writes(corpora_data, tmp_path):
    datasets = pytest.importorskip("datasets")
    rows = coco_captions(corpora_data, 120)
    records = {
        "caption": [r["caption"] for r in rows],
        "file_name": [r["image"]["path"] for r in rows],
        "captions": [[r["caption"], r["caption"].upper()] for r in rows],
    }
    folder = tmp_path / "saved"
    datasets.Dataset.from_dict(records).save_to_disk(str(folder), num_shards=2)
    files = sorted(folder.glob("*.arrow"))
    assert len(files) == 2

    items = [item for f in files for item in scan(f)]

    assert kinds(items) == {"record": len(rows)}
    assert [r.texts[0][1] for r in items] == [c.strip() for c in records["caption"]]
    assert [r.images for r in items] == [[f] for f in records["file_name"]]
