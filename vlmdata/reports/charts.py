"""The report's charts as Vega-Lite specifications, and saving them as SVG or PNG.

Charts are described with altair over named data sets; the rows go into the specification's
top-level `datasets` afterwards, since altair's schema validation of thousands of inline rows
takes seconds. vl-convert renders the images without a browser.
"""

from __future__ import annotations

import itertools
import os
from pathlib import Path

import altair as alt

from vlmdata.errors import InputError
from vlmdata.reports.evidence import Evidence
from vlmdata.reports.inputs import ALL
from vlmdata.reports.stats import PAPER_EDGES, bin_label

Spec = dict
IMAGE_FORMATS = ("svg", "png")
WIDTH, HEIGHT = 640, 300
FREQUENCY_SCALE = alt.Scale(type="symlog")  # a log axis that still shows zero
LEGEND = alt.Legend(orient="right", labelLimit=260, symbolLimit=0)
PAPER_LABELS = [bin_label(low, high) for low, high in itertools.pairwise(PAPER_EDGES)]


def charts(result, evidence: Evidence | None = None) -> dict[str, Spec]:
    """The report's charts by name, in the order they appear; `result` is a Correlation."""
    counts = [r for r in result.counts.to_pylist() if r["group"] == ALL]
    per_class = [r for r in result.per_class.to_pylist() if r["group"] == ALL]
    keep = ("model", "bin", "classes", "accuracy", "accuracy_low", "accuracy_high")
    bins = [
        {k: r[k] for k in keep}
        for r in result.bins.to_pylist()
        if r["group"] == ALL and r["scheme"] == "paper" and r["classes"]
    ]
    measure = result.settings.get("measure", "texts")
    return {
        "long_tail": long_tail_chart(counts, measure),
        "classes_per_bin": classes_per_bin_chart(counts),
        "accuracy_vs_frequency": scatter_chart(per_class, result.models, measure, evidence),
        "accuracy_by_bin": binned_chart(bins),
    }


def _spec(chart: alt.TopLevelMixin, **datasets: list[dict]) -> Spec:
    spec = chart.to_dict()
    spec["datasets"] = datasets
    return spec


def frequency_axis(frequencies: list[int]) -> alt.Axis:
    """Ticks 0, 1, 2, 5, 10, 20, 50 ... up to the largest frequency (symlog has none of its own)."""
    top = max(max(frequencies, default=0), 1)
    ticks, step = [0], 1
    while step <= top:
        ticks += [v for v in (step, 2 * step, 5 * step) if v <= top]
        step *= 10
    return alt.Axis(values=ticks, format="~s")


def long_tail_chart(counts: list[dict], measure: str) -> Spec:
    """Classes ranked by frequency, most frequent first."""
    ranked = sorted(counts, key=lambda r: (-r["frequency"], r["class_index"]))
    rows = [
        {"rank": rank, "name": r["name"], "frequency": r["frequency"]}
        for rank, r in enumerate(ranked, 1)
    ]
    chart = (
        alt.Chart(alt.Data(name="ranked"), title="Class frequency, most frequent class first")
        .mark_area(line=True, opacity=0.4)
        .encode(
            x=alt.X("rank:Q", title="class rank"),
            y=alt.Y(
                "frequency:Q",
                scale=FREQUENCY_SCALE,
                axis=frequency_axis([r["frequency"] for r in rows]),
                stack=None,
                title=f"frequency ({measure}, log)",
            ),
            tooltip=[alt.Tooltip("name:N", title="class"), "rank:Q", "frequency:Q"],
        )
        .properties(width=WIDTH, height=HEIGHT)
    )
    return _spec(chart, ranked=rows)


def classes_per_bin_chart(counts: list[dict]) -> Spec:
    """How many classes fall in each of the paper's frequency bins."""
    rows = [
        {"bin": label, "classes": sum(1 for r in counts if low <= r["frequency"] < high)}
        for label, (low, high) in zip(PAPER_LABELS, itertools.pairwise(PAPER_EDGES), strict=True)
    ]
    chart = (
        alt.Chart(alt.Data(name="bins"), title="Classes per frequency bin")
        .mark_bar()
        .encode(
            x=alt.X("bin:N", sort=PAPER_LABELS, title="frequency bin"),
            y=alt.Y("classes:Q", title="classes"),
            tooltip=["bin:N", "classes:Q"],
        )
        .properties(width=WIDTH, height=HEIGHT)
    )
    return _spec(chart, bins=rows)


def scatter_chart(
    per_class: list[dict], models: list[str], measure: str, evidence: Evidence | None
) -> Spec:
    """Accuracy against frequency, a point per class; a menu picks the model when several."""
    keep = ("model", "class_index", "name", "wnid", "frequency", "texts", "mentions", "accuracy")
    rows = [{k: r[k] for k in keep} for r in per_class]
    tooltip = [
        alt.Tooltip("name:N", title="class"),
        alt.Tooltip("wnid:N", title="WordNet id"),
        alt.Tooltip("frequency:Q"),
        alt.Tooltip("texts:Q"),
        alt.Tooltip("mentions:Q"),
        alt.Tooltip("accuracy:Q", format=".1%"),
        alt.Tooltip("model:N"),
    ]
    title = "Accuracy against frequency, one point per class"
    chart = alt.Chart(alt.Data(name="classes"), title=title)
    datasets = {"classes": rows}
    if evidence is not None and evidence.examples:
        fields = ["example_1", "example_2"]
        datasets["examples"] = [
            {"class_index": k, **{f"example_{i + 1}": str(c) for i, c in enumerate(found)}}
            for k, found in evidence.examples.items()
        ]
        chart = chart.transform_lookup(
            lookup="class_index",
            from_=alt.LookupData(alt.Data(name="examples"), key="class_index", fields=fields),
        )
        tooltip += [alt.Tooltip(f"{f}:N", title=f.replace("_", " ")) for f in fields]
    if len(models) > 1:
        menu = alt.binding_select(options=models, name="model ")
        pick = alt.param(name="model_shown", value=models[0], bind=menu)
        chart = chart.add_params(pick).transform_filter(alt.datum.model == pick)
    chart = (
        chart.mark_circle(size=30, opacity=0.6)
        .encode(
            x=alt.X(
                "frequency:Q",
                scale=FREQUENCY_SCALE,
                axis=frequency_axis([r["frequency"] for r in rows]),
                title=f"frequency ({measure}, log)",
            ),
            y=alt.Y("accuracy:Q", axis=alt.Axis(format="%"), scale=alt.Scale(domain=[0, 1])),
            color=alt.Color("model:N", legend=LEGEND),
            tooltip=tooltip,
        )
        .properties(width=WIDTH, height=HEIGHT + 60)
    )
    return _spec(chart, **datasets)


def binned_chart(bins: list[dict]) -> Spec:
    """Mean accuracy per frequency bin with its bootstrap 95% interval, one line per model."""
    shown = [label for label in PAPER_LABELS if any(r["bin"] == label for r in bins)]
    title = "Mean accuracy by frequency bin (95% interval)"
    base = alt.Chart(alt.Data(name="bins"), title=title)
    x = alt.X("bin:N", sort=shown, title="frequency bin")
    tooltip = [
        alt.Tooltip("model:N"),
        alt.Tooltip("bin:N"),
        alt.Tooltip("classes:Q"),
        alt.Tooltip("accuracy:Q", format=".1%", title="mean accuracy"),
        alt.Tooltip("accuracy_low:Q", format=".1%", title="95% low"),
        alt.Tooltip("accuracy_high:Q", format=".1%", title="95% high"),
    ]
    line = base.mark_line(point=True).encode(
        x=x,
        y=alt.Y("accuracy:Q", axis=alt.Axis(format="%"), title="mean accuracy"),
        color=alt.Color("model:N", legend=LEGEND),
        tooltip=tooltip,
    )
    bars = base.mark_errorbar(ticks=True).encode(
        x=x,
        y=alt.Y("accuracy_low:Q", title="mean accuracy"),
        y2="accuracy_high:Q",
        color="model:N",
    )
    return _spec(alt.layer(bars, line).properties(width=WIDTH, height=HEIGHT), bins=bins)


def save_charts(
    specs: dict[str, Spec],
    directory: str | os.PathLike,
    formats: tuple[str, ...] = IMAGE_FORMATS,
) -> list[Path]:
    """Write each chart as `directory/NAME.svg` and/or `.png`; returns the files written."""
    import vl_convert

    unknown = [f for f in formats if f not in IMAGE_FORMATS]
    if unknown:
        raise InputError(f"unknown chart format {unknown[0]!r}: use {', '.join(IMAGE_FORMATS)}")
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, spec in specs.items():
        for fmt in formats:
            path = directory / f"{name}.{fmt}"
            if fmt == "svg":
                path.write_text(vl_convert.vegalite_to_svg(spec, vl_version=vl_version()))
            else:
                path.write_bytes(vl_convert.vegalite_to_png(spec, vl_version=vl_version(), scale=2))
            written.append(path)
    return written


def vl_version() -> str:
    """The Vega-Lite version altair writes, in vl-convert's spelling (`v6_4`)."""
    major, minor = alt.SCHEMA_VERSION.lstrip("v").split(".")[:2]
    return f"v{major}_{minor}"
