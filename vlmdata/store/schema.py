"""The index schema as an ordered list of named migrations, recorded in `schema_migrations`.

A migration is never edited once released: a change to the schema is a new entry at the end.
docs/schema.md documents the result and tests/store/test_schema_doc.py keeps the two in step.
"""

from __future__ import annotations

from collections.abc import Callable

import duckdb

MIGRATIONS: list[tuple[str, str]] = []


def migration(name: str) -> Callable[[str], str]:
    def register(sql: str) -> str:
        MIGRATIONS.append((name, sql))
        return sql

    return register


migration("001_corpora_files_records_texts_rejects")(
    """
    CREATE TABLE corpora (
        name VARCHAR PRIMARY KEY,
        format VARCHAR NOT NULL,
        source VARCHAR NOT NULL,
        options JSON,
        created_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
        scanned_at TIMESTAMP
    );
    CREATE SEQUENCE file_ids START 1;
    CREATE TABLE files (
        file_id INTEGER PRIMARY KEY DEFAULT nextval('file_ids'),
        corpus VARCHAR NOT NULL,
        path VARCHAR NOT NULL,
        size BIGINT NOT NULL,
        mtime_ns BIGINT NOT NULL,
        fingerprint VARCHAR NOT NULL,
        records BIGINT NOT NULL,
        texts BIGINT NOT NULL,
        rejects BIGINT NOT NULL,
        seconds DOUBLE NOT NULL,
        scanned_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
        UNIQUE (corpus, path)
    );
    CREATE TABLE records (
        record_key BIGINT NOT NULL,
        corpus VARCHAR NOT NULL,
        file_id INTEGER NOT NULL,
        ordinal BIGINT NOT NULL,
        record_id VARCHAR,
        image VARCHAR,
        images VARCHAR[]
    );
    CREATE TABLE texts (
        text_id BIGINT NOT NULL,
        record_key BIGINT NOT NULL,
        corpus VARCHAR NOT NULL,
        turn INTEGER NOT NULL,
        role VARCHAR NOT NULL,
        image_token BOOLEAN NOT NULL,
        text VARCHAR NOT NULL
    );
    CREATE TABLE rejects (
        corpus VARCHAR NOT NULL,
        file_id INTEGER NOT NULL,
        path VARCHAR NOT NULL,
        ordinal BIGINT NOT NULL,
        position VARCHAR NOT NULL,
        reason VARCHAR NOT NULL,
        detail VARCHAR,
        excerpt VARCHAR
    );
    """
)

migration("002_label_sets_classes_mentions")(
    """
    CREATE TABLE label_sets (
        name VARCHAR PRIMARY KEY,
        source VARCHAR NOT NULL,
        classes INTEGER NOT NULL,
        loaded_at TIMESTAMP NOT NULL DEFAULT current_timestamp
    );
    CREATE TABLE classes (
        label_set VARCHAR NOT NULL,
        class_index INTEGER NOT NULL,
        wnid VARCHAR,
        name VARCHAR NOT NULL,
        PRIMARY KEY (label_set, class_index)
    );
    CREATE TABLE count_runs (
        corpus VARCHAR NOT NULL,
        label_set VARCHAR NOT NULL,
        mode VARCHAR NOT NULL,
        options JSON,
        texts_scanned BIGINT NOT NULL,
        seconds DOUBLE NOT NULL,
        counted_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
        PRIMARY KEY (corpus, label_set, mode)
    );
    CREATE TABLE mentions (
        corpus VARCHAR NOT NULL,
        label_set VARCHAR NOT NULL,
        mode VARCHAR NOT NULL,
        text_id BIGINT NOT NULL,
        class_index INTEGER NOT NULL,
        surface VARCHAR NOT NULL,
        char_start INTEGER NOT NULL,
        char_end INTEGER NOT NULL,
        kept BOOLEAN NOT NULL,
        reason VARCHAR
    );
    """
)

migration("003_runs_accuracy")(
    """
    CREATE TABLE runs (
        run_id VARCHAR PRIMARY KEY,
        model VARCHAR NOT NULL,
        dataset VARCHAR,
        label_set VARCHAR NOT NULL,
        method VARCHAR NOT NULL,
        settings JSON,
        seed INTEGER,
        source VARCHAR,
        created_at TIMESTAMP NOT NULL DEFAULT current_timestamp
    );
    CREATE TABLE accuracy (
        run_id VARCHAR NOT NULL,
        label_set VARCHAR NOT NULL,
        class_index INTEGER NOT NULL,
        n INTEGER,
        correct INTEGER,
        accuracy DOUBLE NOT NULL,
        PRIMARY KEY (run_id, class_index)
    );
    """
)

migration("004_views")(
    """
    CREATE VIEW class_counts AS
    SELECT m.corpus, m.label_set, m.mode, m.class_index, c.wnid, c.name,
           count(DISTINCT m.text_id) AS texts, count(*) AS mentions
    FROM mentions m
    JOIN classes c USING (label_set, class_index)
    WHERE m.kept
    GROUP BY ALL;

    CREATE VIEW class_counts_by_role AS
    SELECT m.corpus, m.label_set, m.mode, t.role, m.class_index, c.wnid, c.name,
           count(DISTINCT m.text_id) AS texts, count(*) AS mentions
    FROM mentions m
    JOIN texts t USING (text_id)
    JOIN classes c USING (label_set, class_index)
    WHERE m.kept
    GROUP BY ALL;

    CREATE VIEW counts_with_accuracy AS
    SELECT cr.corpus, cr.label_set, cr.mode, c.class_index, c.wnid, c.name,
           coalesce(cc.texts, 0) AS texts, coalesce(cc.mentions, 0) AS mentions,
           r.run_id, r.model, a.n, a.correct, a.accuracy
    FROM count_runs cr
    JOIN classes c ON c.label_set = cr.label_set
    LEFT JOIN class_counts cc
      ON cc.corpus = cr.corpus AND cc.label_set = cr.label_set AND cc.mode = cr.mode
     AND cc.class_index = c.class_index
    JOIN accuracy a ON a.label_set = c.label_set AND a.class_index = c.class_index
    JOIN runs r ON r.run_id = a.run_id;
    """
)

migration("005_mention_contexts_view")(
    """
    CREATE VIEW mention_contexts AS
    SELECT m.corpus, m.label_set, m.mode, m.class_index, c.wnid, c.name, m.surface,
           m.kept, m.reason, r.record_id, r.image, t.turn, t.role, m.text_id,
           m.char_start, m.char_end, t.text
    FROM mentions m
    JOIN texts t ON t.text_id = m.text_id
    JOIN records r ON r.record_key = t.record_key
    JOIN classes c ON c.label_set = m.label_set AND c.class_index = m.class_index;
    """
)

SCHEMA_VERSION = len(MIGRATIONS)


def applied(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Names of the migrations already applied to this index, in order."""
    exists = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_migrations'"
    ).fetchall()[0][0]
    if not exists:
        return []
    return [
        r[0] for r in con.execute("SELECT name FROM schema_migrations ORDER BY name").fetchall()
    ]


def migrate(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Apply the migrations this index lacks, each in its own transaction; return their names."""
    con.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations "
        "(name VARCHAR PRIMARY KEY, applied_at TIMESTAMP NOT NULL DEFAULT current_timestamp)"
    )
    done = set(applied(con))
    new = []
    for name, sql in MIGRATIONS:
        if name in done:
            continue
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute(sql)
            con.execute("INSERT INTO schema_migrations (name) VALUES (?)", [name])
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            raise
        new.append(name)
    return new
