"""Deciding a doubtful hit from its context: which class, if any, a surface form names here.

Three kinds of doubt, each with a stable reason code when the decision goes against a class:

- `part_of_term`: the hit is a longer WordNet term that contains a class form but names
  something else (`tank top`, `orange juice`, `New Jersey`); the contained classes are dropped.
- `other_sense`: WordNet ranks another sense of the form first (`mouse` the animal before the
  device, `orange` the colour before the fruit), or a curated table says that another sense is
  the usual one in image-text corpora (`cricket` the game); the hit counts only when more cue
  words of the class than of that sense occur nearby (`cricket` by a leaf, not by a wicket).
- `modifier`: the other sense is an adjective (`orange`) and a content word follows the form
  directly (`an orange shirt`); the hit is dropped whatever its context.
- `ambiguous` / `other_class`: the form names several classes (`crane`: the bird and the
  machine); the class whose cues occur nearby wins, and without a clear winner none counts.

Cue words are compared as they appear in the normalised text: each cue (a crude stem) is
expanded once into its usual inflections (`lift` -> lifts, lifting, lifted).
"""

from __future__ import annotations

from dataclasses import dataclass

from vlmdata.matching.lexicon import Entry

WINDOW_BYTES = 100  # context on each side of a hit, in bytes of text (about 15 words)

Decision = tuple[int, bool, str | None]


def inflections(stem: str) -> set[str]:
    """The usual inflections of a cue stem: the inverse of vlmdata.matching.cues.stem."""
    found = {stem, stem + "s", stem + "es", stem + "ing", stem + "ed", stem + "d"}
    if stem.endswith("y"):
        found |= {stem[:-1] + "ies", stem[:-1] + "ied"}
    if stem.endswith("e"):
        found.add(stem[:-1] + "ing")
    return found


@dataclass(frozen=True, slots=True)
class Doubt:
    """What the matcher needs to decide hits of one doubtful entry, prepared once."""

    classes: tuple[int, ...]
    cues: tuple[frozenset[bytes], ...]  # per class, the inflected cue words
    sense: str | None  # the usual other sense (WordNet's first, or curated), if any
    against: frozenset[bytes]  # inflected cue words of that sense, none of the classes' own
    blocker: str | None  # the longer term, for blockers


def _inflected(stems) -> frozenset[bytes]:
    return frozenset(w.encode() for stem in stems for w in inflections(stem))


def prepare(entry: Entry, cues: dict[int, frozenset[str]], sense_cues: dict, cache: dict) -> Doubt:
    """The Doubt of an entry; `cache` shares the inflected cue sets between entries."""
    sets = []
    for cls in entry.classes:
        if cls not in cache:
            cache[cls] = _inflected(cues.get(cls, ()))
        sets.append(cache[cls])
    if entry.kind == "blocker":
        return Doubt(entry.classes, tuple(sets), None, frozenset(), entry.sense)
    sense = entry.sense[len("other:") :] if entry.sense else None
    if sense not in cache:
        cache[sense] = _inflected(sense_cues.get(sense, ()))
    against = cache[sense].difference(*sets)
    return Doubt(entry.classes, tuple(sets), sense, against, None)


def decide(doubt: Doubt, context: set[bytes]) -> list[Decision]:
    """One (class, kept, reason) per class of a doubtful hit, given the words around it."""
    if doubt.blocker:
        return [(c, False, f"part_of_term: {doubt.blocker}") for c in doubt.classes]
    scores = [len(context & cues) for cues in doubt.cues]
    best = max(scores)
    if doubt.sense and best <= len(context & doubt.against):
        return [(c, False, f"other_sense: {doubt.sense}") for c in doubt.classes]
    if len(doubt.classes) == 1:
        return [(doubt.classes[0], True, None)]
    winners = [c for c, score in zip(doubt.classes, scores, strict=True) if score == best]
    if best == 0 or len(winners) > 1:
        listed = ",".join(map(str, doubt.classes))
        return [(c, False, f"ambiguous: {listed}") for c in doubt.classes]
    return [
        (c, True, None) if c == winners[0] else (c, False, f"other_class: {winners[0]}")
        for c in doubt.classes
    ]
