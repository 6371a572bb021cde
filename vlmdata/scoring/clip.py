"""CLIP-style zero-shot models: open_clip and transformers, behind one small interface.

Model names: `openclip:ViT-L-14-336/openai` (architecture/pretrained tag; EVA-CLIP and the other
open_clip models the same way), `openclip:ViT-B-32` (random weights, for benchmarks),
`openclip:/path/to/folder` (a folder with open_clip_config.json and weights),
`openclip:hf-hub:org/name`, and `hf:openai/clip-vit-large-patch14-336` or `hf:/path/to/folder`
for transformers models (CLIP, SigLIP and others with get_text/get_image_features).
"""

from __future__ import annotations

import logging
from pathlib import Path

from vlmdata.errors import InputError, require

log = logging.getLogger(__name__)

OPENCLIP_PREFIX = "openclip:"
HF_PREFIX = "hf:"


def torch_dtype(precision: str):
    """The torch dtype for a precision name: bf16, fp16 or fp32."""
    torch = require("torch", "scoring a model", "torch")
    dtypes = {"bf16": torch.bfloat16, "fp16": torch.float16, "fp32": torch.float32}
    if precision not in dtypes:
        raise InputError(f"unknown precision {precision!r}: use bf16, fp16 or fp32")
    return dtypes[precision]


class StackImages:
    """Turns PIL images into one (B, 3, H, W) tensor with a per-image transform."""

    def __init__(self, transform):
        self.transform = transform

    def __call__(self, images: list, examples: list | None = None):
        import torch

        return torch.stack([self.transform(image) for image in images])


class ProcessImages:
    """Turns PIL images into pixel values with a transformers image processor."""

    def __init__(self, processor):
        self.processor = processor

    def __call__(self, images: list, examples: list | None = None):
        return self.processor(images=images, return_tensors="pt")["pixel_values"]


class ClipModel:
    """A loaded zero-shot model: `preprocess(images)` gives the image batch, `encode_image`
    and `encode_text` give L2-normalised float32 features on the model's device."""

    def __init__(self, name: str, model, preprocess, tokenize, device: str, dtype):
        self.name, self.model, self.preprocess = name, model, preprocess
        self.tokenize, self.device, self.dtype = tokenize, device, dtype
        self.is_hf = name.startswith(HF_PREFIX)

    def encode_image(self, pixels):
        pixels = pixels.to(self.device, self.dtype, non_blocking=True)
        if self.is_hf:
            features = _pooled(self.model.get_image_features(pixel_values=pixels))
        else:
            features = self.model.encode_image(pixels)
        return _normalise(features)

    def encode_text(self, texts: list[str]):
        tokens = self.tokenize(texts)
        if self.is_hf:
            tokens = {k: v.to(self.device) for k, v in tokens.items()}
            features = _pooled(self.model.get_text_features(**tokens))
        else:
            features = self.model.encode_text(tokens.to(self.device))
        return _normalise(features)


def _pooled(output):
    # transformers 5 returns a model output whose pooler_output holds the projected features.
    return getattr(output, "pooler_output", output)


def _normalise(features):
    features = features.float()
    return features / features.norm(dim=-1, keepdim=True).clamp_min(1e-12)


def is_clip_name(model: str) -> bool:
    """Whether a model name denotes a zero-shot (CLIP-style) model without loading it."""
    if model.startswith(OPENCLIP_PREFIX):
        return True
    if not model.startswith(HF_PREFIX):
        return False
    config = Path(model[len(HF_PREFIX) :]) / "config.json"
    if config.is_file():
        import json

        model_type = json.loads(config.read_text("utf-8")).get("model_type", "")
        return model_type in {"clip", "siglip", "siglip2", "chinese_clip", "altclip"}
    return "clip" in model.lower() or "siglip" in model.lower()


def load_clip(model: str, device: str, precision: str) -> ClipModel:
    """Load a zero-shot model by name (see the module docstring) onto `device`."""
    dtype = torch_dtype(precision)
    if model.startswith(OPENCLIP_PREFIX):
        loaded = _load_openclip(model[len(OPENCLIP_PREFIX) :], device)
    elif model.startswith(HF_PREFIX):
        loaded = _load_hf(model[len(HF_PREFIX) :], device)
    else:
        raise InputError(f"{model}: a zero-shot model name starts with 'openclip:' or 'hf:'")
    net, preprocess, tokenize = loaded
    net = net.to(device=device, dtype=dtype).eval()
    return ClipModel(model, net, preprocess, tokenize, device, dtype)


def _load_openclip(spec: str, device: str):
    open_clip = require("open_clip", "open_clip models", "clip")
    pretrained = None
    if Path(spec).is_dir():
        name = f"local-dir:{spec}"
    elif spec.startswith(("hf-hub:", "local-dir:")):
        name = spec
    else:
        name, _, pretrained = spec.partition("/")
        if not pretrained:
            log.warning("openclip:%s has no pretrained tag: its weights are random", spec)
    try:
        net, _, transform = open_clip.create_model_and_transforms(
            name, pretrained=pretrained or None, device=device
        )
    except (RuntimeError, ValueError, FileNotFoundError) as exc:
        raise InputError(f"openclip:{spec}: cannot load the model ({exc})") from exc
    tokenizer = open_clip.get_tokenizer(name)
    return net, StackImages(transform), tokenizer


def _load_hf(spec: str, device: str):
    transformers = require("transformers", "transformers models", "hf")
    try:
        net = transformers.AutoModel.from_pretrained(spec)
        processor = transformers.AutoImageProcessor.from_pretrained(spec)
        tokenizer = transformers.AutoTokenizer.from_pretrained(spec)
    except (OSError, ValueError) as exc:
        raise InputError(f"hf:{spec}: cannot load the model ({exc})") from exc
    padding = "max_length" if "siglip" in net.config.model_type else True

    def tokenize(texts: list[str]):
        return tokenizer(texts, padding=padding, truncation=True, return_tensors="pt")

    return net, ProcessImages(processor), tokenize
