"""The report's HTML sections. Everything that comes from data (class names, corpus texts, file
names, model names) passes through `esc`; only the markup written here is left as is."""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence

from vlmdata.reports.correlate import with_interval
from vlmdata.reports.evidence import Context, Evidence
from vlmdata.reports.inputs import ALL

MODELS_AS_COLUMNS = 4  # with more models, the class tables show the mean over models


def esc(value: object) -> str:
    """Text made safe to place in HTML, in element content or in a quoted attribute."""
    return html.escape("" if value is None else str(value), quote=True)


def percent(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.1f}%"


def number(value: float | int | None, digits: int = 2) -> str:
    if value is None:
        return "–"
    return f"{value:,}" if isinstance(value, int) else f"{value:.{digits}f}"


def context_html(found: Context | None) -> str:
    if found is None:
        return ""
    return f"{esc(found.before)}<mark>{esc(found.hit)}</mark>{esc(found.after)}"


def table(
    rows: Sequence[dict],
    columns: Sequence[tuple[str, Callable[[dict], str]]],
    raw: set = frozenset(),
) -> str:
    """An HTML table; each column is (heading, cell function). Cells are escaped unless the
    heading is in `raw` (cells that build their markup from escaped parts)."""
    if not rows:
        return '<p class="empty">None.</p>'
    head = "".join(f"<th>{esc(name)}</th>" for name, _ in columns)
    body = "".join(
        "<tr>"
        + "".join(
            f"<td>{cell(row) if name in raw else esc(cell(row))}</td>" for name, cell in columns
        )
        + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def statistics_section(result) -> str:
    rows = result.statistics.to_pylist()
    columns = [
        ("group", lambda r: r["group"]),
        ("model", lambda r: r["model"]),
        ("classes", lambda r: number(r["classes"])),
        ("Spearman ρ [95%]", lambda r: with_interval(r, "spearman", "–")),
        ("p", lambda r: f"{r['spearman_p']:.2g}" if r["spearman_p"] is not None else "–"),
        ("Pearson r, log(1+freq) [95%]", lambda r: with_interval(r, "pearson_log", "–")),
        ("Kendall τ-b [95%]", lambda r: with_interval(r, "kendall", "–")),
    ]
    if rows and "partial_spearman" in rows[0]:
        columns.append(
            ("partial Spearman [95%]", lambda r: with_interval(r, "partial_spearman", "–"))
        )
    return table(rows, columns)


def bins_section(result, scheme: str) -> str:
    rows = [
        r
        for r in result.bins.to_pylist()
        if r["group"] == ALL and r["scheme"] == scheme and r["classes"]
    ]
    return table(
        rows,
        [
            ("model", lambda r: r["model"]),
            ("bin", lambda r: r["bin"]),
            ("classes", lambda r: number(r["classes"])),
            ("mean accuracy", lambda r: percent(r["accuracy"])),
            (
                "95% interval",
                lambda r: f"{percent(r['accuracy_low'])} – {percent(r['accuracy_high'])}",
            ),
            ("median frequency", lambda r: number(r["median_frequency"], 0)),
        ],
    )


def class_rows(result) -> list[dict]:
    """One row per class with its frequency and accuracy per model (group `all`)."""
    by_class: dict[int, dict] = {}
    for r in result.per_class.to_pylist():
        if r["group"] != ALL:
            continue
        row = by_class.setdefault(
            r["class_index"],
            {k: r[k] for k in ("class_index", "name", "wnid", "frequency")} | {"models": {}},
        )
        row["models"][r["model"]] = r["accuracy"]
    for row in by_class.values():
        values = list(row["models"].values())
        row["mean"] = sum(values) / len(values)
    return list(by_class.values())


def classes_section(
    result, rows: list[dict], evidence: Evidence | None, show_examples: bool = True
) -> str:
    columns: list[tuple[str, Callable[[dict], str]]] = [
        ("class", lambda r: r["name"]),
        ("WordNet id", lambda r: r["wnid"] or ""),
        ("frequency", lambda r: number(r["frequency"])),
    ]
    if len(result.models) <= MODELS_AS_COLUMNS:
        columns += [(m, lambda r, m=m: percent(r["models"].get(m))) for m in result.models]
    else:
        columns.append(
            (f"mean accuracy ({len(result.models)} models)", lambda r: percent(r["mean"]))
        )
    raw = set()
    if show_examples and evidence is not None:
        columns.append(("example context", lambda r: _first_context(evidence, r["class_index"])))
        raw.add("example context")
    return table(rows, columns, raw)


def _first_context(evidence: Evidence, index: int) -> str:
    found = evidence.examples.get(index)
    return context_html(found[0]) if found else ""


def lowest_sections(result, evidence: Evidence | None, lowest: int) -> tuple[str, str]:
    """The least mentioned classes (least accurate first among equals), and the least accurate
    (most mentioned first among equals: those are the surprising ones)."""
    rows = class_rows(result)
    measure = esc(result.settings.get("measure", "texts"))
    by_exposure = sorted(rows, key=lambda r: (r["frequency"], r["mean"], r["class_index"]))
    by_accuracy = sorted(rows, key=lambda r: (r["mean"], -r["frequency"], r["class_index"]))
    never = sum(1 for r in rows if r["frequency"] == 0)
    failed = sum(1 for r in rows if r["mean"] == 0)
    exposure = (
        f"<p>{never:,} of {len(rows):,} classes have a frequency ({measure}) of 0. The "
        f"{min(lowest, len(rows))} least mentioned, the least accurate first:</p>"
        + classes_section(result, by_exposure[:lowest], evidence)
    )
    accuracy = (
        f"<p>{failed:,} classes have an accuracy of 0. The {min(lowest, len(rows))} least "
        "accurate, the most mentioned first:</p>"
        + classes_section(result, by_accuracy[:lowest], evidence)
    )
    return exposure, accuracy


def left_out_section(
    result, evidence: Evidence | None, label_names: Sequence[str], shown: int = 25
) -> str:
    parts = []
    if evidence is not None:
        parts.append("<h3>Hits the matcher dropped</h3>")
        parts.append(_dropped_kinds(evidence.dropped))
        parts.append(
            table(
                evidence.dropped[:shown],
                [
                    ("reason", lambda r: r["reason"]),
                    ("mentions", lambda r: number(r["mentions"])),
                    ("classes", lambda r: number(r["classes"])),
                    ("examples", lambda r: _dropped_examples(evidence, r["reason"], label_names)),
                ],
                raw={"examples"},
            )
        )
        rest = evidence.dropped[shown:]
        if rest:
            parts.append(
                f"<p>{len(rest):,} more reasons, {sum(r['mentions'] for r in rest):,} mentions: "
                "<code>SELECT reason, count(*) FROM mentions WHERE NOT kept GROUP BY 1</code></p>"
            )
        parts.append("<h3>Records the scanner rejected</h3>")
        parts.append(
            table(
                evidence.rejects,
                [("reason", lambda r: r["reason"]), ("records", lambda r: number(r["records"]))],
            )
        )
    parts.append("<h3>Entries of the inputs left out</h3>")
    parts.append(_list(result.problems))
    parts.append("<h3>Notes</h3>")
    parts.append(_list(result.notes))
    return "\n".join(parts)


def _dropped_kinds(dropped: list[dict]) -> str:
    """Dropped hits by kind of reason (the part before `:`, e.g. `other_sense`)."""
    kinds: dict[str, list[int]] = {}
    for row in dropped:
        kind = kinds.setdefault(row["reason"].split(":")[0], [0, 0])
        kind[0] += row["mentions"]
        kind[1] += 1
    rows = [{"kind": k, "mentions": m, "reasons": n} for k, (m, n) in kinds.items()]
    rows.sort(key=lambda r: -r["mentions"])
    return table(
        rows,
        [
            ("kind of reason", lambda r: r["kind"]),
            ("mentions", lambda r: number(r["mentions"])),
            ("reasons", lambda r: number(r["reasons"])),
        ],
    )


def _dropped_examples(evidence: Evidence, reason: str, label_names: Sequence[str]) -> str:
    items = [
        f"<li><b>{esc(surface)}</b> (class {esc(label_names[index])}): {context_html(found)}</li>"
        for index, surface, found in evidence.dropped_examples.get(reason, [])
    ]
    return f"<ul>{''.join(items)}</ul>" if items else ""


def _list(lines: Sequence[str]) -> str:
    if not lines:
        return '<p class="empty">None.</p>'
    return "<ul>" + "".join(f"<li>{esc(line)}</li>" for line in lines) + "</ul>"
