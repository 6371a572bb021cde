"""`score`: per-class accuracy of a model on a dataset, or of imported predictions, stored in the
index's `runs` and `accuracy` tables where `correlate` and the report read it."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path

import pyarrow as pa

from vlmdata.errors import InputError
from vlmdata.labels import LabelSet, load_label_set
from vlmdata.scoring.examples import ExampleSet, load_examples
from vlmdata.scoring.outputs import PredictionLog
from vlmdata.scoring.perclass import per_class_table, rule_view, with_summary
from vlmdata.scoring.predictions import per_class_from_predictions
from vlmdata.scoring.prompts import clip_templates
from vlmdata.scoring.settings import Hardware, Settings, hardware_for
from vlmdata.store import connect, index_path
from vlmdata.store.results import Run, save_run

log = logging.getLogger(__name__)


def score(
    model: str | None,
    dataset: str | None,
    labels: str,
    mode: str | None = None,
    predictions: str | None = None,
    *,
    label_field: str | None = None,
    pred_field: str | None = None,
    split: str | None = None,
    image_root: str | None = None,
    limit: int | None = None,
    k: int | None = None,
    order: str = "random",
    prompts: str = "single",
    question: str | None = None,
    cot: bool = False,
    reduce: str = "mean",
    max_new_tokens: int | None = None,
    batch_size: int | None = None,
    device: str | None = None,
    precision: str | None = None,
    workers: int | None = None,
    seed: int = 0,
    match: str = "wordnet",
    run_id: str | None = None,
    index: str | Path | None = None,
    output: str | Path | None = None,
    save: bool = True,
    progress: Callable[[str, int, int], None] | None = None,
) -> pa.Table:
    """Score `model` on `dataset` against the label set `labels`, or import `predictions`, and
    store the per-class accuracy in the index (unless `save` is false).

    Modes: `zeroshot` (CLIP-style models, the default for `openclip:` and CLIP `hf:` names),
    `open` (the VLM answers a question; the default for other models), `closed` (the question
    lists candidate classes: all, or `k` drawn per image with the true one, in `order`
    random or fixed), `likelihood` (the most probable of the candidate names, by `reduce`).
    `prompts` picks the CLIP templates (`single`, `ensemble`, a template, a JSON file); `cot`
    asks for reasoning first. Per-image predictions go to `output` (default:
    runs/<run id>.jsonl beside the index), which a rerun resumes.

    Returns one row per class with images: class_index, wnid, name, n, and for each rule its
    count and accuracy (`correct`/`accuracy` is the stored run; `_top5`, `_substring`, `_sum`
    or `_mean` the second rule, stored as run `<run id>.<rule>`). The schema metadata holds a
    summary (see `summary_of`). `progress(file, done, total)` is called after each batch.
    """
    label_set = load_label_set(labels)
    if predictions is not None:
        fields = (label_field, pred_field)
        return _import(predictions, label_set, model, dataset, fields, match, run_id, index, save)
    if not model or not dataset:
        raise InputError("score needs --model and --dataset (or --predictions FILE)")
    tokens = max_new_tokens or (256 if cot else 32)
    settings = Settings(
        model, str(dataset), labels, mode, split, k, order, prompts, question, cot, reduce,
        tokens, seed, match,
    )  # fmt: skip
    examples = load_examples(dataset, label_set, split=split, image_root=image_root, limit=limit)
    hardware = hardware_for(settings, device, precision, batch_size, workers)
    run_id = run_id or settings.run_id(examples.name)
    output = Path(output) if output else index_path(index).parent / "runs" / f"{run_id}.jsonl"
    log_file = PredictionLog(output, asdict(settings), progress, len(examples.examples))
    started = time.perf_counter()
    scored = _score_model(settings, hardware, examples, label_set, log_file)
    seconds = round(time.perf_counter() - started, 2)
    table, summary = _aggregate(examples, label_set, log_file, settings)
    summary.update(run_id=run_id, output=str(output), scored_now=scored, seconds=seconds)
    log.info("%s: %d images scored in %.1f s", run_id, scored, seconds)
    if save:
        details = {**asdict(settings), **asdict(hardware)}
        run = Run(run_id, model, label_set.name, settings.mode, examples.name, details, seed)
        run.source = str(output)
        _save(index, run, table, label_set, [settings.second_rule()])
    return with_summary(table, summary)


def _score_model(
    settings: Settings,
    hardware: Hardware,
    examples: ExampleSet,
    label_set: LabelSet,
    log_file: PredictionLog,
) -> int:
    if settings.mode == "zeroshot":
        from vlmdata.scoring.clip import load_clip
        from vlmdata.scoring.zeroshot import score_zeroshot

        clip = load_clip(settings.model, hardware.device, hardware.precision)
        return score_zeroshot(
            clip, examples, label_set, log_file,
            templates=clip_templates(settings.prompts, label_set.name), k=settings.k,
            order=settings.order, seed=settings.seed, batch_size=hardware.batch_size,
            workers=hardware.workers, cache_dir=log_file.path.parent / "cache",
        )  # fmt: skip
    if settings.mode == "likelihood":
        from vlmdata.scoring.likelihood import score_likelihood
        from vlmdata.scoring.vlm import load_vlm

        vlm = load_vlm(settings.model, hardware.device, hardware.precision)
        return score_likelihood(
            vlm, examples, label_set, log_file, question=settings.question, k=settings.k,
            seed=settings.seed, reduce=settings.reduce, chunk=hardware.batch_size,
            workers=hardware.workers,
        )  # fmt: skip
    return _score_answers(settings, hardware, examples, label_set, log_file)


def _score_answers(settings, hardware, examples, label_set, log_file) -> int:
    """Open- or closed-world answers, from a transformers VLM or an API endpoint."""
    from vlmdata.scoring.judge import AnswerJudge
    from vlmdata.scoring.vlm import PromptPlan

    judge = AnswerJudge(label_set, match=settings.match)
    closed = settings.mode == "closed"
    plan = PromptPlan(
        label_set, settings.question, closed, settings.k, settings.order, settings.seed,
        settings.cot,
    )  # fmt: skip
    common = {"batch_size": hardware.batch_size, "workers": hardware.workers}
    if settings.model.startswith("api:"):
        from vlmdata.scoring.api import ChatClient, api_settings, score_api

        client = ChatClient(api_settings(settings.model, settings.max_new_tokens))
        return score_api(client, examples, log_file, plan, judge, **common)
    from vlmdata.scoring.vlm import load_vlm, score_generation

    vlm = load_vlm(settings.model, hardware.device, hardware.precision)
    tokens = settings.max_new_tokens
    return score_generation(vlm, examples, log_file, plan, judge, max_new_tokens=tokens, **common)


def _aggregate(
    examples: ExampleSet, label_set: LabelSet, log_file: PredictionLog, settings: Settings
) -> tuple[pa.Table, dict]:
    """The per-class table and summary of every example finished in the prediction file."""
    report = examples.report
    classes, outcomes = [], {}
    for example in examples.examples:
        record = log_file.done.get(example.key)
        if record is None:
            continue
        if "error" in record:
            report.skip("image could not be scored", f"{example.key}: {record['error'][:80]}")
            continue
        classes.append(example.class_index)
        for rule in (key for key in record if key.startswith("correct")):
            outcomes.setdefault(rule, []).append(record[rule])
    if not classes:
        problems = "; ".join(report.lines())
        raise InputError(f"{examples.name}: no image could be scored ({problems})")
    table = per_class_table(label_set, classes, outcomes)
    summary = {
        "model": settings.model,
        "dataset": examples.name,
        "label_set": label_set.name,
        "mode": settings.mode,
        **_overall(table),
        "skipped": dict(report.skipped),
        "skip_samples": report.samples,
    }
    return table, summary


def _overall(table: pa.Table) -> dict:
    """Images scored and the accuracy of each rule over all of them."""
    images = sum(table["n"].to_pylist())
    accuracies = {
        rule.replace("correct", "accuracy", 1): sum(table[rule].to_pylist()) / images
        for rule in table.column_names
        if rule.startswith("correct")
    }
    return {"images": images, **accuracies}


def _save(index, run: Run, table: pa.Table, label_set: LabelSet, rules: list[str]) -> None:
    """Store the run, and each second rule as a run `<run id>.<rule>` of its own."""
    con = connect(index)
    try:
        save_run(con, run, table, label_set)
        for rule in rules:
            if rule not in table.column_names:
                continue
            suffix = rule.removeprefix("correct_")
            extra = Run(**{**asdict(run), "run_id": f"{run.run_id}.{suffix}"})
            extra.method = f"{run.method}:{suffix}"
            save_run(con, extra, rule_view(table, rule), label_set)
    finally:
        con.close()


def _import(path, label_set, model, dataset, fields, match, run_id, index, save) -> pa.Table:
    """Per-class accuracy of a prediction file, stored like a scoring run."""
    table, report = per_class_from_predictions(path, label_set, *fields, match=match)
    name = Path(path).stem
    run_id = run_id or f"{re.sub(r'[^A-Za-z0-9_-]+', '-', name).lower()}.imported"
    method = f"imported:{report.format}"
    if save:
        details = {"report": report.as_dict()}
        run = Run(run_id, model or name, label_set.name, method, dataset, details, None, str(path))
        _save(index, run, table, label_set, [c for c in table.column_names if c[:8] == "correct_"])
    summary = {
        "run_id": run_id,
        "model": model or name,
        "label_set": label_set.name,
        "mode": method,
        **_overall(table),
        "skipped": dict(report.skipped),
        "skip_samples": report.samples,
        "notes": report.notes,
    }
    return with_summary(table, summary)
