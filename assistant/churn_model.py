"""Churn scoring: BG/NBD + Gamma-Gamma, corrected by a gradient-boosting model trained on a
time split of the shop's own history when there is enough of it (issue 3).

Why a time split: the labels "bought again within w days" exist only for cutoffs at least w
days in the past, so the model learns at `as_of - w` and scores at `as_of`. When the shop's
history is shorter than the horizon, w < horizon and the BG/NBD curve carries the window-w
answer over to the horizon (a monotone map, so the learned ranking is kept).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from assistant import btyd
from assistant.churn_features import History, contact_features, features, history, to_day

MIN_TRAIN = 200  # customers with history at the training cutoff
MIN_CLASS = 30  # buyers and non-buyers in the training window
MAX_TRAIN_ROWS = 40_000  # a sample this size learns CDNOW as well as all rows, in a fraction of the time
MAX_FIT_ROWS = 100_000  # 4 BG/NBD or 3 Gamma-Gamma parameters are pinned down long before this
CLV_DAYS = 365
TREES = 60  # scoring 1M customers costs ~30 ms per tree
MODEL_COLUMNS = [
    "x", "t_x", "T", "recency", "total", "mean_spend", "zbar", "gap_mean", "gap_sd", "last_gap",
    "cycle_ratio", "last_gap_ratio", "basket_trend", "qty_trend", "qty_mean", "refunds",
    "n_last_q", "n_last_h", "n_last_1", "decay_s", "decay_m", "decay_l", "rec_T", "x_T",
    "p_alive", "p_any", "e_h", "complaints", "neg_contacts", "sentiment",
]


@dataclass(frozen=True)
class Scores:
    """Per-customer scores (one row per customer id) and how they were produced."""

    frame: pd.DataFrame
    as_of: pd.Timestamp
    horizon: int
    typical_gap: float
    method: str
    bgnbd: btyd.BgNbd


def default_horizon(typical_gap: float) -> int:
    """Twice the shop's typical gap between purchases, within a week and two years."""
    return int(np.clip(round(2 * typical_gap), 7, 730))


def typical_gap(feats: pd.DataFrame) -> float:
    """Median of repeat customers' mean gap between purchase days; 45 days when nobody repeats."""
    gaps = feats["gap_mean"].to_numpy()
    gaps = gaps[np.isfinite(gaps) & (gaps > 0)]
    return float(np.median(gaps)) if len(gaps) else 45.0


def _btyd_columns(f: pd.DataFrame, model: btyd.BgNbd, horizon: float, window: float) -> None:
    # evaluate once per distinct (x, t_x, T): hyp2f1 on a million rows is the slow part
    x, t_x, T = (np.clip(f[c].to_numpy(), 0, 2**21 - 1).astype(np.int64) for c in ("x", "t_x", "T"))
    key = (x * 2**21 + t_x) * 2**21 + T
    _, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    x, t_x, T = (f[c].to_numpy()[first] for c in ("x", "t_x", "T"))
    columns = {
        "p_alive": model.p_alive(x, t_x, T),
        "p_any": 1 - model.p_no_purchase(horizon, x, t_x, T),
        "e_h": model.expected_purchases(horizon, x, t_x, T),
        "p_any_w": 1 - model.p_no_purchase(window, x, t_x, T),
        "e_w": model.expected_purchases(window, x, t_x, T),
        "e_clv": model.expected_purchases(CLV_DAYS, x, t_x, T),
    }
    for name, values in columns.items():
        f[name] = values[inverse]


def _snapshot(h: History, cutoff: int, horizon: float, window: float, contacts: tuple,
              prior: float) -> tuple[pd.DataFrame, btyd.BgNbd]:
    """Features of every customer as of `cutoff`, BTYD columns included."""
    f = features(h.until(cutoff), cutoff, horizon)
    fit = _sample(np.flatnonzero(f["n"].to_numpy() > 0), MAX_FIT_ROWS)
    model = btyd.fit_bgnbd(f["x"].to_numpy()[fit], f["t_x"].to_numpy()[fit],
                           f["T"].to_numpy()[fit], prior=prior)
    _btyd_columns(f, model, horizon, window)
    f["rec_T"] = f["recency"] / np.maximum(f["T"], 1)
    f["x_T"] = f["x"] / np.maximum(f["T"], 1)
    age = cutoff - h.until(cutoff).day
    code = h.until(cutoff).code
    for name, tau in (("decay_s", horizon / 8), ("decay_m", horizon / 3), ("decay_l", horizon)):
        f[name] = np.bincount(code, weights=np.exp(-age / max(tau, 1)), minlength=len(h.ids))
    extra = contact_features(h.ids, *contacts, cutoff, horizon)
    for col in extra.columns:
        f[col] = extra[col].to_numpy()
    return f, model


def _sample(rows: np.ndarray, limit: int, seed: int = 0) -> np.ndarray:
    """At most `limit` of the rows, drawn at random but reproducibly."""
    if len(rows) <= limit:
        return rows
    return np.sort(np.random.default_rng(seed).choice(rows, limit, replace=False))


def _train_window(h: History, as_of: int, horizon: int) -> int | None:
    """The longest window <= horizon whose training cutoff leaves enough labelled customers."""
    for window in sorted({horizon, horizon // 2, horizon // 3}, reverse=True):
        cutoff = as_of - window
        if window < 7:
            continue
        known = np.bincount(h.code[h.day <= cutoff], minlength=len(h.ids)) > 0
        if known.sum() < MIN_TRAIN:
            continue
        later = np.bincount(h.code[(h.day > cutoff) & (h.day <= as_of)], minlength=len(h.ids)) > 0
        buyers = int((known & later).sum())
        if buyers >= MIN_CLASS and known.sum() - buyers >= MIN_CLASS:
            return window
    return None


def _boosted(train: pd.DataFrame, counts: np.ndarray, now: pd.DataFrame, seed: int):
    """Poisson gradient boosting of window purchase counts, and an isotonic P(any) on top."""
    from sklearn.ensemble import HistGradientBoostingRegressor
    from sklearn.isotonic import IsotonicRegression
    from threadpoolctl import threadpool_limits

    rows = np.random.default_rng(seed).permutation(len(train))
    fit_rows, cal_rows = rows[: len(rows) * 3 // 4], rows[len(rows) * 3 // 4:]
    X = train[MODEL_COLUMNS].to_numpy(float)
    reg = HistGradientBoostingRegressor(loss="poisson", max_iter=TREES, learning_rate=0.1,
                                        max_leaf_nodes=15, min_samples_leaf=40,
                                        early_stopping=False, random_state=seed)
    with threadpool_limits(1):  # OpenMP threads crawl on a shared 2-core box
        reg.fit(X[fit_rows], counts[fit_rows])
        mu_cal = reg.predict(X[cal_rows])
        mu = reg.predict(now[MODEL_COLUMNS].to_numpy(np.float32))
    # calibrate on rows the trees did not see: mean count -> P(at least one purchase)
    iso = IsotonicRegression(y_min=1e-3, y_max=1 - 1e-3, out_of_bounds="clip")
    iso.fit(mu_cal, counts[cal_rows] > 0)
    return mu, iso.predict(mu)


def score(orders: pd.DataFrame, as_of, horizon: int | None = None,
          complaints: pd.DataFrame | None = None, interactions: pd.DataFrame | None = None,
          customer_ids=None, seed: int = 0) -> Scores:
    """Score every customer (customer_ids, or everyone with orders) as of a date."""
    as_of = pd.Timestamp(as_of).normalize()
    cutoff = to_day(as_of)
    orders = orders[orders["date"] <= as_of]  # future-dated orders do not count yet
    h = history(orders, customer_ids)
    base = features(h, cutoff, 90.0)
    gap = typical_gap(base)
    horizon = int(horizon) if horizon else default_horizon(gap)
    buyers = int((base["n"] > 0).sum())
    # small shops: pull BG/NBD towards its start values as hard as ~20 customers' evidence
    prior = btyd.PENALTY if buyers >= 500 else 20.0
    window = _train_window(h, cutoff, horizon)
    contacts = (complaints, interactions)
    now, model = _snapshot(h, cutoff, horizon, window or horizon, contacts, prior)
    e_clv = now["e_clv"].to_numpy()
    if window is None:
        method = "BG/NBD"
        p_any, e_h = now["p_any"].to_numpy(), now["e_h"].to_numpy()
        ratio_clv = np.ones(len(now))
    else:
        method = f"gradient boosting on a {window}-day time split + BG/NBD"
        # learn on a sample of the customers known at the training cutoff
        known = np.zeros(len(h.ids), bool)
        seen = np.flatnonzero(np.bincount(h.code[h.day <= cutoff - window], minlength=len(h.ids)))
        known[_sample(seen, MAX_TRAIN_ROWS * 4 // 3, seed)] = True
        past = h.only(known)
        train, _ = _snapshot(past, cutoff - window, horizon, window, contacts, prior)
        later = (past.day > cutoff - window) & (past.day <= cutoff)
        counts = np.bincount(past.code[later], minlength=len(past.ids)).astype(float)
        mu_w, p_w = _boosted(train, counts, now, seed)
        p_any, e_h, ratio_clv = _to_horizon(now, mu_w, p_w, window, horizon)
    frame = now
    never = frame["n"].to_numpy() == 0
    # no orders yet: treat as acquired today, the population's first-horizon chance
    fresh = 1 - model.p_no_purchase(horizon, 0.0, 0.0, 0.0)
    frame["churn_probability"] = np.clip(np.where(never, 1 - fresh, 1 - p_any), 0, 1)
    frame["expected_purchases"] = np.where(never, model.expected_population(horizon), e_h)
    spend = _spend_model(frame)
    frame["expected_spend"] = spend
    frame["clv"] = np.where(never, 0.0, np.maximum(e_clv * ratio_clv, 0) * spend)
    frame["delta_logit"] = _logit(p_any) - _logit(frame["p_any"].to_numpy())
    scores = Scores(frame, as_of, horizon, gap, method, model)
    return scores


def _to_horizon(now: pd.DataFrame, mu_w, p_w, window: int, horizon: int):
    """Carry window-w predictions to the horizon along the BG/NBD curve."""
    from sklearn.isotonic import IsotonicRegression

    if window == horizon:
        return p_w, mu_w, np.clip(mu_w / np.maximum(now["e_w"].to_numpy(), 1e-9), 0, 20)
    # the population-wide monotone map P_w -> P_h implied by BG/NBD keeps the model's ranking
    link = IsotonicRegression(out_of_bounds="clip").fit(now["p_any_w"], now["p_any"])
    p_h = np.maximum(link.predict(p_w), p_w)
    scale = now["e_h"].to_numpy() / np.maximum(now["e_w"].to_numpy(), 1e-9)
    # how far the model moves a customer off BG/NBD, capped, also scales the 1-year CLV
    ratio = np.clip(mu_w / np.maximum(now["e_w"].to_numpy(), 1e-9), 0, 20)
    return p_h, mu_w * scale, ratio


def _spend_model(f: pd.DataFrame) -> np.ndarray:
    """Gamma-Gamma expected spend per purchase, kept within the shop's observed range."""
    positive = f["mean_spend"][f["n"] > 0]
    fallback = float(positive[positive > 0].mean()) if (positive > 0).any() else 0.0
    repeaters = np.flatnonzero((f["x"].to_numpy() > 0) & (f["zbar"].to_numpy() > 0))
    if len(repeaters) >= 20:
        fit = _sample(repeaters, MAX_FIT_ROWS)
        spend_model = btyd.fit_gamma_gamma(f["x"].to_numpy()[fit], f["zbar"].to_numpy()[fit],
                                           fallback_mean=fallback)
    else:
        spend_model = btyd.fit_gamma_gamma([], [], fallback_mean=fallback)
    value = spend_model.expected_spend(f["x"], f["zbar"])
    ceiling = float(f["mean_spend"].max()) if len(f) else 0.0
    return np.clip(np.nan_to_num(value), 0.0, max(ceiling, 0.0))


def _logit(p):
    p = np.clip(np.asarray(p, float), 1e-6, 1 - 1e-6)
    return np.log(p) - np.log1p(-p)


def next_purchase_days(scores: Scores, rows: np.ndarray) -> np.ndarray:
    """Days from as_of until P(bought again) passes 1/2 on the model's curve; NaN if beyond 3 horizons."""
    f = scores.frame.iloc[rows]
    grid = np.unique(np.geomspace(1, 3 * scores.horizon, 40).round())
    m = scores.bgnbd
    x, t_x, T = (f[c].to_numpy()[:, None] for c in ("x", "t_x", "T"))
    p = 1 - m.p_no_purchase(grid[None, :], x, t_x, T)
    p = 1 / (1 + np.exp(-(_logit(p) + f["delta_logit"].to_numpy()[:, None])))
    reached = p >= 0.5
    first = np.where(reached.any(axis=1), grid[reached.argmax(axis=1)], np.nan)
    return np.where(f["n"].to_numpy() > 0, first, np.nan)
