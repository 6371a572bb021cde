"""Named corpora: where the usual training corpora of VLMs lie on disk, and how to get them.

A definition is a TOML file named after the corpus (`llava_mix.toml`):

    description = "..."
    homepage = "https://..."
    locations = ["llava", "LLaVA-Instruct-150K"]   # folders under the data directory

    [[layout]]                                     # one or more ways the corpus is published
    format = "llava"
    files = ["llava_v1_5_mix665k.json"]            # names or glob patterns
    repo = "liuhaotian/LLaVA-Instruct-150K"        # Hugging Face dataset repository, if any
    download = "hf download ..."                   # the command that fetches the files

Shipped definitions are in vlmdata/corpora/definitions/; a user's own go in $VLMDATA_CORPORA_DIR
or ~/.config/vlmdata/corpora/ and replace a shipped one of the same name. A corpus is looked for
in the data directory ($VLMDATA_DATA_DIR: the directory itself, then NAME/ and each location in
it), then in the Hugging Face hub cache ($HF_HUB_CACHE, else $HF_HOME/hub, else
~/.cache/huggingface/hub). A file is also found compressed (`.gz`, `.zst`).
"""

from __future__ import annotations

import glob
import os
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import pyarrow as pa

from vlmdata.corpora.base import COMPRESSED_SUFFIXES
from vlmdata.corpora.formats import FORMATS
from vlmdata.errors import CorpusNotFound, InputError

DATA_DIR_ENV = "VLMDATA_DATA_DIR"
CORPORA_DIR_ENV = "VLMDATA_CORPORA_DIR"


@dataclass(frozen=True)
class Layout:
    """One way a corpus is published: its format, file names, repository and download command."""

    format: str
    files: tuple[str, ...]
    download: str
    repo: str | None = None


@dataclass(frozen=True)
class Definition:
    """A named corpus: what it is, where it usually lies, and the layouts it comes in."""

    name: str
    description: str
    layouts: tuple[Layout, ...]
    locations: tuple[str, ...] = ()
    homepage: str = ""
    origin: str = ""  # the TOML file it was read from

    @property
    def format(self) -> str:
        return self.layouts[0].format


@dataclass(frozen=True)
class Found:
    """A named corpus found on disk."""

    name: str
    format: str
    files: list[Path]
    origin: str


def resolve(name: str) -> Found:
    """Find the files of a named corpus, or raise CorpusNotFound saying where it looked, the
    command that downloads it and how to index a copy kept elsewhere."""
    definitions = {d.name: d for d in known()}
    if name not in definitions:
        raise CorpusNotFound(
            f"{name!r} is not a file, a directory, a glob or a known corpus. Known corpora: "
            f"{', '.join(sorted(definitions))}. To name a corpus of your own, add "
            f"{user_dirs()[0] / (name + '.toml')}"
        )
    definition = definitions[name]
    looked: list[str] = []
    for where, directories in _places(definition):
        for layout in definition.layouts:
            for directory, shared in directories:
                files = _match(directory, layout.files, shared)
                if files:
                    return Found(name, layout.format, files, f"{directory} ({where})")
        shown = ", ".join(str(d) for d, _ in directories) or "not set"
        looked.append(f"{where}: {shown}")
    raise CorpusNotFound(_not_found(definition, looked))


def known() -> list[Definition]:
    """Every corpus definition: shipped ones, replaced by a user's of the same name."""
    found: dict[str, Definition] = {}
    shipped = resources.files("vlmdata.corpora").joinpath("definitions")
    for entry in sorted(shipped.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".toml"):
            found[entry.name[:-5]] = _parse(entry.name[:-5], entry.read_text("utf-8"), entry.name)
    for directory in reversed(user_dirs()):
        for path in sorted(directory.glob("*.toml")) if directory.is_dir() else []:
            found[path.stem] = _parse(path.stem, _read(path), str(path))
    return sorted(found.values(), key=lambda d: d.name)


def user_dirs() -> list[Path]:
    """Where a user's own definitions are read from, the first winning."""
    dirs = [Path(p).expanduser() for p in os.environ.get(CORPORA_DIR_ENV, "").split(os.pathsep)]
    config = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    return [d for d in dirs if str(d) != "."] + [config / "vlmdata" / "corpora"]


def hub_cache() -> Path:
    """The Hugging Face hub cache, as huggingface_hub finds it."""
    for variable in ("HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE"):
        if os.environ.get(variable):
            return Path(os.environ[variable]).expanduser()
    cache_home = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    home = os.environ.get("HF_HOME") or Path(cache_home) / "huggingface"
    return Path(home).expanduser() / "hub"


def with_known(indexed: pa.Table) -> pa.Table:
    """The `corpora` table of the index with an `indexed` column, followed by the known corpora
    that are not indexed yet (counts null)."""
    table = indexed.append_column("indexed", pa.array([True] * indexed.num_rows, pa.bool_()))
    names = set(indexed.column("name").to_pylist()) if indexed.num_rows else set()
    rows = [
        {
            "name": d.name,
            "format": d.format,
            "source": next((f"hf://datasets/{x.repo}" for x in d.layouts if x.repo), d.homepage),
            "indexed": False,
        }
        for d in known()
        if d.name not in names
    ]
    return pa.concat_tables([table, pa.Table.from_pylist(rows, schema=table.schema)])


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read this corpus definition: {exc}") from exc


def _parse(name: str, text: str, origin: str) -> Definition:
    """A Definition from the text of its TOML file, or InputError naming the file."""
    try:
        data = tomllib.loads(text)
        layouts = tuple(
            _checked_layout(
                format=str(layout["format"]),
                files=tuple(str(f) for f in layout["files"]),
                download=str(layout["download"]),
                repo=layout.get("repo"),
            )
            for layout in data["layout"]
        )
        if not layouts:
            raise ValueError("it has no [[layout]]")
        return Definition(
            name=name,
            description=str(data.get("description", "")),
            layouts=layouts,
            locations=tuple(str(x) for x in data.get("locations", ())),
            homepage=str(data.get("homepage", "")),
            origin=origin,
        )
    except (tomllib.TOMLDecodeError, KeyError, TypeError, ValueError) as exc:
        problem = f"missing key {exc}" if isinstance(exc, KeyError) else str(exc)
        raise InputError(f"{origin}: not a valid corpus definition: {problem}") from exc


def _checked_layout(**fields) -> Layout:
    if fields["format"] not in FORMATS:
        raise ValueError(f"format {fields['format']!r} is not one of {', '.join(FORMATS)}")
    if not fields["files"]:
        raise ValueError("a [[layout]] needs at least one file name in 'files'")
    return Layout(**fields)


def _places(definition: Definition) -> list[tuple[str, list[tuple[Path, bool]]]]:
    """(description, [(directory, shared)]) in the order they are searched. A shared directory
    holds other corpora too, so only exact file names are looked for there, not patterns."""
    data_dirs = [Path(p).expanduser() for p in os.environ.get(DATA_DIR_ENV, "").split(os.pathsep)]
    local = []
    for root in (d for d in data_dirs if str(d) != "."):
        own = [root / definition.name] + [root / loc for loc in definition.locations]
        local += [(root, True)] + [(d, False) for d in own]
    hub = hub_cache()
    cached = []
    for repo in dict.fromkeys(x.repo for x in definition.layouts if x.repo):
        folder = hub / f"datasets--{repo.replace('/', '--')}"
        cached += [(d, False) for d in _snapshots(folder) or [folder / "snapshots" / "*"]]
    places = [(f"${DATA_DIR_ENV}", local)]
    return [*places, ("the Hugging Face cache", cached)] if cached else places


def _snapshots(folder: Path) -> list[Path]:
    """The snapshots of a cached repository, the one `refs/main` points to first."""
    snapshots = folder / "snapshots"
    if not snapshots.is_dir():
        return []
    ordered = sorted(snapshots.iterdir(), key=lambda p: p.stat().st_mtime, reverse=True)
    main = folder / "refs" / "main"
    head = main.read_text().strip() if main.is_file() else ""
    return sorted(ordered, key=lambda p: p.name != head)


def _match(directory: Path, patterns: tuple[str, ...], shared: bool) -> list[Path]:
    """The files under `directory` that match any pattern, plain or compressed."""
    if not directory.is_dir():
        return []
    found: set[Path] = set()
    for pattern in patterns:
        if shared and glob.has_magic(pattern):
            continue
        for variant in (pattern, *(pattern + s for s in COMPRESSED_SUFFIXES)):
            full = str(directory / variant)
            found.update(Path(p) for p in glob.glob(full, recursive=True) if Path(p).is_file())
    return sorted(found)


def _not_found(definition: Definition, looked: list[str]) -> str:
    wanted = " or ".join(", ".join(layout.files) for layout in definition.layouts)
    lines = [f"corpus {definition.name!r} was not found. Looked for {wanted} in:"]
    lines += [f"  {entry}" for entry in looked]
    many = len(definition.layouts) > 1
    lines.append("Download it with one of:" if many else "Download it with:")
    for layout in definition.layouts:
        note = "  # into the Hugging Face cache, where it is found" if layout.repo else ""
        lines.append(f"  {layout.download}{note}")
    first = definition.layouts[0].files[0]
    example = "/path/to/folder" if glob.has_magic(first) else f"/path/to/{first}"
    lines.append(f"or point ${DATA_DIR_ENV} at the folder that holds it, or index a copy:")
    lines.append(f"  vlmdata index {example} --name {definition.name}")
    return "\n".join(lines)
