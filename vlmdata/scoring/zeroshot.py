"""Zero-shot classification: class text features once per label set, then images in batches."""

from __future__ import annotations

import hashlib
import json
import logging
import time
from pathlib import Path

from vlmdata.labels import LabelSet
from vlmdata.scoring.batches import iter_batches
from vlmdata.scoring.candidates import candidates
from vlmdata.scoring.clip import ClipModel
from vlmdata.scoring.examples import Example, ExampleSet
from vlmdata.scoring.outputs import PredictionLog
from vlmdata.scoring.prompts import fill

log = logging.getLogger(__name__)

TOP = 5
TEXT_BATCH = 256


def base_record(example: Example, label_set: LabelSet) -> dict:
    """The fields every line of a prediction file starts with."""
    return {
        "key": example.key,
        "image": example.key,
        "label": label_set[example.class_index].name,
        "class_index": example.class_index,
        "split": example.split,
    }


def text_features(
    clip: ClipModel, label_set: LabelSet, templates: tuple[str, ...], cache_dir: Path | None
):
    """(classes, dim) normalised class embeddings: each class's templates encoded, averaged and
    normalised again. Kept in `cache_dir` under a hash of model, class names and templates."""
    import numpy as np
    import torch

    names = [c.name for c in label_set.classes]
    digest = hashlib.sha256(json.dumps([clip.name, names, templates]).encode()).hexdigest()
    cache = cache_dir / f"text_features_{digest[:20]}.npy" if cache_dir else None
    if cache is not None and cache.exists():
        log.info("text features from %s", cache)
        return torch.from_numpy(np.load(cache)).to(clip.device)
    started = time.perf_counter()
    per_chunk = max(1, TEXT_BATCH // len(templates))
    rows = []
    with torch.inference_mode():
        for first in range(0, len(names), per_chunk):
            chunk = names[first : first + per_chunk]
            prompts = [fill(t, name) for name in chunk for t in templates]
            encoded = clip.encode_text(prompts).view(len(chunk), len(templates), -1)
            mean = encoded.mean(dim=1)
            rows.append(mean / mean.norm(dim=-1, keepdim=True).clamp_min(1e-12))
    features = torch.cat(rows)
    log.info(
        "text features of %d classes x %d templates in %.1f s",
        len(names),
        len(templates),
        time.perf_counter() - started,
    )
    if cache is not None:
        cache.parent.mkdir(parents=True, exist_ok=True)
        np.save(cache, features.cpu().numpy())
    return features


def score_zeroshot(
    clip: ClipModel,
    dataset: ExampleSet,
    label_set: LabelSet,
    predictions: PredictionLog,
    *,
    templates: tuple[str, ...],
    k: int | None,
    order: str,
    seed: int,
    batch_size: int,
    workers: int,
    cache_dir: Path | None,
) -> int:
    """Score the examples not yet in `predictions`; return how many were scored now."""
    import torch

    text = text_features(clip, label_set, templates, cache_dir)  # (C, D)
    todo = [e for e in dataset.examples if e.key not in predictions.done]
    pin = clip.device.startswith("cuda")
    batches = iter_batches(todo, dataset.open_image, clip.preprocess, batch_size, workers, pin)
    scored = 0
    with torch.inference_mode():
        for batch in batches:
            predictions.append([failed_record(e, why, label_set) for e, why in batch.failed])
            if not batch.examples:
                continue
            logits = clip.encode_image(batch.inputs) @ text.T  # (B, C)
            offered = None
            if k is not None and k < len(label_set):
                offered = [
                    candidates(e.class_index, len(label_set), k, seed, e.key, order)
                    for e in batch.examples
                ]
                logits = _only(logits, offered)
            top = logits.topk(min(TOP, k or TOP, len(label_set)), dim=1).indices.tolist()
            records = []
            for row, example in enumerate(batch.examples):
                choices = None if offered is None else offered[row]
                records.append(_record(example, label_set, top[row], choices))
            predictions.append(records)
            scored += len(records)
    return scored


def _only(logits, offered: list[list[int]]):
    """The logits with every class outside each row's candidates at -inf."""
    import torch

    mask = torch.full_like(logits, float("-inf"))
    for row, indices in enumerate(offered):
        mask[row, indices] = 0.0
    return logits + mask


def _record(example: Example, label_set: LabelSet, top: list[int], choices) -> dict:
    return {
        **base_record(example, label_set),
        "choices": None if choices is None else [label_set[i].name for i in choices],
        "pred": [label_set[i].name for i in top],
        "pred_index": top,
        "correct": top[0] == example.class_index,
        "correct_top5": example.class_index in top[:TOP],
    }


def failed_record(example: Example, why: str, label_set: LabelSet) -> dict:
    """The prediction-file line of an image that could not be scored, with the reason."""
    return {**base_record(example, label_set), "error": why}
