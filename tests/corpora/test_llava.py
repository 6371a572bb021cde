import gzip
import json
from pathlib import Path

import pytest
import zstandard

from vlmdata.corpora.base import FileError, Record, Reject
from vlmdata.corpora.llava import scan


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def records(path: Path) -> list[Record | Reject]:
    return list(scan(path, None))


def test_real_array_sample_keeps_roles_turns_and_images(shared_data):
    path = shared_data / "corpora" / "llava_instruct_150k_every50th.json"
    expected = json.loads(path.read_bytes())
    items = records(path)
    assert len(items) == len(expected) == 3150
    assert all(isinstance(i, Record) for i in items)
    first, raw = items[0], expected[0]
    assert first.record_id == raw["id"] and first.images == [raw["image"]]
    assert [role for role, _ in first.texts] == [t["from"] for t in raw["conversations"]]
    assert sum(len(i.texts) for i in items) == sum(len(r["conversations"]) for r in expected)


def test_image_token_is_removed_and_recorded(shared_data):
    path = shared_data / "corpora" / "llava_instruct_150k_every50th.json"
    first = records(path)[0]
    raw = json.loads(path.read_bytes())[0]["conversations"][0]["value"]
    assert "<image>" in raw
    assert first.image_tokens[0] is True and "<image>" not in first.texts[0][1]
    assert first.texts[0][1] == raw.replace("<image>", "").strip()
    assert first.image_tokens[1] is False


def test_jsonl_with_extra_field_is_tolerated(shared_data):
    path = shared_data / "corpora" / "llava_instruct_chunk0_with_extra_field.jsonl"
    items = records(path)
    assert len(items) == 500 and all(isinstance(i, Record) for i in items)


def test_text_only_records_and_image_lists(tmp_path):
    data = [
        {"id": 1, "conversations": [{"from": "human", "value": "hi"}]},
        {
            "id": "b",
            "image": ["x.jpg", "y.jpg"],
            "conversations": [
                {"from": "human", "value": "<image>\n<image>\nsame?"},
                {"from": "gpt", "value": "yes"},
            ],
        },
    ]
    items = records(write(tmp_path / "a.json", json.dumps(data).encode()))
    assert items[0].images == [] and items[0].record_id == "1"
    assert items[1].images == ["x.jpg", "y.jpg"] and items[1].texts[0] == ("human", "same?")


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        (b'{"id": "x", "conversations": [', "bad_json"),
        (b'{"id": "x"}', "missing_field"),
        (b'{"id": "x", "conversations": "hello"}', "wrong_type"),
        (b'{"id": "x", "conversations": [{"from": "human", "value": 3}]}', "wrong_type"),
        (b'{"id": "x", "conversations": [{"from": "human", "value": "caf\xe9"}]}', "bad_utf8"),
        (b'["not", "an", "object"]', "not_an_object"),
        (b'{"id": "x", "conversations": []}', "empty_text"),
        (b'{"id": "x", "image": 5, "conversations": [{"from": "h", "value": "v"}]}', "wrong_type"),
    ],
)
def test_malformed_jsonl_line_is_rejected_and_scan_goes_on(tmp_path, line, reason):
    good = b'{"id": "ok", "conversations": [{"from": "human", "value": "a dog"}]}'
    path = write(tmp_path / "c.jsonl", b"\n".join([good, line, good]) + b"\n")
    items = records(path)
    assert [type(i).__name__ for i in items] == ["Record", "Reject", "Record"]
    assert items[1].reason == reason
    assert items[1].position.startswith("line 2")
    assert [i.ordinal for i in items] == [0, 1, 2]


def test_invalid_utf8_inside_array_rejects_only_that_record(tmp_path):
    body = (
        b'[{"id": "a", "conversations": [{"from": "human", "value": "ok"}]},'
        b'{"id": "b", "conversations": [{"from": "human", "value": "bad \xff byte"}]},'
        b'{"id": "c", "conversations": [{"from": "gpt", "value": "fine"}]}]'
    )
    items = records(write(tmp_path / "u.json", body))
    assert [type(i).__name__ for i in items] == ["Record", "Reject", "Record"]
    assert items[1].reason == "bad_utf8" and items[1].position == "record 2"
    assert items[2].record_id == "c"


def test_truncated_array_names_file_and_offset(tmp_path):
    body = b'[{"id": "a", "conversations": [{"from": "human", "value": "ok"}]}, {"id": "b", "con'
    path = write(tmp_path / "t.json", body)
    with pytest.raises(FileError) as info:
        records(path)
    assert str(path) in str(info.value) and "byte" in str(info.value)
    assert info.value.offset == len(body)


@pytest.mark.parametrize("suffix", [".gz", ".zst"])
def test_compressed_files_read_the_same(shared_data, tmp_path, suffix):
    src = shared_data / "corpora" / "llava_instruct_chunk0_with_extra_field.jsonl"
    raw = src.read_bytes()
    packed = gzip.compress(raw) if suffix == ".gz" else zstandard.compress(raw)
    path = write(tmp_path / f"c.jsonl{suffix}", packed)
    assert records(path) == records(src)


@pytest.mark.parametrize("suffix", [".gz", ".zst"])
def test_truncated_compressed_file_is_a_file_error(shared_data, tmp_path, suffix):
    raw = (shared_data / "corpora" / "llava_instruct_150k_every50th.json").read_bytes()
    packed = gzip.compress(raw) if suffix == ".gz" else zstandard.compress(raw)
    path = write(tmp_path / f"cut.json{suffix}", packed[: len(packed) // 2])
    with pytest.raises(FileError) as info:
        records(path)
    assert str(path) in str(info.value) and info.value.offset > 0
