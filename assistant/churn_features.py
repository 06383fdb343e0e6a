"""Per-customer RFM, rhythm and basket features as of a cutoff, vectorised (issue 3)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

DAY = np.timedelta64(1, "D")


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


def to_day(value) -> int:
    """A date-like value as int days since 1970-01-01."""
    return int(np.datetime64(pd.Timestamp(value).date(), "D").astype(np.int64))


def history(orders: pd.DataFrame, customer_ids: np.ndarray | None = None) -> History:
    """Build the purchase history; refunds (negative amounts) are kept apart, not purchases."""
    cust = orders["customer_id"].to_numpy(np.int64)
    day = orders["date"].to_numpy("datetime64[D]").astype(np.int64)
    amount = np.nan_to_num(orders["amount"].to_numpy(float))
    qty = np.nan_to_num(orders["quantity"].to_numpy(float), nan=1.0)
    ids = cust if customer_ids is None else np.asarray(customer_ids, np.int64)
    if len(ids) > 1 and not np.all(ids[1:] > ids[:-1]) or customer_ids is None:  # usually already sorted and unique
        ids = np.unique(ids)
    # orders of unknown customers are dropped rather than crashing
    pos = np.searchsorted(ids, cust).clip(0, max(len(ids) - 1, 0))
    known = (ids[pos] == cust) if len(ids) else np.zeros(len(cust), bool)
    code, day, amount, qty = pos[known], day[known], amount[known], qty[known]
    refund = amount < 0
    # one key per (customer, day): same-day orders are one purchase occasion
    key = code[~refund] * np.int64(1 << 24) + (day[~refund] - day.min(initial=0))
    uniq, inv = np.unique(key, return_inverse=True)
    spend = np.bincount(inv, weights=amount[~refund], minlength=len(uniq))
    quantity = np.bincount(inv, weights=qty[~refund], minlength=len(uniq))
    ucode = uniq // np.int64(1 << 24)
    uday = uniq % np.int64(1 << 24) + day.min(initial=0)
    order = np.lexsort((day[refund], code[refund]))
    return History(ucode, uday, spend, quantity, code[refund][order], day[refund][order],
                   amount[refund][order], ids)


def features(h: History, cutoff: int, horizon: float) -> pd.DataFrame:
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
    gap_mean = np.where(x > 0, t_x / np.maximum(x, 1), np.nan)
    gap_sq = np.bincount(code, weights=gap**2, minlength=n_cust)
    gap_sd = np.sqrt(np.maximum(gap_sq / np.maximum(x, 1) - np.nan_to_num(gap_mean) ** 2, 0))
    last_gap = np.where(x > 0, gap[safe_end] if len(gap) else 0, np.nan)
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
    window = {f"n_last_{k}": np.bincount(code, weights=day > cutoff - w, minlength=n_cust)
              for k, w in (("q", horizon / 4), ("h", horizon / 2), ("1", horizon))}
    refunds = np.bincount(h.refund_code, weights=-h.refund_amount, minlength=n_cust)
    return pd.DataFrame({
        "customer_id": h.ids, "n": count, "x": x, "t_x": t_x, "T": age, "recency": recency,
        "first_day": first, "last_day": last, "total": total, "mean_spend": total / np.maximum(count, 1),
        "first_spend": first_spend, "zbar": zbar, "gap_mean": gap_mean, "gap_sd": gap_sd,
        "last_gap": last_gap, "cycle_ratio": recency / gap_mean,
        "last_gap_ratio": last_gap / gap_mean, "basket_trend": basket_trend,
        "qty_trend": qty_trend, "qty_mean": qty_total / np.maximum(count, 1),
        "refunds": refunds, **window,
    })


def _ratio(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    # baskets can be zero (free samples) or tiny; cap so one odd order cannot dominate
    return np.clip(np.where(b > 0, a / np.where(b > 0, b, 1), np.where(a > 0, 5.0, 1.0)), 0, 5)


def contact_features(ids: np.ndarray, complaints: pd.DataFrame | None,
                     interactions: pd.DataFrame | None, cutoff: int, horizon: float) -> pd.DataFrame:
    """Complaint counts and interaction sentiment per customer, as of the cutoff."""
    out = pd.DataFrame({"complaints": 0.0, "open_complaints": 0.0, "neg_contacts": 0.0,
                        "sentiment": 0.0}, index=ids)
    if complaints is not None and len(complaints):
        c = complaints[_days(complaints["date"]) <= cutoff]
        out["complaints"] = c.groupby("customer_id").size().reindex(ids).fillna(0).to_numpy(float)
        still_open = c["status"].fillna("open").astype(str).str.lower() != "resolved"
        out["open_complaints"] = (c[still_open].groupby("customer_id").size()
                                  .reindex(ids).fillna(0).to_numpy(float))
    if interactions is not None and len(interactions):
        i = interactions[(_days(interactions["date"]) <= cutoff)
                         & (_days(interactions["date"]) > cutoff - max(horizon, 90))]
        s = pd.to_numeric(i["sentiment"], errors="coerce")
        grouped = pd.DataFrame({"c": i["customer_id"], "s": s, "neg": s < -0.05}).groupby("c")
        out["sentiment"] = grouped["s"].mean().reindex(ids).fillna(0).to_numpy(float)
        out["neg_contacts"] = grouped["neg"].sum().reindex(ids).fillna(0).to_numpy(float)
    return out.reset_index(drop=True)


def _days(dates: pd.Series) -> np.ndarray:
    parsed = pd.to_datetime(dates.astype(str).str.slice(0, 10), format="%Y-%m-%d", errors="coerce")
    return parsed.to_numpy("datetime64[D]").astype(np.int64)
