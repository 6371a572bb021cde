"""Hugging Face datasets saved with `save_to_disk`: a directory of Arrow files
(`data-00000-of-00004.arrow`, Arrow IPC streams) next to `dataset_info.json` and `state.json`; a
DatasetDict has one such directory per split and a `dataset_dict.json` above them. The Arrow
files are read with pyarrow, one record batch at a time; the `datasets` package is not needed.

Columns are chosen as for Parquet (vlmdata.corpora.parquet): a text, list-of-texts or
conversation column, an image path (Image features keep theirs) and an id. The metadata files
hold no records, so for them the scanner yields nothing; so it does for an Arrow file that the
directory's state.json does not list (a cache file left by `datasets.map`, for example).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa

from vlmdata.corpora.base import FileError, Record, Reject, ScanOptions
from vlmdata.corpora.parquet import batch_records, choose_columns, local_copy

log = logging.getLogger(__name__)

METADATA_FILES = ("dataset_info.json", "state.json", "dataset_dict.json")
FILE_MAGIC = b"ARROW1"


def scan(path: Path, options: ScanOptions | None = None) -> Iterator[Record | Reject]:
    """Yield every row of one Arrow file of a saved dataset (nothing for its metadata files)."""
    if path.name in METADATA_FILES:
        return
    if not _listed(path):
        log.info("%s: not among the data files of its state.json, skipped", path)
        return
    with local_copy(path) as local, pa.memory_map(str(local)) as source:
        start = 0
        for batch, columns in _batches(path, source, options or ScanOptions()):
            yield from batch_records(batch, columns, start)
            start += batch.num_rows


def _listed(path: Path) -> bool:
    state = path.parent / "state.json"
    if not state.is_file():
        return True
    try:
        files = json.loads(state.read_text(encoding="utf-8")).get("_data_files") or []
        return any(f.get("filename") == path.name for f in files) or not files
    except (OSError, ValueError, AttributeError):
        log.warning("%s: unreadable, every Arrow file next to it is read", state)
        return True


def _batches(path: Path, source: pa.MemoryMappedFile, options: ScanOptions):
    """(batch, columns) for each record batch, whether the file is an IPC stream (what
    `save_to_disk` writes) or an IPC file."""
    is_file = source.read(len(FILE_MAGIC)) == FILE_MAGIC
    source.seek(0)
    try:
        reader = pa.ipc.open_file(source) if is_file else pa.ipc.open_stream(source)
    except (pa.ArrowException, OSError) as exc:
        raise FileError(path, source.tell(), f"not a readable Arrow file: {exc}") from exc
    columns = choose_columns(reader.schema, options, path)
    count = reader.num_record_batches if is_file else None
    number = 0
    while count is None or number < count:
        try:
            batch = reader.get_batch(number) if is_file else reader.read_next_batch()
        except StopIteration:
            return
        except (pa.ArrowException, OSError) as exc:
            problem = f"cannot read record batch {number} (truncated?): {exc}"
            raise FileError(path, source.tell(), problem) from exc
        yield batch, columns
        number += 1
