"""`sql` and the `sql` / `query` commands: read-only by default, one-line errors, outputs."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from vlmdata.cli import app
from vlmdata.errors import InputError
from vlmdata.indexing import index
from vlmdata.sql import sql, write_table
from vlmdata.store.schema import MIGRATIONS

DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data"
CHUNK = DATA / "corpora" / "llava_instruct_chunk0_with_extra_field.jsonl"

runner = CliRunner()


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("sql") / "index.duckdb"
    index(str(CHUNK), name="chunk", index=path)
    return path


@pytest.fixture
def copy(built, tmp_path) -> Path:
    """A private copy of the index, for tests that try to change it."""
    target = tmp_path / "copy.duckdb"
    target.write_bytes(built.read_bytes())
    return target


def texts(path: Path) -> int:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute("SELECT count(*) FROM texts").fetchall()[0][0]
    finally:
        con.close()


def test_a_select_returns_an_arrow_table(built):
    result = sql("SELECT role, count(*) AS n FROM texts GROUP BY role ORDER BY role", index=built)
    lines = [json.loads(line) for line in CHUNK.read_text().splitlines() if line.strip()]
    turns = sum(len(item["conversations"]) for item in lines)
    assert result.column_names == ["role", "n"]
    assert sum(result.column("n").to_pylist()) == turns


@pytest.mark.parametrize(
    "statement",
    [
        "DELETE FROM texts",
        "DROP TABLE texts",
        "INSERT INTO corpora (name, format, source) VALUES ('x', 'y', 'z')",
        "UPDATE texts SET text = ''",
        "CREATE TABLE t AS SELECT 1",
    ],
)
def test_read_only_refuses_changes(copy, statement):
    before = texts(copy)
    with pytest.raises(InputError, match="read-only: add --write"):
        sql(statement, index=copy)
    assert texts(copy) == before


def test_read_only_refuses_copy_to_a_file(copy, tmp_path):
    target = tmp_path / "leak.csv"
    with pytest.raises(InputError, match="cannot read or write other files"):
        sql(f"COPY texts TO '{target}' (HEADER)", index=copy)
    assert not target.exists()


@pytest.mark.parametrize(
    "statement",
    [
        "ATTACH '{other}' AS other",
        "SELECT * FROM read_csv('{csv}')",
        "SET enable_external_access = true",
    ],
)
def test_read_only_cannot_reach_other_files(copy, tmp_path, statement):
    other = tmp_path / "other.duckdb"
    duckdb.connect(str(other)).close()
    csv = tmp_path / "some.csv"
    csv.write_text("a\n1\n")
    with pytest.raises(InputError, match="SQL error"):
        sql(statement.format(other=other, csv=csv), index=copy)


def test_write_allows_changes(copy):
    before = texts(copy)
    sql("DELETE FROM texts WHERE turn > 0", index=copy, write=True)
    after = texts(copy)
    assert 0 < after < before
    assert (
        after
        == sql("SELECT count(DISTINCT record_key) AS n FROM texts", index=copy)["n"].to_pylist()[0]
    )


def test_parameters_are_bound(built):
    value = "it's; DROP TABLE texts; --"
    result = sql(
        "SELECT $v AS v, count(*) AS n FROM corpora WHERE name = $v",
        index=built,
        params={"v": value},
    )
    assert result.to_pylist() == [{"v": value, "n": 0}]


def test_an_error_names_the_line_and_column(built):
    statement = "SELECT role,\n       count(*) AS n\nFROM textz\nGROUP BY role"
    with pytest.raises(InputError) as caught:
        sql(statement, index=built)
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith("SQL error at line 3, column 6 (near 'textz'): Catalog Error")


def test_the_column_is_found_in_a_long_line(built):
    columns = ", ".join(f"turn AS c{i}" for i in range(40))
    statement = f"SELECT {columns}, missing_column, {columns} FROM texts"
    with pytest.raises(InputError) as caught:
        sql(statement, index=built)
    column = statement.index("missing_column") + 1
    assert f"line 1, column {column} (near 'missing_column,')" in str(caught.value)


def test_an_empty_statement_is_refused(built):
    with pytest.raises(InputError, match="empty"):
        sql("  \n", index=built)


def test_an_old_index_says_how_to_upgrade(tmp_path):
    old = tmp_path / "old.duckdb"
    con = duckdb.connect(str(old))
    con.execute("CREATE TABLE schema_migrations (name VARCHAR PRIMARY KEY, applied_at TIMESTAMP)")
    for name, statements in MIGRATIONS[:-1]:
        con.execute(statements)
        con.execute("INSERT INTO schema_migrations VALUES (?, now())", [name])
    con.close()
    latest = MIGRATIONS[-1][0]
    with pytest.raises(InputError, match=f"predates schema update {latest}"):
        sql("SELECT * FROM mention_contexts", index=old)


def test_cli_prints_one_line_and_exits_1(built):
    result = runner.invoke(app, ["sql", "SELECT nope FROM texts", "--index", str(built)])
    assert result.exit_code == 1
    assert result.stderr.strip().startswith("Error: SQL error at line 1, column 8")
    assert len(result.stderr.strip().splitlines()) == 1


def test_cli_refuses_delete_without_write(copy):
    result = runner.invoke(app, ["sql", "DELETE FROM texts", "--index", str(copy)])
    assert result.exit_code == 1 and "add --write" in result.stderr
    result = runner.invoke(app, ["sql", "DELETE FROM texts", "--index", str(copy), "--write"])
    assert result.exit_code == 0 and texts(copy) == 0


@pytest.mark.parametrize("fmt", ["csv", "json", "parquet"])
def test_cli_writes_each_format(built, tmp_path, fmt):
    target = tmp_path / f"roles.{fmt}"
    statement = "SELECT role, count(*) AS n FROM texts GROUP BY role ORDER BY role"
    args = ["sql", statement, "--index", str(built), "--format", fmt, "--output", str(target)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.stderr
    expected = sql(statement, index=built).to_pylist()
    if fmt == "parquet":
        assert pq.read_table(target).to_pylist() == expected
    elif fmt == "json":
        assert [json.loads(x) for x in target.read_text().splitlines()] == expected
    else:
        lines = target.read_text().splitlines()
        assert lines[0] == '"role","n"' and len(lines) == len(expected) + 1


def test_cli_prints_csv_to_stdout_and_reads_stdin(built):
    args = ["sql", "-", "--index", str(built), "--format", "csv"]
    result = runner.invoke(app, args, input="SELECT count(*) AS n FROM records")
    assert result.exit_code == 0
    assert result.stdout.splitlines() == ['"n"', str(sum(1 for _ in CHUNK.open()))]


def test_cli_parquet_needs_an_output(built):
    result = runner.invoke(app, ["sql", "SELECT 1", "--index", str(built), "--format", "parquet"])
    assert result.exit_code == 2 and "--output" in result.output + result.stderr


def test_write_table_needs_a_known_suffix(tmp_path):
    with pytest.raises(InputError, match="give --format"):
        write_table(pa.table({"one": [1]}), tmp_path / "x.txt")


def test_cli_query_list_and_run(built):
    listed = runner.invoke(app, ["query", "--list", "--format", "csv"])
    assert listed.exit_code == 0 and "shared_images" in listed.stdout
    args = [
        "query",
        "shared_images",
        "-p",
        "corpus_a=chunk",
        "-p",
        "corpus_b=chunk",
        "-p",
        "limit=3",
        "--index",
        str(built),
        "--format",
        "json",
    ]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(rows) == 3 and all(r["records_a"] == r["records_b"] for r in rows)


def test_cli_query_bad_parameter(built):
    result = runner.invoke(app, ["query", "top_classes", "-p", "corpus", "--index", str(built)])
    assert result.exit_code == 1 and "NAME=VALUE" in result.stderr


def test_a_write_statement_error_names_its_position_too(copy):
    statement = "DELETE FROM texts WHERE  nope = 1"
    column = statement.index("nope") + 1
    with pytest.raises(InputError, match=rf"line 1, column {column} \(near 'nope'\): Binder"):
        sql(statement, index=copy, write=True)
    assert texts(copy) > 0
