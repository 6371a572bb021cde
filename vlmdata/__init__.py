"""vlmdata: class frequency in VLM training corpora against per-class accuracy.

The library verbs mirror the CLI commands; each returns Arrow tables or a small result object:

    import vlmdata
    vlmdata.index("llava_v1_5_mix665k.json", name="llava_mix")
    counts = vlmdata.count_classes("llava_mix", labels="imagenet")   # pyarrow.Table
    matcher = vlmdata.Matcher.from_label_set("imagenet")
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

# name -> module that defines it; imported on first use so `import vlmdata` stays light. Verbs
# whose module has the same name as a subpackage (`corpora`, `sql`, `query`, `demo`) are reached
# through their modules: vlmdata.indexing.corpora, vlmdata.sql.query, vlmdata.demo.demo.
_EXPORTS = {
    "index": "vlmdata.indexing",
    "stats": "vlmdata.indexing",
    "load_label_set": "vlmdata.labels",
    "Matcher": "vlmdata.matching",
    "count_classes": "vlmdata.matching",
    "import_accuracy": "vlmdata.accuracy",
    "correlate": "vlmdata.reports.correlate",
    "report": "vlmdata.reports.html",
    "recipe": "vlmdata.reports.recipe",
    "score": "vlmdata.scoring",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name not in _EXPORTS:
        raise AttributeError(f"module 'vlmdata' has no attribute {name!r}")
    value = getattr(importlib.import_module(_EXPORTS[name]), name)
    globals()[name] = value
    return value
