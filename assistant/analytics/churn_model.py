"""Churn scoring: BG/NBD + Gamma-Gamma, corrected by a gradient-boosting model trained on a
time split of the shop's own history when there is enough of it.

Why a time split: the labels "bought again within w days" exist only for cutoffs at least w
days in the past, so the model learns at `as_of - w` and scores at `as_of`. When the shop's
history is shorter than the horizon, w < horizon and the BG/NBD curve carries the window-w
answer over to the horizon (a monotone map, so the learned ranking is kept).

Three guards against the trees extrapolating (CDNOW, one cohort: the customers scored are
always older than any seen in training, and a Christmas in the last window inflates recent
counts): training stacks STACK time-split cutoffs; the boosted counts are blended with BG/NBD's
in log space (its structure carries aging and dropout beyond the training ages); and a
shop-wide surge or lull over the last LEVEL_DAYS, measured against BG/NBD, is treated as
transient and taken out of the forecast level (_level). Below POOL customers BAG models, each
on its own sample, are averaged: one model's forecast moved by up to 12 points with the seed.

Two stages at scale: with more than POOL customers, everyone gets the closed-form BG/NBD
score, recalibrated on the same time split, and the boosting model rescores only the POOL
customers that this first stage ranks first (riskiest, most at stake). Predicting 60 trees
for 1M rows costs ~2.5 s; the candidates are what a ranked report shows. Smaller shops
(CDNOW's 23,570 customers included) get the boosting model for every customer.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import pandas as pd

from assistant.analytics import btyd
from assistant.analytics.features import (
    Frame,
    History,
    contact_features,
    features,
    history,
    order_arrays,
    recent_counts,
    to_day,
)
from assistant.analytics.labels import priority

MIN_TRAIN = 200  # customers with history at the training cutoff
MIN_CLASS = 30  # buyers and non-buyers in the training window
# trees cannot extrapolate in age: customers two weeks old at a young shop's training cutoff
# made them forecast CDNOW's 1997-05-31 holdout at +23 % (vs -9 % with a later cutoff); the
# known customers' median age at the training cutoff must be this share of the scored ones'
MIN_AGE_RATIO = 0.25
MAX_TRAIN_ROWS = 40_000  # a sample this size learns CDNOW as well as all rows, in a fraction of the time
MAX_TRAIN_ROWS_TWO_STAGE = 20_000  # above POOL customers: halves the tree fit (~1 s at 40k)
MAX_FIT_ROWS = 25_000  # 4 BG/NBD or 3 Gamma-Gamma parameters are pinned down long before this
POOL = 50_000  # above this many customers the boosting model rescores only this many
CLV_DAYS = 365
TREES = 60
STACK = 3  # time-split cutoffs stacked for training, window // 4 apart (more, noisier rows)
BAG = 5  # models averaged below POOL customers: halves the forecast's spread over samples
BLEND = 0.5  # weight of the boosted counts against BG/NBD's, in log space
LEVEL_DAYS = 90  # a quarter: averages out a month's noise, still short enough to see a season
MODEL_COLUMNS = [
    "x", "t_x", "T", "recency", "total", "mean_spend", "zbar", "gap_mean", "gap_sd", "last_gap",
    "cycle_ratio", "last_gap_ratio", "basket_trend", "qty_trend", "qty_mean", "refunds",
    "n_last_q", "n_last_h", "n_last_1", "decay_s", "decay_m", "decay_l", "rec_T", "x_T",
    "p_alive", "p_any", "e_h", "complaints", "neg_contacts", "sentiment",
]


@dataclass(frozen=True)
class Scores:
    """Per-customer scores (one row per customer id) and how they were produced."""

    frame: Frame
    as_of: pd.Timestamp
    horizon: int
    typical_gap: float
    method: str
    bgnbd: btyd.BgNbd


def default_horizon(typical_gap: float) -> int:
    """Twice the shop's typical gap between purchases, within a week and two years."""
    return int(np.clip(round(2 * typical_gap), 7, 730))


def typical_gap(h: History) -> float:
    """Median of repeat customers' mean gap between purchase days; 45 days when nobody repeats."""
    count = np.bincount(h.code, minlength=len(h.ids))
    end = np.cumsum(count) - 1
    repeat = count > 1
    gaps = (h.day[end[repeat]] - h.day[(end - count + 1)[repeat]]) / (count[repeat] - 1)
    gaps = gaps[gaps > 0]
    return float(np.median(gaps)) if len(gaps) else 45.0


def take(f: Frame, rows: np.ndarray) -> Frame:
    """The given rows of every column."""
    return {name: col[rows] for name, col in f.items()}


def matrix(f: Frame, rows: np.ndarray | None = None) -> np.ndarray:
    """The model's feature matrix (float32, as the trees bin it), optionally for some rows."""
    cols = [f[c] if rows is None else f[c][rows] for c in MODEL_COLUMNS]
    return np.column_stack(cols).astype(np.float32)


def _btyd_columns(f: Frame, model: btyd.BgNbd, horizon: float, window: float) -> None:
    # evaluate once per distinct (x, t_x, T): hyp2f1 on a million rows is the slow part
    x, t_x, T = (np.clip(f[c], 0, 2**21 - 1).astype(np.int64) for c in ("x", "t_x", "T"))
    key = (x * 2**21 + t_x) * 2**21 + T
    _, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    x, t_x, T = (f[c][first] for c in ("x", "t_x", "T"))
    columns = {
        "p_alive": model.p_alive(x, t_x, T),
        "p_any": 1 - model.p_no_purchase(horizon, x, t_x, T),
        "e_h": model.expected_purchases(horizon, x, t_x, T),
        "p_any_w": 1 - model.p_no_purchase(window, x, t_x, T),
        "e_w": model.expected_purchases(window, x, t_x, T),
        "e_clv": model.expected_purchases(CLV_DAYS, x, t_x, T),
        # purchases per day while the customer stays: lambda | alive ~ Gamma(r + x, alpha + T)
        "rate": (model.r + x) / (model.alpha + T),
    }
    for name, values in columns.items():
        f[name] = values[inverse]


def _fit_bgnbd(h: History, cutoff: int, prior: float) -> btyd.BgNbd:
    """BG/NBD fitted as of `cutoff` on (a sample of) the customers who bought by then."""
    h = h.until(cutoff)
    keep = np.zeros(len(h.ids), bool)
    keep[_sample(np.flatnonzero(np.bincount(h.code, minlength=len(h.ids))), MAX_FIT_ROWS)] = True
    f = features(h.only(keep), cutoff)
    return btyd.fit_bgnbd(f["x"], f["t_x"], f["T"], prior=prior)


def _snapshot(h: History, cutoff: int, horizon: float, window: float, contacts: tuple,
              model: btyd.BgNbd) -> Frame:
    """Features of every customer as of `cutoff`, BTYD columns included."""
    h = h.until(cutoff)
    f = features(h, cutoff)
    _btyd_columns(f, model, horizon, window)
    f["rec_T"] = f["recency"] / np.maximum(f["T"], 1)
    f["x_T"] = f["x"] / np.maximum(f["T"], 1)
    f.update(recent_counts(h, cutoff, horizon))
    f.update(contact_features(h.ids, *contacts, cutoff, horizon))
    return f


def _sample(rows: np.ndarray, limit: int, seed: int = 0) -> np.ndarray:
    """At most `limit` of the rows, drawn at random but reproducibly."""
    if len(rows) <= limit:
        return rows
    return np.sort(np.random.default_rng(seed).choice(rows, limit, replace=False))


def _train_window(h: History, as_of: int, horizon: int) -> int | None:
    """The longest window <= horizon whose training cutoff leaves enough labelled customers,
    old enough to learn from (MIN_AGE_RATIO) if any window has them."""
    # history() sorts by customer, then day: a customer's first row is their first purchase
    starts = np.flatnonzero(np.r_[True, h.code[1:] != h.code[:-1]]) if len(h.code) else np.zeros(0, int)
    first = h.day[starts]
    first = first[first <= as_of]
    scored_age = float(np.median(as_of - first)) if len(first) else 0.0
    fallback = None
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
            if np.median(cutoff - first[first <= cutoff]) >= MIN_AGE_RATIO * scored_age:
                return window
            fallback = fallback or window  # all too young: the longest still beats none
    return fallback


@dataclass(frozen=True)
class Learned:
    """Boosted window counts, their isotonic P(any), and the recalibrated BG/NBD P(any)."""

    trees: object
    calibrated: object
    bgnbd_calibrated: object


def _training_set(h: History, cutoff: int, window: int, horizon: int, contacts: tuple,
                  model: btyd.BgNbd, rows: int, seed: int) -> tuple[Frame, np.ndarray]:
    """Features at up to STACK cutoffs (the latest `window` days before `cutoff`) and each
    customer's purchases in the `window` days after, stacked; about `rows` rows in all."""
    n = len(h.ids)
    step = max(window // 4, 7)
    parts, labels = [], []
    for k in range(STACK):
        at = cutoff - window - k * step
        seen = np.flatnonzero(np.bincount(h.code[h.day <= at], minlength=n))
        if k and len(seen) < MIN_TRAIN:
            break
        keep = np.zeros(n, bool)
        keep[_sample(seen, rows // STACK, seed + k)] = True
        past = h.only(keep)
        # the as-of BG/NBD for every cutoff: its columns then mean the same in training and
        # scoring (fits at young cutoffs were far off: they over-predicted CDNOW by up to 40 %)
        train = _snapshot(past, at, horizon, window, contacts, model)
        later = (past.day > at) & (past.day <= at + window)
        parts.append(train)
        labels.append(np.bincount(past.code[later], minlength=len(past.ids)).astype(float))
    return {c: np.concatenate([p[c] for p in parts]) for c in parts[0]}, np.concatenate(labels)


def _level(h: History, cutoff: int, model: btyd.BgNbd, seed: int) -> float:
    """Purchases in the last LEVEL_DAYS over BG/NBD's expectation for them, within [2/3, 3/2];
    1 when too few purchases were expected to tell a season from noise."""
    at = cutoff - LEVEL_DAYS
    n = len(h.ids)
    before = h.day <= at
    count, total = np.bincount(h.code[before], minlength=n), np.bincount(h.code, minlength=n)
    rows = _sample(np.flatnonzero(count), MAX_FIT_ROWS, seed)  # a ratio of sums: a sample pins it
    start = np.cumsum(total) - total
    first, last = h.day[start[rows]], h.day[start[rows] + count[rows] - 1]
    expected = float(model.expected_purchases(LEVEL_DAYS, count[rows] - 1, last - first,
                                              at - first).sum())
    actual = float((total - count)[rows].sum())
    if expected < 30:
        return 1.0
    return float(np.clip(actual / expected, 2 / 3, 3 / 2))


def _blend(mu: np.ndarray, e_w: np.ndarray) -> np.ndarray:
    """Boosted and BG/NBD window counts, geometrically weighted by BLEND."""
    return np.exp(BLEND * np.log(np.maximum(mu, 1e-9))
                  + (1 - BLEND) * np.log(np.maximum(e_w, 1e-9)))


def _train(h: History, cutoff: int, window: int, horizon: int, contacts: tuple,
           model: btyd.BgNbd, rows: int, seed: int, members: int) -> tuple[Learned, ...]:
    """`members` models, each learned on its own time-split sample and split for calibration."""
    return tuple(_learn(*_training_set(h, cutoff, window, horizon, contacts, model, rows, s), s)
                 for s in (seed + 101 * i for i in range(members)))


def _learn(train: Frame, counts: np.ndarray, seed: int) -> Learned:
    """Poisson gradient boosting of window purchase counts, and an isotonic P(any) on top."""
    from sklearn.ensemble import HistGradientBoostingRegressor
    from sklearn.isotonic import IsotonicRegression
    from threadpoolctl import threadpool_limits

    rows = np.random.default_rng(seed).permutation(len(counts))
    fit_rows, cal_rows = rows[: len(rows) * 3 // 4], rows[len(rows) * 3 // 4:]
    X = matrix(train)
    reg = HistGradientBoostingRegressor(loss="poisson", max_iter=TREES, learning_rate=0.1,
                                        max_leaf_nodes=15, min_samples_leaf=40,
                                        early_stopping=False, random_state=seed)
    # again here: sklearn's OpenMP runtime loads with sklearn, after score()'s limit
    with threadpool_limits(1):  # OpenMP threads crawl on a shared 2-core box
        reg.fit(X[fit_rows], counts[fit_rows])
        mu_cal = _blend(reg.predict(X[cal_rows]), train["e_w"][cal_rows])
    # calibrate on rows the trees did not see: mean count -> P(at least one purchase)
    bought = counts[cal_rows] > 0
    iso = IsotonicRegression(y_min=1e-3, y_max=1 - 1e-3, out_of_bounds="clip").fit(mu_cal, bought)
    iso_bg = IsotonicRegression(y_min=1e-3, y_max=1 - 1e-3, out_of_bounds="clip").fit(
        train["p_any_w"][cal_rows], bought)
    return Learned(reg, iso, iso_bg)


def _predict(learned: tuple[Learned, ...], f: Frame, rows: np.ndarray,
             level: float) -> tuple[np.ndarray, np.ndarray]:
    """Window counts and P(any) for the rows, with the recent surge or lull taken out: the
    members' counts averaged in log space, their calibrated P(any) averaged."""
    from threadpoolctl import threadpool_limits

    X = matrix(f, rows)
    with threadpool_limits(1):
        counts = [member.trees.predict(X) for member in learned]
    log_mu, p_any = np.zeros(len(rows)), np.zeros(len(rows))
    for member, mu in zip(learned, counts):
        # trees alone over-forecast CDNOW's Jan-Jun 1998 by 32 %: they never saw customers that
        # old, and the Christmas in their recent counts looked like loyalty. BG/NBD handles the
        # aging; dividing by the recent surge (or lull) treats it as transient
        mu = _blend(mu, f["e_w"][rows]) / level
        log_mu += np.log(np.maximum(mu, 1e-12)) / len(learned)
        p_any += _isotonic(member.calibrated, mu) / len(learned)
    return np.exp(log_mu), p_any


def _isotonic(iso, values: np.ndarray) -> np.ndarray:
    """A fitted IsotonicRegression (out_of_bounds="clip") applied with np.interp: same values,
    without interp1d's overhead on a million rows."""
    return np.interp(values, iso.X_thresholds_, iso.y_thresholds_)


def score(orders, as_of, horizon: int | None = None, complaints: pd.DataFrame | None = None,
          interactions: pd.DataFrame | None = None, customer_ids=None, seed: int = 0,
          pool: int = POOL) -> Scores:
    """Score every customer (customer_ids, or everyone with orders) as of a date."""
    from threadpoolctl import threadpool_limits

    # one thread: OpenBLAS's threads made the 4-parameter fits 4x slower on a shared 2-core box
    with threadpool_limits(1):
        return _score(orders, as_of, horizon, complaints, interactions, customer_ids, seed, pool)


def _score(orders, as_of, horizon, complaints, interactions, customer_ids, seed, pool) -> Scores:
    as_of = pd.Timestamp(as_of).normalize()
    cutoff = to_day(as_of)
    h = history(order_arrays(orders), customer_ids, cutoff)  # later orders do not count yet
    gap = typical_gap(h)
    horizon = int(horizon) if horizon else default_horizon(gap)
    buyers = int(np.count_nonzero(np.bincount(h.code, minlength=len(h.ids))))
    # small shops: pull BG/NBD towards its start values as hard as ~20 customers' evidence
    prior = btyd.PENALTY if buyers >= 500 else 20.0
    window = _train_window(h, cutoff, horizon)
    contacts = (complaints, interactions)
    model = _fit_bgnbd(h, cutoff, prior)
    n = len(h.ids)
    learning = None
    with ThreadPoolExecutor(1, thread_name_prefix="churn-train") as trainer:
        if window is not None:
            # the trees learn on a second core while every customer's features are built:
            # numpy's big loops and the trees' histograms both run without the GIL
            limit = MAX_TRAIN_ROWS if n <= pool else MAX_TRAIN_ROWS_TWO_STAGE
            learning = trainer.submit(_train, h, cutoff, window, horizon, contacts, model,
                                      limit * 4 // 3, seed, BAG if n <= pool else 1)
        f = _snapshot(h, cutoff, horizon, window or horizon, contacts, model)
        spend = _spend_model(f)
        learned = learning.result() if learning is not None else None
    p_any, e_h, ratio_clv = f["p_any"].copy(), f["e_h"].copy(), np.ones(n)
    if window is None:
        method = "BG/NBD"
    else:
        level = _level(h, cutoff, model, seed)
        link = _horizon_link(f, window, horizon)
        rows = np.arange(n)
        method = (f"gradient boosting ({len(learned)} bagged) on {window}-day time splits, "
                  f"blended with BG/NBD, level x{1 / level:.2f}")
        if n > pool:
            # stage 1: BG/NBD recalibrated on the time split, for everyone
            p_any = link(np.mean([_isotonic(m.bgnbd_calibrated, f["p_any_w"]) for m in learned],
                                 axis=0))
            stake = (1 - p_any) * _value_if_retained(f, spend, horizon)
            rows = np.sort(priority(1 - p_any, stake, top=pool)[:pool])  # the report's first
            method = (f"two-stage: BG/NBD recalibrated on a {window}-day time split for all "
                      f"{n:,}, gradient boosting ({len(learned)} bagged) rescoring the first {pool:,}")
        mu_w, p_w = _predict(learned, f, rows, level)
        p_any[rows], e_h[rows], ratio_clv[rows] = _to_horizon(take(f, rows), mu_w, p_w, window,
                                                              horizon, link)
    never = f["n"] == 0
    # no orders yet: treat as acquired today, the population's first-horizon chance
    fresh = 1 - model.p_no_purchase(horizon, 0.0, 0.0, 0.0)
    f["churn_probability"] = np.clip(np.where(never, 1 - fresh, 1 - p_any), 0, 1)
    f["expected_purchases"] = np.where(never, model.expected_population(horizon), e_h)
    f["expected_spend"] = spend
    f["clv"] = np.where(never, 0.0, np.maximum(f["e_clv"] * ratio_clv, 0) * spend)
    f["value_if_retained"] = _value_if_retained(f, spend, horizon)
    f["at_stake"] = f["churn_probability"] * f["value_if_retained"]
    f["delta_logit"] = _logit(p_any) - _logit(f["p_any"])
    return Scores(f, as_of, horizon, gap, method, model)


def _value_if_retained(f: Frame, spend: np.ndarray, horizon: int) -> np.ndarray:
    """Revenue over the horizon if the customer keeps buying at their own rate."""
    return np.where(f["n"] > 0, f["rate"] * horizon * spend, 0.0)


def _horizon_link(f: Frame, window: int, horizon: int):
    """The population-wide monotone map P_w -> P_h implied by BG/NBD (identity if w = h)."""
    from sklearn.isotonic import IsotonicRegression

    if window == horizon:
        return lambda p: p
    fit = _sample(np.arange(len(f["n"])), 100_000)
    iso = IsotonicRegression(out_of_bounds="clip").fit(f["p_any_w"][fit], f["p_any"][fit])
    return lambda p: np.maximum(_isotonic(iso, p), p)


def _to_horizon(now: Frame, mu_w, p_w, window: int, horizon: int, link):
    """Carry window-w predictions to the horizon along the BG/NBD curve."""
    # how far the model moves a customer off BG/NBD, capped, also scales the 1-year CLV
    ratio = np.clip(mu_w / np.maximum(now["e_w"], 1e-9), 0, 20)
    if window == horizon:
        return p_w, mu_w, ratio
    scale = now["e_h"] / np.maximum(now["e_w"], 1e-9)
    return link(p_w), mu_w * scale, ratio


def _spend_model(f: Frame) -> np.ndarray:
    """Gamma-Gamma expected spend per purchase, kept within the shop's observed range."""
    positive = f["mean_spend"][(f["n"] > 0) & (f["mean_spend"] > 0)]
    fallback = float(positive.mean()) if len(positive) else 0.0
    repeaters = np.flatnonzero((f["x"] > 0) & (f["zbar"] > 0))
    if len(repeaters) >= 20:
        fit = _sample(repeaters, MAX_FIT_ROWS)
        spend_model = btyd.fit_gamma_gamma(f["x"][fit], f["zbar"][fit], fallback_mean=fallback)
    else:
        spend_model = btyd.fit_gamma_gamma([], [], fallback_mean=fallback)
    value = spend_model.expected_spend(f["x"], f["zbar"])
    ceiling = float(f["mean_spend"].max()) if len(f["n"]) else 0.0
    return np.clip(np.nan_to_num(value), 0.0, max(ceiling, 0.0))


def _logit(p):
    p = np.clip(np.asarray(p, float), 1e-6, 1 - 1e-6)
    return np.log(p) - np.log1p(-p)


def next_purchase_days(scores: Scores, rows: np.ndarray) -> np.ndarray:
    """Days from as_of until P(bought again) passes 1/2 on the model's curve; NaN if beyond 3 horizons."""
    f = take(scores.frame, rows)
    grid = np.unique(np.geomspace(1, 3 * scores.horizon, 40).round())
    m = scores.bgnbd
    x, t_x, T = (f[c][:, None] for c in ("x", "t_x", "T"))
    p = 1 - m.p_no_purchase(grid[None, :], x, t_x, T)
    p = 1 / (1 + np.exp(-(_logit(p) + f["delta_logit"][:, None])))
    reached = p >= 0.5
    first = np.where(reached.any(axis=1), grid[reached.argmax(axis=1)], np.nan)
    return np.where(f["n"] > 0, first, np.nan)
