"""`recipe`: turn the gap into data. Pick the classes a corpus rarely mentions (or a model gets
wrong), take labelled images of them from a manifest, and write LLaVA-format conversations that
name each class, ready to concatenate with `llava_v1_5_mix665k.json`.

The choice is written down in a plan (JSON): per class, its frequency, its accuracy, the images
the manifest has, and the examples added, so a training run can be traced back to its reasons.
"""

from __future__ import annotations

import json
import logging
import os
import random
from dataclasses import dataclass, field
from pathlib import Path

import orjson

from vlmdata.errors import InputError
from vlmdata.labels import LabelSet, load_label_set, resolve_name

log = logging.getLogger(__name__)

STYLES = ("qa", "caption")
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp", ".bmp", ".gif", ".tif", ".tiff")
WNID_FIELDS = ("wnid", "imagenet_label")
QUESTIONS = (
    "What is shown in this image?",
    "What is the main object in this picture?",
    "Can you identify what this photo shows?",
    "What is in this photo?",
    "Name the main subject of this image.",
    "What does this picture show?",
    "Which object or animal is this?",
    "What can you see in this image?",
)
ANSWERS = (
    "This is {a}.",
    "The image shows {a}.",
    "It is {a}.",
    "This picture shows {a}.",
    "The main subject of the photo is {a}.",
)
SHORT_QUESTION = (
    "What is the main object in the image?\nAnswer the question using a single word or phrase."
)
PROMPTS = (
    "Describe the image briefly.",
    "Write a short caption for this image.",
    "Give a brief description of the photo.",
    "Provide a one-sentence caption for the picture.",
    "Summarize the visual content of the image.",
)
CAPTIONS = (
    "A photo of {a}.",
    "A close-up photo of {a}.",
    "An image showing {a}.",
    "A picture of {a}.",
    "{A} in the picture.",
)


@dataclass
class Recipe:
    """What `recipe` wrote: the conversations file, the plan file and the plan itself."""

    output: Path
    plan_path: Path
    examples: int
    plan: dict = field(default_factory=dict)

    @property
    def classes(self) -> list[dict]:
        return self.plan["classes"]


def recipe(
    manifest: str | os.PathLike,
    output: str | os.PathLike,
    *,
    labels: str | LabelSet = "imagenet",
    corpus: str | None = None,
    counts: str | os.PathLike | None = None,
    accuracy: str | None = None,
    index: str | os.PathLike | None = None,
    mode: str = "wordnet",
    max_frequency: int | None = None,
    max_accuracy: float | None = None,
    per_class: int = 50,
    budget: int = 5000,
    style: str = "qa",
    split: str | None = "train",
    seed: int = 0,
    plan: str | os.PathLike | None = None,
) -> Recipe:
    """Write augmentation data for the classes below the thresholds, and its plan.

    Frequency comes from an indexed, counted `corpus` or a `counts` file; accuracy from a file
    or a run stored in the index (`accuracy`, as for `correlate`). A class is chosen when its
    frequency is below `max_frequency` and its accuracy below `max_accuracy` (a fraction), for
    the thresholds given. Each chosen class gets up to `per_class` examples, one per image of
    the manifest (`{image, label, split}` JSON Lines, or an ImageFolder tree), within `budget`
    in all: a tight budget is shared evenly, the rarest and least accurate classes first.
    Only images of `split` are used (None or "all": every image), so that the images a model
    is evaluated on stay out of its training data. The output is a JSON array (or JSON Lines
    for a .jsonl name); the plan goes to `plan`, by default beside it as NAME.plan.json.
    """
    _check_options(per_class, budget, style, max_frequency, max_accuracy, corpus, counts, accuracy)
    label_set = labels if isinstance(labels, LabelSet) else load_label_set(labels)
    measures = _measures(label_set, corpus, counts, accuracy, index, mode)
    chosen = _choose(label_set, measures, max_frequency, max_accuracy)
    images = read_manifest(manifest, label_set, None if split == "all" else split)
    records = _fill(chosen, images, label_set, per_class, budget, style, seed)
    if not records:
        raise InputError(
            f"{manifest}: none of the {len(chosen)} chosen classes has an image in the manifest "
            f"(split {split}); nothing to write"
        )
    output = Path(output)
    _write_records(output, records)
    plan_path = Path(plan) if plan else output.with_name(output.name.split(".")[0] + ".plan.json")
    content = {
        "label_set": label_set.name,
        "manifest": str(manifest),
        "image_root": images.root,
        "split": split,
        "output": str(output),
        "style": style,
        "seed": seed,
        "per_class": per_class,
        "budget": budget,
        "max_frequency": max_frequency,
        "max_accuracy": max_accuracy,
        "frequency_source": measures.sources.get("frequency"),
        "accuracy_source": measures.sources.get("accuracy"),
        "examples": len(records),
        "classes_chosen": len(chosen),
        "classes_with_examples": sum(1 for row in chosen if row["examples_added"]),
        "manifest_images": images.total,
        "manifest_left_out": images.left_out,
        "problems": measures.problems,
        "classes": chosen,
    }
    plan_path.parent.mkdir(parents=True, exist_ok=True)
    plan_path.write_text(json.dumps(content, indent=2, ensure_ascii=False) + "\n", "utf-8")
    log.info(
        "%s: %d examples, %d classes; plan in %s", output, len(records), len(chosen), plan_path
    )
    return Recipe(output, plan_path, len(records), content)


def _check_options(per_class, budget, style, max_frequency, max_accuracy, corpus, counts, acc):
    if per_class < 1 or budget < 1:
        raise InputError(f"--per-class and --budget must be at least 1 (got {per_class}, {budget})")
    if style not in STYLES:
        raise InputError(f"unknown style {style!r}: use {' or '.join(STYLES)}")
    if max_frequency is None and max_accuracy is None:
        raise InputError("give --max-frequency, --max-accuracy or both to choose the classes")
    if max_frequency is not None and (max_frequency < 0 or not (corpus or counts)):
        raise InputError(
            "--max-frequency needs a number >= 0 and the counts: --corpus NAME (counted in "
            "the index) or --counts FILE"
        )
    if max_accuracy is not None and (not 0 <= max_accuracy <= 1 or not acc):
        raise InputError(
            "--max-accuracy needs a fraction in [0, 1] (0.3 for 30%) and --accuracy FILE_OR_RUN"
        )
    if corpus and counts:
        raise InputError("give --corpus or --counts, not both")


@dataclass
class _Measures:
    frequency: dict[int, int] | None = None
    accuracy: dict[int, float] | None = None
    sources: dict[str, str] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


def _measures(label_set, corpus, counts, accuracy, index, mode) -> _Measures:
    """Per-class frequency and accuracy, from the index or from files, as given."""
    from vlmdata.reports.inputs import counts_from_file, counts_from_index, load_accuracy
    from vlmdata.store import connect

    found = _Measures()
    accuracy_file = accuracy and Path(accuracy.rpartition("#")[0] or accuracy).is_file()
    con = connect(index, read_only=True) if corpus or (accuracy and not accuracy_file) else None
    try:
        if corpus or counts:
            got = (
                counts_from_index(con, label_set, [corpus], mode, None, "texts")
                if corpus
                else counts_from_file(counts, label_set, None, "texts")
            )
            found.frequency = _column_map(got.table, "frequency")
            found.sources["frequency"] = got.source
            found.problems += [str(p) for p in got.problems]
        if accuracy:
            runs = load_accuracy(accuracy, label_set, con)
            if len(runs) > 1:
                models = ", ".join(r.model for r in runs[:5])
                raise InputError(
                    f"{accuracy}: holds {len(runs)} models ({models}, ...); give one as FILE#MODEL"
                )
            found.accuracy = _column_map(runs[0].per_class, "accuracy")
            found.sources["accuracy"] = f"{runs[0].source} ({runs[0].model})"
            found.problems += [str(p) for p in runs[0].problems]
    finally:
        if con is not None:
            con.close()
    return found


def _column_map(table, column: str) -> dict:
    return dict(zip(table["class_index"].to_pylist(), table[column].to_pylist(), strict=True))


def _choose(label_set: LabelSet, measures: _Measures, max_frequency, max_accuracy) -> list[dict]:
    """The classes below every threshold given, rarest first, then least accurate."""
    chosen = []
    for cls in label_set.classes:
        frequency = (measures.frequency or {}).get(cls.index)
        accuracy = (measures.accuracy or {}).get(cls.index)
        if max_frequency is not None and (frequency is None or frequency >= max_frequency):
            continue
        if max_accuracy is not None and (accuracy is None or accuracy >= max_accuracy):
            continue
        row = {"class_index": cls.index, "wnid": cls.wnid, "name": cls.name}
        chosen.append(row | {"frequency": frequency, "accuracy": accuracy})
    if not chosen:
        raise InputError(
            f"no class of {label_set.name} is below the thresholds (frequency < "
            f"{max_frequency}, accuracy < {max_accuracy}); raise them"
        )
    chosen.sort(
        key=lambda r: (
            r["frequency"] if r["frequency"] is not None else 0,
            r["accuracy"] if r["accuracy"] is not None else 0,
            r["class_index"],
        )
    )
    return chosen


def _fill(chosen, images, label_set, per_class: int, budget: int, style: str, seed: int):
    """The conversations of every chosen class; notes on each class row what it got."""
    available = [images.by_class.get(row["class_index"], []) for row in chosen]
    given = allocate([min(per_class, len(found)) for found in available], budget)
    records = []
    for row, found, count in zip(chosen, available, given, strict=True):
        row["images_available"] = len(found)
        row["examples_added"] = count
        if not found:
            row["note"] = "no image of this class in the manifest"
        records += examples(label_set, row["class_index"], found, count, style, seed)
    return records


def allocate(targets: list[int], budget: int) -> list[int]:
    """Share `budget` over classes given in priority order, each up to its target: level by
    level, one more example for every class that still wants one, so a tight budget is spread
    evenly and a partial last level goes to the first classes."""
    given = [0] * len(targets)
    left, level = budget, 0
    while left > 0:
        wanting = [i for i, target in enumerate(targets) if target > level][:left]
        if not wanting:
            break
        for i in wanting:
            given[i] += 1
        left -= len(wanting)
        level += 1
    return given


def examples(
    label_set: LabelSet, class_index: int, images: list[str], count: int, style: str, seed: int
) -> list[dict]:
    """`count` conversations about distinct images of one class, drawn with a random generator
    of its own (seeded by seed, label set and class), so a class's examples do not change when
    other classes or the budget do, and a larger count extends a smaller one."""
    rng = random.Random(f"{seed}:{label_set.name}:{class_index}")
    pool = sorted(images)
    rng.shuffle(pool)
    name = label_set[class_index].name
    records = []
    for number, image in enumerate(pool[:count]):
        human, gpt = _turns(name, style, rng)
        records.append(
            {
                "id": f"vlmdata-{label_set.name}-{class_index}-{number}",
                "image": image,
                "conversations": [
                    {"from": "human", "value": f"<image>\n{human}"},
                    {"from": "gpt", "value": gpt},
                ],
            }
        )
    return records


def _turns(name: str, style: str, rng: random.Random) -> tuple[str, str]:
    phrase = with_article(name)
    if style == "caption":
        caption = rng.choice(CAPTIONS)
        return rng.choice(PROMPTS), caption.format(a=phrase, A=phrase[:1].upper() + phrase[1:])
    pick = rng.randrange(len(QUESTIONS) + 1)
    if pick == len(QUESTIONS):
        return SHORT_QUESTION, name
    return QUESTIONS[pick], rng.choice(ANSWERS).format(a=phrase)


def with_article(name: str) -> str:
    """'a tench', 'an axolotl'; names that read as plurals ('mashed potatoes') go without."""
    lower = name.lower()
    if lower.endswith("s") and not lower.endswith(("ss", "us", "is")):
        return name
    return ("an " if lower[:1] in "aeiou" else "a ") + name


def _write_records(path: Path, records: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [orjson.dumps(record) for record in records]
    with open(path, "wb") as f:
        if path.suffix.lower() == ".jsonl":
            f.write(b"\n".join(lines) + b"\n")
        else:
            f.write(b"[\n" + b",\n".join(lines) + b"\n]\n")


@dataclass
class Manifest:
    """Images of a manifest by class. `root` is the folder the paths are relative to (an
    ImageFolder tree), `left_out` counts the images not used, by reason."""

    by_class: dict[int, list[str]]
    total: int
    root: str | None = None
    left_out: dict[str, int] = field(default_factory=dict)


def read_manifest(source: str | os.PathLike, label_set: LabelSet, split: str | None) -> Manifest:
    """The images of a labelled manifest: JSON Lines `{image, label, split}` (a `wnid` or
    `imagenet_label` field wins over `label`), or an ImageFolder tree (one folder per class,
    named by class name or WordNet id). Every label must name exactly one class."""
    path = Path(source)
    if path.is_dir():
        entries, left_out = _image_folder(path)
        root = str(path.resolve())
    elif path.is_file():
        entries, left_out, root = _manifest_lines(path), {}, None
    else:
        raise InputError(f"{path}: no such manifest file or image folder")
    if not entries:
        raise InputError(f"{path}: the manifest lists no images")
    classes = _resolve_labels(path, label_set, {label: where for where, label, _, _ in entries})
    splits = {entry[3] for entry in entries}
    by_class: dict[int, list[str]] = {}
    for _, label, image, entry_split in entries:
        if split and entry_split not in (None, split):
            left_out[f"split {entry_split}"] = left_out.get(f"split {entry_split}", 0) + 1
            continue
        by_class.setdefault(classes[label], []).append(image)
    if not by_class:
        raise InputError(
            f"{path}: no image of split {split!r}; its splits: {', '.join(sorted(splits))} "
            "(choose one with --split, or --split all)"
        )
    return Manifest(by_class, len(entries), root, left_out)


Entry = tuple[str, object, str, str | None]
"""(where, label, image path, split) of one manifest line or image file."""


def _manifest_lines(path: Path) -> list[Entry]:
    entries = []
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            if not line.strip():
                continue
            where = f"line {number}"
            try:
                item = json.loads(line)
            except json.JSONDecodeError as exc:
                raise InputError(f"{path}: {where}: not JSON ({exc.msg})") from None
            if not isinstance(item, dict) or not isinstance(item.get("image"), str):
                raise InputError(f"{path}: {where}: needs an 'image' path and a 'label'")
            label = next((item[k] for k in WNID_FIELDS if item.get(k)), item.get("label"))
            if label is None or isinstance(label, bool | list | dict):
                raise InputError(f"{path}: {where}: needs a 'label' (class name, id or index)")
            split = item.get("split")
            entries.append((where, label, item["image"], None if split is None else str(split)))
    return entries


def _image_folder(root: Path) -> tuple[list[Entry], dict[str, int]]:
    entries, left_out = [], {}
    for file in sorted(p for p in root.rglob("*") if p.is_file()):
        relative = file.relative_to(root)
        if file.suffix.lower() not in IMAGE_SUFFIXES or len(relative.parts) < 2:
            reason = "not in a class folder" if len(relative.parts) < 2 else "not an image file"
            left_out[reason] = left_out.get(reason, 0) + 1
            continue
        label = relative.parts[0]
        entries.append((f"folder {label}", label, relative.as_posix(), None))
    return entries, left_out


def _resolve_labels(path: Path, label_set: LabelSet, labels: dict) -> dict[object, int]:
    """Label -> class index; an InputError lists every label that names no class or several."""
    classes, bad = {}, []
    for label, where in labels.items():
        if isinstance(label, int | float):
            found = [int(label)] if label == int(label) and 0 <= label < len(label_set) else []
        else:
            found = resolve_name(label_set, str(label))
        if len(found) == 1:
            classes[label] = found[0]
            continue
        names = ", ".join(f"{k} {label_set[k].name}" for k in found[:3])
        reason = f"names {len(found)} classes ({names})" if found else "names no class"
        bad.append(f"{label!r} ({where}) {reason}")
    if bad:
        more = f" and {len(bad) - 5} more" if len(bad) > 5 else ""
        raise InputError(
            f"{path}: {len(bad)} labels do not name one class of {label_set.name}: "
            f"{'; '.join(bad[:5])}{more}. Is --labels right? A WordNet id or class index "
            "settles a shared name"
        )
    return classes
