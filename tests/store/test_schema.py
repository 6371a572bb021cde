import duckdb

from vlmdata.store import SCHEMA_VERSION, connect
from vlmdata.store.schema import MIGRATIONS, applied, migrate


def test_migrations_are_recorded_once_in_order():
    con = duckdb.connect()
    assert migrate(con) == [name for name, _ in MIGRATIONS]
    assert migrate(con) == []
    assert applied(con) == [name for name, _ in MIGRATIONS]
    assert len(applied(con)) == SCHEMA_VERSION


def test_an_older_index_is_brought_up_to_date(tmp_path):
    path = tmp_path / "old.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE schema_migrations (name VARCHAR PRIMARY KEY, applied_at TIMESTAMP)")
    first_name, first_sql = MIGRATIONS[0]
    con.execute(first_sql)
    con.execute("INSERT INTO schema_migrations VALUES (?, now())", [first_name])
    con.execute("INSERT INTO corpora (name, format, source) VALUES ('old', 'llava', 'x')")
    con.close()
    upgraded = connect(path)
    try:
        assert applied(upgraded) == [name for name, _ in MIGRATIONS]
        assert upgraded.execute("SELECT name FROM corpora").fetchall() == [("old",)]
        assert upgraded.execute("SELECT count(*) FROM mentions").fetchall() == [(0,)]
    finally:
        upgraded.close()
