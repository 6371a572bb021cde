"""Rank and linear correlation of class frequency with accuracy, with bootstrap intervals, and
accuracy by frequency bin.

Point estimates come from scipy. Intervals are percentile intervals of a paired bootstrap over
classes: one seeded draw of resampled class indices serves every statistic of a call, so the same
inputs and seed give the same figures on any machine.
"""

from __future__ import annotations

import itertools
import math
import warnings

import numpy as np
from scipy import stats

from vlmdata.reports import bootstrap

PAPER_EDGES = (*range(0, 101, 10), 1000, 10000, math.inf)
"""The paper's frequency bins: [0, 10), [10, 20) ... [90, 100), [100, 1000), [1000, 10000),
[10000, inf)."""

LEVEL = 0.95


def log_edges(max_frequency: float) -> tuple[float, ...]:
    """Decade bins for frequencies up to `max_frequency`: [0, 1), [1, 10), [10, 100), ..."""
    edges: list[float] = [0, 1]
    while edges[-1] <= max_frequency:
        edges.append(edges[-1] * 10)
    return tuple(edges)


def bin_label(low: float, high: float) -> str:
    """`[10, 20)`, `[10000, inf)`."""
    return f"[{low:g}, {'inf' if math.isinf(high) else f'{high:g}'})"


def partial_spearman(x, y, z) -> float:
    """Spearman's rho of x and y with z's rank held constant (nan when undefined)."""
    x, y, z = (np.asarray(v, dtype=float) for v in (x, y, z))
    ranks = stats.rankdata(np.vstack([x, y, z]), axis=1)
    r = np.corrcoef(ranks)
    return float(bootstrap.partial(r[0, 1], r[0, 2], r[1, 2]))


def _interval(draws: np.ndarray) -> tuple[float | None, float | None]:
    draws = draws[~np.isnan(draws)]
    if draws.size == 0:
        return None, None
    tail = (1 - LEVEL) / 2 * 100
    low, high = np.percentile(draws, [tail, 100 - tail])
    return float(low), float(high)


def _value(x) -> float | None:
    x = float(x)
    return None if math.isnan(x) else x


def correlation_statistics(
    frequency, accuracy, covariate=None, *, bootstraps: int = 1000, seed: int = 0
) -> dict[str, float | int | None]:
    """Spearman, Pearson on log(1 + frequency) and Kendall's tau-b of frequency with accuracy,
    each with its p-value and bootstrap interval (`_low`, `_high`); with a covariate, also
    Spearman's rho with the covariate's rank held constant (`partial_spearman`).

    Values are None where undefined: fewer than 3 classes, or a constant column.
    """
    f = np.asarray(frequency, dtype=float)
    a = np.asarray(accuracy, dtype=float)
    out: dict[str, float | int | None] = {"classes": int(f.size)}
    names = ["spearman", "pearson_log", "kendall"]
    if covariate is not None:
        names.append("partial_spearman")
    for name in names:
        out.update({name: None, f"{name}_low": None, f"{name}_high": None})
        if name != "partial_spearman":
            out[f"{name}_p"] = None
    if f.size < 3:
        return out
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name, result in (
            ("spearman", stats.spearmanr(f, a)),
            ("pearson_log", stats.pearsonr(np.log1p(f), a)),
            ("kendall", stats.kendalltau(f, a)),
        ):
            out[name], out[f"{name}_p"] = _value(result.statistic), _value(result.pvalue)
        z = None if covariate is None else np.asarray(covariate, dtype=float)
        if z is not None:
            out["partial_spearman"] = _value(partial_spearman(f, a, z))
        found = bootstrap.draws(f, a, z, bootstraps, seed)
    for name, values in found.items():
        out[f"{name}_low"], out[f"{name}_high"] = _interval(values)
    return out


def binned_accuracy(
    frequency, accuracy, edges=PAPER_EDGES, *, bootstraps: int = 1000, seed: int = 0
) -> list[dict]:
    """Mean accuracy of the classes in each frequency bin [low, high), with a bootstrap interval
    of the mean, the number of classes and their median frequency. Empty bins are kept, with
    null accuracy, so a table shows where the classes are missing; the open last bin has a
    null `high`."""
    f = np.asarray(frequency, dtype=float)
    a = np.asarray(accuracy, dtype=float)
    rows = []
    for low, high in itertools.pairwise(edges):
        inside = (f >= low) & (f < high)
        values = a[inside]
        row = {
            "bin": bin_label(low, high),
            "low": float(low),
            "high": None if math.isinf(high) else float(high),
            "classes": int(values.size),
            "accuracy": None,
            "accuracy_low": None,
            "accuracy_high": None,
            "median_frequency": None,
        }
        if values.size:
            draws = bootstrap.resamples(values.size, bootstraps, seed)
            means = np.concatenate([values[rows].mean(axis=1) for rows in draws])
            row["accuracy"] = float(values.mean())
            row["accuracy_low"], row["accuracy_high"] = _interval(means)
            row["median_frequency"] = float(np.median(f[inside]))
        rows.append(row)
    return rows
