"""BG/NBD and Gamma-Gamma fits: published CDNOW values, pattern weighting, edge cases."""

from __future__ import annotations

import importlib.metadata

import numpy as np
import pandas as pd
import pytest

from assistant.analytics import btyd


def cdnow_sample() -> pd.DataFrame:
    """The 2,357-customer CDNOW sample (weeks) that ships in the lifetimes wheel; skip without it."""
    try:
        dist = importlib.metadata.distribution("lifetimes")
    except importlib.metadata.PackageNotFoundError:
        pytest.skip("CDNOW sample needs the bench extra: pip install lifetimes==0.11.3")
    path = dist.locate_file("lifetimes/datasets/cdnow_customers_summary_with_transactions.csv")
    if not path.exists():
        pytest.skip(f"CDNOW sample not found at {path}")
    return pd.read_csv(path)


def test_bgnbd_matches_published_cdnow_values():
    d = cdnow_sample()
    m = btyd.fit_bgnbd(d["x"], d["t_x"], d["T"])
    # Fader, Hardie & Lee (2005): r=0.243, alpha=4.414, a=0.793, b=2.426, LL=-9582.4
    assert m.r == pytest.approx(0.243, abs=0.001)
    assert m.alpha == pytest.approx(4.414, abs=0.005)
    assert m.a == pytest.approx(0.793, abs=0.001)
    assert m.b == pytest.approx(2.426, abs=0.002)
    assert m.log_likelihood == pytest.approx(-9582.4, abs=0.1)


def test_gamma_gamma_matches_published_cdnow_values():
    d = cdnow_sample()
    g = btyd.fit_gamma_gamma(d["x"], d["zbar"])
    # Fader, Hardie & Lee (2005) "RFM and CLV": p=6.25, q=3.74, gamma=15.44
    assert g.p == pytest.approx(6.25, abs=0.01)
    assert g.q == pytest.approx(3.74, abs=0.01)
    assert g.gamma == pytest.approx(15.44, abs=0.02)


def test_pattern_weights_give_the_per_customer_estimates():
    d = cdnow_sample()
    (x, t_x, T), counts = btyd.patterns(d["x"], d["t_x"], d["T"])
    assert len(x) < len(d)
    weighted = btyd.fit_bgnbd(x, t_x, T, weights=counts)
    per_row = btyd.fit_bgnbd(d["x"], d["t_x"], d["T"], weights=np.ones(len(d)))
    for name in ("r", "alpha", "a", "b", "log_likelihood"):
        assert getattr(weighted, name) == pytest.approx(getattr(per_row, name), rel=1e-4)


def test_log_likelihood_gradients_match_finite_differences():
    rng = np.random.default_rng(1)
    x = rng.integers(0, 6, 200).astype(float)
    T = rng.uniform(5, 40, 200)
    t_x = np.where(x > 0, T * rng.uniform(0, 1, 200), 0)
    params = np.array([0.4, 6.0, 0.9, 2.5])
    _, grad = btyd.bgnbd_log_likelihood(params, x, t_x, T)
    for i in range(4):
        step = np.zeros(4)
        step[i] = 1e-6 * params[i]
        hi = btyd.bgnbd_log_likelihood(params + step, x, t_x, T)[0].sum()
        lo = btyd.bgnbd_log_likelihood(params - step, x, t_x, T)[0].sum()
        assert grad[i].sum() == pytest.approx((hi - lo) / (2 * step[i]), rel=1e-4)


def test_predictions_are_probabilities_and_grow_with_time():
    m = btyd.BgNbd(0.243, 4.414, 0.793, 2.426)
    x, t_x, T = np.array([0, 2, 2, 7]), np.array([0, 30.4, 5.0, 38.0]), np.full(4, 38.86)
    alive = m.p_alive(x, t_x, T)
    assert alive[0] == 1.0  # BG/NBD's known blind spot: one-time buyers are always "alive"
    assert alive[1] > alive[2]  # a recent repeat buyer is more likely alive than a lapsed one
    short, long = m.expected_purchases(10, x, t_x, T), m.expected_purchases(39, x, t_x, T)
    assert np.all(long > short) and np.all(short >= 0)
    quiet = m.p_no_purchase(39, x, t_x, T)
    assert np.all((quiet > 0) & (quiet < 1))
    assert m.expected_population(39) > 0


def test_gamma_gamma_shrinks_towards_the_population_mean():
    g = btyd.GammaGamma(6.25, 3.74, 15.44)
    population = g.expected_spend(0, 0)
    one, many = g.expected_spend([1, 20], [100.0, 100.0])
    assert population < one < many < 100


@pytest.mark.parametrize("x, t_x, T", [
    ([0, 0, 0], [0, 0, 0], [10, 20, 30]),  # nobody repeats
    ([1, 0, 3], [5, 0, 9], [10, 0, 9]),  # three customers, one bought today
    ([0], [0], [0]),  # one customer, first order today
])
def test_degenerate_shops_give_finite_fits(x, t_x, T):
    m = btyd.fit_bgnbd(x, t_x, T, prior=20.0)
    values = [m.r, m.alpha, m.a, m.b]
    assert all(np.isfinite(values)) and all(v > 0 for v in values)
    out = m.expected_purchases(30, x, t_x, T), m.p_no_purchase(30, x, t_x, T)
    assert all(np.all(np.isfinite(o)) for o in out)


def test_gamma_gamma_without_repeaters_falls_back_to_the_shop_mean():
    g = btyd.fit_gamma_gamma([0, 0], [0, 0], fallback_mean=80.0)
    assert g.expected_spend(0, 0) == pytest.approx(80.0)


def test_whole_day_patterns_match_the_generic_grouping():
    rng = np.random.default_rng(5)
    x = rng.integers(0, 4, 500)
    T = rng.integers(0, 60, 500)
    t_x = np.where(x > 0, rng.integers(0, 60, 500) % (T + 1), 0)
    (px, pt, pT), counts = btyd.patterns(x, t_x, T)
    expected, expected_counts = np.unique(np.column_stack([x, t_x, T]), axis=0, return_counts=True)
    assert np.array_equal(np.column_stack([px, pt, pT]), expected)
    assert np.array_equal(counts, expected_counts)
