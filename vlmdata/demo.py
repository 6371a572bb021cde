"""`demo`: the whole path on the sample shipped inside the package.

CC3M validation captions stand in for the training corpus of a CLIP ResNet-50 trained on CC3M,
whose real per-class ImageNet accuracy ships beside them (see vlmdata/data/demo/NOTICE.md).
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

log = logging.getLogger(__name__)

CORPUS = "cc3m_validation"
RUN = "clip_rn50_cc3m"
LABELS = "imagenet"


@dataclass
class DemoResult:
    """Where the demo wrote its files, and what it found."""

    index: Path
    report: Path
    records: int
    classes_mentioned: int
    classes: int
    statistics: pa.Table

    @property
    def spearman(self) -> float:
        return self.statistics.column("spearman")[0].as_py()


def sample_dir() -> Path:
    """The folder of the embedded sample inside the installed package."""
    return Path(str(resources.files("vlmdata") / "data" / "demo"))


def demo(output_dir: str | os.PathLike = "vlmdata-demo", progress=None) -> DemoResult:
    """Index the embedded CC3M captions, count ImageNet classes, import the CC3M-trained CLIP's
    per-class accuracy, correlate, and write report.html, all under `output_dir`."""
    from vlmdata.accuracy import import_accuracy
    from vlmdata.indexing import index
    from vlmdata.matching import count_classes
    from vlmdata.reports.correlate import correlate
    from vlmdata.reports.html import report

    out = Path(output_dir)
    out.mkdir(parents=True, exist_ok=True)
    db = out / "vlmdata.duckdb"
    sample = sample_dir()

    summary = index(
        str(sample / "cc3m_validation.tsv.gz"),
        name=CORPUS,
        format="delimited",
        index=db,
        progress=progress,
    )
    counts = count_classes(CORPUS, labels=LABELS, index=db)
    import_accuracy(sample / "clip_rn50_cc3m_imagenet_accuracy.json", LABELS, run=RUN, index=db)
    result = correlate(CORPUS, accuracy=[RUN], labels=LABELS, index=db)
    page = report(CORPUS, accuracy=[RUN], labels=LABELS, index=db, output=out / "report.html")
    mentioned = sum(1 for n in counts.column("texts").to_pylist() if n)
    records = summary.records or _indexed_records(db)  # a rerun skips the unchanged file
    log.info("demo: %d records, %d of %d classes mentioned", records, mentioned, counts.num_rows)
    return DemoResult(db, page, records, mentioned, counts.num_rows, result.statistics)


def _indexed_records(db: Path) -> int:
    """Records of the demo corpus already in the index."""
    from vlmdata.indexing import corpora

    table = corpora(db)
    return table.filter(pc.equal(table["name"], CORPUS))["records"][0].as_py()
