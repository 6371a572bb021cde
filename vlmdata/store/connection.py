"""Opening the index file: where it is, read-only or writable, and a clear message when locked."""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

from vlmdata.errors import IndexBusy, InputError
from vlmdata.store.schema import migrate

DEFAULT_INDEX = "vlmdata.duckdb"
INDEX_ENV = "VLMDATA_INDEX"


def index_path(index: str | os.PathLike | None = None) -> Path:
    """The index file: the argument, else $VLMDATA_INDEX, else vlmdata.duckdb here."""
    return Path(index or os.environ.get(INDEX_ENV) or DEFAULT_INDEX)


def connect(index: str | os.PathLike | None = None, *, read_only: bool = False):
    """Open the index. A writable connection creates the file and applies pending migrations.

    DuckDB lets one process write a file, or several processes read it: a second writer (or a
    reader while someone writes) gets IndexBusy with the file's name rather than DuckDB's text.
    """
    path = index_path(index)
    if read_only and not path.exists():
        raise InputError(f"{path}: no index here; build one with 'vlmdata index PATH_OR_CORPUS'")
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    try:
        con = duckdb.connect(str(path), read_only=read_only)
    except duckdb.IOException as exc:
        if "lock" in str(exc).lower():
            raise IndexBusy(
                f"{path}: the index is in use by another process (it is being written); "
                "wait for it to finish, or use another --index file"
            ) from exc
        raise InputError(f"{path}: cannot open the index: {exc}") from exc
    except duckdb.Error as exc:
        raise InputError(f"{path}: not a vlmdata index ({exc})") from exc
    # DuckDB draws its own progress bar on stdout for long queries; stdout carries data here.
    con.execute("SET enable_progress_bar = false")
    if not read_only:
        migrate(con)
    return con
