"""Batches of decoded, preprocessed images, made in DataLoader worker processes.

Decoding JPEGs and resizing them costs more CPU than a GPU spends on the image tower, so both
happen in workers while the model runs. An image that cannot be read is returned with its error
instead of stopping the run; the caller records it in the prediction file.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from vlmdata.errors import require
from vlmdata.scoring.examples import Example


@dataclass
class Batch:
    """Examples whose images were read, their model inputs, and the ones that failed."""

    examples: list[Example]
    inputs: Any
    failed: list[tuple[Example, str]]

    def pin_memory(self) -> Batch:
        """Page-lock the input tensors (the DataLoader calls this when pin_memory is on)."""
        if hasattr(self.inputs, "pin_memory"):
            self.inputs = self.inputs.pin_memory()
        elif isinstance(self.inputs, dict):
            self.inputs = {
                k: v.pin_memory() if hasattr(v, "pin_memory") else v for k, v in self.inputs.items()
            }
        return self


class _Collate:
    """Runs in a worker: open each image, then `prepare` the readable ones into model inputs."""

    def __init__(self, open_image: Callable, prepare: Callable[[list, list[Example]], Any]):
        self.open_image = open_image
        self.prepare = prepare

    def __call__(self, examples: list[Example]) -> Batch:
        images, good, failed = [], [], []
        for example in examples:
            try:
                images.append(self.open_image(example))
                good.append(example)
            except (OSError, ValueError, SyntaxError) as exc:
                failed.append((example, f"unreadable image: {type(exc).__name__}: {exc}"))
        inputs = self.prepare(images, good) if images else None
        return Batch(good, inputs, failed)


def default_workers(device: str) -> int:
    """Decoding workers: none on CPU (they would compete with the model), up to 8 on a GPU."""
    if device.startswith("cpu"):
        return 0
    return min(8, max(1, (os.cpu_count() or 2) - 1))


def iter_batches(
    examples: list[Example],
    open_image: Callable,
    prepare: Callable[[list, list[Example]], Any],
    batch_size: int,
    workers: int = 0,
    pin_memory: bool = False,
) -> Iterator[Batch]:
    """Batches of `examples` in order; `prepare(images, examples)` turns the PIL images of the
    readable examples into model inputs. It runs in the workers, so it must be picklable (a
    module-level function or an object)."""
    collate = _Collate(open_image, prepare)
    if workers == 0 and not pin_memory:  # no torch needed (API models), same batches
        for start in range(0, len(examples), batch_size):
            yield collate(examples[start : start + batch_size])
        return
    data = require("torch.utils.data", "decoding images in worker processes", "torch")
    loader = data.DataLoader(
        examples,
        batch_size=batch_size,
        shuffle=False,
        num_workers=workers,
        collate_fn=collate,
        pin_memory=pin_memory,
        prefetch_factor=4 if workers else None,
        persistent_workers=False,
    )
    yield from loader
