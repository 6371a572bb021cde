"""How long do `correlate` and `report` take on a 1,000-class table?

    python benchmarks/report_speed.py [--bootstraps 1000] [--repeat 3]

Counts: a counts file of the 1,000 ImageNet classes (Zipf-like, seeded); accuracy: the real
per-class ImageNet accuracy of one CLIP model, then of all 21 models of the same file
(../shared/data/predictions/clip_per_class_accuracy/). Prints the best of `--repeat` runs of:
correlate, the report without and with PNG/SVG charts; and once, the chart library's assembly
(afterwards read from the user's cache).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
ACCURACY = (
    ROOT / ".." / "shared" / "data" / "predictions" / "clip_per_class_accuracy"
).resolve() / "imagenet_class_results.json"
MODEL = "backboneRN50_pretrainedcc3m"


def write_counts(path: Path, classes: int = 1000, seed: int = 0) -> None:
    import numpy as np

    rng = np.random.default_rng(seed)
    counts = np.floor(rng.pareto(0.8, classes) * 3).astype(int)
    lines = ["class_index,count"] + [f"{i},{c}" for i, c in enumerate(counts)]
    path.write_text("\n".join(lines) + "\n")


def best(repeat: int, run) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bootstraps", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    from vlmdata.reports import html
    from vlmdata.reports.correlate import correlate

    work = Path(tempfile.mkdtemp(prefix="vlmdata-bench-"))
    counts = work / "counts.csv"
    write_counts(counts)
    one, every = [f"{ACCURACY}#{MODEL}"], [str(ACCURACY)]
    common = {"counts": counts, "bootstraps": args.bootstraps}

    os.environ["XDG_CACHE_HOME"] = str(work / "cache")  # time the library's first assembly
    started = time.perf_counter()
    html.javascript_bundle()
    print(f"chart library, assembled once per machine: {time.perf_counter() - started:.2f} s")
    for label, accuracy in (("1 model", one), ("21 models", every)):
        seconds = best(args.repeat, lambda a=accuracy: correlate(accuracy=a, **common))
        print(f"correlate, 1,000 classes, {label}, {args.bootstraps} draws: {seconds:.2f} s")
        seconds = best(
            args.repeat,
            lambda a=accuracy: html.report(accuracy=a, output=work / "r.html", **common),
        )
        size = (work / "r.html").stat().st_size / 1e6
        print(f"report, 1,000 classes, {label}: {seconds:.2f} s ({size:.1f} MB)")
    seconds = best(
        args.repeat,
        lambda: html.report(
            accuracy=one, output=work / "r.html", charts_dir=work / "charts", **common
        ),
    )
    print(f"report with PNG and SVG charts, 1 model: {seconds:.2f} s")


if __name__ == "__main__":
    main()
