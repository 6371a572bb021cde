"""The `vlmdata` command. Each command parses its options, calls the library function of the same
name and prints the result: data to stdout, progress and messages to stderr."""

from __future__ import annotations

import functools
import json
import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import pyarrow as pa
import typer
from rich.console import Console
from rich.logging import RichHandler
from rich.table import Table
from rich.text import Text

from vlmdata.errors import VlmdataError

app = typer.Typer(
    name="vlmdata",
    help="Does a vision-language model fail on the classes it rarely saw in training, "
    "and what data would fix that?",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
# Markup is off: corpus text, class names and paths may contain [brackets] that must print as is.
out = Console(markup=False, highlight=False)
err = Console(stderr=True, soft_wrap=True, markup=False, highlight=False)


def error_line(message: str) -> Text:
    return Text.assemble(("Error:", "bold red"), " ", message)


IndexOpt = Annotated[
    str | None,
    typer.Option("--index", help="Index file (default: $VLMDATA_INDEX, else ./vlmdata.duckdb)."),
]
FormatOpt = Annotated[str, typer.Option("--format", help="Output: table, csv or json.")]


def handle_errors(command: Callable) -> Callable:
    """Turn the library's errors into one line on stderr and exit code 1 (2 for bad usage)."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except VlmdataError as exc:
            err.print(error_line(str(exc)))
            raise typer.Exit(exc.exit_code) from None
        except KeyboardInterrupt:
            err.print("Interrupted.")
            raise typer.Exit(130) from None

    return wrapper


def print_table(
    table: pa.Table, fmt: str = "table", title: str | None = None, limit: int | None = None
) -> None:
    """Print an Arrow table as a rich table, CSV or JSON lines on stdout."""
    if fmt == "csv":
        import pyarrow.csv as pacsv

        sink = pa.BufferOutputStream()
        pacsv.write_csv(table, sink)
        sys.stdout.write(sink.getvalue().to_pybytes().decode())
        return
    if fmt == "json":
        for row in table.to_pylist():
            sys.stdout.write(json.dumps(row, default=str, ensure_ascii=False) + "\n")
        return
    if fmt != "table":
        raise typer.BadParameter(f"unknown format {fmt!r}: use table, csv or json")
    shown = table if limit is None else table.slice(0, limit)
    view = Table(title=title, title_justify="left")
    for name in table.column_names:
        view.add_column(name, overflow="fold")
    for row in shown.to_pylist():
        view.add_row(*(Text("" if v is None else _cell(v)) for v in row.values()))
    out.print(view)
    if limit is not None and table.num_rows > limit:
        err.print(f"({table.num_rows - limit} more rows; use --format csv for all)")


def _cell(value) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def file_progress(description: str):
    """A rich progress bar fed by the library's progress(label, done, total) callback."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[label]}"),
        TimeElapsedColumn(),
        console=err,
        transient=True,
        disable=not err.is_terminal,
    )
    task = bar.add_task(description, total=None, label="")

    def update(label: str, done: int, total: int) -> None:
        bar.update(task, completed=done, total=total, label=label)

    return bar, update


@app.callback()
def main_options(
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log details.")] = False,
) -> None:
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.WARNING,
        format="%(message)s",
        handlers=[RichHandler(console=err, show_path=False, show_time=False)],
    )


@app.command("index")
@handle_errors
def index_command(
    source: Annotated[str, typer.Argument(help="A file, directory, glob, or known corpus name.")],
    name: Annotated[str | None, typer.Option(help="Corpus name in the index.")] = None,
    format: Annotated[
        str | None, typer.Option("--format", help="Input format; guessed when omitted.")
    ] = None,
    text_column: Annotated[str | None, typer.Option(help="Text column (tables).")] = None,
    image_column: Annotated[str | None, typer.Option(help="Image column (tables).")] = None,
    id_column: Annotated[str | None, typer.Option(help="Record id column (tables).")] = None,
    header: Annotated[
        bool | None,
        typer.Option("--header/--no-header", help="Delimited files: first row is a header."),
    ] = None,
    delimiter: Annotated[
        str | None, typer.Option(help="Delimited files: the column separator.")
    ] = None,
    strict: Annotated[bool, typer.Option(help="Stop at the first rejected record.")] = False,
    index: IndexOpt = None,
) -> None:
    """Index a corpus into the DuckDB index: every record is indexed or rejected with a reason."""
    from vlmdata.corpora.base import ScanOptions
    from vlmdata.indexing import index as run_index

    options = ScanOptions(
        text_column=text_column,
        image_column=image_column,
        id_column=id_column,
        header=header,
        delimiter=delimiter,
    )
    bar, update = file_progress(f"indexing {source}")
    with bar:
        summary = run_index(
            source,
            name=name,
            format=format,
            index=index,
            strict=strict,
            options=options,
            progress=update,
        )
    print_index_summary(summary)
    if summary.failed:
        raise typer.Exit(1)


def print_index_summary(summary) -> None:
    err.print(
        f"{summary.corpus} ({summary.format}): {summary.files_scanned} files scanned, "
        f"{summary.files_skipped} unchanged, {len(summary.failed)} failed in "
        f"{summary.seconds:.1f} s\n"
        f"records read {summary.records_read:,} = indexed {summary.records:,} + rejected "
        f"{summary.rejects:,}; texts {summary.texts:,}",
        highlight=False,
    )
    for reason, count in summary.reasons.most_common():
        err.print(f"  rejected {count:,}: {reason}", highlight=False)
    for failure in summary.failed:
        err.print(error_line(failure))
    if summary.rejects:
        err.print(f"  see them with: vlmdata stats {summary.corpus}", highlight=False)


@app.command("corpora")
@handle_errors
def corpora_command(index: IndexOpt = None, format: FormatOpt = "table") -> None:
    """List the indexed corpora with their counts."""
    from vlmdata.indexing import corpora

    print_table(corpora(index), format, title="corpora (indexed, then known)")


@app.command("stats")
@handle_errors
def stats_command(
    name: Annotated[str, typer.Argument(help="An indexed corpus.")],
    index: IndexOpt = None,
    format: FormatOpt = "table",
) -> None:
    """Files, texts per role and rejects per reason of an indexed corpus."""
    from vlmdata.indexing import stats

    for title, table in stats(name, index).items():
        print_table(table, format, title=f"{name}: {title}")


@app.command("count-classes")
@handle_errors
def count_classes_command(
    corpus: Annotated[str, typer.Argument(help="An indexed corpus, a known corpus or a path.")],
    labels: Annotated[
        str,
        typer.Option(help="Label set: imagenet, flowers102, stanford_cars, caltech101 or a file."),
    ] = "imagenet",
    match: Annotated[
        str, typer.Option(help="wordnet (names, lemmas, plurals, senses) or exact (the paper's).")
    ] = "wordnet",
    by: Annotated[str | None, typer.Option(help="Also count per 'role' or per 'corpus'.")] = None,
    output: Annotated[
        str | None,
        typer.Option("--output", "-o", help="Write all classes (.csv, .parquet, .json)."),
    ] = None,
    hyponyms: Annotated[bool, typer.Option(help="Also count more specific WordNet terms.")] = False,
    top: Annotated[int, typer.Option(help="Classes to print, most mentioned first.")] = 20,
    index: IndexOpt = None,
) -> None:
    """Count the mentions of each class in a corpus; every hit is stored in table `mentions`."""
    import pyarrow.compute as pc

    from vlmdata.matching import count_classes

    bar, update = file_progress(f"counting {labels} in {corpus}")
    with bar:
        table = count_classes(
            corpus,
            labels,
            match,
            by=by,
            index=index,
            output=output,
            hyponyms=hyponyms,
            progress=update,
        )
    mentioned = pc.sum(pc.greater(table["texts"], 0)).as_py() or 0
    order = [("texts", "descending"), ("class_index", "ascending")]
    title = f"{labels} in {corpus} ({match}): {mentioned:,} of {table.num_rows:,} rows mentioned"
    print_table(table.sort_by(order).slice(0, top), "table", title=title)
    if output:
        err.print(f"{table.num_rows:,} rows written to {output}", highlight=False)
    elif table.num_rows > top:
        err.print(f"(top {top} shown; --output FILE writes all {table.num_rows:,} rows)")


ResultFormatOpt = Annotated[
    str, typer.Option("--format", help="Output: table, csv, json or parquet (needs --output).")
]
OutputOpt = Annotated[
    str | None,
    typer.Option("--output", "-o", help="Write the result to this file (.csv, .json, .parquet)."),
]


def emit_result(table: pa.Table, fmt: str, output: str | None) -> None:
    """Print a query result, or write it to --output."""
    from vlmdata.sql import write_table

    if output:
        used = write_table(table, output, None if fmt == "table" else fmt)
        err.print(f"{table.num_rows:,} rows written to {output} ({used})", highlight=False)
    elif fmt == "parquet":
        raise typer.BadParameter("--format parquet needs --output FILE")
    else:
        print_table(table, fmt, limit=100)


@app.command("sql")
@handle_errors
def sql_command(
    statement: Annotated[str, typer.Argument(help="The SQL to run; '-' reads it from stdin.")],
    index: IndexOpt = None,
    format: ResultFormatOpt = "table",
    output: OutputOpt = None,
    write: Annotated[
        bool,
        typer.Option("--write", help="Allow changes to the index and access to other files."),
    ] = False,
) -> None:
    """Run SQL against the index; read-only unless --write. Tables and views: docs/schema.md.

    Example: vlmdata sql "SELECT name, texts FROM class_counts ORDER BY texts DESC LIMIT 10"
    """
    from vlmdata.sql import sql

    text = sys.stdin.read() if statement == "-" else statement
    emit_result(sql(text, index=index, write=write), format, output)


@app.command("query")
@handle_errors
def query_command(
    name: Annotated[str | None, typer.Argument(help="A named query (--list shows them).")] = None,
    param: Annotated[
        list[str] | None,
        typer.Option("--param", "-p", help="A parameter as NAME=VALUE; repeat for more."),
    ] = None,
    list_queries: Annotated[
        bool, typer.Option("--list", help="List the named queries, or show one in full.")
    ] = False,
    index: IndexOpt = None,
    format: ResultFormatOpt = "table",
    output: OutputOpt = None,
) -> None:
    """Run a named query from vlmdata/queries/ with its parameters bound (read-only).

    Example: vlmdata query class_contexts --param corpus=llava --param class=n01514859
    """
    from vlmdata.sql import parse_params, query

    if list_queries or name is None:
        show_queries(name, format)
        return
    emit_result(query(name, index=index, params=parse_params(param or [])), format, output)


def show_queries(name: str | None, fmt: str) -> None:
    """All named queries with their parameters, or one query's description and parameters."""
    from vlmdata.sql import load_query, named_queries

    if name is None:
        rows = [
            {"name": q.name, "answers": q.summary, "parameters": _usage(q.params)}
            for q in named_queries()
        ]
        print_table(pa.Table.from_pylist(rows), fmt, title="named queries")
        return
    named = load_query(name)
    out.print(named.description, highlight=False)
    rows = [
        {"parameter": p.name, "type": p.type, "default": p.default, "meaning": p.help}
        for p in named.params
    ]
    print_table(pa.Table.from_pylist(rows), fmt, title=f"vlmdata query {name} --param NAME=VALUE")


def _usage(params) -> str:
    """Required parameters by name, the others as name=default."""
    return ", ".join(p.name if p.default is None else f"{p.name}={p.default}" for p in params)


@app.command("recipe")
@handle_errors
def recipe_command(
    manifest: Annotated[
        str, typer.Argument(help="Labelled images: {image, label, split} JSONL or an ImageFolder.")
    ],
    output: Annotated[
        str, typer.Option("--output", "-o", help="LLaVA conversations to write (.json, .jsonl).")
    ],
    labels: Annotated[str, typer.Option(help="Label set: a built-in name or a file.")] = "imagenet",
    corpus: Annotated[
        str | None, typer.Option(help="Frequency from this corpus's counts in the index.")
    ] = None,
    counts: Annotated[
        str | None, typer.Option(help="Frequency from a counts file (class, count).")
    ] = None,
    accuracy: Annotated[
        str | None, typer.Option(help="Accuracy: a file, FILE#MODEL, or a run in the index.")
    ] = None,
    max_frequency: Annotated[
        int | None, typer.Option(help="Choose classes mentioned in fewer texts than this.")
    ] = None,
    max_accuracy: Annotated[
        float | None, typer.Option(help="Choose classes with accuracy below this (0-1).")
    ] = None,
    per_class: Annotated[int, typer.Option(help="Examples per class at most.")] = 50,
    budget: Annotated[int, typer.Option(help="Examples in all at most.")] = 5000,
    style: Annotated[str, typer.Option(help="qa (question and answer) or caption.")] = "qa",
    split: Annotated[str, typer.Option(help="Manifest split to use, or 'all'.")] = "train",
    seed: Annotated[int, typer.Option(help="Seed for images and templates.")] = 0,
    plan: Annotated[
        str | None, typer.Option(help="Plan file (default: NAME.plan.json beside OUTPUT).")
    ] = None,
    mode: Annotated[str, typer.Option("--match", help="Match mode of the counts.")] = "wordnet",
    index: IndexOpt = None,
    format: FormatOpt = "table",
) -> None:
    """Write LLaVA training conversations for the classes below a frequency or accuracy
    threshold, and a plan that says why each class was chosen.

    Example: vlmdata recipe flowers.jsonl -o r.json --labels flowers102 --max-accuracy 0.2
    --accuracy flowers_acc.csv
    """
    from vlmdata.reports.recipe import recipe

    made = recipe(
        manifest,
        output,
        labels=labels,
        corpus=corpus,
        counts=counts,
        accuracy=accuracy,
        index=index,
        mode=mode,
        max_frequency=max_frequency,
        max_accuracy=max_accuracy,
        per_class=per_class,
        budget=budget,
        style=style,
        split=split,
        seed=seed,
        plan=plan,
    )
    columns = ["class_index", "wnid", "name", "frequency", "accuracy", "images_available"]
    rows = [{k: row.get(k) for k in [*columns, "examples_added"]} for row in made.classes]
    print_table(pa.Table.from_pylist(rows), format, title="recipe plan", limit=50)
    err.print(
        f"{made.examples:,} examples for {made.plan['classes_with_examples']} of "
        f"{len(made.classes)} chosen classes written to {made.output}; plan: {made.plan_path}",
        highlight=False,
    )
    for problem in made.plan["problems"][:10]:
        err.print(f"  left out: {problem}", highlight=False)


@app.command("score")
@handle_errors
def score_command(
    model: Annotated[
        str | None,
        typer.Option(help="openclip:ARCH/TAG, hf:NAME_OR_FOLDER or api:MODEL (a chat endpoint)."),
    ] = None,
    dataset: Annotated[
        str | None,
        typer.Option(help="Manifest JSONL {image, label, split}, image folder or HF dataset."),
    ] = None,
    labels: Annotated[str, typer.Option(help="Label set: a built-in name or a file.")] = "imagenet",
    mode: Annotated[
        str | None, typer.Option(help="zeroshot (CLIP), open, closed or likelihood (VLMs).")
    ] = None,
    predictions: Annotated[
        str | None,
        typer.Option(help="Import per-image predictions (paper, lmms-eval or other JSONL)."),
    ] = None,
    label_field: Annotated[
        str | None, typer.Option(help="Field of the true label in --predictions (a.b nests).")
    ] = None,
    pred_field: Annotated[
        str | None, typer.Option(help="Field of the prediction in --predictions.")
    ] = None,
    split: Annotated[str | None, typer.Option(help="Dataset split to score.")] = None,
    image_root: Annotated[
        str | None, typer.Option(help="Where manifest image paths start (default: its folder).")
    ] = None,
    limit: Annotated[int | None, typer.Option(help="Score the first N images only.")] = None,
    k: Annotated[
        int | None, typer.Option("--k", help="Candidates per image, the true class among them.")
    ] = None,
    order: Annotated[str, typer.Option(help="Candidate order: random or fixed.")] = "random",
    prompts: Annotated[
        str, typer.Option(help="CLIP prompts: single, ensemble, a template or a JSON file.")
    ] = "single",
    question: Annotated[str | None, typer.Option(help="The question asked of a VLM.")] = None,
    cot: Annotated[bool, typer.Option(help="Ask for step-by-step reasoning first.")] = False,
    reduce: Annotated[
        str, typer.Option(help="Likelihood of a name: mean or sum over its tokens.")
    ] = "mean",
    max_new_tokens: Annotated[
        int | None, typer.Option(help="Answer length (default: 32, 256 with --cot).")
    ] = None,
    batch_size: Annotated[
        int | None, typer.Option(help="Images per batch (candidates per pass for likelihood).")
    ] = None,
    device: Annotated[
        str | None, typer.Option(help="cuda, cuda:1, cpu (default: cuda if any).")
    ] = None,
    precision: Annotated[
        str | None, typer.Option(help="bf16, fp16 or fp32 (default: bf16 on GPU).")
    ] = None,
    workers: Annotated[int | None, typer.Option(help="Image decoding processes.")] = None,
    seed: Annotated[int, typer.Option(help="Seed of the candidate draws.")] = 0,
    match: Annotated[str, typer.Option(help="Answer matching: wordnet or exact.")] = "wordnet",
    run_id: Annotated[str | None, typer.Option(help="Run id in the index.")] = None,
    output: Annotated[
        str | None,
        typer.Option("--output", "-o", help="Per-image JSONL (default: runs/RUN.jsonl); resumed."),
    ] = None,
    index: IndexOpt = None,
    format: FormatOpt = "table",
) -> None:
    """Per-class accuracy of a model on a dataset, or of imported predictions, stored in the index.

    Example: vlmdata score --model openclip:ViT-L-14-336/openai --dataset cars.jsonl
    --labels stanford_cars --split test --prompts ensemble
    """
    from vlmdata.scoring import score, summary_of

    bar, update = file_progress(f"scoring {model or predictions}")
    with bar:
        table = score(
            model, dataset, labels, mode, predictions, label_field=label_field,
            pred_field=pred_field, split=split, image_root=image_root, limit=limit, k=k,
            order=order, prompts=prompts, question=question, cot=cot, reduce=reduce,
            max_new_tokens=max_new_tokens, batch_size=batch_size, device=device,
            precision=precision, workers=workers, seed=seed, match=match, run_id=run_id,
            index=index, output=output, progress=update,
        )  # fmt: skip
    summary = summary_of(table)
    if format == "table":  # the worst classes first, in a view that fits a terminal
        shown = [c for c in table.column_names if c in ("class_index", "name", "n")]
        shown += [c for c in table.column_names if c.startswith("accuracy")]
        order = [("accuracy", "ascending"), ("class_index", "ascending")]
        table = table.select(shown).sort_by(order)
    print_table(table, format, title=f"run {summary['run_id']}, worst classes first", limit=20)
    rules = [f"{k} {v:.1%}" for k, v in summary.items() if k.startswith("accuracy")]
    err.print(
        f"{summary['run_id']}: {summary['images']:,} images, {', '.join(rules)}"
        + (f"; predictions in {summary['output']}" if summary.get("output") else ""),
        highlight=False,
        soft_wrap=True,
    )
    for reason, count in summary.get("skipped", {}).items():
        err.print(f"  skipped {count:,}: {reason}", highlight=False, soft_wrap=True)


LabelsOpt = Annotated[
    str,
    typer.Option(help="Label set: imagenet, flowers102, stanford_cars, caltech101 or a file."),
]
CorporaArg = Annotated[
    list[str] | None,
    typer.Argument(help="Indexed corpora whose counts to use (default: every counted corpus)."),
]
AccuracyOpt = Annotated[
    list[str],
    typer.Option(
        "--accuracy",
        "-a",
        help="Accuracy file, FILE#MODEL for one model of a file, or a stored run id; repeatable.",
    ),
]
CountsOpt = Annotated[
    str | None,
    typer.Option(help="Counts file (class or WordNet id column, count column), not the index."),
]
CovariateOpt = Annotated[
    str | None,
    typer.Option(help="Per-class accuracy (file, FILE#MODEL or run) to hold constant."),
]
ByOpt = Annotated[str | None, typer.Option(help="Also break down by 'role' or 'corpus'.")]
MatchOpt = Annotated[str, typer.Option(help="The counts of this matching mode.")]
MeasureOpt = Annotated[
    str, typer.Option(help="Frequency: 'texts' mentioning a class, or all 'mentions'.")
]
BootstrapsOpt = Annotated[int, typer.Option(help="Bootstrap draws for the 95% intervals.")]
SeedOpt = Annotated[int, typer.Option(help="Seed of the bootstrap draws.")]


@app.command("import-accuracy")
@handle_errors
def import_accuracy_command(
    file: Annotated[
        str,
        typer.Argument(help="Per-class table, nested per-class JSON, or predictions JSONL."),
    ],
    labels: LabelsOpt = "imagenet",
    model: Annotated[
        str | None,
        typer.Option(help="The model to take from a file of several, or the name of a file's one."),
    ] = None,
    run: Annotated[
        str | None, typer.Option(help="Run id (default: the file's stem, or STEM/MODEL).")
    ] = None,
    scale: Annotated[
        str, typer.Option(help="Accuracy values: auto, fraction ([0, 1]) or percent.")
    ] = "auto",
    strict: Annotated[
        bool, typer.Option(help="Refuse the file if any entry matches no class or several.")
    ] = False,
    index: IndexOpt = None,
    format: FormatOpt = "table",
) -> None:
    """Store per-class accuracy from a file in the index, one run per model; class names are
    matched to the label set's classes, and entries that match none or several are reported."""
    from vlmdata.accuracy import import_accuracy

    results = import_accuracy(
        file, labels, model=model, run=run, index=index, scale=scale, strict=strict
    )
    rows = [
        {
            "run": r.run_id,
            "model": r.model,
            "label_set": r.label_set,
            "classes": r.per_class.num_rows,
            "mean_accuracy": sum(r.per_class["accuracy"].to_pylist()) / r.per_class.num_rows,
            "left_out": len(r.problems),
            "read_as": r.scale,
        }
        for r in results
    ]
    print_table(pa.Table.from_pylist(rows), format, title=f"runs stored from {file}")


@app.command("correlate")
@handle_errors
def correlate_command(
    corpus: CorporaArg = None,
    accuracy: AccuracyOpt = ...,
    counts: CountsOpt = None,
    labels: LabelsOpt = "imagenet",
    covariate: CovariateOpt = None,
    by: ByOpt = None,
    match: MatchOpt = "wordnet",
    measure: MeasureOpt = "texts",
    show: Annotated[
        str, typer.Option(help="What to print: statistics, bins, classes or all.")
    ] = "statistics",
    bootstraps: BootstrapsOpt = 1000,
    seed: SeedOpt = 0,
    index: IndexOpt = None,
    format: FormatOpt = "table",
) -> None:
    """Join class counts with per-class accuracy by class id: Spearman, Pearson on
    log(1+frequency) and Kendall with bootstrap 95% intervals, and accuracy by frequency bin."""
    from vlmdata.reports.correlate import TABLES, correlate

    if show not in (*TABLES, "all"):
        raise typer.BadParameter(f"unknown --show {show!r}: use {', '.join(TABLES)} or all")
    if show == "all" and format == "csv":
        raise typer.BadParameter("CSV holds one table: choose --show statistics, bins or classes")
    result = correlate(
        corpus,
        counts,
        accuracy,
        labels,
        covariate=covariate,
        by=by,
        index=index,
        mode=match,
        measure=measure,
        bootstraps=bootstraps,
        seed=seed,
    )
    if show == "all" and format == "json":
        sys.stdout.write(result.to_json() + "\n")
    elif format == "table":
        if show in ("statistics", "all"):
            print_table(result.summary(), title=f"{result.label_set}: {result.counts_source}")
        for name in ("bins", "classes"):
            if show in (name, "all"):
                print_table(result.summary(name), title=name, limit=60)
    else:
        print_table(result.table(show), format)
    for note in result.notes:
        err.print(f"note: {note}", highlight=False)


@app.command("report")
@handle_errors
def report_command(
    corpus: CorporaArg = None,
    accuracy: AccuracyOpt = ...,
    counts: CountsOpt = None,
    labels: LabelsOpt = "imagenet",
    covariate: CovariateOpt = None,
    by: ByOpt = None,
    match: MatchOpt = "wordnet",
    measure: MeasureOpt = "texts",
    output: Annotated[str, typer.Option("--output", "-o", help="The HTML file.")] = "report.html",
    charts: Annotated[
        str | None, typer.Option(help="Also save each chart in this directory.")
    ] = None,
    chart_format: Annotated[
        str, typer.Option(help="Chart files: svg, png or svg,png.")
    ] = "svg,png",
    bootstraps: BootstrapsOpt = 1000,
    seed: SeedOpt = 0,
    index: IndexOpt = None,
) -> None:
    """Write one self-contained HTML report (opens offline): the long tail of class frequency,
    accuracy against frequency, accuracy by bin, the correlations, the weakest classes, and
    what was left out and why. Prints the report's path."""
    from vlmdata.reports.html import report

    path = report(
        corpus,
        counts,
        accuracy,
        labels,
        covariate=covariate,
        by=by,
        index=index,
        mode=match,
        measure=measure,
        output=output,
        charts_dir=charts,
        chart_formats=tuple(f.strip() for f in chart_format.split(",") if f.strip()),
        bootstraps=bootstraps,
        seed=seed,
    )
    sys.stdout.write(f"{path}\n")


@app.command("demo")
@handle_errors
def demo_command(
    output_dir: Annotated[
        Path, typer.Option("--output-dir", "-o", help="Where the index and report.html go.")
    ] = Path("vlmdata-demo"),
) -> None:
    """Run the whole analysis on the embedded sample: CC3M captions against a CC3M-trained CLIP."""
    from vlmdata.demo import demo

    bar, update = file_progress("indexing the embedded CC3M captions")
    with bar:
        result = demo(output_dir, progress=update)
    row = result.statistics.to_pylist()[0]
    out.print(
        f"Indexed {result.records:,} CC3M validation captions; {result.classes_mentioned} of "
        f"{result.classes} ImageNet classes are mentioned at least once.\n"
        f"Per-class ImageNet accuracy of a CLIP RN50 trained on CC3M follows their frequency: "
        f"Spearman {row['spearman']:.2f} [{row['spearman_low']:.2f}, {row['spearman_high']:.2f}]"
        f", Kendall {row['kendall']:.2f}, Pearson on log(1+frequency) {row['pearson_log']:.2f} "
        f"over {row['classes']} classes.\n"
        f"Report: {result.report}\n"
        f"Index:  {result.index}  (try: vlmdata query top_classes --index {result.index} "
        f"-p corpus=cc3m_validation)",
        highlight=False,
        soft_wrap=True,
    )


def main() -> None:
    app()


if __name__ == "__main__":
    main()
