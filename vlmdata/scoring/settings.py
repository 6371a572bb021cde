"""A scoring run's settings: what decides its predictions, and how it runs."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, dataclass
from pathlib import Path

from vlmdata.errors import InputError, require
from vlmdata.scoring.batches import default_workers

MODES = ("zeroshot", "open", "closed", "likelihood")
SECOND_RULE = {"zeroshot": "correct_top5", "open": "correct_substring"}
SECOND_RULE["closed"] = "correct_substring"


@dataclass
class Settings:
    """What decides a run's predictions; a prediction file resumes only with the same ones."""

    model: str
    dataset: str
    labels: str
    mode: str
    split: str | None = None
    k: int | None = None
    order: str = "random"
    prompts: str = "single"
    question: str | None = None
    cot: bool = False
    reduce: str = "mean"
    max_new_tokens: int = 32
    seed: int = 0
    match: str = "wordnet"

    def __post_init__(self) -> None:
        self.mode = mode_for(self.model, self.mode)
        if self.reduce not in ("mean", "sum"):
            raise InputError(f"unknown --reduce {self.reduce!r}: use mean or sum")
        if self.k is not None and self.k < 1:
            raise InputError(f"--k must be at least 1, got {self.k}")
        if self.order not in ("random", "fixed"):
            raise InputError(f"unknown --order {self.order!r}: use random or fixed")

    def second_rule(self) -> str:
        """The outcome stored as a second run beside `correct` (top-5, substring, ...)."""
        if self.mode == "likelihood":
            return "correct_sum" if self.reduce == "mean" else "correct_mean"
        return SECOND_RULE[self.mode]

    def run_id(self, dataset_name: str) -> str:
        """A readable id (model, dataset, mode) ending in a hash of all settings."""
        text = json.dumps(asdict(self), sort_keys=True)
        digest = hashlib.sha256(text.encode()).hexdigest()[:6]
        model = self.model.rstrip("/").split(":", 1)[-1]
        model = Path(model).name if Path(model).is_absolute() else model
        mode = self.mode + (f"-k{self.k}" if self.k else "")
        slug = ".".join(
            re.sub(r"[^A-Za-z0-9_-]+", "-", p).strip("-") for p in (model, dataset_name)
        )
        return f"{slug.lower()}.{mode}.{digest}"


@dataclass
class Hardware:
    """How a run executes; changing these does not change what it predicts (up to precision)."""

    device: str
    precision: str
    batch_size: int
    workers: int


def mode_for(model: str, mode: str | None) -> str:
    """The mode asked for, or the model's default; refuses a mode the model cannot run."""
    from vlmdata.scoring.clip import is_clip_name

    clip = is_clip_name(model)
    mode = mode or ("zeroshot" if clip else "open")
    if mode not in MODES:
        raise InputError(f"unknown --mode {mode!r}: use {', '.join(MODES)}")
    if clip and mode != "zeroshot":
        raise InputError(f"{model} is a zero-shot (CLIP-style) model: use --mode zeroshot")
    if not clip and mode == "zeroshot":
        raise InputError(f"{model}: --mode zeroshot needs an 'openclip:' or CLIP 'hf:' model")
    if model.startswith("api:") and mode == "likelihood":
        raise InputError(f"{model}: an API model cannot score likelihoods; use open or closed")
    return mode


def hardware_for(
    settings: Settings,
    device: str | None,
    precision: str | None,
    batch_size: int | None,
    workers: int | None,
) -> Hardware:
    """The device (cuda when there is one), precision (bf16 on GPU), batch size and decoding
    workers of a run, defaults filled in."""
    if device is None and settings.model.startswith("api:"):
        device = "cpu"  # only decoding and JPEG encoding happen here
    elif device is None:
        torch = require("torch", "scoring a model", "torch")
        device = "cuda" if torch.cuda.is_available() else "cpu"
    precision = precision or ("bf16" if device.startswith("cuda") else "fp32")
    if batch_size is None:
        gpu = device.startswith("cuda")
        batch_size = {"zeroshot": 256 if gpu else 32, "likelihood": 64}.get(settings.mode, 16)
    if batch_size < 1:
        raise InputError(f"--batch-size must be at least 1, got {batch_size}")
    workers = default_workers(device) if workers is None else workers
    return Hardware(device, precision, batch_size, workers)
