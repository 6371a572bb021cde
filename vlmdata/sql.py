"""`sql` and `query`: questions of one's own, asked of the index in SQL.

`sql` runs any statement. By default the index is opened read-only and DuckDB's access to other
files is switched off for the connection, so a query can neither change the index nor read or
write files (`COPY ... TO`, `ATTACH`, `read_csv`); `write=True` lifts both.

`query` runs one of the named queries shipped in vlmdata/queries/. Each is a `.sql` file whose
leading comment says what it answers, followed by its parameters, one per line:

    -- @param corpus: str               an indexed corpus
    -- @param limit: int = 20           rows to show

Parameters are bound as DuckDB named parameters (`$corpus`), never pasted into the SQL text.
"""

from __future__ import annotations

import json
import logging
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import duckdb
import pyarrow as pa

from vlmdata.errors import InputError
from vlmdata.store import connect
from vlmdata.store.schema import MIGRATIONS, applied

log = logging.getLogger(__name__)

FORMATS = ("csv", "json", "parquet")
_PARAM = re.compile(r"^@param\s+(\w+)\s*:\s*(\w+)(?:\s*=\s*(\S+))?\s*(.*)$")
_TYPE_WORDS = {"str": "text", "int": "an integer", "float": "a number", "bool": "true or false"}
_EARLY = (duckdb.ParserException, duckdb.BinderException, duckdb.CatalogException)
_TRUE, _FALSE = {"true", "yes", "1", "on"}, {"false", "no", "0", "off"}


def sql(
    statement: str,
    *,
    index: str | os.PathLike | None = None,
    params: Mapping[str, object] | None = None,
    write: bool = False,
) -> pa.Table:
    """Run SQL against the index and return the result of its last statement.

    Read-only unless `write` is true (see the module docstring). INSERT, UPDATE and DELETE give
    DuckDB's one-row count; a statement with no result at all gives an empty table. DuckDB's
    errors come back as an InputError of one line that names the position in the statement.
    """
    if not statement.strip():
        raise InputError("the SQL statement is empty")
    values = dict(params) if params else None
    con = _open(index, write)
    try:
        result = con.sql(statement, params=values)
        return result.to_arrow_table() if result is not None else pa.table({})
    except duckdb.Error as exc:
        error = exc
    finally:
        con.close()
    raise InputError(_explain(index, error, statement, values, write))


def _open(index, write: bool):
    con = connect(index, read_only=not write)
    if not write:
        con.execute("SET enable_external_access = false")
    return con


def _explain(index, error: duckdb.Error, statement: str, values, write: bool) -> str:
    """DuckDB's message on one line, with the line and column it points at and a hint."""
    detail, missing = str(error), []
    replay = "\nLINE " not in detail and isinstance(error, _EARLY)
    if replay or isinstance(error, duckdb.CatalogException):
        con = _open(index, write=False)
        try:
            detail = _replayed(con, detail, statement, values) if replay else detail
            missing = [name for name, _ in MIGRATIONS if name not in set(applied(con))]
        finally:
            con.close()
    message, _, context = detail.partition("\n\nLINE ")
    text = " ".join(part.strip() for part in message.splitlines() if part.strip())
    where = _position(context, statement) if context else ""
    hint = ""
    if "read-only mode" in text:
        hint = "; the index is opened read-only: add --write to change it"
    elif "disabled by configuration" in text:
        hint = "; read-only SQL cannot read or write other files: add --write, or use --output"
    elif missing:
        hint = (
            f"; this index predates schema update {missing[0]}: open it once for writing "
            '(for example `vlmdata sql --write "SELECT 1"`) to apply it'
        )
    return f"SQL error{where}: {text}{hint}"


def _replayed(con, text: str, statement: str, values: dict | None) -> str:
    """The error's text with the 'LINE n:' excerpt that only DuckDB's execute path adds.

    Parse, bind and catalog errors arise before anything runs, and `con` is read-only with no
    access to files, so running the statement again costs little and changes nothing. The
    replay's text is used only when it reports the same error.
    """
    try:
        con.execute(statement, values).fetchall()
    except duckdb.Error as again:
        if str(again).partition("\n")[0] == text.partition("\n")[0]:
            return str(again)
    return text


def _position(context: str, statement: str) -> str:
    """' at line L, column C' from DuckDB's 'LINE n: <excerpt>' and its caret line."""
    lines = context.splitlines()
    head = re.match(r"(\d+): ", lines[0])
    if not head:
        return ""
    line_no = int(head.group(1))
    shown = lines[0][head.end() :]
    caret = lines[1].find("^") - len("LINE ") - head.end() if len(lines) > 1 else -1
    source = statement.splitlines()[line_no - 1] if line_no <= len(statement.splitlines()) else ""
    # DuckDB cuts long lines to a window marked with '...': find the window in the source line.
    prefix = 3 if shown.startswith("...") else 0
    window = shown[prefix:].removesuffix("...")
    offset = source.find(window) if window else -1
    if caret < 0 or offset < 0:
        return f" at line {line_no}"
    column = offset + caret - prefix + 1
    token = source[column - 1 :].split(None, 1)[0] if source[column - 1 :].strip() else ""
    near = f" (near {token!r})" if token else ""
    return f" at line {line_no}, column {column}{near}"


@dataclass(frozen=True, slots=True)
class Param:
    """A parameter of a named query. `default` is None when the parameter is required."""

    name: str
    type: str
    default: str | None
    help: str


@dataclass(frozen=True, slots=True)
class NamedQuery:
    """A `.sql` file of vlmdata/queries/: what it answers, its parameters and its SQL."""

    name: str
    summary: str
    description: str
    params: tuple[Param, ...]
    text: str


def _queries_dir():
    return resources.files("vlmdata").joinpath("queries")


def named_queries() -> list[NamedQuery]:
    """Every named query shipped with vlmdata, by name."""
    found = [
        _parse(entry.name.removesuffix(".sql"), entry.read_text("utf-8"), entry.name)
        for entry in _queries_dir().iterdir()
        if entry.name.endswith(".sql")
    ]
    return sorted(found, key=lambda q: q.name)


def load_query(name: str) -> NamedQuery:
    """One named query; InputError listing the known names when there is none of this name."""
    entry = _queries_dir().joinpath(f"{name}.sql")
    if not re.fullmatch(r"\w+", name) or not entry.is_file():
        known = ", ".join(q.name for q in named_queries())
        raise InputError(f"no named query {name!r}; known: {known} (vlmdata query --list)")
    return _parse(name, entry.read_text("utf-8"), entry.name)


def _parse(name: str, text: str, source: str) -> NamedQuery:
    about, params = [], []
    for line in text.splitlines():
        if not line.startswith("--"):
            break
        body = line[2:].strip()
        match = _PARAM.match(body)
        if match:
            pname, ptype, default, help_text = match.groups()
            if ptype not in _TYPE_WORDS:
                raise InputError(f"{source}: parameter {pname}: unknown type {ptype!r}")
            params.append(Param(pname, ptype, default, help_text.strip()))
        elif not params:
            about.append(body)
    paragraphs = " ".join(line or "\n\n" for line in about).split("\n\n")
    description = "\n\n".join(p.strip() for p in paragraphs if p.strip())
    summary = description.split("\n\n")[0]
    return NamedQuery(name, summary, description, tuple(params), text)


def query(
    name: str,
    *,
    index: str | os.PathLike | None = None,
    params: Mapping[str, object] | None = None,
) -> pa.Table:
    """Run a named query with its parameters (values may be strings, as from the command line;
    they are converted to the parameter's declared type). Read-only."""
    named = load_query(name)
    return sql(named.text, index=index, params=bind(named, params or {}))


def bind(named: NamedQuery, given: Mapping[str, object]) -> dict[str, object]:
    """The parameter values for `named`: given ones converted to their type, defaults for the
    rest. InputError for an unknown parameter, a missing required one or a bad value."""
    declared = {p.name: p for p in named.params}
    unknown = sorted(set(given) - set(declared))
    if unknown:
        raise InputError(
            f"query {named.name}: unknown parameter {', '.join(unknown)}; "
            f"it takes: {', '.join(declared) or 'none'}"
        )
    values = {}
    for param in named.params:
        value = given.get(param.name, param.default)
        if value is None:
            raise InputError(
                f"query {named.name}: parameter {param.name} is required "
                f"(--param {param.name}=VALUE)"
            )
        values[param.name] = _convert(named.name, param, value)
    return values


def _convert(query_name: str, param: Param, value: object) -> object:
    if not isinstance(value, str) or param.type == "str":
        return value
    try:
        if param.type == "int":
            return int(value)
        if param.type == "float":
            return float(value)
        if value.lower() in _TRUE | _FALSE:
            return value.lower() in _TRUE
    except ValueError:
        pass
    raise InputError(
        f"query {query_name}: parameter {param.name} needs {_TYPE_WORDS[param.type]}, not {value!r}"
    )


def parse_params(pairs: Iterable[str]) -> dict[str, str]:
    """`NAME=VALUE` strings (as given to --param) to a dict; the value may contain '='."""
    params = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise InputError(f"--param {pair!r}: write it as NAME=VALUE")
        params[key.strip()] = value
    return params


def write_table(table: pa.Table, path: str | os.PathLike, fmt: str | None = None) -> str:
    """Write a result to a file as CSV, JSON Lines or Parquet (from `fmt`, else the suffix).
    Returns the format used."""
    path = Path(path)
    fmt = fmt or {".csv": "csv", ".json": "json", ".jsonl": "json", ".parquet": "parquet"}.get(
        path.suffix.lower()
    )
    if fmt not in FORMATS:
        raise InputError(f"{path}: give --format csv, json or parquet for this file")
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "parquet":
        import pyarrow.parquet as pq

        pq.write_table(table, path)
    elif fmt == "csv":
        import pyarrow.csv as pacsv

        pacsv.write_csv(table, path)
    else:
        with open(path, "w", encoding="utf-8") as f:
            for row in table.to_pylist():
                f.write(json.dumps(row, default=str, ensure_ascii=False) + "\n")
    log.info("%s: %d rows written as %s", path, table.num_rows, fmt)
    return fmt
