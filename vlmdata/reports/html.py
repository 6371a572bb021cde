"""`report`: the whole answer in one self-contained HTML file.

The chart library (Vega, Vega-Lite and vega-embed, bundled by vl-convert, as altair's
`inline=True` does) is written into the page, so it opens offline and loads nothing from the
network. Text from the corpus, the label set and the input files is escaped everywhere: in the
HTML through `sections.esc`, in the charts' JSON by escaping `<`, `>` and `&`, so no text can
close a script element.
"""

from __future__ import annotations

import datetime
import functools
import json
import logging
import os
import time
from collections.abc import Sequence
from importlib import metadata, resources
from pathlib import Path
from string import Template

from vlmdata.errors import InputError
from vlmdata.labels import LabelSet, load_label_set
from vlmdata.reports import sections
from vlmdata.reports.charts import IMAGE_FORMATS, charts, save_charts, vl_version
from vlmdata.reports.correlate import Correlation, correlate, with_interval
from vlmdata.reports.evidence import Evidence, gather
from vlmdata.reports.sections import esc
from vlmdata.store import connect

log = logging.getLogger(__name__)

LOWEST = 20
_JSON_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028"}
_JSON_ESCAPES["\u2029"] = "\\u2029"


def report(
    corpus: str | Sequence[str] | None = None,
    counts: str | os.PathLike | None = None,
    accuracy: Sequence[str] = (),
    labels: str | LabelSet = "imagenet",
    covariate: str | None = None,
    by: str | None = None,
    index: str | os.PathLike | None = None,
    mode: str = "wordnet",
    measure: str = "texts",
    output: str | os.PathLike = "report.html",
    charts_dir: str | os.PathLike | None = None,
    chart_formats: Sequence[str] = IMAGE_FORMATS,
    bootstraps: int = 1000,
    seed: int = 0,
    lowest: int = LOWEST,
) -> Path:
    """Correlate (same inputs as `correlate`) and write the report to `output`; with
    `charts_dir`, also save each chart there as SVG and/or PNG. Returns the report's path."""
    started = time.perf_counter()
    label_set = labels if isinstance(labels, LabelSet) else load_label_set(labels)
    result = correlate(
        corpus,
        counts,
        accuracy,
        label_set,
        covariate=covariate,
        by=by,
        index=index,
        mode=mode,
        measure=measure,
        bootstraps=bootstraps,
        seed=seed,
    )
    evidence = None
    if result.settings["corpora"]:
        con = connect(index, read_only=True)
        try:
            evidence = gather(con, label_set.name, mode, result.settings["corpora"])
        finally:
            con.close()
    chart_map = charts(result, evidence)
    page = render(result, chart_map, evidence, label_set, lowest)
    output = Path(output)
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(page, encoding="utf-8")
    except OSError as exc:
        raise InputError(f"{output}: cannot write the report ({exc})") from exc
    if charts_dir is not None:
        save_charts(chart_map, charts_dir, tuple(chart_formats))
    log.info("wrote %s (%.1f s)", output, time.perf_counter() - started)
    return output


def render(
    result: Correlation,
    chart_map: dict,
    evidence: Evidence | None,
    label_set: LabelSet,
    lowest: int = LOWEST,
) -> str:
    """The report page as a string."""
    exposure, accuracy = sections.lowest_sections(result, evidence, lowest)
    names = [c.name for c in label_set.classes]
    template = Template(resources.files("vlmdata.reports").joinpath("page.html").read_text("utf-8"))
    return template.substitute(
        version=esc(_version()),
        title=esc(f"Class frequency and accuracy: {result.label_set}"),
        summary=_summary(result),
        bins_paper=sections.bins_section(result, "paper"),
        bins_log=sections.bins_section(result, "log"),
        statistics=sections.statistics_section(result),
        lowest_exposure=exposure,
        lowest_accuracy=accuracy,
        left_out=sections.left_out_section(result, evidence, names),
        method=_method(result),
        bundle=_script_safe(javascript_bundle()),
        specs=script_json(chart_map),
    )


def script_json(value) -> str:
    """JSON that can sit inside a <script> element: no `<`, `>` or `&` appears literally."""
    text = json.dumps(value, ensure_ascii=False, allow_nan=False)
    for character, escaped in _JSON_ESCAPES.items():
        text = text.replace(character, escaped)
    return text


def _script_safe(code: str) -> str:
    # The bundle holds no closing script tag today; this keeps it so if a new bundle does.
    return code.replace("</script", "<\\/script").replace("</SCRIPT", "<\\/SCRIPT")


@functools.cache
def javascript_bundle() -> str:
    """Vega, Vega-Lite and vega-embed as one script, for the Vega-Lite version altair writes.

    vl-convert takes seconds to assemble it, so it is kept in the user's cache directory,
    under a name holding both versions.
    """
    import vl_convert

    version = getattr(vl_convert, "__version__", "unknown")
    cached = _cache_dir() / f"vega-embed-{version}-{vl_version()}.js"
    if cached.is_file():
        return cached.read_text("utf-8")
    bundle = vl_convert.javascript_bundle(vl_version=vl_version())
    try:
        cached.parent.mkdir(parents=True, exist_ok=True)
        partial = cached.with_suffix(f".{os.getpid()}.tmp")
        partial.write_text(bundle, encoding="utf-8")
        partial.replace(cached)
    except OSError as exc:  # a read-only home is no reason to fail
        log.debug("cannot cache the chart library at %s: %s", cached, exc)
    return bundle


def _cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "vlmdata"


def _version() -> str:
    try:
        return metadata.version("vlmdata")
    except metadata.PackageNotFoundError:
        return "unknown"


def _summary(result: Correlation) -> str:
    lines = [
        f"<p><b>Label set</b> {esc(result.label_set)}; <b>counts</b> {esc(result.counts_source)}; "
        f"<b>models</b> {esc(', '.join(result.models))}.</p>"
    ]
    for row in result.statistics.to_pylist():
        if row["group"] != "all":
            continue
        held = ""
        if row.get("partial_spearman") is not None:
            held = (
                f" Holding the covariate's accuracy constant: "
                f"{esc(with_interval(row, 'partial_spearman'))}."
            )
        lines.append(
            f"<p>{esc(row['model'])}: over {row['classes']:,} classes, Spearman ρ = "
            f"{esc(with_interval(row, 'spearman', '–'))} between how often a class appears "
            f"and its accuracy.{held}</p>"
        )
    if len(lines) > 6:
        lines[6:] = [f"<p>… and {len(lines) - 6} more models: see the correlation table.</p>"]
    return "\n".join(lines)


def _method(result: Correlation) -> str:
    settings = result.settings
    return esc(
        f"Frequency: {settings['measure']} per class. "
        + (f"Covariate: {settings['covariate']}. " if settings["covariate"] else "")
        + f"Intervals: percentile bootstrap over "
        f"classes, {settings['bootstraps']} draws, seed {settings['seed']}. Paper bins: [0, 10) "
        "… [90, 100), [100, 1000), [1000, 10000), [10000, inf); decade bins from [0, 1). "
        f"Generated {datetime.datetime.now().isoformat(timespec='seconds')}."
    )
