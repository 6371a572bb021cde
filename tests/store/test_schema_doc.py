"""docs/schema.md documents every table, view and column of a new index, with its type."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from vlmdata.store import connect

DOC = Path(__file__).resolve().parents[2] / "docs" / "schema.md"
HEADING = re.compile(r"^### `(\w+)` \((table|view)\)$")


def documented() -> dict[tuple[str, str], list[tuple[str, str, str]]]:
    """(name, kind) -> [(column, type, meaning)] in the order the page lists them."""
    found: dict[tuple[str, str], list[tuple[str, str, str]]] = {}
    current = None
    for line in DOC.read_text("utf-8").splitlines():
        heading = HEADING.match(line)
        if heading:
            current = (heading.group(1), heading.group(2))
            found[current] = []
        elif line.startswith("### "):
            pytest.fail(f"{DOC}: heading {line!r} is not '### `name` (table|view)'")
        elif current and line.startswith("| `"):
            cells = [c.strip() for c in re.split(r"(?<!\\)\|", line)[1:-1]]
            assert len(cells) == 3, f"{DOC}: {line!r} needs three cells"
            found[current].append((cells[0].strip("`"), cells[1], cells[2]))
    return found


def actual(path: Path) -> dict[tuple[str, str], list[tuple[str, str]]]:
    con = connect(path)
    try:
        rows = con.execute(
            "SELECT t.table_name, t.table_type, c.column_name, c.data_type "
            "FROM information_schema.tables t "
            "JOIN information_schema.columns c USING (table_catalog, table_schema, table_name) "
            "WHERE t.table_schema = 'main' ORDER BY t.table_name, c.ordinal_position"
        ).fetchall()
    finally:
        con.close()
    schema: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for table, kind, column, dtype in rows:
        key = (table, "view" if kind == "VIEW" else "table")
        schema.setdefault(key, []).append((column, dtype))
    return schema


def test_every_table_and_view_is_documented(tmp_path):
    assert set(documented()) == set(actual(tmp_path / "new.duckdb"))


def test_every_column_is_documented_with_its_type_in_order(tmp_path):
    doc = documented()
    for key, columns in actual(tmp_path / "new.duckdb").items():
        assert [(c, t) for c, t, _ in doc.get(key, [])] == columns, key


def test_every_column_has_a_meaning():
    for key, columns in documented().items():
        assert columns, key
        for column, _, meaning in columns:
            assert len(meaning) > 5, (key, column)
