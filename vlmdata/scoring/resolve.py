"""From a label as a file gives it (class index, WordNet id or name) to the classes it means."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from vlmdata.labels import LabelSet, resolve_name

_WNID = re.compile(r"^n\d{8}$")
SAMPLES_PER_REASON = 5


class LabelResolver:
    """Resolves labels against one label set, remembering each distinct label's answer.

    An int is a class index; a string like `n01440764` a WordNet id; any other string a name,
    resolved by `vlmdata.labels.resolve_name` (synonyms, case and plurals do not matter).
    """

    def __init__(self, label_set: LabelSet):
        self.label_set = label_set
        self._known: dict[object, list[int]] = {}

    def __call__(self, value: object) -> list[int]:
        """The class indices `value` means: [] when unknown, several when ambiguous."""
        key = value if isinstance(value, int | str) else repr(value)
        found = self._known.get(key)
        if found is None:
            found = self._resolve(value)
            self._known[key] = found
        return found

    def _resolve(self, value: object) -> list[int]:
        if isinstance(value, bool):
            return []
        if isinstance(value, int):
            return [value] if 0 <= value < len(self.label_set) else []
        if not isinstance(value, str):
            return []
        text = value.strip()
        if _WNID.match(text):
            index = self.label_set.by_wnid.get(text)
            return [] if index is None else [index]
        return resolve_name(self.label_set, text)


@dataclass
class SkipReport:
    """Records left out of a computation, counted by reason, with a few examples of each."""

    source: str
    records: int = 0
    skipped: Counter = field(default_factory=Counter)
    samples: dict[str, list[str]] = field(default_factory=dict)

    def skip(self, reason: str, where: str) -> None:
        """Count one record left out for `reason`; `where` says which (line and value)."""
        self.skipped[reason] += 1
        shown = self.samples.setdefault(reason, [])
        if len(shown) < SAMPLES_PER_REASON:
            shown.append(where)

    @property
    def kept(self) -> int:
        return self.records - sum(self.skipped.values())

    def lines(self) -> list[str]:
        """One line per reason: count, reason and the first examples."""
        return [
            f"{count:,} skipped: {reason} (e.g. {'; '.join(self.samples.get(reason, []))})"
            for reason, count in self.skipped.most_common()
        ]

    def as_dict(self) -> dict:
        return {
            "source": self.source,
            "records": self.records,
            "skipped": dict(self.skipped),
            "samples": self.samples,
        }


def label_problem(indices: list[int], label_set: LabelSet) -> str | None:
    """The skip reason for a resolved label, or None when it names exactly one class."""
    if not indices:
        return f"label not in label set {label_set.name}"
    if len(indices) > 1:
        return f"label names several classes of {label_set.name}"
    return None
