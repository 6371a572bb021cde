"""Delimited text, one caption per row: TSV or CSV with or without a header. CC3M
(`caption<TAB>url`, no header), CC12M (`url<TAB>caption`), Flickr8k and Flickr30k
(`image.jpg#k<TAB>caption`), and tables exported from elsewhere.

The layout is guessed from the first rows unless ScanOptions gives it:
- delimiter: a tab for .tsv, a comma for .csv; for other names a tab when the first line has
  one, else none (each line is one text);
- header: the first row is a header when its cells are short names and one of them is a usual
  column name (caption, text, url, image, ...);
- text column: a usual name in the header, else the column whose values have the most words;
- image column: a usual name in the header, else a column whose values are mostly URLs or image
  file names; id column: a usual name in the header.
A column is given by its header name or by its 0-based position. Image names ending in `#k`
(Flickr's caption number) lose that suffix, and consecutive rows of one image form one record
with all its captions. A row whose number of columns differs from the header's (without a
header: from most rows') is rejected as `bad_row`. Tab-separated rows are split as they are,
without quote handling, since captions hold stray quotes; CSV follows the usual quoting rules.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import chain, islice
from pathlib import Path

from vlmdata.corpora.base import (
    READ_ERRORS,
    FileError,
    Record,
    Reject,
    ScanOptions,
    base_suffix,
    excerpt,
    open_binary,
)

ROLE = "caption"
SAMPLE_ROWS = 200
TEXT_COLUMNS = ("caption", "text", "title", "alt_text", "alt", "description", "sentence")
IMAGE_COLUMNS = ("image", "image_path", "file_name", "filename", "filepath", "url", "image_url")
ID_COLUMNS = ("id", "uid", "key", "sample_id", "image_id")
KNOWN_NAMES = frozenset(TEXT_COLUMNS + IMAGE_COLUMNS + ID_COLUMNS)
NAME = re.compile(r"[A-Za-z_][\w .-]{0,39}")
IMAGE_REF = re.compile(r"^(?:https?|s3|gs)://|\.(?:jpe?g|png|gif|bmp|webp|tiff?)(?:#\d+)?$", re.I)
CAPTION_NUMBER = re.compile(r"#\d+$")

Row = tuple[int, list[str]]  # (line number, cells)


@dataclass(slots=True)
class _Layout:
    header: list[str] | None
    width: int
    text: int
    image: int | None
    id: int | None
    numbered: bool  # image names carry a '#k' caption number: group rows by image


def scan(path: Path, options: ScanOptions | None = None) -> Iterator[Record | Reject]:
    """Yield every record of a TSV/CSV file (or of a file with one text per line)."""
    options = options or ScanOptions()
    with open_binary(path) as raw:
        lines = _Lines(path, raw)
        delimiter = _delimiter(path, options, raw)
        rows = _rows(lines, delimiter)
        sample = list(islice(rows, SAMPLE_ROWS))
        layout = _layout(path, [cells for _, cells in sample], options)
        if layout.header:
            lines.bad -= set(range(sample[0][0] + 1))
        body = chain(sample[1:] if layout.header else sample, rows)
        yield from _records(body, layout, lines.bad)


class _Lines:
    """The decoded lines of a byte stream with their numbers. A line that is not UTF-8 is decoded
    with surrogate escapes and its number kept in `bad`, so its row can be rejected."""

    def __init__(self, path: Path, raw):
        self.path, self.raw = path, raw
        self.number = self.offset = 0
        self.bad: set[int] = set()

    def __iter__(self) -> Iterator[str]:
        try:
            for line in self.raw:
                self.number += 1
                self.offset += len(line)
                try:
                    text = line.decode("utf-8")
                except UnicodeDecodeError:
                    self.bad.add(self.number)
                    text = line.decode("utf-8", "surrogateescape")
                yield text.removeprefix("\ufeff") if self.number == 1 else text
        except READ_ERRORS as exc:
            raise FileError(self.path, self.offset, f"cannot read on: {exc}") from exc


def _delimiter(path: Path, options: ScanOptions, raw) -> str | None:
    if options.delimiter:
        return "\t" if options.delimiter in ("\\t", "tab") else options.delimiter
    suffix = base_suffix(path)
    if suffix == ".tsv":
        return "\t"
    if suffix == ".csv":
        return ","
    head = raw.peek(1 << 16) if hasattr(raw, "peek") else b""
    return "\t" if b"\t" in head.split(b"\n", 1)[0] else None


def _rows(lines: _Lines, delimiter: str | None) -> Iterator[Row]:
    if delimiter is None or delimiter == "\t":
        for text in lines:
            text = text.rstrip("\r\n")
            if text.strip():
                yield lines.number, [text] if delimiter is None else text.split("\t")
        return
    csv.field_size_limit(max(csv.field_size_limit(), 1 << 24))
    reader = csv.reader(lines, delimiter=delimiter)
    try:
        for cells in reader:
            if any(cell.strip() for cell in cells):
                yield reader.line_num, cells
    except csv.Error as exc:
        raise FileError(lines.path, lines.offset, f"line {reader.line_num}: {exc}") from exc


def _records(rows: Iterator[Row], layout: _Layout, bad: set[int]) -> Iterator[Record | Reject]:
    ordinal = 0
    group: Record | None = None
    for line, cells in rows:
        problem = _problem(line, cells, layout, bad)
        if problem:
            yield Reject(ordinal, f"line {line}", *problem, excerpt(_joined(cells)))
            ordinal += 1
            continue
        text = cells[layout.text].strip()
        image = cells[layout.image].strip() if layout.image is not None else None
        if layout.numbered and image:
            image = CAPTION_NUMBER.sub("", image)
            if group is not None and group.images == [image]:
                group.texts.append((ROLE, text))
                continue
        if group is not None:
            yield group
        record_id = cells[layout.id].strip() if layout.id is not None else None
        if record_id is None and layout.numbered:
            record_id = image
        group = Record(ordinal, record_id or None, [image] if image else [], [(ROLE, text)])
        ordinal += 1
    if group is not None:
        yield group


def _problem(line: int, cells: list[str], layout: _Layout, bad: set[int]) -> tuple | None:
    if bad and min(bad) <= line:  # a CSV row can span lines: any bad one up to here is its
        bad.difference_update([n for n in bad if n <= line])
        return "bad_utf8", "the row has bytes that are not UTF-8"
    if len(cells) != layout.width:
        return "bad_row", f"{len(cells)} columns, expected {layout.width}"
    if not cells[layout.text].strip():
        return "empty_text", f"column {layout.text} (the text) is empty"
    return None


def _joined(cells: list[str]) -> str:
    return "\t".join(cells).encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _layout(path: Path, rows: list[list[str]], options: ScanOptions) -> _Layout:
    """Which row is a header and which columns hold the text, the image and the id."""
    header = None
    if options.header or (options.header is None and rows and _is_header(rows[0])):
        header = rows[0] if rows else None
    body = rows[1:] if header else rows
    width = len(header) if header else _usual_width(body)
    names = [n.strip().lower() for n in header] if header else []

    image = _given(path, options.image_column, header, width)
    if image is None and not options.image_column:
        image = _named(names, IMAGE_COLUMNS)
        if image is None and width > 1:
            image = _image_like(body, width)
    text = _given(path, options.text_column, header, width)
    if text is None:
        text = _named(names, TEXT_COLUMNS)
    if text is None:
        if width == 1 and _share(body, 0, IMAGE_REF.search) >= 0.8:
            raise FileError(path, None, "its only column holds image names or URLs, no text")
        text = _wordiest(body, width, skip=image)
    ident = _given(path, options.id_column, header, width)
    if ident is None and not options.id_column:
        ident = _named(names, ID_COLUMNS)
    numbered = image is not None and _share(body, image, CAPTION_NUMBER.search) >= 0.8
    return _Layout(header, width, text, image, ident, numbered)


def _is_header(cells: list[str]) -> bool:
    names = [c.strip() for c in cells]
    return all(NAME.fullmatch(n) for n in names) and any(n.lower() in KNOWN_NAMES for n in names)


def _usual_width(rows: list[list[str]]) -> int:
    widths = Counter(len(cells) for cells in rows)
    return widths.most_common(1)[0][0] if widths else 1


def _given(path: Path, column: str | None, header: list[str] | None, width: int) -> int | None:
    """The index of a column the user named, by header name or by 0-based position."""
    if not column:
        return None
    names = [n.strip() for n in header] if header else []
    lowered = [n.lower() for n in names]
    if column in names:
        return names.index(column)
    if column.lower() in lowered:
        return lowered.index(column.lower())
    if column.isdigit() and int(column) < width:
        return int(column)
    shown = ", ".join(names) if names else f"positions 0 to {width - 1} (no header)"
    raise FileError(path, None, f"no column {column!r}; the columns are {shown}")


def _named(names: list[str], candidates: tuple[str, ...]) -> int | None:
    return next((names.index(c) for c in candidates if c in names), None)


def _share(rows: list[list[str]], column: int, test) -> float:
    values = [cells[column] for cells in rows if column < len(cells) and cells[column].strip()]
    return sum(1 for v in values if test(v.strip())) / len(values) if values else 0.0


def _image_like(rows: list[list[str]], width: int) -> int | None:
    shares = [_share(rows, column, IMAGE_REF.search) for column in range(width)]
    best = max(range(width), key=shares.__getitem__)
    return best if shares[best] >= 0.8 else None


def _wordiest(rows: list[list[str]], width: int, skip: int | None) -> int:
    def words(column: int) -> float:
        values = [cells[column] for cells in rows if column < len(cells)]
        return sum(v.count(" ") for v in values) / len(values) if values else 0.0

    columns = [c for c in range(width) if c != skip] or [0]
    return max(columns, key=words)
