"""The hits of a scanned batch as parallel arrays, and the array helpers the matcher needs."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc


@dataclass(slots=True)
class Batch:
    """One scanned batch: the texts, their spaced raw and normalised bytes, and the raw hits."""

    texts: pa.Array
    raw: bytes
    buffer: bytes
    offsets: np.ndarray  # offsets[t]: where text t's leading space lies in raw and buffer
    text: np.ndarray  # per hit: position of its text in the batch
    pattern: np.ndarray  # per hit: lexicon entry
    start: np.ndarray  # per hit: byte offsets into raw and buffer
    end: np.ndarray


@dataclass(slots=True)
class Hits:
    """The mentions found in a batch of texts, one row per (hit, class)."""

    text: np.ndarray  # position of the text in the batch
    class_index: np.ndarray
    surface: pa.Array
    start: np.ndarray  # byte offsets while scanning, character offsets in the text after
    end: np.ndarray
    kept: np.ndarray
    reason: pa.Array

    def __len__(self) -> int:
        return len(self.text)


def slices(data: bytes, start: np.ndarray, end: np.ndarray) -> pa.Array:
    """The byte ranges [start, end) of `data` as a string array, without a Python loop.

    The ranges are sorted and disjoint, so (start0, end0, start1, end1, ...) are valid offsets of
    an array whose even elements are the ranges; those are then taken.
    """
    if len(start) == 0:
        return pa.array([], pa.string())
    bounds = np.empty(2 * len(start), dtype=np.int64)
    bounds[0::2], bounds[1::2] = start, end
    both = pa.Array.from_buffers(
        pa.large_string(), len(bounds) - 1, [None, pa.py_buffer(bounds), pa.py_buffer(data)]
    )
    return both.take(pa.array(np.arange(0, len(bounds), 2))).cast(pa.string())


def char_offsets(b: Batch, hits: Hits) -> tuple[np.ndarray, np.ndarray]:
    """Byte offsets in the batch -> character offsets in each text (they differ off ASCII)."""
    base = b.offsets[hits.text] + 1
    start, end = hits.start - base, hits.end - base
    if len(hits) == 0:
        return start, end
    ascii_texts = pc.string_is_ascii(b.texts).to_numpy(zero_copy_only=False)
    for row in np.flatnonzero(~ascii_texts[hits.text]):
        data = b.raw[base[row] : b.offsets[hits.text[row] + 1]]
        start[row] = len(data[: start[row]].decode("utf-8", "ignore"))
        end[row] = len(data[: end[row]].decode("utf-8", "ignore"))
    return start, end


def empty_hits() -> Hits:
    empty = np.array([], dtype=np.int64)
    strings = pa.array([], pa.string())
    return Hits(empty, empty.astype(np.int32), strings, empty, empty, empty.astype(bool), strings)


def concat(parts: list[Hits]) -> Hits:
    """Several Hits as one, in text order (by start offset; ties keep their order)."""
    start = np.concatenate([p.start for p in parts])
    order = np.argsort(start, kind="stable")
    take = pa.array(order)
    return Hits(
        np.concatenate([p.text for p in parts])[order],
        np.concatenate([p.class_index for p in parts]).astype(np.int32)[order],
        pa.concat_arrays([p.surface.cast(pa.string()) for p in parts]).take(take),
        start[order],
        np.concatenate([p.end for p in parts])[order],
        np.concatenate([p.kept for p in parts]).astype(bool)[order],
        pa.concat_arrays([p.reason.cast(pa.string()) for p in parts]).take(take),
    )
