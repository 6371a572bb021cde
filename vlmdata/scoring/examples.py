"""Evaluation datasets: which images to score and the class each one shows.

Three layouts are read: the paper's manifest JSONL (`{image, label, split}` per line, image paths
relative to an image root), an ImageFolder tree (`root/<class>/<image>`, the folder named by a
WordNet id or a class name), and a Hugging Face dataset saved with `save_to_disk`. Records whose
label names no class, or several, are skipped and counted with their reason, never dropped
silently.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from vlmdata.errors import InputError, require
from vlmdata.labels import LabelSet
from vlmdata.scoring.predictions import json_object
from vlmdata.scoring.resolve import LabelResolver, SkipReport, label_problem

log = logging.getLogger(__name__)

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp", ".bmp", ".gif", ".tif", ".tiff"}
WNID_FIELDS = ("wnid", "imagenet_label", "synset")
HF_MARKERS = ("dataset_info.json", "state.json", "dataset_dict.json")


@dataclass(frozen=True, slots=True)
class Example:
    """One image to score: `key` is unique in its dataset and names it in prediction files;
    `image` is a file path or a row number of a Hugging Face dataset."""

    key: str
    class_index: int
    image: str | int
    split: str | None = None


class FileImages:
    """Opens an example's image file as RGB (picklable, so DataLoader workers can use it)."""

    def __call__(self, example: Example):
        image_module = require("PIL.Image", "reading images", "torch")
        with image_module.open(example.image) as image:
            return image.convert("RGB")


class DatasetImages:
    """Opens an example's image from a Hugging Face dataset on disk, loaded once per process."""

    def __init__(self, path: str, split: str | None, column: str):
        self.path, self.split, self.column = path, split, column
        self._rows = None

    def __getstate__(self) -> dict:
        return {"path": self.path, "split": self.split, "column": self.column, "_rows": None}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)

    def __call__(self, example: Example):
        if self._rows is None:
            self._rows = _load_hf(self.path, self.split)[0]
        return self._rows[int(example.image)][self.column].convert("RGB")


@dataclass
class ExampleSet:
    """The images of a dataset with their classes, how to open them, and what was skipped."""

    name: str
    examples: list[Example]
    open_image: FileImages | DatasetImages
    report: SkipReport


def load_examples(
    dataset: str | Path,
    label_set: LabelSet,
    *,
    split: str | None = None,
    image_root: str | Path | None = None,
    limit: int | None = None,
) -> ExampleSet:
    """The examples of a manifest JSONL, an ImageFolder tree or a Hugging Face dataset on disk.

    `image_root` is where a manifest's relative image paths start (default: the manifest's
    folder). `split` keeps one split; `limit` the first N examples.
    """
    path = Path(dataset)
    if path.is_dir() and any((path / marker).exists() for marker in HF_MARKERS):
        found = _from_hf(path, label_set, split)
    elif path.is_dir():
        found = _from_folder(path if split is None else path / split, label_set)
    elif path.is_file():
        found = _from_manifest(path, label_set, split, Path(image_root or path.parent))
    else:
        raise InputError(f"{path}: no such dataset (a manifest JSONL, image folder or HF dataset)")
    if limit is not None:
        found.examples = found.examples[:limit]
    for line in found.report.lines():
        log.warning("%s: %s", found.name, line)
    if not found.examples:
        raise InputError(f"{path}: no image to score ({'; '.join(found.report.lines())})")
    return found


def _from_manifest(path: Path, label_set: LabelSet, split: str | None, root: Path) -> ExampleSet:
    resolve = LabelResolver(label_set)
    report = SkipReport(str(path))
    examples = []
    with path.open("rb") as lines:
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            record = json_object(line, path, number)
            if split is not None and record.get("split") != split:
                continue
            report.records += 1
            image = record.get("image")
            if not isinstance(image, str) or not image:
                raise InputError(f"{path}, line {number}: no 'image' path in the record")
            indices = _manifest_label(record, resolve, label_set)
            problem = label_problem(indices, label_set)
            if problem:
                report.skip(problem, f"line {number}: {record.get('label')!r}")
                continue
            file = root / image
            if not file.is_file():
                report.skip("image file missing", f"line {number}: {file}")
                continue
            examples.append(Example(image, indices[0], str(file), record.get("split")))
    if report.records and report.skipped.get("image file missing") == report.records:
        raise InputError(
            f"{path}: none of its {report.records:,} images is under {root} "
            f"(e.g. {root / report.samples['image file missing'][0].split(': ', 1)[1]}); "
            "pass --image-root with the folder the manifest's paths start from"
        )
    return ExampleSet(path.stem, examples, FileImages(), report)


def _manifest_label(record: dict, resolve: LabelResolver, label_set: LabelSet) -> list[int]:
    if isinstance(record.get("class_index"), int):
        return resolve(record["class_index"])
    if label_set.by_wnid:
        for name in WNID_FIELDS:
            if isinstance(record.get(name), str):
                return resolve(record[name])
    return resolve(record.get("label"))


def _from_folder(root: Path, label_set: LabelSet) -> ExampleSet:
    if not root.is_dir():
        raise InputError(f"{root}: no such image folder")
    resolve = LabelResolver(label_set)
    report = SkipReport(str(root))
    examples = []
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        files = sorted(
            f for f in folder.rglob("*") if f.suffix.lower() in IMAGE_SUFFIXES and f.is_file()
        )
        indices = resolve(folder.name)
        problem = label_problem(indices, label_set)
        report.records += len(files)
        for file in files:
            if problem:
                report.skip(f"folder {problem}", str(file.relative_to(root)))
                continue
            key = file.relative_to(root).as_posix()
            examples.append(Example(key, indices[0], str(file)))
    return ExampleSet(root.name, examples, FileImages(), report)


def _load_hf(path: str | Path, split: str | None):
    datasets = require("datasets", "reading a Hugging Face dataset", "datasets")
    loaded = datasets.load_from_disk(str(path))
    if isinstance(loaded, datasets.DatasetDict):
        names = list(loaded)
        chosen = split or next((s for s in ("test", "validation") if s in loaded), names[0])
        if chosen not in loaded:
            raise InputError(f"{path}: no split {chosen!r} (splits: {', '.join(names)})")
        return loaded[chosen], chosen
    return loaded, split


def _from_hf(path: Path, label_set: LabelSet, split: str | None) -> ExampleSet:
    datasets = require("datasets", "reading a Hugging Face dataset", "datasets")
    rows, chosen = _load_hf(path, split)
    features = rows.features
    image_column = next((c for c, f in features.items() if isinstance(f, datasets.Image)), None)
    label_column = next(
        (c for c, f in features.items() if isinstance(f, datasets.ClassLabel)),
        "label" if "label" in features else None,
    )
    if image_column is None or label_column is None:
        raise InputError(
            f"{path}: needs an Image column and a label column, found {', '.join(features)}"
        )
    label_feature = features[label_column]
    resolve = LabelResolver(label_set)
    report = SkipReport(str(path), records=len(rows))
    examples = []
    for row, value in enumerate(rows[label_column]):
        if isinstance(label_feature, datasets.ClassLabel):
            value = label_feature.int2str(value)
        indices = resolve(value)
        problem = label_problem(indices, label_set)
        if problem:
            report.skip(problem, f"row {row}: {value!r}")
            continue
        examples.append(Example(f"row:{row}", indices[0], row, chosen))
    return ExampleSet(path.name, examples, DatasetImages(str(path), chosen, image_column), report)
