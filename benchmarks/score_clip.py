"""Zero-shot scoring speed: images per second of the image tower alone, and of the whole path
(JPEG decoding and preprocessing in DataLoader workers, the model, the prediction file).

The model is an open_clip architecture with random weights (nothing is downloaded), so any size
can be measured anywhere. On a GPU, the ViT-L/14 figure of the scoring plan:

    python benchmarks/score_clip.py --arch ViT-L-14 --n 8192 --batch-size 256

On this project's 2-core CPU machines, a small one:

    python benchmarks/score_clip.py --arch ViT-B-32 --n 128 --batch-size 32 --pipeline-n 64
"""

from __future__ import annotations

import argparse
import logging
import os
import tempfile
import time
from pathlib import Path


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--arch", default="ViT-B-32", help="open_clip architecture name")
    parser.add_argument("--n", type=int, default=1024, help="images for the tower timing")
    parser.add_argument("--pipeline-n", type=int, default=None, help="images for the full path")
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--device", default=None, help="default: cuda if available")
    parser.add_argument("--precision", default=None, help="bf16, fp16, fp32 (default by device)")
    parser.add_argument("--workers", type=int, default=None, help="decoding processes")
    parser.add_argument("--labels", default="imagenet", help="label set for the text features")
    parser.add_argument("--compile", action="store_true", help="torch.compile the image tower")
    return parser.parse_args()


def synchronize(device: str) -> None:
    import torch

    if device.startswith("cuda"):
        torch.cuda.synchronize()


def time_tower(clip, n: int, batch_size: int, size: int, compile_tower: bool) -> float:
    """Images per second of encode_image on preprocessed random pixels already on the device."""
    import torch

    encode = torch.compile(clip.encode_image) if compile_tower else clip.encode_image
    pixels = torch.randn(batch_size, 3, size, size, device=clip.device, dtype=clip.dtype)
    batches = max(1, n // batch_size)
    with torch.inference_mode():
        for _ in range(3):  # warm-up: kernels chosen, memory pools filled
            encode(pixels)
        synchronize(clip.device)
        started = time.perf_counter()
        for _ in range(batches):
            encode(pixels)
        synchronize(clip.device)
    return batches * batch_size / (time.perf_counter() - started)


def write_images(folder: Path, n: int, distinct: int = 64) -> Path:
    """A manifest of n JPEGs (ImageNet-like 500x375) as hard links to `distinct` files."""
    import numpy as np
    from PIL import Image

    rng = np.random.default_rng(0)
    originals = []
    for i in range(min(n, distinct)):
        pixels = rng.integers(0, 255, (375, 500, 3), dtype=np.uint8)
        path = folder / f"original_{i}.jpg"
        Image.fromarray(pixels).save(path, quality=90)
        originals.append(path)
    lines = []
    for i in range(n):
        path = folder / f"{i:06d}.jpg"
        os.link(originals[i % len(originals)], path)
        lines.append(f'{{"image": "{path.name}", "label": "tench", "split": "val"}}\n')
    manifest = folder / "manifest.jsonl"
    manifest.write_text("".join(lines))
    return manifest


def time_pipeline(clip, args, workers: int, n: int) -> tuple[float, float]:
    """(seconds for the text features, images per second of the scoring loop)."""
    from vlmdata.labels import load_label_set
    from vlmdata.scoring.examples import load_examples
    from vlmdata.scoring.outputs import PredictionLog
    from vlmdata.scoring.zeroshot import score_zeroshot, text_features

    label_set = load_label_set(args.labels)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        examples = load_examples(write_images(folder, n), label_set)
        started = time.perf_counter()
        text_features(clip, label_set, ("a photo of a {c}.",), folder / "cache")
        synchronize(clip.device)
        text_seconds = time.perf_counter() - started
        predictions = PredictionLog(folder / "predictions.jsonl", {"benchmark": True})
        started = time.perf_counter()
        score_zeroshot(
            clip, examples, label_set, predictions, templates=("a photo of a {c}.",), k=None,
            order="random", seed=0, batch_size=args.batch_size, workers=workers,
            cache_dir=folder / "cache",
        )  # fmt: skip
        seconds = time.perf_counter() - started
    return text_seconds, n / seconds


def main() -> None:
    import torch

    from vlmdata.scoring.batches import default_workers
    from vlmdata.scoring.clip import load_clip

    logging.basicConfig(level=logging.WARNING)
    args = parse_args()
    device = args.device or ("cuda" if torch.cuda.is_available() else "cpu")
    precision = args.precision or ("bf16" if device.startswith("cuda") else "fp32")
    workers = default_workers(device) if args.workers is None else args.workers
    started = time.perf_counter()
    clip = load_clip(f"openclip:{args.arch}", device, precision)
    size = clip.model.visual.image_size
    size = size[0] if isinstance(size, tuple | list) else size
    params = sum(p.numel() for p in clip.model.visual.parameters()) / 1e6
    where = torch.cuda.get_device_name() if device.startswith("cuda") else f"{os.cpu_count()} CPUs"
    print(
        f"{args.arch} (image tower {params:.0f} M parameters, {size}px), {precision}, "
        f"batch {args.batch_size}, on {where}; loaded in {time.perf_counter() - started:.1f} s"
    )

    rate = time_tower(clip, args.n, args.batch_size, size, args.compile)
    print(f"image tower: {rate:,.0f} images/s")

    n = args.pipeline_n if args.pipeline_n is not None else args.n
    if n > 0:
        text_seconds, rate = time_pipeline(clip, args, workers, n)
        print(f"text features of {args.labels}: {text_seconds:.2f} s (once per label set)")
        print(
            f"whole path, {n} JPEGs of 500x375 decoded by {workers} workers: {rate:,.0f} images/s"
        )


if __name__ == "__main__":
    main()
