import json

import duckdb
import pyarrow.parquet as pq
import pytest

from vlmdata.errors import InputError
from vlmdata.labels import LabelClass, LabelSet, load_label_set
from vlmdata.matching import count_classes
from vlmdata.store import connect

TEXTS = [
    # text_id, record_key, turn, role, text
    (1, 1, 0, "human", "What is the goose doing next to the geese?"),
    (2, 1, 1, "gpt", "The goose is eating. A man in an orange shirt holds a hot dog."),
    (3, 2, 0, "human", "Is there a tank top in the picture?"),
    (4, 2, 1, "gpt", "No, but there is a laptop and a computer mouse on the desk."),
]


def fill(index_file, corpus="sample", texts=TEXTS):
    con = connect(index_file)
    con.executemany(
        "INSERT INTO texts VALUES (?, ?, ?, ?, ?, false, ?)",
        [(t, r, corpus, turn, role, text) for t, r, turn, role, text in texts],
    )
    con.close()


def rows(index_file, sql, params=None):
    con = duckdb.connect(str(index_file), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def counts(table):
    return {r["class_index"]: (r["texts"], r["mentions"]) for r in table.to_pylist() if r["texts"]}


def test_counts_and_stored_mentions(index_file):
    fill(index_file)
    table = count_classes("sample", index=index_file)
    assert table.num_rows == 1000
    assert table.column_names == ["class_index", "wnid", "name", "texts", "mentions"]
    assert counts(table) == {
        99: (2, 3),  # goose, geese, goose
        934: (1, 1),
        620: (1, 1),
        673: (1, 1),
        526: (1, 1),
    }
    dropped = rows(
        index_file,
        "SELECT text_id, class_index, surface, char_start, char_end, reason FROM mentions "
        "WHERE NOT kept ORDER BY text_id, char_start",
    )
    assert dropped == [
        (2, 950, "orange", 33, 39, "modifier: orange.s.01"),
        (3, 847, "tank top", 11, 19, "part_of_term: tank_top.n.01"),
    ]
    run = rows(index_file, "SELECT corpus, label_set, mode, texts_scanned FROM count_runs")
    assert run == [("sample", "imagenet", "wordnet", 4)]
    view = rows(index_file, "SELECT texts, mentions FROM class_counts WHERE class_index = 99")
    assert view == [(2, 3)]


def test_exact_mode_and_rerun_replaces_only_its_own_rows(index_file):
    fill(index_file)
    count_classes("sample", index=index_file)
    exact = count_classes("sample", match="exact", index=index_file)
    # the display names "hot dog" and "computer mouse" count; "geese" and "laptop" do not
    assert counts(exact) == {
        99: (2, 2),
        950: (1, 1),
        847: (1, 1),
        526: (1, 1),
        934: (1, 1),
        673: (1, 1),
    }
    count_classes("sample", match="exact", index=index_file)
    per_mode = rows(index_file, "SELECT mode, count(*) FROM mentions GROUP BY mode ORDER BY 1")
    assert per_mode == [("exact", 7), ("wordnet", 9)]


def test_by_role(index_file):
    fill(index_file)
    table = count_classes("sample", by="role", index=index_file)
    goose = next(r for r in table.to_pylist() if r["class_index"] == 99)
    assert (goose["texts_human"], goose["mentions_human"]) == (1, 2)
    assert (goose["texts_gpt"], goose["mentions_gpt"]) == (1, 1)


def test_by_corpus_lists_every_counted_corpus(index_file):
    fill(index_file)
    fill(index_file, "other", [(10, 5, 0, "gpt", "Three zebras and a goose.")])
    count_classes("sample", index=index_file)
    table = count_classes("other", by="corpus", index=index_file)
    goose = {r["corpus"]: r["texts"] for r in table.to_pylist() if r["class_index"] == 99}
    assert goose == {"sample": 2, "other": 1}


@pytest.mark.parametrize("suffix", [".csv", ".parquet", ".json"])
def test_output_files(index_file, tmp_path, suffix):
    fill(index_file)
    path = tmp_path / f"counts{suffix}"
    table = count_classes("sample", labels="imagenet", index=index_file, output=path)
    if suffix == ".parquet":
        assert pq.read_table(path).equals(table)
    elif suffix == ".json":
        assert json.loads(path.read_text()) == table.to_pylist()
    else:
        assert path.read_text().splitlines()[0] == '"class_index","wnid","name","texts","mentions"'


def test_bad_arguments(index_file):
    fill(index_file)
    with pytest.raises(InputError, match="--by must be"):
        count_classes("sample", by="file", index=index_file)
    with pytest.raises(InputError, match="unknown output format"):
        count_classes("sample", index=index_file, output="counts.xlsx")


def test_unindexed_path_is_indexed_first(shared_data, index_file):
    path = shared_data / "corpora" / "llava_instruct_150k_every50th.json"
    table = count_classes(str(path), index=index_file)
    indexed = rows(index_file, "SELECT count(*) FROM texts")[0][0]
    scanned = rows(index_file, "SELECT texts_scanned FROM count_runs")[0][0]
    assert scanned == indexed > 10_000
    assert sum(r["texts"] > 0 for r in table.to_pylist()) > 100


def test_a_label_set_cannot_replace_a_builtin_in_the_index(index_file):
    fill(index_file)
    count_classes("sample", index=index_file)
    mine = LabelSet("imagenet", (LabelClass(0, "goose"),), source="mine")
    with pytest.raises(InputError, match="'imagenet' \\(mine\\) is not the built-in label set"):
        count_classes("sample", labels=mine, index=index_file)
    stored = rows(
        index_file, "SELECT name FROM classes WHERE label_set = 'imagenet' ORDER BY class_index"
    )
    assert [n for (n,) in stored] == [c.name for c in load_label_set("imagenet").classes]
