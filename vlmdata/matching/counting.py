"""`count_classes`: every mention of a label set's classes in an indexed corpus, and the counts.

The texts of the corpus are read from the index in large Arrow batches and scanned by the
Matcher; every hit, kept or dropped with its reason, goes to table `mentions`, and the run to
`count_runs`, both replacing an earlier run of the same corpus, label set and mode in one
transaction. Counts are then read back from the views over those rows, so every number can be
traced to its texts with SQL.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa

from vlmdata.errors import InputError
from vlmdata.labels.loading import BUILTIN, builtin_label_set, load_label_set
from vlmdata.labels.model import LabelSet
from vlmdata.matching.matcher import Matcher
from vlmdata.store import connect

log = logging.getLogger(__name__)

Progress = Callable[[str, int, int], None]
"""Called as progress(step, done, total): texts scanned so far (and the indexer's own calls)."""

BATCH_ROWS = 200_000  # texts per scan: large enough that per-batch costs vanish
BY = (None, "role", "corpus")


def count_classes(
    corpus: str,
    labels: str | LabelSet = "imagenet",
    match: str = "wordnet",
    by: str | None = None,
    index: str | None = None,
    output: str | Path | None = None,
    hyponyms: bool = False,
    progress: Progress | None = None,
) -> pa.Table:
    """Count the classes of `labels` in `corpus`; store the mentions; return per-class counts.

    `corpus` is the name of an indexed corpus; a known corpus or a path not indexed yet is
    indexed first. The table has one row per class: class_index, wnid, name, texts (texts with
    at least one kept mention), mentions (kept mentions); with by="role" also texts_<role> and
    mentions_<role> per role; with by="corpus" one row per class and counted corpus (every
    corpus of the index counted with this label set and mode), with a `corpus` column.
    `output` (.csv, .parquet or .json) receives the same table.
    """
    if by not in BY:
        raise InputError(f"--by must be 'role' or 'corpus', not {by!r}")
    label_set = labels if isinstance(labels, LabelSet) else load_label_set(labels)
    if label_set.name in BUILTIN and label_set != builtin_label_set(label_set.name):
        # its classes would replace the built-in's in the index
        raise InputError(
            f"label set {label_set.name!r} ({label_set.source or 'in memory'}) is not the "
            "built-in label set of that name; give it another name"
        )
    matcher = Matcher.from_label_set(label_set, match=match, hyponyms=hyponyms)
    mode = match + ("+hyponyms" if hyponyms and match == "wordnet" else "")
    corpus = _ensure_indexed(corpus, index, progress)
    con = connect(index)
    try:
        started = time.perf_counter()
        total = con.execute("SELECT count(*) FROM texts WHERE corpus = ?", [corpus]).fetchall()
        # Streamed in batches: memory follows the batch, not the corpus.
        batches = con.sql(
            "SELECT text_id, text FROM texts WHERE corpus = $corpus", params={"corpus": corpus}
        ).to_arrow_reader(BATCH_ROWS)
        mentions = _scan(matcher, batches, total[0][0], progress)
        seconds = time.perf_counter() - started
        _store(con, label_set, corpus, mode, mentions, total[0][0], seconds, hyponyms)
        kept = int(mentions["kept"].to_numpy(zero_copy_only=False).sum()) if len(mentions) else 0
        log.info(
            "counted %s in %s (%s): %d texts, %d hits, %d kept, %.1f s",
            label_set.name,
            corpus,
            mode,
            total[0][0],
            len(mentions),
            kept,
            seconds,
        )
        table = class_counts(con, corpus, label_set.name, mode, by)
    finally:
        con.close()
    if output:
        write_table(table, Path(output))
    return table


def _ensure_indexed(corpus: str, index, progress) -> str:
    """The corpus name in the index, indexing a known corpus or a path first when needed."""
    con = connect(index)
    try:
        present = con.execute(
            "SELECT (SELECT count(*) FROM corpora WHERE name = $c) "
            "+ (SELECT count(*) FROM (SELECT 1 FROM texts WHERE corpus = $c LIMIT 1))",
            {"c": corpus},
        ).fetchall()[0][0]
    finally:
        con.close()
    if present:
        return corpus
    from vlmdata.indexing import index as index_corpus

    log.info("%s is not indexed yet: indexing it first", corpus)
    return index_corpus(corpus, index=index, progress=progress).corpus


def _scan(matcher: Matcher, batches: pa.RecordBatchReader, total: int, progress) -> pa.Table:
    """The mentions of all texts, in the layout of `mentions` without its key columns."""
    parts = []
    done = 0
    for batch in batches:
        hits = matcher.scan(batch.column("text"))
        text_ids = batch.column("text_id").take(pa.array(hits.text))
        parts.append(
            pa.table(
                {
                    "text_id": text_ids,
                    "class_index": pa.array(hits.class_index, pa.int32()),
                    "surface": hits.surface,
                    "char_start": pa.array(hits.start, pa.int32()),
                    "char_end": pa.array(hits.end, pa.int32()),
                    "kept": pa.array(hits.kept, pa.bool_()),
                    "reason": hits.reason,
                }
            )
        )
        done += batch.num_rows
        if progress:
            progress("texts", done, total)
    if not parts:
        return pa.table({"text_id": pa.array([], pa.int64())})
    return pa.concat_tables(parts)


def _store(con, label_set: LabelSet, corpus, mode, mentions, scanned, seconds, hyponyms):
    """Replace the label set's classes and this run's mentions and count_runs row, atomically."""
    classes = pa.table(
        {
            "label_set": pa.repeat(label_set.name, len(label_set)),
            "class_index": pa.array([c.index for c in label_set.classes], pa.int32()),
            "wnid": pa.array([c.wnid for c in label_set.classes], pa.string()),
            "name": pa.array([c.name for c in label_set.classes], pa.string()),
        }
    )
    key = {"corpus": corpus, "label_set": label_set.name, "mode": mode}
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute("DELETE FROM label_sets WHERE name = ?", [label_set.name])
        con.execute(
            "INSERT INTO label_sets (name, source, classes) VALUES (?, ?, ?)",
            [label_set.name, label_set.source or label_set.name, len(label_set)],
        )
        con.execute("DELETE FROM classes WHERE label_set = ?", [label_set.name])
        con.register("new_classes", classes)
        con.execute("INSERT INTO classes SELECT * FROM new_classes")
        where = "corpus = $corpus AND label_set = $label_set AND mode = $mode"
        con.execute(f"DELETE FROM mentions WHERE {where}", key)
        con.execute(f"DELETE FROM count_runs WHERE {where}", key)
        if mentions.num_rows:
            con.register("new_mentions", mentions)
            con.execute(
                "INSERT INTO mentions BY NAME SELECT $corpus AS corpus, $label_set AS label_set, "
                "$mode AS mode, * FROM new_mentions",
                key,
            )
        options = json.dumps({"hyponyms": hyponyms})
        con.execute(
            "INSERT INTO count_runs (corpus, label_set, mode, options, texts_scanned, seconds) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [corpus, label_set.name, mode, options, scanned, seconds],
        )
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    finally:
        con.unregister("new_classes")
        con.unregister("new_mentions")


_COUNTS = """
    WITH k AS (
        SELECT {group} class_index, count(DISTINCT text_id) AS texts, count(*) AS mentions
        FROM mentions m {join}
        WHERE m.kept AND m.label_set = $label_set AND m.mode = $mode {where}
        GROUP BY ALL
    )
"""


def class_counts(con, corpus: str, label_set: str, mode: str, by: str | None = None) -> pa.Table:
    """Per-class counts of a stored run (every class, zeros included), ordered by class index.

    Reads table `mentions` with the run's key (the views compute the same over all runs).
    """
    params = {"corpus": corpus, "label_set": label_set, "mode": mode}
    if by == "corpus":
        sql = (
            _COUNTS.format(group="corpus,", join="", where="")
            + """
            SELECT r.corpus, c.class_index, c.wnid, c.name,
                   coalesce(k.texts, 0) AS texts, coalesce(k.mentions, 0) AS mentions
            FROM count_runs r JOIN classes c ON c.label_set = r.label_set
            LEFT JOIN k ON k.corpus = r.corpus AND k.class_index = c.class_index
            WHERE r.label_set = $label_set AND r.mode = $mode
            ORDER BY r.corpus, c.class_index
        """
        )
        del params["corpus"]
        return con.sql(sql, params=params).to_arrow_table()
    sql = (
        _COUNTS.format(group="", join="", where="AND m.corpus = $corpus")
        + """
        SELECT c.class_index, c.wnid, c.name,
               coalesce(k.texts, 0) AS texts, coalesce(k.mentions, 0) AS mentions
        FROM classes c LEFT JOIN k USING (class_index)
        WHERE c.label_set = $label_set ORDER BY c.class_index
    """
    )
    table = con.sql(sql, params=params).to_arrow_table()
    if by == "role":
        table = _add_roles(con, table, params)
    return table


def _add_roles(con, table: pa.Table, params: dict) -> pa.Table:
    roles = con.sql(
        "SELECT DISTINCT role FROM texts WHERE corpus = $corpus ORDER BY role",
        params={"corpus": params["corpus"]},
    ).fetchall()
    sql = (
        _COUNTS.format(
            group="t.role,", join="JOIN texts t USING (text_id)", where="AND m.corpus = $corpus"
        )
        + "SELECT role, class_index, texts, mentions FROM k"
    )
    found = {(r, c): (t, m) for r, c, t, m in con.sql(sql, params=params).fetchall()}
    indices = table.column("class_index").to_pylist()
    for (role,) in roles:
        column = role.replace(" ", "_")
        for position, name in ((0, "texts"), (1, "mentions")):
            values = [found.get((role, i), (0, 0))[position] for i in indices]
            table = table.append_column(f"{name}_{column}", pa.array(values, pa.int64()))
    return table


def write_table(table: pa.Table, path: Path) -> Path:
    """Write a result table as .csv, .parquet or .json (a list of row objects)."""
    suffix = path.suffix.lower()
    path.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".csv":
        import pyarrow.csv

        pyarrow.csv.write_csv(table, path)
    elif suffix == ".parquet":
        import pyarrow.parquet

        pyarrow.parquet.write_table(table, path)
    elif suffix == ".json":
        path.write_text(json.dumps(table.to_pylist(), ensure_ascii=False, indent=1) + "\n")
    else:
        raise InputError(f"{path}: unknown output format {suffix!r}; use .csv, .parquet or .json")
    return path
