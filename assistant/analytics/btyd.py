"""BG/NBD (Fader, Hardie & Lee 2005) and Gamma-Gamma spend models, fitted with scipy.

Inputs are per-customer arrays: x = repeat purchases, t_x = time of the last purchase and
T = age, both measured from the first purchase in one time unit (days in the shop, weeks in
the papers). Fits run on unique (x, t_x, T) patterns weighted by their counts: the same
estimates as per-customer fitting, several times faster.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import optimize, special

# A weak pull of the log-parameters towards their starting point keeps tiny or degenerate
# shops (3 customers, nobody repeats) finite; at CDNOW size it moves nothing visible.
PENALTY = 1e-3
_BOUND = 12.0  # |log parameter| bound: e^12 is far beyond any sensible value


@dataclass(frozen=True)
class BgNbd:
    """Fitted BG/NBD parameters and the (unpenalised) log-likelihood."""

    r: float
    alpha: float
    a: float
    b: float
    log_likelihood: float = float("nan")

    def p_alive(self, x, t_x, T) -> np.ndarray:
        """P(customer still active at T | x, t_x, T)."""
        x, t_x, T = _arrays(x, t_x, T)
        log_ratio = np.log(self.a) - np.log(np.maximum(self.b + x - 1, 1e-12)) + (self.r + x) * (
            np.log(self.alpha + T) - np.log(self.alpha + t_x)
        )
        # 1 / (1 + e^log_ratio) for repeaters; BG/NBD says a customer without repeats is alive
        return np.where(x > 0, special.expit(-log_ratio), 1.0)

    def p_no_purchase(self, t, x, t_x, T) -> np.ndarray:
        """P(no purchase in (T, T + t] | x, t_x, T)."""
        x, t_x, T = _arrays(x, t_x, T)
        # alive at T: next purchase comes at rate lambda ~ Gamma(r + x, alpha + T)
        stays_quiet = np.exp((self.r + x) * (np.log(self.alpha + T) - np.log(self.alpha + T + t)))
        return 1.0 - self.p_alive(x, t_x, T) * (1.0 - stays_quiet)

    def expected_purchases(self, t, x, t_x, T) -> np.ndarray:
        """E[purchases in (T, T + t] | x, t_x, T] (FHL 2005, eq. 10)."""
        x, t_x, T = _arrays(x, t_x, T)
        r, alpha, a, b = self.r, self.alpha, self.a, self.b
        z = t / (alpha + T + t)
        hyp = special.hyp2f1(r + x, b + x, a + b + x - 1, z)
        head = (a + b + x - 1) / (a - 1) if abs(a - 1) > 1e-6 else None
        tail = 1.0 - ((alpha + T) / (alpha + T + t)) ** (r + x) * hyp
        if head is None:  # a == 1 makes the closed form 0/0; nudge a
            return BgNbd(r, alpha, a + 2e-6, b).expected_purchases(t, x, t_x, T)
        value = head * tail * self.p_alive(x, t_x, T)
        return np.where(np.isfinite(value), np.maximum(value, 0.0), 0.0)

    def expected_population(self, t) -> float:
        """E[purchases in (0, t]] for a newly acquired customer."""
        r, alpha, a, b = self.r, self.alpha, self.a, self.b
        a = a + 2e-6 if abs(a - 1) <= 1e-6 else a  # a == 1 makes the closed form 0/0
        hyp = special.hyp2f1(r, b, a + b - 1, t / (alpha + t))
        return float((a + b - 1) / (a - 1) * (1 - (alpha / (alpha + t)) ** r * hyp))


@dataclass(frozen=True)
class GammaGamma:
    """Fitted Gamma-Gamma spend parameters (Fader, Hardie & Lee 2005, 'RFM and CLV')."""

    p: float
    q: float
    gamma: float
    log_likelihood: float = float("nan")

    def expected_spend(self, x, zbar) -> np.ndarray:
        """E[spend per purchase | x repeats averaging zbar]; the population mean when x = 0."""
        x = np.asarray(x, float)
        zbar = np.maximum(np.nan_to_num(np.asarray(zbar, float)), 0.0)
        population = self.p * self.gamma / max(self.q - 1, 1e-6)
        value = self.p * (self.gamma + x * zbar) / np.maximum(self.p * x + self.q - 1, 1e-6)
        return np.where(x > 0, value, population)


def _arrays(*cols):
    return tuple(np.asarray(c, dtype=float) for c in cols)


def patterns(*cols) -> tuple[list[np.ndarray], np.ndarray]:
    """Unique rows of the given columns and how often each occurs."""
    arrays = [np.asarray(c, float) for c in cols]
    if len(arrays) <= 3 and all(len(a) and np.all(a == np.round(a)) and a.min() >= 0 and a.max() < 2**20
           for a in arrays):
        # whole days: one int64 key per row sorts far faster than np.unique(axis=0)
        key = np.zeros(len(arrays[0]), np.int64)
        for a in arrays:
            key = key * (1 << 20) + a.astype(np.int64)
        uniq, counts = np.unique(key, return_counts=True)
        out = []
        for _ in arrays:
            out.append((uniq % (1 << 20)).astype(float))
            uniq = uniq // (1 << 20)
        return out[::-1], counts.astype(float)
    stacked = np.column_stack(arrays)
    unique, counts = np.unique(stacked, axis=0, return_counts=True)
    return [unique[:, i] for i in range(unique.shape[1])], counts.astype(float)


def bgnbd_log_likelihood(params, x, t_x, T):
    """Per-row BG/NBD log-likelihood and its gradient w.r.t. (r, alpha, a, b)."""
    r, alpha, a, b = params
    rx = r + x
    repeat = x > 0
    a1 = special.gammaln(rx) - special.gammaln(r) + r * np.log(alpha)
    a2 = special.betaln(a, b + x) - special.betaln(a, b) - rx * np.log(alpha + T)
    bx1 = np.where(repeat, b + x - 1, 1.0)
    a4 = np.where(
        repeat,
        special.betaln(a + 1, bx1) - special.betaln(a, b) - rx * np.log(alpha + t_x),
        -np.inf,
    )
    top = np.logaddexp(a2, a4)
    ll = a1 + top
    w2 = np.exp(a2 - top)
    w4 = 1.0 - w2
    dg = special.digamma
    d_r = dg(rx) - dg(r) + np.log(alpha) - w2 * np.log(alpha + T) - w4 * np.log(alpha + t_x)
    d_alpha = r / alpha - w2 * rx / (alpha + T) - w4 * rx / (alpha + t_x)
    psi_ab, psi_abx = dg(a + b), dg(a + b + x)
    d_a = w2 * (psi_ab - psi_abx) + w4 * (dg(a + 1) - dg(a) + psi_ab - psi_abx)
    d_b = w2 * (dg(b + x) - dg(b)) + w4 * (dg(bx1) - dg(b)) + psi_ab - psi_abx
    return ll, np.stack([d_r, d_alpha, d_a, d_b])


def gamma_gamma_log_likelihood(params, x, zbar):
    """Per-row Gamma-Gamma log-likelihood of mean spend zbar over x purchases, with gradient."""
    p, q, g = params
    px = p * x
    log_denominator = np.log(g + x * zbar)
    ll = (
        special.gammaln(px + q) - special.gammaln(px) - special.gammaln(q) + q * np.log(g)
        + (px - 1) * np.log(zbar) + px * np.log(x) - (px + q) * log_denominator
    )
    dg = special.digamma
    d_p = x * (dg(px + q) - dg(px) + np.log(zbar) + np.log(x) - log_denominator)
    d_q = dg(px + q) - dg(q) + np.log(g) - log_denominator
    d_g = q / g - (px + q) / (g + x * zbar)
    return ll, np.stack([d_p, d_q, d_g])


def _fit(loglik, start, columns, weights, prior=PENALTY):
    """Maximise the weighted log-likelihood over log-parameters with L-BFGS-B."""
    theta0 = np.log(start)
    total = weights.sum()

    def objective(theta):
        params = np.exp(theta)
        ll, grad = loglik(params, *columns)
        value = -(weights @ ll) / total + prior / total * np.sum((theta - theta0) ** 2)
        gradient = -(grad @ weights) * params / total + 2 * prior / total * (theta - theta0)
        if not np.isfinite(value):
            return 1e10, np.zeros_like(theta)
        return value, gradient

    bounds = [(-_BOUND, _BOUND)] * len(theta0)
    result = optimize.minimize(objective, theta0, jac=True, method="L-BFGS-B", bounds=bounds,
                               options={"maxiter": 500, "gtol": 1e-9, "ftol": 1e-13})
    params = np.exp(result.x)
    return params, float(weights @ loglik(params, *columns)[0])


def fit_bgnbd(x, t_x, T, weights=None, prior: float = PENALTY) -> BgNbd:
    """Fit BG/NBD by maximum likelihood; rows are customers, or patterns when weights are given.

    `prior` is the weight of a pull towards the starting values: raise it for tiny shops.
    """
    x, t_x, T = _arrays(x, t_x, T)
    if weights is None:
        (x, t_x, T), weights = patterns(x, t_x, T)
    weights = np.asarray(weights, float)
    if weights.sum() == 0:
        return BgNbd(1.0, 30.0, 1.0, 2.0)
    mean_T = max(float(weights @ T / weights.sum()), 1.0)
    mean_x = float(weights @ x / weights.sum())
    # start near the method-of-moments rate, r = 1: r / alpha = purchases per unit time
    start = np.array([1.0, mean_T / max(mean_x, 0.5), 1.0, 2.0])
    params, ll = _fit(bgnbd_log_likelihood, start, (x, t_x, T), weights, prior)
    return BgNbd(*map(float, params), log_likelihood=ll)


def fit_gamma_gamma(x, zbar, weights=None, fallback_mean: float = 30.0) -> GammaGamma:
    """Fit Gamma-Gamma on customers with repeats and positive mean spend (others are skipped)."""
    x, zbar = _arrays(x, zbar)
    keep = (x > 0) & (zbar > 0) & np.isfinite(zbar)
    x, zbar = x[keep], zbar[keep]
    weights = np.ones_like(x) if weights is None else np.asarray(weights, float)[keep]
    if len(x) == 0:
        # nobody repeats yet: a CDNOW-like shape whose mean is the shop's mean basket
        return GammaGamma(6.0, 4.0, max(fallback_mean, 0.0) * 3.0 / 6.0)
    mean = float(np.average(zbar, weights=weights))
    start = np.array([5.0, 4.0, mean * 3.0 / 5.0])  # E[spend] = p * gamma / (q - 1) = mean
    params, ll = _fit(gamma_gamma_log_likelihood, start, (x, zbar), weights)
    return GammaGamma(*map(float, params), log_likelihood=ll)
