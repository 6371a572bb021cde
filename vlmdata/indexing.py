"""`index`, `corpora` and `stats`: turning corpus files into the index, and summarising it."""

from __future__ import annotations

import dataclasses
import glob
import hashlib
import json
import logging
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa

from vlmdata.corpora.base import FileError, Reject, ScanOptions
from vlmdata.corpora.formats import detect_format, scanner
from vlmdata.errors import InputError
from vlmdata.store import connect
from vlmdata.store.writer import FileWriter, delete_file_rows

log = logging.getLogger(__name__)

Progress = Callable[[str, int, int], None]
"""Called as progress(file_name, files_done, files_total) before each file and at the end."""


@dataclass
class IndexSummary:
    """What one `index` call did. records_read == records + rejects, always."""

    corpus: str
    format: str
    files_scanned: int = 0
    files_skipped: int = 0
    failed: list[str] = field(default_factory=list)
    records: int = 0
    texts: int = 0
    rejects: int = 0
    reasons: Counter = field(default_factory=Counter)
    seconds: float = 0.0

    @property
    def records_read(self) -> int:
        return self.records + self.rejects


@dataclass
class Source:
    """Where a corpus lies: its name, format and files."""

    name: str
    format: str
    files: list[Path]
    origin: str


def resolve_source(source: str, name: str | None = None, format: str | None = None) -> Source:
    """A path, a directory, a glob, or the name of a known corpus -> its files and format."""
    path = Path(source).expanduser()
    if path.is_file():
        files = [path]
    elif path.is_dir():
        files = sorted(p for p in path.rglob("*") if p.is_file() and not p.name.startswith("."))
    elif glob.has_magic(source):
        files = sorted(Path(p) for p in glob.glob(str(path), recursive=True) if Path(p).is_file())
        if not files:
            raise InputError(f"{source}: the pattern matches no files")
    else:
        from vlmdata.corpora.registry import resolve

        found = resolve(source)
        return Source(name or found.name, format or found.format, found.files, found.origin)
    if not files:
        raise InputError(f"{source}: no files in this directory")
    fmt = format or detect_format(files[0])
    return Source(name or _default_name(path), fmt, files, str(path))


def _default_name(path: Path) -> str:
    """A corpus name from a path: 'a/llava.json.zst' -> 'llava', 'shards/*.parquet' -> 'shards'."""
    while path.name and glob.has_magic(path.name):
        path = path.parent
    stem = path.name.split(".")[0]
    return stem or "corpus"


def fingerprint(path: Path) -> tuple[int, int, str]:
    """(size, mtime_ns, digest): the digest covers the size and the first and last MiB."""
    st = path.stat()
    digest = hashlib.blake2b(digest_size=16)
    digest.update(str(st.st_size).encode())
    with open(path, "rb") as f:
        digest.update(f.read(1 << 20))
        if st.st_size > 2 << 20:
            f.seek(-(1 << 20), 2)
            digest.update(f.read(1 << 20))
    return st.st_size, st.st_mtime_ns, digest.hexdigest()


def index(
    source: str,
    *,
    name: str | None = None,
    format: str | None = None,
    index: str | None = None,
    strict: bool = False,
    options: ScanOptions | None = None,
    progress: Progress | None = None,
) -> IndexSummary:
    """Index a corpus (a file, a directory, a glob or a known corpus name) into the index file.

    Each file is scanned in one transaction: unchanged files (same fingerprint) are skipped, a
    changed file's rows are replaced, and a file that cannot be read leaves nothing behind and
    is listed in `summary.failed`. With strict=True the first rejected record stops the scan
    with an InputError naming the file and the record.
    """
    src = resolve_source(source, name, format)
    scan = scanner(src.format)
    options = options or ScanOptions()
    con = connect(index)
    started = time.perf_counter()
    summary = IndexSummary(src.name, src.format)
    try:
        _upsert_corpus(con, src, options)
        for done, path in enumerate(src.files):
            if progress:
                progress(path.name, done, len(src.files))
            _index_file(con, src, path, scan, options, strict, summary)
        con.execute("UPDATE corpora SET scanned_at = current_timestamp WHERE name = ?", [src.name])
        if progress:
            progress("", len(src.files), len(src.files))
    finally:
        con.close()
    summary.seconds = time.perf_counter() - started
    log.info(
        "%s: %d files scanned, %d unchanged, %d failed; %d records read = %d indexed + %d "
        "rejected; %d texts; %.1f s",
        src.name,
        summary.files_scanned,
        summary.files_skipped,
        len(summary.failed),
        summary.records_read,
        summary.records,
        summary.rejects,
        summary.texts,
        summary.seconds,
    )
    return summary


def _upsert_corpus(con: duckdb.DuckDBPyConnection, src: Source, options: ScanOptions) -> None:
    known = con.execute("SELECT format FROM corpora WHERE name = ?", [src.name]).fetchall()
    if known and known[0][0] != src.format:
        raise InputError(
            f"corpus {src.name!r} is already indexed as format {known[0][0]!r}, not "
            f"{src.format!r}; choose another --name"
        )
    if not known:
        con.execute(
            "INSERT INTO corpora (name, format, source, options) VALUES (?, ?, ?, ?)",
            [src.name, src.format, src.origin, json.dumps(_given(options))],
        )


def _given(options: ScanOptions) -> dict:
    """The options a user set, to keep with the corpus."""
    return {k: v for k, v in dataclasses.asdict(options).items() if v not in (None, {})}


def _index_file(
    con, src: Source, path: Path, scan, options, strict: bool, summary: IndexSummary
) -> None:
    size, mtime_ns, digest = fingerprint(path)
    shown = str(path)
    row = con.execute(
        "SELECT file_id, fingerprint FROM files WHERE corpus = ? AND path = ?", [src.name, shown]
    ).fetchall()
    if row and row[0][1] == digest:
        summary.files_skipped += 1
        log.debug("%s: unchanged, skipped", shown)
        return
    started = time.perf_counter()
    con.execute("BEGIN TRANSACTION")
    try:
        if row:
            file_id = row[0][0]
            delete_file_rows(con, file_id)
            con.execute("DELETE FROM files WHERE file_id = ?", [file_id])
            # Counts of this corpus no longer match its texts: they must be made again.
            con.execute("DELETE FROM count_runs WHERE corpus = ?", [src.name])
        else:
            file_id = con.execute("SELECT nextval('file_ids')").fetchall()[0][0]
        counts = _write_file(con, src.name, file_id, path, scan, options, strict)
        con.execute(
            "INSERT INTO files (file_id, corpus, path, size, mtime_ns, fingerprint, records, "
            "texts, rejects, seconds) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                file_id,
                src.name,
                shown,
                size,
                mtime_ns,
                digest,
                counts.records,
                counts.texts,
                counts.rejects,
                time.perf_counter() - started,
            ],
        )
        con.execute("COMMIT")
    except FileError as exc:
        con.execute("ROLLBACK")
        summary.failed.append(str(exc))
        log.info("%s; nothing of this file was indexed", exc)
        return
    except BaseException:
        con.execute("ROLLBACK")
        raise
    summary.files_scanned += 1
    summary.records += counts.records
    summary.texts += counts.texts
    summary.rejects += counts.rejects
    summary.reasons.update(counts.reasons)


def _write_file(con, corpus: str, file_id: int, path: Path, scan, options, strict: bool):
    writer = FileWriter(con, corpus, file_id, str(path))
    try:
        for item in scan(path, options):
            if strict and isinstance(item, Reject):
                raise InputError(
                    f"{path}, {item.position}: {item.reason}: {item.detail} (--strict stops at "
                    "the first rejected record)"
                )
            writer.add(item)
    finally:
        writer.close()
    return writer.counts


def corpora(index: str | None = None) -> pa.Table:
    """The indexed corpora with their files, records, texts and rejects (`indexed` true), then
    the known corpora not indexed yet (`indexed` false, counts null)."""
    from vlmdata.corpora.registry import with_known
    from vlmdata.store import index_path, migrate

    if index_path(index).exists():
        con = connect(index, read_only=True)
    else:  # nothing indexed yet: the known corpora alone, from an empty in-memory index
        con = duckdb.connect()
        migrate(con)
    try:
        indexed = con.sql(
            """
            SELECT c.name, c.format, c.source, count(f.file_id) AS files,
                   coalesce(sum(f.size), 0)::BIGINT AS bytes,
                   coalesce(sum(f.records), 0)::BIGINT AS records,
                   coalesce(sum(f.texts), 0)::BIGINT AS texts,
                   coalesce(sum(f.rejects), 0)::BIGINT AS rejects, c.scanned_at
            FROM corpora c LEFT JOIN files f ON f.corpus = c.name
            GROUP BY ALL ORDER BY c.name
            """
        ).to_arrow_table()
    finally:
        con.close()
    return with_known(indexed)


def stats(name: str, index: str | None = None) -> dict[str, pa.Table]:
    """Per-file counts, texts per role, and rejects per reason of one indexed corpus."""
    con = connect(index, read_only=True)
    try:
        if not con.execute("SELECT count(*) FROM corpora WHERE name = ?", [name]).fetchall()[0][0]:
            raise InputError(f"no corpus {name!r} in the index; 'vlmdata corpora' lists them")
        params = {"name": name}
        return {
            "files": con.sql(
                "SELECT path, size, records, texts, rejects, round(seconds, 2) AS seconds, "
                "scanned_at FROM files WHERE corpus = $name ORDER BY path",
                params=params,
            ).to_arrow_table(),
            "roles": con.sql(
                "SELECT role, count(*) AS texts, count(DISTINCT record_key) AS records, "
                "round(avg(length(text)), 1) AS mean_chars FROM texts WHERE corpus = $name "
                "GROUP BY role ORDER BY texts DESC",
                params=params,
            ).to_arrow_table(),
            "rejects": con.sql(
                "SELECT reason, count(*) AS records, any_value(path || ', ' || position) AS "
                "example FROM rejects WHERE corpus = $name GROUP BY reason ORDER BY 2 DESC",
                params=params,
            ).to_arrow_table(),
        }
    finally:
        con.close()
