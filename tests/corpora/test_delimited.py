import gzip
from collections import Counter
from itertools import groupby
from pathlib import Path

import pytest

from vlmdata.corpora.base import FileError, Record, ScanOptions
from vlmdata.corpora.delimited import scan

CC3M = "cc3m_validation.tsv"
FLICKR = "flickr8k/Flickr8k.token.txt"


def kinds(items) -> Counter:
    return Counter("record" if isinstance(i, Record) else i.reason for i in items)


def real_lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def test_cc3m_one_record_per_line_with_caption_and_url(corpora_data):
    lines = real_lines(corpora_data / CC3M)
    items = list(scan(corpora_data / CC3M))
    assert kinds(items) == {"record": len(lines)}
    for record, line in zip(items, lines, strict=True):
        caption, url = line.split("\t")
        assert record.texts == [("caption", caption.strip())] and record.images == [url]


def test_flickr_groups_the_numbered_captions_of_each_image(corpora_data):
    lines = real_lines(corpora_data / FLICKR)
    pairs = [line.split("\t") for line in lines]
    groups = [
        (image, [caption for _, caption in rows])
        for image, rows in groupby(pairs, key=lambda p: p[0].rsplit("#", 1)[0])
    ]

    items = list(scan(corpora_data / FLICKR))

    assert kinds(items) == {"record": len(groups)}
    assert sum(len(r.texts) for r in items) == len(lines)
    for record, (image, captions) in zip(items, groups, strict=True):
        assert record.images == [image] and record.record_id == image
        assert [t for _, t in record.texts] == [c.strip() for c in captions]


def test_bad_rows_empty_captions_and_invalid_utf8_are_rejected(corpora_data, tmp_path):
    lines = real_lines(corpora_data / CC3M)[:20]
    bad = [
        lines[0] + "\textra column",
        "\t" + lines[1].split("\t")[1],
        "only one column",
    ]
    raw = (
        "\n".join(lines[:10] + bad + lines[10:]).encode() + b"\nna\xefve caption\thttp://x/y.jpg\n"
    )
    path = tmp_path / "c.tsv"
    path.write_bytes(raw)

    items = list(scan(path))

    assert kinds(items) == {"record": 20, "bad_row": 2, "empty_text": 1, "bad_utf8": 1}
    rejects = [i for i in items if not isinstance(i, Record)]
    assert [r.position for r in rejects] == ["line 11", "line 12", "line 13", "line 24"]
    assert "3 columns, expected 2" in rejects[0].detail
    assert "extra column" in rejects[0].excerpt
    assert len({i.ordinal for i in items}) == len(items)


def test_csv_with_header_and_quoted_fields(corpora_data, tmp_path):
    lines = real_lines(corpora_data / CC3M)[:5]
    rows = ["id,url,caption"] + [
        f'{n},{line.split(chr(9))[1]},"{line.split(chr(9))[0]}, quoted"'
        for n, line in enumerate(lines)
    ]
    path = tmp_path / "pairs.csv"
    path.write_text("\n".join(rows) + "\n")

    items = list(scan(path))

    assert kinds(items) == {"record": 5}
    first_caption, first_url = lines[0].split("\t")
    assert items[0].texts == [("caption", f"{first_caption}, quoted")]
    assert items[0].images == [first_url] and items[0].record_id == "0"


def test_columns_given_by_name_or_position(tmp_path):
    path = tmp_path / "t.tsv"
    path.write_text("a red car on a road\tnotes here\tcar.jpg\n")
    by_position = list(scan(path, ScanOptions(text_column="1", image_column="2")))
    assert by_position[0].texts == [("caption", "notes here")]
    assert by_position[0].images == ["car.jpg"]

    path.write_text("Caption\tNote\nA red car\tseen twice\n")
    by_name = list(scan(path, ScanOptions(text_column="note")))
    assert by_name[0].texts == [("caption", "seen twice")]

    with pytest.raises(FileError, match="no column 'nope'; the columns are Caption, Note"):
        list(scan(path, ScanOptions(text_column="nope")))


def test_header_and_delimiter_options(tmp_path):
    path = tmp_path / "t.txt"
    path.write_text("first;row one words\nsecond;row two words\n")
    items = list(scan(path, ScanOptions(delimiter=";", header=False)))
    assert [r.texts for r in items] == [
        [("caption", "row one words")],
        [("caption", "row two words")],
    ]
    items = list(scan(path, ScanOptions(delimiter=";", header=True)))
    assert [r.texts for r in items] == [[("caption", "row two words")]]


def test_a_list_of_image_names_is_not_a_caption_file(corpora_data):
    with pytest.raises(FileError, match="image names or URLs, no text"):
        list(scan(corpora_data / "flickr8k" / "Flickr_8k.devImages.txt"))


@pytest.mark.parametrize("suffix", [".gz", ".zst"])
def test_compressed_copy_reads_the_same(corpora_data, compress, suffix):
    plain = list(scan(corpora_data / CC3M))
    packed = list(scan(compress((corpora_data / CC3M).read_bytes(), CC3M + suffix)))
    assert packed == plain


def test_truncated_gzip_raises_with_offset(corpora_data, tmp_path):
    packed = gzip.compress((corpora_data / CC3M).read_bytes())
    path = tmp_path / "cut.tsv.gz"
    path.write_bytes(packed[: len(packed) // 2])
    with pytest.raises(FileError) as caught:
        list(scan(path))
    assert caught.value.offset is not None and caught.value.offset > 0
    assert "cut.tsv.gz" in str(caught.value)
