"""Domain exceptions: the library raises these; the CLI shows each as one line and an exit code."""

from __future__ import annotations


class VlmdataError(Exception):
    """Base of every error a user can act on. Its message is shown as is, without a traceback."""

    exit_code = 1


class InputError(VlmdataError):
    """A file or argument the user gave cannot be used as it is."""


class CorpusNotFound(VlmdataError):
    """A named corpus was not found where it is usually kept."""


class IndexBusy(VlmdataError):
    """Another process holds the index file for writing."""


class MissingExtra(VlmdataError):
    """An optional dependency is needed for this step."""

    def __init__(self, what: str, extra: str, packages: str | None = None):
        install = packages or f"'vlmdata[{extra}]'"
        super().__init__(f"{what} needs the '{extra}' extra: pip install {install}")
        self.extra = extra


def require(module: str, what: str, extra: str, packages: str | None = None):
    """Import an optional module, or raise MissingExtra naming the pip command."""
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise MissingExtra(what, extra, packages) from exc
