import io
import json
import tarfile

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from vlmdata.corpora.formats import FORMATS, detect_format, scanner
from vlmdata.errors import InputError

REAL = {
    "coco_captions_val2017.json": "coco",
    "cc3m_validation.tsv": "delimited",
    "flickr8k/Flickr8k.token.txt": "delimited",
    "web_alttext_10k.parquet": "parquet",
    "llava_instruct_150k.json.zst": "llava",
    "llava_instruct_150k_every50th.json": "llava",
    "llava_instruct_chunk0_with_extra_field.jsonl": "llava",
    "llava_bench_coco/caps_boxes_coco2014_val_80.jsonl": "jsonl",
    "llava_bench_coco/qa90_questions.jsonl": "jsonl",
}


@pytest.mark.parametrize(("name", "expected"), sorted(REAL.items()))
def test_real_samples(corpora_data, name, expected):
    assert detect_format(corpora_data / name) == expected


def test_every_format_has_a_scanner():
    assert all(callable(scanner(name)) for name in FORMATS)
    with pytest.raises(InputError, match="unknown format 'xml'"):
        scanner("xml")


def test_compressed_names_are_seen_through(corpora_data, compress):
    coco = (corpora_data / "coco_captions_val2017.json").read_bytes()[: 1 << 17]
    assert detect_format(compress(coco, "captions.json.gz")) == "coco"
    assert detect_format(compress(b"a\tb\n", "pairs.tsv.zst")) == "delimited"
    assert detect_format(compress(b"", "shard-0001.tar.gz")) == "webdataset"


def test_content_decides_when_the_name_says_nothing(corpora_data, tmp_path):
    parquet = tmp_path / "part-0"
    pq.write_table(pa.table({"caption": ["a"]}), parquet)
    shard = tmp_path / "shard-0"
    with tarfile.open(shard, "w") as tar:
        info = tarfile.TarInfo("k.txt")
        info.size = 1
        tar.addfile(info, io.BytesIO(b"a"))
    lines = tmp_path / "records"
    lines.write_text(json.dumps({"caption": "a dog"}) + "\n")
    cc3m = tmp_path / "Train_GCC-training"
    cc3m.write_bytes((corpora_data / "cc3m_validation.tsv").read_bytes()[:4096])
    assert [detect_format(p) for p in (parquet, shard, lines, cc3m)] == [
        "parquet",
        "webdataset",
        "jsonl",
        "delimited",
    ]
    unknown = tmp_path / "notes"
    unknown.write_text("plain words\n")
    with pytest.raises(InputError, match="pass --format"):
        detect_format(unknown)


def test_saved_hugging_face_dataset(tmp_path):
    (tmp_path / "state.json").write_text("{}")
    assert detect_format(tmp_path) == "hf_disk"
    assert detect_format(tmp_path / "state.json") == "hf_disk"
    assert detect_format(tmp_path / "data-00000-of-00001.arrow") == "hf_disk"


def test_a_folder_of_shards_is_judged_by_its_first_file(tmp_path):
    (tmp_path / "part-00000.parquet").write_bytes(b"PAR1")
    (tmp_path / "part-00001.parquet").write_bytes(b"PAR1")
    assert detect_format(tmp_path) == "parquet"
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(InputError, match="no files"):
        detect_format(empty)
