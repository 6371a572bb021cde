"""From a free-text class name (in an accuracy file, a model's answer) to the classes it means."""

from __future__ import annotations

from vlmdata.labels.forms import alternatives, normalise, phrase_singulars, without_parenthesis
from vlmdata.labels.model import LabelSet

# id(label set) -> (label set, display-name table, other-name table); the label set is kept so
# that its id cannot be reused by another object while the entry lives.
_TABLES: dict[int, tuple[LabelSet, dict[str, list[int]], dict[str, list[int]]]] = {}


def _tables(label_set: LabelSet) -> tuple[dict[str, list[int]], dict[str, list[int]]]:
    entry = _TABLES.get(id(label_set))
    if entry is not None and entry[0] is label_set:
        return entry[1], entry[2]
    display: dict[str, list[int]] = {}
    other: dict[str, list[int]] = {}
    for cls in label_set.classes:
        display.setdefault(normalise(cls.name), []).append(cls.index)
        names = {normalise(without_parenthesis(n)) for n in cls.names} | {normalise(cls.name)}
        names |= {normalise(n) for n in alternatives(cls.name)}
        for name in names:
            other.setdefault(name, []).append(cls.index)
    if len(_TABLES) > 64:
        _TABLES.clear()
    _TABLES[id(label_set)] = (label_set, display, other)
    return display, other


def resolve_name(label_set: LabelSet, name: str) -> list[int]:
    """The class indices that `name` refers to: [] when unknown, several when ambiguous.

    Tried in order, the first step that finds anything wins: a WordNet id (`n01440764`); the
    display name; any name or synonym (display names also without their parenthesised
    qualifier, and each name they join with 'or' or '/'); then the same two with the last word
    read as a plural ('geese' -> 'goose'). Case, hyphens, underscores and punctuation do not
    matter.
    """
    name = name.strip()
    if name in label_set.by_wnid:
        return [label_set.by_wnid[name]]
    display, other = _tables(label_set)
    key = normalise(name)
    if not key:
        return []
    for candidates in ((key,), phrase_singulars(key)):
        for table in (display, other):
            found = sorted({i for form in candidates for i in table.get(form, ())})
            if found:
                return found
    return []
