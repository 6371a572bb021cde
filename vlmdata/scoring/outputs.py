"""The per-image prediction file of a run: JSON Lines, appended batch by batch, resumable.

Each line is one image, in the paper's shape (`image`, `label`, `split`, `choices`, `pred`) plus
`key`, `class_index` and the outcome fields (`correct`, ...), so the file can be read back by
`vlmdata score --predictions`. A rerun with the same settings skips the images already in the
file; `<file>.run.json` holds the settings, and a rerun with other settings is refused rather
than mixing two runs in one file.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from pathlib import Path

import orjson

from vlmdata.errors import InputError

log = logging.getLogger(__name__)


class PredictionLog:
    """Reads the finished images of a prediction file and appends new ones; `progress(file,
    done, total)` is called after each append."""

    def __init__(
        self,
        path: str | Path,
        settings: dict,
        progress: Callable[[str, int, int], None] | None = None,
        total: int = 0,
    ):
        self.path = Path(path)
        self.progress, self.total = progress, total
        self.settings = json.loads(json.dumps(settings, sort_keys=True, default=str))
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._check_settings()
        self.done: dict[str, dict] = self._read()

    @property
    def settings_path(self) -> Path:
        return self.path.with_name(self.path.name + ".run.json")

    def _check_settings(self) -> None:
        if self.settings_path.exists() and self.path.exists():
            before = json.loads(self.settings_path.read_text("utf-8"))
            changed = sorted(
                k for k in {*before, *self.settings} if before.get(k) != self.settings.get(k)
            )
            if changed:
                raise InputError(
                    f"{self.path} holds predictions made with other settings "
                    f"({', '.join(changed)} differ); pass another --output, or delete the file "
                    "to start over"
                )
        self.settings_path.write_text(json.dumps(self.settings, indent=1, sort_keys=True))

    def _read(self) -> dict[str, dict]:
        if not self.path.exists():
            return {}
        data = self.path.read_bytes()
        if data and not data.endswith(b"\n"):
            # A crash while writing leaves a partial last line: drop it so appends stay valid.
            cut = data.rfind(b"\n") + 1
            log.warning("%s: dropping an unfinished last line", self.path)
            with self.path.open("r+b") as file:
                file.truncate(cut)
            data = data[:cut]
        done = {}
        for number, line in enumerate(data.splitlines(), 1):
            try:
                record = orjson.loads(line)
            except orjson.JSONDecodeError as exc:
                raise InputError(f"{self.path}, line {number}: not valid JSON ({exc})") from exc
            done[record["key"]] = record
        if done:
            log.info("%s: resuming after %d finished images", self.path, len(done))
        return done

    def append(self, records: list[dict]) -> None:
        """Write finished images (flushed at once, so a crash loses at most the batch running)."""
        if not records:
            return
        with self.path.open("ab") as file:
            file.write(b"".join(orjson.dumps(r) + b"\n" for r in records))
        for record in records:
            self.done[record["key"]] = record
        if self.progress is not None:
            self.progress(self.path.name, min(len(self.done), self.total), self.total)
