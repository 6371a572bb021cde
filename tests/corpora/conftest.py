"""Fixtures for the scanner tests: the real corpus samples, compressed copies, a clean registry."""

from __future__ import annotations

import gzip
from collections.abc import Callable
from pathlib import Path

import pytest
import zstandard


@pytest.fixture(scope="session")
def corpora_data(shared_data: Path) -> Path:
    """../shared/data/corpora: real samples of each corpus format."""
    return shared_data / "corpora"


@pytest.fixture
def compress(tmp_path: Path) -> Callable[[bytes, str], Path]:
    """compress(data, "name.json.gz") writes `data` gzip- or zstd-compressed by the suffix."""

    def write(data: bytes, name: str) -> Path:
        path = tmp_path / name
        if name.endswith(".gz"):
            path.write_bytes(gzip.compress(data))
        elif name.endswith(".zst"):
            path.write_bytes(zstandard.ZstdCompressor().compress(data))
        else:
            raise ValueError(name)
        return path

    return write


@pytest.fixture
def registry_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No data directory, no user definitions and an empty Hugging Face cache, all in tmp_path,
    whatever the machine's own environment holds. Returns tmp_path."""
    for name in (
        "VLMDATA_DATA_DIR",
        "VLMDATA_CORPORA_DIR",
        "HF_HUB_CACHE",
        "HUGGINGFACE_HUB_CACHE",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf_home"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    return tmp_path
