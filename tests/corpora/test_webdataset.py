import io
import json
import tarfile
from collections import Counter
from pathlib import Path

import pytest

from vlmdata.corpora.base import FileError, Record
from vlmdata.corpora.webdataset import scan

JPEG = b"\xff\xd8\xff\xe0" + bytes(2000)  # stands for an image: never read by the scanner


def kinds(items) -> Counter:
    return Counter("record" if isinstance(i, Record) else i.reason for i in items)


def real_captions(corpora_data: Path, n: int) -> list[tuple[str, str]]:
    lines = (corpora_data / "cc3m_validation.tsv").read_text(encoding="utf-8").splitlines()
    return [tuple(line.split("\t")) for line in lines[:n]]


def write_tar(path: Path, members: list[tuple[str, bytes]]) -> Path:
    with tarfile.open(path, "w") as tar:
        for name, data in members:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


def shard_members(pairs) -> list[tuple[str, bytes]]:
    """img2dataset's layout: KEY.jpg, KEY.txt and KEY.json per sample."""
    members = []
    for n, (caption, url) in enumerate(pairs):
        key = f"00000/{n:09d}"
        meta = {"url": url, "caption": caption, "key": key, "status": "success"}
        members += [
            (f"{key}.jpg", JPEG),
            (f"{key}.txt", caption.encode()),
            (f"{key}.json", json.dumps(meta).encode()),
        ]
    return members


def test_samples_are_grouped_by_key_with_their_caption(corpora_data, tmp_path):
    pairs = real_captions(corpora_data, 30)
    path = write_tar(tmp_path / "00000.tar", shard_members(pairs))
    items = list(scan(path))
    assert kinds(items) == {"record": len(pairs)}
    for n, (record, (caption, _)) in enumerate(zip(items, pairs, strict=True)):
        key = f"00000/{n:09d}"
        assert record.record_id == key and record.images == [f"{key}.jpg"]
        assert record.texts == [("caption", caption.strip())]


def test_json_caption_is_used_without_txt_and_bad_samples_are_rejected(corpora_data, tmp_path):
    (c0, _), (c1, _), (c2, _) = real_captions(corpora_data, 3)
    members = [
        ("a.jpg", JPEG),
        ("a.json", json.dumps({"caption": c0}).encode()),
        ("b.jpg", JPEG),
        ("b.txt", c1.encode()[:5] + b"\xff" + c1.encode()[5:]),
        ("c.jpg", JPEG),
        ("d.json", b'{"caption": "unterminated'),
        ("e.seg.png", JPEG),
        ("e.caption.txt", c2.encode()),
    ]
    items = list(scan(write_tar(tmp_path / "s.tar", members)))
    assert kinds(items) == {"record": 2, "bad_utf8": 1, "empty_text": 1, "bad_json": 1}
    assert items[0].texts == [("caption", c0.strip())]
    assert items[2].position.startswith("sample c (byte ")
    assert items[4].record_id == "e" and items[4].images == ["e.seg.png"]
    assert items[4].texts == [("caption", c2.strip())]


@pytest.mark.parametrize("cut", ["mid_member", "at_member_boundary"])
def test_truncated_tar_raises_with_offset(corpora_data, tmp_path, cut):
    path = write_tar(tmp_path / "full.tar", shard_members(real_captions(corpora_data, 10)))
    raw = path.read_bytes()
    with tarfile.open(path) as tar:
        boundary = tar.getmembers()[9].offset  # the header of the 10th member
    end = boundary + 700 if cut == "mid_member" else boundary
    cut_path = tmp_path / "cut.tar"
    cut_path.write_bytes(raw[:end])
    with pytest.raises(FileError) as caught:
        list(scan(cut_path))
    assert caught.value.offset == end and "cut.tar" in str(caught.value)


@pytest.mark.parametrize("suffix", [".gz", ".zst"])
def test_compressed_shards_read_the_same(corpora_data, tmp_path, compress, suffix):
    path = write_tar(tmp_path / "s.tar", shard_members(real_captions(corpora_data, 12)))
    packed = compress(path.read_bytes(), "s.tar" + suffix)
    assert list(scan(packed)) == list(scan(path))
