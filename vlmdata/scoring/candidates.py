"""Closed-world candidate lists: the true class and K-1 others, drawn per image from a seed.

The draw depends only on (seed, image key), so a resumed run, another model or another batch
size sees the same candidates for the same image, which keeps runs comparable.
"""

from __future__ import annotations

import hashlib
import random

ORDERS = ("random", "fixed")


def image_rng(seed: int, key: str) -> random.Random:
    """A random generator for one image, the same for the same seed and key in any process."""
    digest = hashlib.blake2b(f"{seed}\0{key}".encode(), digest_size=8).digest()
    return random.Random(int.from_bytes(digest, "big"))


def candidates(
    true_index: int, n_classes: int, k: int | None, seed: int, key: str, order: str = "random"
) -> list[int]:
    """The class indices offered for one image: all classes when `k` is None or covers the label
    set, else the true class and k-1 others drawn without replacement. `order` is `random`
    (shuffled per image) or `fixed` (by class index)."""
    if order not in ORDERS:
        raise ValueError(f"order must be one of {ORDERS}, got {order!r}")
    if k is None or k >= n_classes:
        chosen = list(range(n_classes))
    else:
        if k < 1:
            raise ValueError(f"k must be at least 1, got {k}")
        rng = image_rng(seed, key)
        others = rng.sample([i for i in range(n_classes) if i != true_index], k - 1)
        chosen = [true_index, *others]
    if order == "fixed":
        return sorted(chosen)
    image_rng(seed + 1, key).shuffle(chosen)
    return chosen
