"""End to end: each format through vlmdata.indexing.index into a DuckDB index."""

import io
import json
import tarfile
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from vlmdata.indexing import corpora, index


def counts(db: Path, corpus: str) -> tuple[int, int, int]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return tuple(
            con.execute(f"SELECT count(*) FROM {table} WHERE corpus = ?", [corpus]).fetchall()[0][0]
            for table in ("records", "texts", "rejects")
        )
    finally:
        con.close()


def cc3m_pairs(corpora_data: Path) -> list[list[str]]:
    lines = (corpora_data / "cc3m_validation.tsv").read_text(encoding="utf-8").splitlines()
    return [line.split("\t") for line in lines]


def coco(corpora_data):
    real = json.loads((corpora_data / "coco_captions_val2017.json").read_bytes())
    return (
        corpora_data / "coco_captions_val2017.json",
        len(real["images"]),
        len(real["annotations"]),
    )


def cc3m(corpora_data):
    pairs = cc3m_pairs(corpora_data)
    return corpora_data / "cc3m_validation.tsv", len(pairs), len(pairs)


def flickr(corpora_data):
    path = corpora_data / "flickr8k" / "Flickr8k.token.txt"
    names = [line.split("#")[0] for line in path.read_text().splitlines()]
    return path, len(set(names)), len(names)


def alttext(corpora_data):
    path = corpora_data / "web_alttext_10k.parquet"
    return path, pq.ParquetFile(path).metadata.num_rows, pq.ParquetFile(path).metadata.num_rows


def bench(corpora_data):
    files = sorted((corpora_data / "llava_bench_coco").glob("*.jsonl"))
    rows = [json.loads(line) for f in files for line in f.read_text().splitlines() if line]
    texts = sum(len(r.get("captions", [])) + ("text" in r) + 2 * ("instruction" in r) for r in rows)
    return corpora_data / "llava_bench_coco" / "*.jsonl", len(rows), texts


def shards(corpora_data, tmp_path: Path, count: int = 3):
    """A folder of webdataset shards made of real CC3M captions."""
    pairs = cc3m_pairs(corpora_data)[: count * 40]
    for shard in range(count):
        with tarfile.open(tmp_path / f"cc3m-{shard:04d}.tar", "w") as tar:
            for n, (caption, _) in enumerate(pairs[shard * 40 : (shard + 1) * 40]):
                for name, data in (
                    (f"{n:06d}.jpg", b"\xff\xd8"),
                    (f"{n:06d}.txt", caption.encode()),
                ):
                    info = tarfile.TarInfo(name)
                    info.size = len(data)
                    tar.addfile(info, io.BytesIO(data))
    return tmp_path, len(pairs), len(pairs)


def saved(corpora_data, tmp_path: Path):
    """A dataset saved the way `save_to_disk` does, with real CC3M captions."""
    pairs = cc3m_pairs(corpora_data)[:500]
    table = pa.table({"caption": [c for c, _ in pairs], "url": [u for _, u in pairs]})
    folder = tmp_path / "saved"
    folder.mkdir()
    arrow = str(folder / "data-00000-of-00001.arrow")
    with pa.OSFile(arrow, "wb") as sink, pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table, max_chunksize=128)
    state = {"_data_files": [{"filename": "data-00000-of-00001.arrow"}]}
    (folder / "state.json").write_text(json.dumps(state))
    (folder / "dataset_info.json").write_text(json.dumps({"features": {}}))
    return folder, len(pairs), len(pairs)


CASES = {
    "coco": coco,
    "delimited": cc3m,
    "flickr": flickr,
    "parquet": alttext,
    "jsonl": bench,
    "webdataset": shards,
    "hf_disk": saved,
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_each_format_end_to_end(corpora_data, tmp_path, registry_env, case):
    build = CASES[case]
    needs_tmp = build in (shards, saved)
    source, records, texts = build(corpora_data, tmp_path) if needs_tmp else build(corpora_data)
    db = tmp_path / "i.duckdb"

    summary = index(str(source), name=case, index=str(db))

    assert summary.format == (case if case != "flickr" else "delimited")
    assert not summary.failed
    assert (summary.records, summary.texts, summary.rejects) == (records, texts, 0)
    assert counts(db, case) == (records, texts, 0)
    listed = corpora(str(db)).to_pylist()
    assert [(r["name"], r["records"], r["indexed"]) for r in listed if r["indexed"]] == [
        (case, records, True)
    ]
    assert {"llava_mix", "laion"} <= {r["name"] for r in listed if not r["indexed"]}

    again = index(str(source), name=case, index=str(db))
    assert again.files_scanned == 0 and again.files_skipped == summary.files_scanned


def test_rejects_are_stored_with_reasons_and_positions(corpora_data, tmp_path):
    pairs = cc3m_pairs(corpora_data)[:30]
    lines = ["\t".join(p) for p in pairs]
    lines[4] += "\tstray column"
    lines[9] = "\t" + pairs[9][1]
    path = tmp_path / "c.tsv"
    path.write_text("\n".join(lines) + "\n")
    db = tmp_path / "i.duckdb"

    summary = index(str(path), index=str(db))

    assert (summary.records, summary.rejects, summary.records_read) == (28, 2, 30)
    assert dict(summary.reasons) == {"bad_row": 1, "empty_text": 1}
    con = duckdb.connect(str(db), read_only=True)
    rows = con.execute("SELECT position, reason FROM rejects ORDER BY ordinal").fetchall()
    con.close()
    assert rows == [("line 5", "bad_row"), ("line 10", "empty_text")]


def test_truncated_shard_fails_alone_and_leaves_nothing(corpora_data, tmp_path):
    folder, _, _ = shards(corpora_data, tmp_path)
    broken = folder / "cc3m-0001.tar"
    raw = broken.read_bytes()
    broken.write_bytes(raw[: len(raw) // 3])
    db = tmp_path / "i.duckdb"

    summary = index(str(folder), name="wds", index=str(db))

    assert summary.files_scanned == 2 and summary.records == 80
    assert len(summary.failed) == 1 and "cc3m-0001.tar at byte" in summary.failed[0]
    assert counts(db, "wds") == (80, 80, 0)


def test_named_corpus_from_the_data_dir(corpora_data, tmp_path, registry_env, monkeypatch):
    link = registry_env / "data" / "cc3m" / "Train_GCC-training.tsv"
    link.parent.mkdir(parents=True)
    link.symlink_to(corpora_data / "cc3m_validation.tsv")
    monkeypatch.setenv("VLMDATA_DATA_DIR", str(registry_env / "data"))
    db = tmp_path / "i.duckdb"

    summary = index("cc3m", index=str(db))

    expected = len(cc3m_pairs(corpora_data))
    assert (summary.corpus, summary.format, summary.records) == ("cc3m", "delimited", expected)
    listed = {r["name"]: r for r in corpora(str(db)).to_pylist()}
    assert listed["cc3m"]["indexed"] and listed["cc3m"]["records"] == expected
    assert listed["llava_mix"]["indexed"] is False and listed["llava_mix"]["records"] is None
