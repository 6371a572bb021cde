"""The `vlmdata` command. Each command parses its options, calls the library function of the same
name and prints the result: data to stdout, progress and messages to stderr."""

from __future__ import annotations

import functools
import json
import logging
import sys
from collections.abc import Callable
from typing import Annotated

import pyarrow as pa
import typer
from rich.console import Console
from rich.logging import RichHandler
from rich.table import Table

from vlmdata.errors import VlmdataError

app = typer.Typer(
    name="vlmdata",
    help="Does a vision-language model fail on the classes it rarely saw in training, "
    "and what data would fix that?",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
out = Console()
err = Console(stderr=True, soft_wrap=True)

IndexOpt = Annotated[
    str | None,
    typer.Option("--index", help="Index file [default: $VLMDATA_INDEX or ./vlmdata.duckdb]."),
]
FormatOpt = Annotated[str, typer.Option("--format", help="Output: table, csv or json.")]


def handle_errors(command: Callable) -> Callable:
    """Turn the library's errors into one line on stderr and exit code 1 (2 for bad usage)."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except VlmdataError as exc:
            err.print(f"[bold red]Error:[/] {exc}", markup=True, highlight=False, soft_wrap=True)
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
        view.add_row(*("" if v is None else _cell(v) for v in row.values()))
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
    strict: Annotated[bool, typer.Option(help="Stop at the first rejected record.")] = False,
    index: IndexOpt = None,
) -> None:
    """Index a corpus into the DuckDB index: every record is indexed or rejected with a reason."""
    from vlmdata.corpora.base import ScanOptions
    from vlmdata.indexing import index as run_index

    options = ScanOptions(text_column=text_column, image_column=image_column)
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
        err.print(f"[bold red]Error:[/] {failure}", highlight=False)
    if summary.rejects:
        err.print(f"  see them with: vlmdata stats {summary.corpus}", highlight=False)


@app.command("corpora")
@handle_errors
def corpora_command(index: IndexOpt = None, format: FormatOpt = "table") -> None:
    """List the indexed corpora with their counts."""
    from vlmdata.indexing import corpora

    print_table(corpora(index), format, title="indexed corpora")


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


def main() -> None:
    app()


if __name__ == "__main__":
    main()
