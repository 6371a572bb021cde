import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from vlmdata.errors import InputError
from vlmdata.indexing import corpora, index, stats
from vlmdata.store import connect


def rows(index_file: Path, sql: str, params=None) -> list[tuple]:
    con = duckdb.connect(str(index_file), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def make_jsonl(path: Path, n: int, bad_every: int = 0) -> Path:
    lines = []
    for i in range(n):
        if bad_every and i % bad_every == bad_every - 1:
            lines.append(f'{{"id": "{i}", "conversations": [')
        else:
            lines.append(
                json.dumps(
                    {
                        "id": str(i),
                        "image": f"{i}.jpg",
                        "conversations": [
                            {"from": "human", "value": f"<image>\nWhat is in picture {i}?"},
                            {"from": "gpt", "value": f"A goose and {i} wolves."},
                        ],
                    }
                )
            )
    path.write_text("\n".join(lines) + "\n")
    return path


def test_real_sample_is_indexed_completely(shared_data, index_file):
    path = shared_data / "corpora" / "llava_instruct_150k_every50th.json"
    summary = index(str(path), index=index_file)
    raw = json.loads(path.read_bytes())
    assert summary.records == len(raw) and summary.rejects == 0
    assert summary.texts == sum(len(r["conversations"]) for r in raw)
    assert rows(index_file, "SELECT count(*) FROM records")[0][0] == len(raw)
    turns = rows(index_file, "SELECT role, text FROM texts ORDER BY text_id LIMIT 2")
    assert turns[0][0] == "human" and turns[1] == ("gpt", raw[0]["conversations"][1]["value"])
    table = corpora(index_file)
    table = table.filter(table["indexed"])
    assert table.column("records").to_pylist() == [len(raw)]
    assert stats("llava_instruct_150k_every50th", index_file)["roles"].num_rows == 2


def test_records_read_equals_indexed_plus_rejected(tmp_path, index_file):
    summary = index(str(make_jsonl(tmp_path / "c.jsonl", 100, bad_every=10)), index=index_file)
    assert (summary.records, summary.rejects, summary.records_read) == (90, 10, 100)
    assert summary.reasons == {"bad_json": 10}
    assert rows(index_file, "SELECT reason, count(*) FROM rejects GROUP BY 1") == [("bad_json", 10)]
    assert rows(index_file, "SELECT min(position) FROM rejects")[0][0].startswith("line 10 ")


def test_strict_stops_at_first_reject_and_keeps_nothing(tmp_path, index_file):
    path = make_jsonl(tmp_path / "c.jsonl", 50, bad_every=20)
    with pytest.raises(InputError, match=r"c\.jsonl, line 20 .*bad_json"):
        index(str(path), index=index_file, strict=True)
    assert rows(index_file, "SELECT count(*) FROM records")[0][0] == 0
    assert rows(index_file, "SELECT count(*) FROM files")[0][0] == 0


def test_truncated_file_leaves_nothing_and_others_are_indexed(tmp_path, index_file):
    folder = tmp_path / "shards"
    folder.mkdir()
    make_jsonl(folder / "a.jsonl", 20)
    good = json.dumps([{"id": "x", "conversations": [{"from": "gpt", "value": "hi"}]}] * 5)
    (folder / "b.json").write_text(good[:-30])
    summary = index(str(folder), name="shards", format="llava", index=index_file)
    assert len(summary.failed) == 1 and "b.json at byte" in summary.failed[0]
    assert summary.records == 20
    assert rows(index_file, "SELECT count(DISTINCT file_id) FROM records")[0][0] == 1
    assert rows(index_file, "SELECT path FROM files") == [(str(folder / "a.jsonl"),)]


def test_unchanged_file_is_skipped_and_changed_file_replaced(tmp_path, index_file):
    path = make_jsonl(tmp_path / "c.jsonl", 30)
    index(str(path), index=index_file)
    again = index(str(path), index=index_file)
    assert (again.files_skipped, again.files_scanned, again.records) == (1, 0, 0)
    make_jsonl(path, 12)
    changed = index(str(path), index=index_file)
    assert changed.files_scanned == 1
    assert rows(index_file, "SELECT count(*) FROM records")[0][0] == 12
    assert rows(index_file, "SELECT count(*) FROM texts")[0][0] == 24
    assert rows(index_file, "SELECT count(*) FROM files")[0][0] == 1


def test_a_second_writer_gets_a_clear_message(index_file):
    holder = connect(index_file)
    try:
        code = (
            "from vlmdata.store import connect\n"
            "from vlmdata.errors import IndexBusy\n"
            f"try:\n    connect({str(index_file)!r})\n"
            "except IndexBusy as e:\n    print('BUSY', e)\n"
        )
        result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
        assert "BUSY" in result.stdout and str(index_file) in result.stdout
    finally:
        holder.close()


def test_two_readers_share_the_index(tmp_path, index_file):
    index(str(make_jsonl(tmp_path / "c.jsonl", 5)), index=index_file)
    first = connect(index_file, read_only=True)
    second = connect(index_file, read_only=True)
    try:
        assert first.execute("SELECT count(*) FROM texts").fetchall() == [(10,)]
        assert second.execute("SELECT count(*) FROM texts").fetchall() == [(10,)]
    finally:
        first.close()
        second.close()


def test_reading_a_missing_index_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="no index here"):
        stats("llava_mix", tmp_path / "nothing.duckdb")


def test_corpora_without_an_index_lists_the_known_ones(tmp_path):
    table = corpora(tmp_path / "nothing.duckdb")
    assert "llava_mix" in table.column("name").to_pylist()
    assert not any(table.column("indexed").to_pylist())
    assert not (tmp_path / "nothing.duckdb").exists()


def test_a_glob_names_the_corpus_after_its_folder(tmp_path, index_file):
    folder = tmp_path / "shards"
    folder.mkdir()
    make_jsonl(folder / "a.jsonl", 3)
    make_jsonl(folder / "b.jsonl", 2)
    summary = index(str(folder / "*.jsonl"), index=index_file)
    assert (summary.corpus, summary.records) == ("shards", 5)


def test_kill_during_a_scan_leaves_a_consistent_index(tmp_path, index_file):
    folder = tmp_path / "many"
    folder.mkdir()
    for shard in range(6):
        make_jsonl(folder / f"s{shard}.jsonl", 40_000)
    # The child reports each file it starts; it is killed while the third file is being read,
    # so two files are committed and one is half-written.
    code = (
        "from vlmdata.indexing import index\n"
        "report = lambda name, done, total: print(done, flush=True)\n"
        f"index({str(folder)!r}, index={str(index_file)!r}, progress=report)\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    for line in proc.stdout:
        if int(line) == 2:
            time.sleep(0.1)
            break
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    proc.stdout.close()
    # Whatever was committed is whole: each file row matches its records and texts.
    con = connect(index_file)
    try:
        assert con.execute(
            "SELECT count(*) FROM files f WHERE records != (SELECT count(*) FROM records r "
            "WHERE r.file_id = f.file_id)"
        ).fetchall() == [(0,)]
        orphans = con.execute(
            "SELECT count(*) FROM records r ANTI JOIN files f USING (file_id)"
        ).fetchall()
        assert orphans == [(0,)]
        done_before = con.execute("SELECT count(*) FROM files").fetchall()[0][0]
    finally:
        con.close()
    assert done_before == 2, "the kill did not land during the third file"
    summary = index(str(folder), index=index_file)
    assert summary.files_skipped == done_before and summary.files_scanned == 6 - done_before
    assert rows(index_file, "SELECT count(*) FROM records")[0][0] == 6 * 40_000
