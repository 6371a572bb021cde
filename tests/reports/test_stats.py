"""Correlation statistics and bins, checked against scipy on real per-class accuracies."""

from __future__ import annotations

import itertools
import json
import math

import numpy as np
import pytest
from scipy import stats

from tests.reports.conftest import ACCURACY_DIR, CC3M_MODEL
from vlmdata.reports import bootstrap
from vlmdata.reports.stats import (
    PAPER_EDGES,
    binned_accuracy,
    correlation_statistics,
    log_edges,
    partial_spearman,
)


@pytest.fixture(scope="module")
def real(shared_data):
    """Per-class ImageNet accuracy of two CLIP models (in file order) and CC3M-like counts:
    the second model's accuracy turned into whole counts with many ties, as class counts are."""
    data = json.loads(
        shared_data.joinpath(*ACCURACY_DIR, "imagenet_class_results.json").read_text()
    )
    a = np.array(list(data[CC3M_MODEL]["classwise"].values())) / 100
    other = np.array(list(data["backboneRN50_pretrainedcc12m"]["classwise"].values())) / 100
    frequency = np.floor(np.expm1(other * 8))
    return frequency, a, other


def test_point_estimates_are_scipys(real):
    f, a, z = real
    out = correlation_statistics(f, a, z, bootstraps=50)
    assert out["classes"] == f.size
    assert out["spearman"] == pytest.approx(stats.spearmanr(f, a).statistic)
    assert out["spearman_p"] == pytest.approx(stats.spearmanr(f, a).pvalue)
    assert out["pearson_log"] == pytest.approx(stats.pearsonr(np.log1p(f), a).statistic)
    assert out["kendall"] == pytest.approx(stats.kendalltau(f, a).statistic)
    assert out["kendall_p"] == pytest.approx(stats.kendalltau(f, a).pvalue)


def test_partial_spearman_equals_the_correlation_of_rank_residuals(real):
    f, a, z = real
    rf, ra, rz = (stats.rankdata(v) for v in (f, a, z))
    residual_f = rf - np.polyval(np.polyfit(rz, rf, 1), rz)
    residual_a = ra - np.polyval(np.polyfit(rz, ra, 1), rz)
    expected = stats.pearsonr(residual_f, residual_a).statistic
    assert partial_spearman(f, a, z) == pytest.approx(expected)
    assert correlation_statistics(f, a, z, bootstraps=20)["partial_spearman"] == pytest.approx(
        expected
    )


def test_draws_compute_what_scipy_computes_per_draw(real):
    f, a, _ = real
    rows = next(bootstrap.resamples(f.size, 25, seed=3))
    column_f, column_a = bootstrap.Column(f), bootstrap.Column(a)
    np.testing.assert_allclose(column_f.ranks(rows), stats.rankdata(f[rows], axis=1))
    kendall = bootstrap.KendallDraws(column_f, column_a)(rows)
    expected = [stats.kendalltau(f[r], a[r]).statistic for r in rows]
    np.testing.assert_allclose(kendall, expected, atol=1e-12)
    pearson = bootstrap.rowwise_pearson(np.log1p(f[rows]), a[rows])
    expected = [stats.pearsonr(np.log1p(f[r]), a[r]).statistic for r in rows]
    np.testing.assert_allclose(pearson, expected, atol=1e-12)


def test_kendall_above_the_matrix_limit_falls_back_to_scipy(real, monkeypatch):
    f, a, _ = real
    rows = next(bootstrap.resamples(f.size, 5, seed=1))
    monkeypatch.setattr(bootstrap, "KENDALL_MATRIX_LIMIT", 10)
    draws = bootstrap.KendallDraws(bootstrap.Column(f), bootstrap.Column(a))
    assert draws.signs is None
    expected = [stats.kendalltau(f[r], a[r]).statistic for r in rows]
    np.testing.assert_allclose(draws(rows), expected)


def test_intervals_agree_with_scipys_bootstrap(real):
    f, a, _ = real
    out = correlation_statistics(f, a, bootstraps=1000, seed=7)

    def spearman(x, y, axis=-1):
        return bootstrap.rowwise_pearson(stats.rankdata(x, axis=axis), stats.rankdata(y, axis=axis))

    reference = stats.bootstrap(
        (f, a),
        spearman,
        paired=True,
        vectorized=True,
        n_resamples=1000,
        method="percentile",
        rng=np.random.default_rng(11),
    ).confidence_interval
    assert out["spearman_low"] < out["spearman"] < out["spearman_high"]
    assert out["spearman_low"] == pytest.approx(reference.low, abs=0.02)
    assert out["spearman_high"] == pytest.approx(reference.high, abs=0.02)
    for name in ("pearson_log", "kendall"):
        assert out[f"{name}_low"] < out[name] < out[f"{name}_high"]


def test_the_seed_decides_the_intervals(real):
    f, a, _ = real
    first = correlation_statistics(f, a, bootstraps=200, seed=1)
    assert correlation_statistics(f, a, bootstraps=200, seed=1) == first
    assert (
        correlation_statistics(f, a, bootstraps=200, seed=2)["spearman_low"]
        != first["spearman_low"]
    )


def test_undefined_statistics_are_none():
    few = correlation_statistics([1, 2], [0.1, 0.2])
    assert few["classes"] == 2 and few["spearman"] is None and few["kendall_low"] is None
    flat = correlation_statistics([1, 5, 9, 20], [0.5, 0.5, 0.5, 0.5], bootstraps=20)
    assert flat["spearman"] is None and flat["spearman_low"] is None


def test_bins_count_and_average_the_classes_inside(real):
    f, a, _ = real
    rows = binned_accuracy(f, a, bootstraps=200)
    assert [r["bin"] for r in rows][:2] == ["[0, 10)", "[10, 20)"]
    assert rows[-1]["bin"] == "[10000, inf)" and rows[-1]["high"] is None
    assert sum(r["classes"] for r in rows) == f.size
    for row, (low, high) in zip(rows, itertools.pairwise(PAPER_EDGES), strict=True):
        inside = (f >= low) & (f < high)
        assert row["classes"] == int(inside.sum())
        if inside.any():
            assert row["accuracy"] == pytest.approx(a[inside].mean())
            assert row["accuracy_low"] <= row["accuracy"] <= row["accuracy_high"]
            assert row["median_frequency"] == np.median(f[inside])
        else:
            assert row["accuracy"] is None and row["accuracy_low"] is None


def test_log_bins_cover_the_largest_frequency():
    assert log_edges(0) == (0, 1)
    assert log_edges(9) == (0, 1, 10)
    assert log_edges(10) == (0, 1, 10, 100)
    edges = log_edges(123456)
    assert edges[-2] <= 123456 < edges[-1] and not any(math.isinf(e) for e in edges)
