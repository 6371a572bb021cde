"""Finding class mentions in texts: one Aho-Corasick pass over a batch, decisions only for hits.

A batch of texts becomes one buffer (each text preceded by a space, then lower-cased with
punctuation turned into spaces, byte for byte, so offsets survive). Patterns are the lexicon's
forms preceded by a space, so a hit always starts at a word; leftmost-longest matching makes a
multi-word form (or a blocker such as `tank top`) win over the words inside it. A hit must also
end at a word boundary.

Hits are then handled by the kind of their entry, in bulk where possible: plain forms are kept;
blockers drop the classes they contain; forms with another usual sense are kept when more cue
words of the class than of that sense lie within a window around them; forms shared by classes
are decided one by one (vlmdata.matching.senses). Every decision against a hit is kept with
its reason.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import ahocorasick_rs
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from vlmdata.labels.forms import BYTE_TABLE
from vlmdata.labels.loading import load_label_set
from vlmdata.labels.model import LabelSet
from vlmdata.matching.cues import STOPWORDS
from vlmdata.matching.hits import Batch, Hits, char_offsets, concat, empty_hits, slices
from vlmdata.matching.lexicon import Entry, Lexicon, lexicon_for
from vlmdata.matching.senses import WINDOW_BYTES, decide, prepare

log = logging.getLogger(__name__)
SPACE = 32
PLAIN, SENSE, BLOCKER, SHARED = 0, 1, 2, 3  # how the hits of an entry are handled
FUNCTION_WORDS = frozenset(w.encode() for w in STOPWORDS)


@dataclass(frozen=True, slots=True)
class Mention:
    """A surface hit of a class in a text. `start`/`end` are character offsets into the text.

    `kept` is False when the matcher decided the hit does not name the class; `reason` then says
    why, as `code: detail` (codes: part_of_term, other_sense, modifier, ambiguous, other_class;
    see vlmdata.matching.senses).
    """

    class_index: int
    wnid: str | None
    surface: str
    start: int
    end: int
    kept: bool = True
    reason: str | None = None


def _handling(entry: Entry, mode: str) -> int:
    if mode == "exact" or (len(entry.classes) == 1 and not entry.sense):
        return PLAIN
    if entry.kind == "blocker":
        return BLOCKER
    return SENSE if len(entry.classes) == 1 else SHARED


class Matcher:
    """Finds the mentions of a label set's classes in texts (see the module docstring)."""

    def __init__(self, label_set: LabelSet, lexicon: Lexicon, hyponyms: bool = False):
        self.label_set = label_set
        self.lexicon = lexicon
        self.mode = lexicon.mode
        self.hyponyms = hyponyms
        self.entries: list[Entry] = lexicon.select(hyponyms)
        patterns = [b" " + e.pattern.encode("utf-8") for e in self.entries]
        self._automaton = ahocorasick_rs.BytesAhoCorasick(
            patterns,
            matchkind=ahocorasick_rs.MatchKind.LeftmostLongest,
            implementation=ahocorasick_rs.Implementation.DFA,  # faster; ~15 MB for ImageNet
        )
        self._handling = np.array([_handling(e, self.mode) for e in self.entries], np.int8)
        self._first_class = np.array([e.classes[0] for e in self.entries], dtype=np.int32)
        self._by_pattern = {e.pattern: i for i, e in enumerate(self.entries)}
        self._multiword = np.array([" " in e.pattern for e in self.entries], dtype=bool)
        cache: dict = {}
        self._doubts = [
            prepare(e, lexicon.cues, lexicon.sense_cues, cache) if h != PLAIN else None
            for e, h in zip(self.entries, self._handling, strict=True)
        ]
        self._cues = [d.cues[0] if d else frozenset() for d in self._doubts]
        self._against = [d.against if d else frozenset() for d in self._doubts]
        self._reasons = pa.array(
            [
                f"other_sense: {d.sense}"
                if d and d.sense
                else f"part_of_term: {d.blocker}"
                if d and d.blocker
                else None
                for d in self._doubts
            ],
            pa.string(),
        )
        self._adjectival = np.array(
            [bool(d and d.sense and d.sense.split(".")[1] in "as") for d in self._doubts], bool
        )
        self._modifier_reasons = pa.array(
            [f"modifier: {d.sense}" if d and d.sense else None for d in self._doubts], pa.string()
        )
        self._wnids = [c.wnid for c in label_set.classes]

    @classmethod
    def from_label_set(
        cls, label_set: LabelSet | str, match: str = "wordnet", hyponyms: bool = False
    ) -> Matcher:
        """A matcher for a label set (or its name or file) in mode `wordnet` or `exact`.

        `exact` is the paper's rule: the display name only, as whole words, any case; a name
        shared by classes counts for each of them.
        """
        if not isinstance(label_set, LabelSet):
            label_set = load_label_set(label_set)
        return cls(label_set, lexicon_for(label_set, match), hyponyms=hyponyms)

    def find(self, text: str) -> list[Mention]:
        """The mentions in one text, kept and dropped, in text order."""
        hits = self.scan(pa.array([text], pa.large_string()))
        surfaces, reasons = hits.surface.to_pylist(), hits.reason.to_pylist()
        rows = zip(
            hits.class_index.tolist(),
            hits.start.tolist(),
            hits.end.tolist(),
            hits.kept.tolist(),
            surfaces,
            reasons,
            strict=True,
        )
        return [Mention(c, self._wnids[c], sf, s, e, k, r) for c, s, e, k, sf, r in rows]

    def scan(self, texts: pa.Array) -> Hits:
        """All mentions in a batch of texts (an Arrow string array without nulls)."""
        texts = texts.cast(pa.large_string())
        space, nothing = pa.scalar(" ", pa.large_string()), pa.scalar("", pa.large_string())
        spaced = pa.concat_arrays([pc.binary_join_element_wise(space, texts, nothing)])
        offsets = np.frombuffer(spaced.buffers()[1], dtype=np.int64)[: len(spaced) + 1]
        raw = spaced.buffers()[2].to_pybytes()[: offsets[-1]] if len(spaced) else b""
        buffer = raw.translate(BYTE_TABLE)  # the one normalised copy of the batch
        found = self._automaton.find_matches_as_indexes(buffer)
        if not found:
            return empty_hits()
        matches = np.array(found, dtype=np.int64)
        pattern, start, end = matches[:, 0].copy(), matches[:, 1] + 1, matches[:, 2].copy()
        view = np.frombuffer(buffer, dtype=np.uint8)
        at_boundary = (end == len(view)) | (view[np.minimum(end, len(view) - 1)] == SPACE)
        self._shorten(pattern, end, ~at_boundary & self._multiword[pattern], buffer)
        at_boundary |= end < matches[:, 2]
        pattern, start, end = pattern[at_boundary], start[at_boundary], end[at_boundary]
        text = np.searchsorted(offsets, start, side="right") - 1
        batch = Batch(texts, raw, buffer, offsets, text, pattern, start, end)
        handling = self._handling[pattern]
        parts = [
            self._plain(batch, np.flatnonzero(handling == PLAIN)),
            self._sense(batch, np.flatnonzero(handling == SENSE)),
            self._blocked(batch, np.flatnonzero(handling == BLOCKER)),
            self._shared(batch, np.flatnonzero(handling == SHARED)),
        ]
        hits = concat([p for p in parts if len(p)] or [empty_hits()])
        hits.start, hits.end = char_offsets(batch, hits)
        return hits

    def _shorten(self, pattern, end, failed, buffer: bytes) -> None:
        """A multi-word hit that runs into a longer word ('remote control' in 'remote
        controller') falls back to the longest form among its first words ('remote')."""
        for row in np.flatnonzero(failed):
            words = self.entries[pattern[row]].pattern.split(" ")
            for size in range(len(words) - 1, 0, -1):
                shorter = self._by_pattern.get(" ".join(words[:size]))
                if shorter is not None:
                    pattern[row] = shorter
                    end[row] -= len(" ".join(words[size:])) + 1
                    break

    def _plain(self, b: Batch, rows: np.ndarray) -> Hits:
        """Plain hits, kept; in exact mode a name shared by classes counts for each."""
        classes = self._first_class[b.pattern[rows]]
        if self.mode == "exact":
            counts = np.array([len(self.entries[p].classes) for p in b.pattern[rows]], np.int64)
            if len(counts) and counts.max() > 1:
                every = [c for p in b.pattern[rows] for c in self.entries[p].classes]
                rows, classes = np.repeat(rows, counts), np.array(every, np.int32)
        return _rows(b, rows, classes, np.ones(len(rows), bool), pa.nulls(len(rows), pa.string()))

    def _windows(self, b: Batch, rows: np.ndarray) -> tuple[list[int], list[int]]:
        """Byte ranges of the context of each hit, cut at the edges of its text."""
        text = b.text[rows]
        lo = np.maximum(b.offsets[text], b.start[rows] - WINDOW_BYTES)
        hi = np.minimum(b.offsets[text + 1], b.end[rows] + WINDOW_BYTES)
        return lo.tolist(), hi.tolist()

    def _sense(self, b: Batch, rows: np.ndarray) -> Hits:
        """Hits of a form with another usual sense: kept when more cue words of the class than
        of that sense are near.

        A form whose other sense is an adjective (the colour `orange`) is dropped as a modifier
        when a word other than a function word follows it directly (`orange shirt`).
        """
        patterns = b.pattern[rows]
        lo, hi = self._windows(b, rows)
        buffer, cues, against = b.buffer, self._cues, self._against
        kept = np.zeros(len(rows), dtype=bool)
        for i, (p, x, y) in enumerate(zip(patterns.tolist(), lo, hi, strict=True)):
            words = buffer[x:y].split()
            if against[p]:
                words = set(words)
                kept[i] = len(cues[p].intersection(words)) > len(against[p].intersection(words))
            else:  # most forms: any cue word of the class is enough
                kept[i] = not cues[p].isdisjoint(words)
        reasons = self._reasons.take(pa.array(patterns))
        modifier = self._modifiers(b, rows)
        kept &= ~modifier
        reasons = pc.if_else(pa.array(modifier), self._modifier_reasons.take(patterns), reasons)
        reasons = pc.if_else(pa.array(kept), pa.nulls(len(rows), pa.string()), reasons)
        return _rows(b, rows, self._first_class[patterns], kept, reasons)

    def _modifiers(self, b: Batch, rows: np.ndarray) -> np.ndarray:
        """Which hits of adjective-like forms are directly followed by a content word."""
        modifier = np.zeros(len(rows), dtype=bool)
        for i in np.flatnonzero(self._adjectival[b.pattern[rows]]).tolist():
            row = rows[i]
            end, text_end = int(b.end[row]), int(b.offsets[b.text[row] + 1])
            if end >= text_end or b.raw[end] != SPACE:
                continue  # end of text, or punctuation follows
            following = b.buffer[end : min(end + 40, text_end)].split()
            modifier[i] = bool(following) and following[0] not in FUNCTION_WORDS
        return modifier

    def _blocked(self, b: Batch, rows: np.ndarray) -> Hits:
        """Hits of a blocker: each class whose form it contains is dropped, with the term."""
        counts = np.array([len(self.entries[p].classes) for p in b.pattern[rows]], np.int64)
        classes = np.array([c for p in b.pattern[rows] for c in self.entries[p].classes], np.int32)
        expanded = np.repeat(rows, counts)
        reasons = self._reasons.take(pa.array(b.pattern[expanded]))
        return _rows(b, expanded, classes, np.zeros(len(expanded), bool), reasons)

    def _shared(self, b: Batch, rows: np.ndarray) -> Hits:
        """Hits of a form shared by classes, decided one by one from their context."""
        lo, hi = self._windows(b, rows)
        out_rows, classes, kept, reasons = [], [], [], []
        for row, p, x, y in zip(rows.tolist(), b.pattern[rows].tolist(), lo, hi, strict=True):
            for cls, keep, reason in decide(self._doubts[p], set(b.buffer[x:y].split())):
                out_rows.append(row)
                classes.append(cls)
                kept.append(keep)
                reasons.append(reason)
        return _rows(
            b,
            np.array(out_rows, np.int64),
            np.array(classes, np.int32),
            np.array(kept, bool),
            pa.array(reasons, pa.string()),
        )


def _rows(b: Batch, rows, classes, kept, reasons) -> Hits:
    unique, inverse = np.unique(rows, return_inverse=True)
    surface = slices(b.raw, b.start[unique], b.end[unique]).take(pa.array(inverse))
    return Hits(
        b.text[rows],
        np.asarray(classes, np.int32),
        surface,
        b.start[rows],
        b.end[rows],
        kept,
        reasons,
    )
