"""Shared fixtures: where the real sample data lies, and an isolated index per test."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = (ROOT / ".." / "shared" / "data").resolve()


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """../shared/data beside the repository: real public corpora, label sets, predictions."""
    if not SHARED_DATA.is_dir():
        pytest.fail(f"the shared sample data is missing: expected it at {SHARED_DATA}")
    return SHARED_DATA


@pytest.fixture
def index_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh index path; $VLMDATA_INDEX points to it so no test touches ./vlmdata.duckdb."""
    path = tmp_path / "index.duckdb"
    monkeypatch.setenv("VLMDATA_INDEX", str(path))
    return path
