"""Indexes for the report tests, filled directly: real captions, simple exact-name mentions.

The mentions here come from a plain Aho-Corasick pass over each class's display name (no
plurals, no senses); they give real counts and contexts without depending on the matcher.
"""

from __future__ import annotations

from pathlib import Path

import ahocorasick_rs
import pyarrow as pa
import pytest

from vlmdata.labels import LabelSet, load_label_set
from vlmdata.labels.forms import to_pattern
from vlmdata.store import connect

ACCURACY_DIR = ("predictions", "clip_per_class_accuracy")
CC3M_MODEL = "backboneRN50_pretrainedcc3m"


def fill_index(
    path: Path,
    corpus: str,
    texts: list[tuple[str, str]],
    label_set: LabelSet,
    mentions: list[tuple[int, int, str, int, int, bool, str | None]],
    mode: str = "wordnet",
) -> None:
    """Write a corpus of (role, text) pairs, one record each, and its mentions
    (text position, class, surface, start, end, kept, reason) into the index at `path`."""
    con = connect(path)
    try:
        base = con.execute("SELECT coalesce(max(text_id), 0) + 1 FROM texts").fetchall()[0][0]
        con.execute(
            "INSERT INTO corpora (name, format, source) VALUES (?, 'test', 'test')", [corpus]
        )
        texts_table = pa.table(
            {
                "text_id": [base + i for i in range(len(texts))],
                "record_key": [base + i for i in range(len(texts))],
                "corpus": [corpus] * len(texts),
                "turn": [0] * len(texts),
                "role": [role for role, _ in texts],
                "image_token": [False] * len(texts),
                "text": [text for _, text in texts],
            }
        )
        con.register("new_texts", texts_table)
        con.execute("INSERT INTO texts SELECT * FROM new_texts")
        known = con.execute(
            "SELECT count(*) FROM label_sets WHERE name = ?", [label_set.name]
        ).fetchall()[0][0]
        if not known:
            con.execute(
                "INSERT INTO label_sets (name, source, classes) VALUES (?, ?, ?)",
                [label_set.name, label_set.source, len(label_set)],
            )
            classes = pa.table(
                {
                    "label_set": [label_set.name] * len(label_set),
                    "class_index": [c.index for c in label_set.classes],
                    "wnid": [c.wnid for c in label_set.classes],
                    "name": [c.name for c in label_set.classes],
                }
            )
            con.register("new_classes", classes)
            con.execute("INSERT INTO classes SELECT * FROM new_classes")
        con.execute(
            "INSERT INTO count_runs (corpus, label_set, mode, texts_scanned, seconds) "
            "VALUES (?, ?, ?, ?, 0)",
            [corpus, label_set.name, mode, len(texts)],
        )
        rows = list(zip(*mentions, strict=True)) if mentions else [[]] * 7
        table = pa.table(
            {
                "corpus": [corpus] * len(mentions),
                "label_set": [label_set.name] * len(mentions),
                "mode": [mode] * len(mentions),
                "text_id": [base + p for p in rows[0]],
                "class_index": list(rows[1]),
                "surface": list(rows[2]),
                "char_start": list(rows[3]),
                "char_end": list(rows[4]),
                "kept": list(rows[5]),
                "reason": list(rows[6]),
            },
            schema=pa.schema(
                [
                    ("corpus", pa.string()),
                    ("label_set", pa.string()),
                    ("mode", pa.string()),
                    ("text_id", pa.int64()),
                    ("class_index", pa.int32()),
                    ("surface", pa.string()),
                    ("char_start", pa.int32()),
                    ("char_end", pa.int32()),
                    ("kept", pa.bool_()),
                    ("reason", pa.string()),
                ]
            ),
        )
        con.register("new_mentions", table)
        con.execute("INSERT INTO mentions SELECT * FROM new_mentions")
    finally:
        con.close()


def exact_mentions(texts: list[tuple[str, str]], label_set: LabelSet) -> list[tuple]:
    """Whole-word hits of each class's display name; a name shared by two classes is recorded
    as dropped ('name shared by several classes'), like the matcher's trace."""
    names: dict[str, list[int]] = {}
    for cls in label_set.classes:
        names.setdefault(" " + to_pattern(cls.name).strip() + " ", []).append(cls.index)
    patterns = list(names)
    automaton = ahocorasick_rs.AhoCorasick(patterns)
    found = []
    for position, (_, text) in enumerate(texts):
        padded = " " + to_pattern(text) + " "
        for pattern, start, end in automaton.find_matches_as_indexes(padded, overlapping=True):
            classes = names[patterns[pattern]]
            kept = len(classes) == 1
            reason = None if kept else "name shared by several classes"
            for index in classes:
                found.append((position, index, text[start : end - 2], start, end - 2, kept, reason))
    return found


@pytest.fixture(scope="session")
def imagenet() -> LabelSet:
    return load_label_set("imagenet")


@pytest.fixture(scope="session")
def cc3m_texts(shared_data: Path) -> list[tuple[str, str]]:
    lines = (shared_data / "corpora" / "cc3m_validation.tsv").read_text("utf-8").splitlines()
    return [("caption", line.split("\t")[0]) for line in lines if line.strip()]


@pytest.fixture(scope="session")
def cc3m_index(tmp_path_factory, cc3m_texts, imagenet) -> Path:
    """An index holding the CC3M validation captions and exact-name ImageNet mentions."""
    path = tmp_path_factory.mktemp("cc3m") / "index.duckdb"
    fill_index(path, "cc3m_val", cc3m_texts, imagenet, exact_mentions(cc3m_texts, imagenet))
    return path


@pytest.fixture(scope="session")
def imagenet_accuracy(shared_data: Path) -> Path:
    return shared_data.joinpath(*ACCURACY_DIR, "imagenet_class_results.json")


HOSTILE_TEXTS = [
    ("human", 'A goldfish <script>document.title="pwned"</script> in a bowl'),
    ("gpt", "One tench </script><img src=x onerror=\"document.title='pwned'\"> caught"),
    ("gpt", 'Goldfish & "quotes" \u2028 and <b>bold</b> words'),
    ("human", "An orange <iframe src=javascript:alert(1)> on the table"),
]
HOSTILE_CLASS = "<img src=x onerror=alert(1)>"


@pytest.fixture(scope="session")
def hostile(tmp_path_factory) -> tuple[Path, LabelSet, Path]:
    """An index whose texts and class names carry markup, with one dropped hit, and a matching
    accuracy file: (index, label set, accuracy file)."""
    root = tmp_path_factory.mktemp("hostile")
    labels = root / "hostile_labels.csv"
    labels.write_text(f'name\ntench\ngoldfish\norange\n"{HOSTILE_CLASS}"\n')
    label_set = load_label_set(labels)
    mentions = exact_mentions(HOSTILE_TEXTS, label_set)
    mentions = [m for m in mentions if m[1] != 2]  # 'orange' is recorded as a dropped hit
    start = HOSTILE_TEXTS[3][1].index("orange")
    mentions.append((3, 2, "orange", start, start + 6, False, "<colour> word, not the fruit"))
    index = root / "index.duckdb"
    fill_index(index, "hostile", HOSTILE_TEXTS, label_set, mentions)
    accuracy = root / "acc.csv"
    accuracy.write_text("class_index,accuracy\n0,0.25\n1,0.75\n2,0.5\n3,0.1\n")
    return index, label_set, accuracy
