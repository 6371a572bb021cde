"""The lexicon of a label set: every surface form to look for, the classes it names, and how sure.

An entry is one normalised pattern (see vlmdata.labels.forms) with:

- `classes`: the class indices it names (two for a form shared by two classes, like `crane`);
- `kind`: `name` (a display name or user synonym), `lemma` (a WordNet lemma of the class's
  synset), `inflection` (a plural), `variant` (hyphen, space or joined spelling), `hyponym`
  (a lemma of a more specific synset; used only with hyponyms on), or `blocker` (a longer
  WordNet term that contains a class form but means something else: `tank top`, `orange juice`);
- `sense`: None when the form almost always means the class, else `other:<synset>` naming the
  sense WordNet ranks first, so a hit needs words of the class's context nearby to count.

`cues` holds, per class, the words whose presence near a doubtful form speaks for that class
(from its WordNet gloss, hypernyms, hyponyms and a few curated ones); `sense_cues`, per competing
sense named by an entry, the words that speak for that sense instead.

Built-in label sets ship their lexicons as JSON; others are built from WordNet on first use
(vlmdata.matching.build) or, in exact mode, from the display names alone.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from vlmdata.errors import InputError
from vlmdata.labels.forms import alternatives, to_pattern
from vlmdata.labels.loading import BUILTIN, builtin_label_set
from vlmdata.labels.model import LabelSet

KINDS = ("name", "lemma", "inflection", "variant", "hyponym", "blocker")
FORMAT_VERSION = 1


@dataclass(frozen=True, slots=True)
class Entry:
    """One surface form of the lexicon (see the module docstring)."""

    pattern: str
    classes: tuple[int, ...]
    kind: str
    sense: str | None = None


@dataclass(slots=True)
class Lexicon:
    """The surface forms of one label set in one mode (`wordnet` or `exact`)."""

    label_set: str
    mode: str
    entries: list[Entry]
    cues: dict[int, frozenset[str]] = field(default_factory=dict)
    sense_cues: dict[str, frozenset[str]] = field(default_factory=dict)

    def select(self, hyponyms: bool) -> list[Entry]:
        """The entries to search for: hyponym forms only when asked for."""
        return [e for e in self.entries if hyponyms or e.kind != "hyponym"]


def exact_lexicon(label_set: LabelSet) -> Lexicon:
    """The paper's rule: one pattern per class, its display name as a sequence of words.

    Classes sharing a display name share its pattern, and a hit counts for each of them.
    """
    by_pattern: dict[str, list[int]] = {}
    for cls in label_set.classes:
        pattern = " ".join(to_pattern(cls.name).split())
        if pattern:
            by_pattern.setdefault(pattern, []).append(cls.index)
    entries = [Entry(p, tuple(c), "name") for p, c in by_pattern.items()]
    return Lexicon(label_set.name, "exact", entries)


def display_forms(label_set: LabelSet) -> dict[int, list[str]]:
    """Per class, the names its display name joins (see alternatives) and its synonyms."""
    return {
        cls.index: list(dict.fromkeys([*alternatives(cls.name), *cls.synonyms]))
        for cls in label_set.classes
    }


def save_lexicon(lexicon: Lexicon, path: Path) -> Path:
    """Write a lexicon as JSON, one entry per line so that changes read well in a diff."""
    entries = [[e.pattern, list(e.classes), e.kind, e.sense] for e in lexicon.entries]
    cues = {str(k): sorted(v) for k, v in sorted(lexicon.cues.items())}
    head = {"format": FORMAT_VERSION, "label_set": lexicon.label_set, "mode": lexicon.mode}
    lines = ",\n".join("  " + json.dumps(e, ensure_ascii=False) for e in entries)
    text = json.dumps(head)[:-1] + ',\n"entries": [\n' + lines + "\n],\n"
    senses = {k: sorted(v) for k, v in sorted(lexicon.sense_cues.items())}
    text += '"cues": ' + json.dumps(cues, ensure_ascii=False, sort_keys=True) + ",\n"
    text += '"sense_cues": ' + json.dumps(senses, ensure_ascii=False, sort_keys=True) + "}\n"
    path.write_text(text, "utf-8")
    return path


def parse_lexicon(text: str, where: str) -> Lexicon:
    """A lexicon from its JSON text; `where` names the source in error messages."""
    try:
        data = json.loads(text)
        entries = [Entry(p, tuple(c), k, s) for p, c, k, s in data["entries"]]
        cues = {int(k): frozenset(v) for k, v in data.get("cues", {}).items()}
        senses = {k: frozenset(v) for k, v in data.get("sense_cues", {}).items()}
        return Lexicon(data["label_set"], data["mode"], entries, cues, senses)
    except (ValueError, KeyError, TypeError) as exc:
        raise InputError(f"{where}: not a vlmdata lexicon ({exc})") from exc


@functools.cache
def shipped_lexicon(name: str) -> Lexicon | None:
    """The lexicon shipped for a built-in label set, or None when there is none."""
    if name not in BUILTIN:
        return None
    resource = resources.files("vlmdata.labels").joinpath(f"data/{name}.lexicon.json")
    if not resource.is_file():
        return None
    return parse_lexicon(resource.read_text("utf-8"), f"vlmdata/labels/data/{name}.lexicon.json")


def lexicon_for(label_set: LabelSet, mode: str = "wordnet") -> Lexicon:
    """The lexicon of a label set in a mode: shipped, else built (WordNet needed for `wordnet`)."""
    if mode == "exact":
        return exact_lexicon(label_set)
    if mode != "wordnet":
        raise InputError(f"unknown match mode {mode!r}; use 'wordnet' or 'exact'")
    if label_set.name in BUILTIN and label_set == builtin_label_set(label_set.name):
        shipped = shipped_lexicon(label_set.name)
        if shipped is not None:
            return shipped
    from vlmdata.matching.build import build_lexicon

    return build_lexicon(label_set)
