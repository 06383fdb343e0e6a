"""Per-customer RFM, rhythm and basket features as of a cutoff, vectorised.

Frames here are plain dicts of equal-length numpy arrays, one row per customer: at 1M
customers a pandas frame's block copies alone cost a second (bench/churn_scale.py).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from assistant.store.column_cache import day_number

Frame = dict[str, np.ndarray]


@dataclass(frozen=True)
class History:
    """Purchase days (same-day orders merged) and refunds, sorted by customer then day."""

    code: np.ndarray  # index into `ids`
    day: np.ndarray  # int days since 1970-01-01
    spend: np.ndarray
    quantity: np.ndarray
    refund_code: np.ndarray
    refund_day: np.ndarray
    refund_amount: np.ndarray
    ids: np.ndarray  # customer ids, position = code

    def until(self, cutoff: int) -> History:
        """Only what happened on or before day `cutoff`."""
        keep, rkeep = self.day <= cutoff, self.refund_day <= cutoff
        if keep.all() and rkeep.all():
            return self
        return History(self.code[keep], self.day[keep], self.spend[keep], self.quantity[keep],
                       self.refund_code[rkeep], self.refund_day[rkeep], self.refund_amount[rkeep],
                       self.ids)

    def only(self, keep: np.ndarray) -> History:
        """The history of the customers whose position is True in `keep`, renumbered."""
        new_code = np.cumsum(keep) - 1
        rows, rrows = keep[self.code], keep[self.refund_code]
        return History(new_code[self.code[rows]], self.day[rows], self.spend[rows],
                       self.quantity[rows], new_code[self.refund_code[rrows]],
                       self.refund_day[rrows], self.refund_amount[rrows], self.ids[keep])


to_day = day_number  # the store's day numbers and the features' must be the same count


def order_arrays(orders) -> dict[str, np.ndarray]:
    """Orders as arrays (customer_id, day, amount, quantity), from Store.orders_arrays() or
    an orders frame with a datetime `date` column (Store.orders_frame(), the CDNOW bench)."""
    if isinstance(orders, dict):
        return orders
    return {"customer_id": orders["customer_id"].to_numpy(np.int64),
            "day": orders["date"].to_numpy("datetime64[D]").astype(np.int64),
            "amount": orders["amount"].to_numpy(float),
            "quantity": orders["quantity"].to_numpy(float)}


def history(orders: dict[str, np.ndarray], customer_ids: np.ndarray | None = None,
            cutoff: int | None = None) -> History:
    """Build the purchase history; refunds (negative amounts) are kept apart, not purchases."""
    cust, day = orders["customer_id"], orders["day"]
    amount = np.nan_to_num(np.asarray(orders["amount"], float))
    qty = np.nan_to_num(np.asarray(orders["quantity"], float), nan=1.0)
    if cutoff is not None and len(day) and day.max() > cutoff:  # future-dated: not yet
        keep = day <= cutoff
        cust, day, amount, qty = cust[keep], day[keep], amount[keep], qty[keep]
    ids = np.unique(cust) if customer_ids is None else np.asarray(customer_ids, np.int64)
    if len(ids) > 1 and not np.all(ids[1:] > ids[:-1]):
        ids = np.unique(ids)
    code, known = _codes(ids, cust)
    if not known.all():
        code, day, amount, qty = code[known], day[known], amount[known], qty[known]
    refund = amount < 0
    buy = ~refund
    if buy.all():  # no refunds: skip four copies of 2M rows
        c, d, a, q = code, day, amount, qty
    else:
        c, d, a, q = code[buy], day[buy], amount[buy], qty[buy]
    base = int(day.min(initial=0))
    # one key per (customer, day): same-day orders are one purchase occasion
    key = c * np.int64(1 << 24) + (d - base)
    if len(key) > 1 and not np.all(key[1:] >= key[:-1]):
        # stable = timsort: the store hands the orders over mostly sorted (assistant/store/column_cache.py),
        # which makes this 10x faster than quicksort; same-day rows are summed anyway
        order = np.argsort(key, kind="stable")
        key, a, q = key[order], a[order], q[order]
    starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]]) if len(key) else np.zeros(0, int)
    spend = np.add.reduceat(a, starts) if len(key) else np.zeros(0)
    quantity = np.add.reduceat(q, starts) if len(key) else np.zeros(0)
    uniq = key[starts]
    rorder = np.lexsort((day[refund], code[refund]))
    return History(uniq // np.int64(1 << 24), uniq % np.int64(1 << 24) + base, spend, quantity,
                   code[refund][rorder], day[refund][rorder], amount[refund][rorder], ids)


def _codes(ids: np.ndarray, cust: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Position of each order's customer in `ids`, and whether it is there at all."""
    if not len(ids):
        return np.zeros(len(cust), np.int64), np.zeros(len(cust), bool)
    if ids[-1] - ids[0] == len(ids) - 1:  # dense ids (the usual case): no search needed
        code = cust - ids[0]
        return code, (code >= 0) & (code < len(ids))
    pos = np.searchsorted(ids, cust).clip(0, len(ids) - 1)
    return pos, ids[pos] == cust  # orders of unknown customers are dropped, not a crash


def features(h: History, cutoff: int) -> Frame:
    """One row per customer id (position = code) with recency/frequency/rhythm/basket columns."""
    n_cust = len(h.ids)
    code, day, spend, qty = h.code, h.day, h.spend, h.quantity
    count = np.bincount(code, minlength=n_cust).astype(float)
    has = count > 0
    end = np.cumsum(count).astype(np.int64) - 1  # index of each customer's last purchase
    start = end - count.astype(np.int64) + 1
    safe_end, safe_start = np.where(has, end, 0), np.where(has, start, 0)
    first = np.where(has, day[safe_start] if len(day) else 0, cutoff).astype(float)
    last = np.where(has, day[safe_end] if len(day) else 0, cutoff).astype(float)
    x = np.maximum(count - 1, 0)
    t_x, age = last - first, cutoff - first
    recency = np.where(has, cutoff - last, np.nan)
    total = np.bincount(code, weights=spend, minlength=n_cust)
    first_spend = np.where(has, spend[safe_start] if len(spend) else 0, 0.0)
    zbar = np.where(x > 0, (total - first_spend) / np.maximum(x, 1), 0.0)
    # gaps between consecutive purchase days of the same customer
    same = np.r_[False, code[1:] == code[:-1]] if len(code) else np.zeros(0, bool)
    gap = np.where(same, np.diff(day, prepend=day[:1]), 0).astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        gap_mean = np.where(x > 0, t_x / np.maximum(x, 1), np.nan)
        gap_sq = np.bincount(code, weights=gap**2, minlength=n_cust)
        gap_sd = np.sqrt(np.maximum(gap_sq / np.maximum(x, 1) - np.nan_to_num(gap_mean) ** 2, 0))
        last_gap = np.where(x > 0, gap[safe_end] if len(gap) else 0, np.nan)
        cycle_ratio, last_gap_ratio = recency / gap_mean, last_gap / gap_mean
    # basket trend: last 3 purchases vs the ones before them (needs >= 4 purchases)
    from_end = end[code] - np.arange(len(code)) if len(code) else np.zeros(0, np.int64)
    recent3 = from_end < 3
    sum3 = np.bincount(code, weights=spend * recent3, minlength=n_cust)
    qty3 = np.bincount(code, weights=qty * recent3, minlength=n_cust)
    qty_total = np.bincount(code, weights=qty, minlength=n_cust)
    n3 = np.minimum(count, 3)
    older = np.maximum(count - 3, 0)
    mean_recent = sum3 / np.maximum(n3, 1)
    mean_older = (total - sum3) / np.maximum(older, 1)
    basket_trend = np.where(older > 0, _ratio(mean_recent, mean_older), 1.0)
    qty_trend = np.where(older > 0, _ratio(qty3 / np.maximum(n3, 1),
                                           (qty_total - qty3) / np.maximum(older, 1)), 1.0)
    refunds = np.bincount(h.refund_code, weights=-h.refund_amount, minlength=n_cust)
    return {
        "customer_id": h.ids, "n": count, "x": x, "t_x": t_x, "T": age, "recency": recency,
        "first_day": first, "last_day": last, "total": total, "mean_spend": total / np.maximum(count, 1),
        "first_spend": first_spend, "zbar": zbar, "gap_mean": gap_mean, "gap_sd": gap_sd,
        "last_gap": last_gap, "cycle_ratio": cycle_ratio, "last_gap_ratio": last_gap_ratio,
        "basket_trend": basket_trend, "qty_trend": qty_trend,
        "qty_mean": qty_total / np.maximum(count, 1), "refunds": refunds,
    }


def recent_counts(h: History, cutoff: int, horizon: float) -> Frame:
    """Purchases in the last quarter, half and whole horizon, and recency-decayed counts."""
    n_cust, age = len(h.ids), cutoff - h.day
    out = {f"n_last_{k}": np.bincount(h.code, weights=age < w, minlength=n_cust)
           for k, w in (("q", horizon / 4), ("h", horizon / 2), ("1", horizon))}
    for name, tau in (("decay_s", horizon / 8), ("decay_m", horizon / 3), ("decay_l", horizon)):
        out[name] = np.bincount(h.code, weights=np.exp(-age / max(tau, 1)), minlength=n_cust)
    return out


def _ratio(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    # baskets can be zero (free samples) or tiny; cap so one odd order cannot dominate
    return np.clip(np.where(b > 0, a / np.where(b > 0, b, 1), np.where(a > 0, 5.0, 1.0)), 0, 5)


def contact_features(ids: np.ndarray, complaints, interactions, cutoff: int,
                     horizon: float) -> Frame:
    """Complaint counts and interaction sentiment per customer, as of the cutoff."""
    n = len(ids)
    out = {name: np.zeros(n) for name in ("complaints", "open_complaints", "neg_contacts",
                                          "sentiment")}
    if complaints is not None and len(complaints):
        pos, ok = _positions(ids, complaints["customer_id"], _days(complaints["date"]) <= cutoff)
        still_open = complaints["status"].fillna("open").astype(str).str.lower().to_numpy() \
            != "resolved"
        out["complaints"] = np.bincount(pos[ok], minlength=n).astype(float)
        out["open_complaints"] = np.bincount(pos[ok & still_open], minlength=n).astype(float)
    if interactions is not None and len(interactions):
        import pandas as pd

        days = _days(interactions["date"])
        pos, ok = _positions(ids, interactions["customer_id"],
                             (days <= cutoff) & (days > cutoff - max(horizon, 90)))
        s = pd.to_numeric(interactions["sentiment"], errors="coerce").to_numpy(float)
        rated = ok & np.isfinite(s)
        total = np.bincount(pos[rated], weights=s[rated], minlength=n)
        out["sentiment"] = total / np.maximum(np.bincount(pos[rated], minlength=n), 1)
        out["neg_contacts"] = np.bincount(pos[rated & (s < -0.05)], minlength=n).astype(float)
    return out


def _positions(ids: np.ndarray, customer_id, keep: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    cust = customer_id.fillna(-1).astype(np.int64).to_numpy()
    pos, known = _codes(ids, cust)
    return np.where(known, pos, 0), known & keep


def _days(dates) -> np.ndarray:
    import pandas as pd

    parsed = pd.to_datetime(dates.astype(str).str.slice(0, 10), format="%Y-%m-%d", errors="coerce")
    days = parsed.to_numpy("datetime64[D]").astype(np.int64)
    return np.where(parsed.isna().to_numpy(), np.iinfo(np.int64).max, days)  # unreadable: never
