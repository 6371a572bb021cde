from collections import Counter

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from vlmdata.corpora.base import FileError, Record, ScanOptions
from vlmdata.corpora.parquet import scan

ALTTEXT = "web_alttext_10k.parquet"


def kinds(items) -> Counter:
    return Counter("record" if isinstance(i, Record) else i.reason for i in items)


def real_rows(corpora_data, n: int) -> list[dict]:
    return pq.read_table(corpora_data / ALTTEXT).slice(0, n).to_pylist()


def test_real_shard_every_row_with_its_caption_and_url(corpora_data):
    table = pq.read_table(corpora_data / ALTTEXT)
    items = list(scan(corpora_data / ALTTEXT))
    assert len(items) == table.num_rows
    texts, urls = table.column("TEXT").to_pylist(), table.column("URL").to_pylist()
    assert kinds(items)["record"] == sum(1 for t in texts if t and t.strip())
    for item, text, url in zip(items, texts, urls, strict=True):
        if isinstance(item, Record):
            assert item.texts == [("caption", text.strip())] and item.images == [url]
            assert item.record_id is None


def test_null_empty_and_invalid_utf8_captions_are_rejected(corpora_data, tmp_path):
    rows = real_rows(corpora_data, 6)
    captions = [r["TEXT"].encode() for r in rows]
    captions[1], captions[3], captions[4] = b"   ", b"bad \xff byte", None
    text = pa.array(captions, pa.binary()).view(pa.string())  # keeps the bad byte as it is
    table = pa.table({"url": [r["URL"] for r in rows], "caption": text})
    path = tmp_path / "s.parquet"
    pq.write_table(table, path, row_group_size=2)

    items = list(scan(path))

    assert kinds(items) == {"record": 3, "empty_text": 2, "bad_utf8": 1}
    assert [i.position for i in items if not isinstance(i, Record)] == ["row 2", "row 4", "row 5"]
    assert [i.ordinal for i in items] == list(range(6))
    assert items[5].texts == [("caption", rows[5]["TEXT"].strip())]


def test_caption_lists_conversations_and_image_structs(corpora_data, tmp_path):
    rows = real_rows(corpora_data, 2)
    turns = [
        [{"from": "human", "value": "<image>\nWhat is shown?"}, {"from": "gpt", "value": t}]
        for t in (r["TEXT"] for r in rows)
    ]
    image = [{"bytes": None, "path": "a.jpg"}, {"bytes": None, "path": "b.jpg"}]
    path = tmp_path / "c.parquet"
    pq.write_table(pa.table({"id": [7, 8], "conversations": turns, "image": image}), path)
    items = list(scan(path))
    assert items[0].texts == [("human", "What is shown?"), ("gpt", rows[0]["TEXT"])]
    assert items[0].image_tokens == [True, False]
    assert items[1].images == ["b.jpg"] and items[1].record_id == "8"

    lists = pa.table({"captions": [[r["TEXT"] for r in rows], []], "key": ["k0", "k1"]})
    pq.write_table(lists, path)
    items = list(scan(path))
    assert [t for _, t in items[0].texts] == [r["TEXT"].strip() for r in rows]
    assert items[0].record_id == "k0"
    assert items[1].reason == "empty_text"


def test_text_column_given_or_missing(corpora_data, tmp_path):
    rows = real_rows(corpora_data, 3)
    path = tmp_path / "t.parquet"
    pq.write_table(pa.table({"alt": ["x", "y", "z"], "body": [r["TEXT"] for r in rows]}), path)
    items = list(scan(path, ScanOptions(text_column="body")))
    assert [r.texts[0][1] for r in items] == [r["TEXT"].strip() for r in rows]

    with pytest.raises(FileError, match="no column 'nope'; columns: alt, body"):
        list(scan(path, ScanOptions(text_column="nope")))
    pq.write_table(pa.table({"n": [1, 2], "m": [3.0, 4.0]}), path)
    with pytest.raises(FileError, match="no text column among n, m"):
        list(scan(path))


def test_truncated_file_raises_with_offset(corpora_data, tmp_path):
    raw = (corpora_data / ALTTEXT).read_bytes()
    path = tmp_path / "cut.parquet"
    path.write_bytes(raw[: len(raw) - 100])
    with pytest.raises(FileError) as caught:
        list(scan(path))
    assert caught.value.offset == len(raw) - 100 and "cut.parquet" in str(caught.value)


@pytest.mark.parametrize("suffix", [".gz", ".zst"])
def test_compressed_copy_reads_the_same(corpora_data, compress, suffix):
    plain = list(scan(corpora_data / ALTTEXT))
    packed = list(scan(compress((corpora_data / ALTTEXT).read_bytes(), ALTTEXT + suffix)))
    assert packed == plain


def test_corrupt_row_group_raises_at_its_offset(corpora_data, tmp_path):
    path = tmp_path / "groups.parquet"
    pq.write_table(pq.read_table(corpora_data / ALTTEXT), path, row_group_size=2500)
    group = pq.ParquetFile(path).metadata.row_group(2)
    start = min(
        group.column(i).dictionary_page_offset or group.column(i).data_page_offset
        for i in range(group.num_columns)
    )
    raw = bytearray(path.read_bytes())
    raw[start + 50 : start + 2000] = bytes(1950)
    path.write_bytes(raw)
    read = 0
    with pytest.raises(FileError, match="row group 2 \\(rows from 5001\\)") as caught:
        for _ in scan(path):
            read += 1
    assert caught.value.offset == start and read == 5000
