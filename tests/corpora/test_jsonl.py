import gzip
import json
from collections import Counter

import pytest

from vlmdata.corpora.base import FileError, Record, ScanOptions
from vlmdata.corpora.jsonl import scan

BENCH = "llava_bench_coco"


def kinds(items) -> Counter:
    return Counter("record" if isinstance(i, Record) else i.reason for i in items)


def real_records(path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def test_caption_lists_give_one_text_per_caption(corpora_data):
    path = corpora_data / BENCH / "caps_boxes_coco2014_val_80.jsonl"
    expected = real_records(path)
    items = list(scan(path))
    assert kinds(items) == {"record": len(expected)}
    assert sum(len(r.texts) for r in items) == sum(len(e["captions"]) for e in expected)
    assert items[0].texts == [("caption", c.strip()) for c in expected[0]["captions"]]
    assert items[0].images == [expected[0]["image"]] and items[0].record_id == expected[0]["id"]


@pytest.mark.parametrize(
    ("name", "roles"),
    [
        ("coco2014_val_gpt4_qa_30x3.jsonl", ["instruction", "output"]),
        ("qa90_questions.jsonl", ["text"]),
        ("qa90_gpt4_answer.jsonl", ["text"]),
    ],
)
def test_question_and_answer_files_keep_field_names_as_roles(corpora_data, name, roles):
    path = corpora_data / BENCH / name
    expected = real_records(path)
    items = list(scan(path))
    assert kinds(items) == {"record": len(expected)}
    assert all([role for role, _ in r.texts] == roles for r in items)
    assert [r.texts[-1][1] for r in items] == [e[roles[-1]].strip() for e in expected]


def test_malformed_lines_are_rejected_and_the_scan_goes_on(corpora_data, tmp_path):
    good = (corpora_data / BENCH / "qa90_questions.jsonl").read_bytes().splitlines()[:5]
    lines = [
        good[0],
        b'{"text": "unterminated',
        b'["a list"]',
        b'{"text": 42}',
        b'{"image": "x.jpg"}',
        b'{"text": "caf\xe9"}',
        b'{"text": "  "}',
        b'{"text": null, "caption": null}',
        *good[1:],
    ]
    path = tmp_path / "q.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")

    items = list(scan(path))

    assert kinds(items) == {
        "record": 5,
        "bad_json": 1,
        "not_an_object": 1,
        "wrong_type": 1,
        "missing_field": 1,
        "bad_utf8": 1,
        "empty_text": 2,
    }
    assert items[1].position == f"line 2 (byte {len(good[0]) + 1})"
    assert [i.ordinal for i in items] == list(range(len(lines)))


def test_json_array_and_given_fields(tmp_path):
    data = [
        {"uid": "a", "body": "a dog on a beach", "pic": "d.jpg", "text": "ignored"},
        {"uid": "b", "body": "caf\u00e9 tables", "pic": ["c1.jpg", "c2.jpg"]},
        {"uid": "c", "pic": "x.jpg"},
    ]
    path = tmp_path / "a.json"
    path.write_text(json.dumps(data))
    options = ScanOptions(text_column="body", image_column="pic", id_column="uid")
    items = list(scan(path, options))
    assert items[0].texts == [("body", "a dog on a beach")] and items[0].record_id == "a"
    assert items[1].images == ["c1.jpg", "c2.jpg"]
    assert items[2].reason == "missing_field" and items[2].position == "record 3"


def test_invalid_utf8_inside_a_json_array_rejects_only_that_record(tmp_path):
    raw = json.dumps([{"text": "fine"}, {"text": "MARK"}, {"text": "also fine"}]).encode()
    path = tmp_path / "a.json"
    path.write_bytes(raw.replace(b"MARK", b"na\xefve"))
    assert kinds(scan(path)) == {"record": 2, "bad_utf8": 1}


def test_truncated_array_and_gzip_raise_with_offset(corpora_data, tmp_path):
    path = tmp_path / "a.json"
    path.write_text(json.dumps([{"text": "one"}, {"text": "two"}])[:-8])
    with pytest.raises(FileError, match="truncated") as caught:
        list(scan(path))
    assert caught.value.offset == path.stat().st_size

    raw = (corpora_data / BENCH / "qa90_gpt4_answer.jsonl").read_bytes()
    packed = gzip.compress(raw)
    cut = tmp_path / "cut.jsonl.gz"
    cut.write_bytes(packed[: len(packed) // 2])
    with pytest.raises(FileError) as caught:
        list(scan(cut))
    assert caught.value.offset is not None and "cut.jsonl.gz" in str(caught.value)


@pytest.mark.parametrize("suffix", [".gz", ".zst"])
def test_compressed_copy_reads_the_same(corpora_data, compress, suffix):
    path = corpora_data / BENCH / "caps_boxes_coco2014_val_80.jsonl"
    assert list(scan(compress(path.read_bytes(), path.name + suffix))) == list(scan(path))
