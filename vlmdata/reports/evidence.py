"""What the index can show behind the numbers: example contexts of each class, the hits the
matcher dropped and why, and the records the scanner rejected."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import duckdb

CONTEXT_CHARS = 70  # shown on each side of a mention
_SPACE = re.compile(r"\s+")

EXAMPLES_SQL = """
WITH first_hits AS (
    SELECT class_index, text_id, min(char_start) AS char_start,
           arg_min(char_end, char_start) AS char_end
    FROM mentions
    WHERE kept AND label_set = $label_set AND mode = $mode AND list_contains($corpora, corpus)
    GROUP BY ALL
), ranked AS (
    SELECT *, row_number() OVER (PARTITION BY class_index ORDER BY text_id) AS k
    FROM first_hits
)
SELECT r.class_index, t.text, r.char_start, r.char_end
FROM ranked r JOIN texts t USING (text_id)
WHERE r.k <= $per_class
ORDER BY r.class_index, r.k
"""

DROPPED_SQL = """
SELECT coalesce(reason, 'no reason recorded') AS reason, count(*) AS mentions,
       count(DISTINCT class_index) AS classes
FROM mentions
WHERE NOT kept AND label_set = $label_set AND mode = $mode AND list_contains($corpora, corpus)
GROUP BY ALL
ORDER BY mentions DESC, reason
"""

DROPPED_EXAMPLES_SQL = """
WITH ranked AS (
    SELECT coalesce(reason, 'no reason recorded') AS reason, class_index, surface, text_id,
           char_start, char_end,
           row_number() OVER (PARTITION BY coalesce(reason, '') ORDER BY text_id, char_start) AS k
    FROM mentions
    WHERE NOT kept AND label_set = $label_set AND mode = $mode AND list_contains($corpora, corpus)
)
SELECT r.reason, r.class_index, r.surface, t.text, r.char_start, r.char_end
FROM ranked r JOIN texts t USING (text_id)
WHERE r.k <= $per_reason
ORDER BY r.reason, r.k
"""

REJECTS_SQL = """
SELECT reason, count(*) AS records
FROM rejects
WHERE list_contains($corpora, corpus)
GROUP BY ALL
ORDER BY records DESC, reason
"""


@dataclass(frozen=True, slots=True)
class Context:
    """A piece of a text around a mention: `before`, the mention `hit`, `after`."""

    before: str
    hit: str
    after: str

    def __str__(self) -> str:
        return f"{self.before}{self.hit}{self.after}"


@dataclass
class Evidence:
    """Contexts per class, dropped hits per reason (with examples) and rejects per reason."""

    examples: dict[int, list[Context]] = field(default_factory=dict)
    dropped: list[dict] = field(default_factory=list)
    dropped_examples: dict[str, list[tuple[int, str, Context]]] = field(default_factory=dict)
    rejects: list[dict] = field(default_factory=list)


def context(text: str, start: int, end: int, chars: int = CONTEXT_CHARS) -> Context:
    """The mention text[start:end] with up to `chars` characters either side, cut at spaces."""
    start, end = max(0, min(start, len(text))), max(0, min(end, len(text)))
    left, right = max(0, start - chars), min(len(text), end + chars)
    before, after = text[left:start], text[end:right]
    if left > 0:
        before = "…" + before[before.find(" ") + 1 :] if " " in before else "…" + before
    if right < len(text):
        after = after[: after.rfind(" ")] + "…" if " " in after else after + "…"
    return Context(_flat(before), _flat(text[start:end]), _flat(after))


def _flat(text: str) -> str:
    return _SPACE.sub(" ", text)


def gather(
    con: duckdb.DuckDBPyConnection,
    label_set: str,
    mode: str,
    corpora: list[str],
    per_class: int = 2,
    per_reason: int = 3,
) -> Evidence:
    """Everything the report shows from the index for these corpora and counts."""
    params = {"label_set": label_set, "mode": mode, "corpora": corpora}
    evidence = Evidence()
    rows = con.execute(EXAMPLES_SQL, {**params, "per_class": per_class}).fetchall()
    for index, text, start, end in rows:
        evidence.examples.setdefault(index, []).append(context(text, start, end))
    evidence.dropped = _dicts(con.execute(DROPPED_SQL, params))
    rows = con.execute(DROPPED_EXAMPLES_SQL, {**params, "per_reason": per_reason}).fetchall()
    for reason, index, surface, text, start, end in rows:
        shown = (index, surface, context(text, start, end))
        evidence.dropped_examples.setdefault(reason, []).append(shown)
    evidence.rejects = _dicts(con.execute(REJECTS_SQL, {"corpora": corpora}))
    return evidence


def _dicts(cursor) -> list[dict]:
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
