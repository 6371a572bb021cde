"""Writing one source file's records into the index, in one transaction.

Keys are derived from the file: `record_key = file_id << 40 | ordinal` and
`text_id = file_id << 40 | n`, where n counts the file's texts. A file's rows can then be found
(and replaced) by key range without an index on the big tables, and keys never collide across
files or re-scans.
"""

from __future__ import annotations

import queue
import threading
from collections import Counter
from dataclasses import dataclass, field

import duckdb
import numpy as np
import pyarrow as pa

from vlmdata.corpora.base import Record, Reject

KEY_SHIFT = 40
BATCH_TEXTS = 100_000

RECORDS_SCHEMA = pa.schema(
    [
        ("record_key", pa.int64()),
        ("corpus", pa.string()),
        ("file_id", pa.int32()),
        ("ordinal", pa.int64()),
        ("record_id", pa.string()),
        ("image", pa.string()),
        ("images", pa.list_(pa.string())),
    ]
)
TEXTS_SCHEMA = pa.schema(
    [
        ("text_id", pa.int64()),
        ("record_key", pa.int64()),
        ("corpus", pa.string()),
        ("turn", pa.int32()),
        ("role", pa.string()),
        ("image_token", pa.bool_()),
        ("text", pa.string()),
    ]
)


PAIR = pa.struct([("role", pa.string()), ("text", pa.string())])


def key_range(file_id: int) -> tuple[int, int]:
    """The [low, high) range of record keys and text ids that belong to a file."""
    return file_id << KEY_SHIFT, (file_id + 1) << KEY_SHIFT


def delete_file_rows(con: duckdb.DuckDBPyConnection, file_id: int) -> None:
    """Remove everything derived from a file: records, texts, their mentions, rejects."""
    low, high = key_range(file_id)
    con.execute("DELETE FROM mentions WHERE text_id >= ? AND text_id < ?", [low, high])
    con.execute("DELETE FROM texts WHERE text_id >= ? AND text_id < ?", [low, high])
    con.execute("DELETE FROM records WHERE file_id = ?", [file_id])
    con.execute("DELETE FROM rejects WHERE file_id = ?", [file_id])


@dataclass
class FileCounts:
    records: int = 0
    texts: int = 0
    rejects: int = 0
    reasons: Counter = field(default_factory=Counter)


class FileWriter:
    """Buffers the Records and Rejects of one file and inserts them as Arrow batches.

    The caller owns the transaction; the writer only inserts. Inserts run on a worker thread
    (DuckDB releases the GIL while it copies a batch), so parsing the next batch overlaps with
    storing the last one. Until close() returns, only the worker may use the connection.
    """

    def __init__(self, con: duckdb.DuckDBPyConnection, corpus: str, file_id: int, path: str):
        self.con, self.corpus, self.file_id, self.path = con, corpus, file_id, path
        self.base = file_id << KEY_SHIFT
        self.counts = FileCounts()
        self._ordinals: list[int] = []
        self._record_ids: list[str | None] = []
        self._images: list[list[str]] = []
        self._pairs: list[tuple[str, str]] = []  # (role, text) of every buffered turn
        self._tokens: list[bool] = []
        self._turns: list[int] = []  # turns per buffered record
        self._texts_written = 0
        self._rejects: list[tuple] = []
        self._queue: queue.Queue = queue.Queue(maxsize=2)
        self._failure: BaseException | None = None
        self._worker = threading.Thread(target=self._drain, name="vlmdata-insert", daemon=True)
        self._worker.start()

    def add(self, item: Record | Reject) -> None:
        if isinstance(item, Reject):
            self._rejects.append(
                (
                    self.corpus,
                    self.file_id,
                    self.path,
                    item.ordinal,
                    item.position,
                    item.reason,
                    item.detail,
                    item.excerpt,
                )
            )
            self.counts.rejects += 1
            self.counts.reasons[item.reason] += 1
            return
        self._ordinals.append(item.ordinal)
        self._record_ids.append(item.record_id)
        self._images.append(item.images)
        self._pairs.extend(item.texts)
        if item.image_tokens is None:
            self._tokens.extend([False] * len(item.texts))
        else:
            self._tokens.extend(item.image_tokens)
        self._turns.append(len(item.texts))
        self.counts.records += 1
        self.counts.texts += len(item.texts)
        if len(self._pairs) >= BATCH_TEXTS:
            self.flush()

    def flush(self) -> None:
        """Hand what is buffered to the insert worker, as Arrow tables."""
        if self._ordinals:
            self._put("records", self._records_table())
            self._put("texts", self._texts_table())
        if self._rejects:
            self._put("rejects", self._rejects)
            self._rejects = []

    def _records_table(self) -> pa.Table:
        size = len(self._ordinals)
        keys = np.asarray(self._ordinals, dtype=np.int64) + self.base
        images = self._images
        table = pa.Table.from_arrays(
            [
                pa.array(keys),
                pa.array([self.corpus] * size, pa.string()),
                pa.array(np.full(size, self.file_id, dtype=np.int32)),
                pa.array(self._ordinals, pa.int64()),
                pa.array(self._record_ids, pa.string()),
                pa.array([i[0] if i else None for i in images], pa.string()),
                pa.array(images, pa.list_(pa.string())),
            ],
            schema=RECORDS_SCHEMA,
        )
        self._record_keys = keys
        self._ordinals, self._record_ids, self._images = [], [], []
        return table

    def _texts_table(self) -> pa.Table:
        size = len(self._pairs)
        per_record = np.asarray(self._turns, dtype=np.int64)
        first = np.repeat(np.cumsum(per_record) - per_record, per_record)
        pairs = pa.array(self._pairs, PAIR)  # converts the (role, text) tuples in C
        start = self.base + self._texts_written
        table = pa.Table.from_arrays(
            [
                pa.array(np.arange(start, start + size, dtype=np.int64)),
                pa.array(np.repeat(self._record_keys, per_record)),
                pa.array([self.corpus] * size, pa.string()),
                pa.array((np.arange(size) - first).astype(np.int32)),
                pairs.field(0),
                pa.array(self._tokens, pa.bool_()),
                pairs.field(1),
            ],
            schema=TEXTS_SCHEMA,
        )
        self._texts_written += size
        self._pairs, self._tokens, self._turns = [], [], []
        return table

    def close(self) -> None:
        """Insert what is left and wait for the worker; raises what the worker raised."""
        if self._failure is None:
            self.flush()
        self._queue.put(None)
        self._worker.join()
        if self._failure is not None:
            raise self._failure

    def _put(self, table: str, rows) -> None:
        if self._failure is not None:
            raise self._failure
        self._queue.put((table, rows))

    def _drain(self) -> None:
        while (job := self._queue.get()) is not None:
            if self._failure is not None:
                continue
            table, rows = job
            try:
                if table == "rejects":
                    self.con.executemany(
                        "INSERT INTO rejects VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows
                    )
                else:
                    self.con.register("_vlmdata_batch", rows)
                    self.con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM _vlmdata_batch")
                    self.con.unregister("_vlmdata_batch")
            except BaseException as exc:  # handed to the producer thread
                self._failure = exc
