"""Churn, next purchase, lifecycle stage and value per customer, explained."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field

import numpy as np

from assistant.analytics import preload
from assistant.analytics.labels import (
    SEGMENT_LABELS,
    STAGE_LABELS,
    priority,
    reasons,
    segments,
    stages,
    tier,
)
from assistant.core.records import InvalidInput, NotFound
from assistant.lang.validate import iso_date

__all__ = ["SEGMENT_LABELS", "STAGE_LABELS", "ChurnPage", "ChurnRow", "churn_page", "churn_report",
           "explain_customer"]
RISKS = np.array(["high", "medium", "low"])
_CACHE: OrderedDict = OrderedDict()  # (db file, data version, as_of, horizon) -> scored shop
_CACHE_SIZE = 2  # a 1M-customer shop's scores take ~400 MB


@dataclass(frozen=True)
class ChurnRow:
    """One customer's churn risk, next purchase, stage, value and the reasons, as of a date."""

    customer_id: int
    external_id: str | None
    name: str
    churn_probability: float
    risk: str
    expected_next_purchase: str | None
    expected_purchases: float
    stage: str
    clv: float
    historic_value: float
    at_stake: float  # revenue a churn would cost: churn_probability x value if retained
    segment: str
    loyal: bool
    reasons: list[str] = field(default_factory=list)
    open_complaints: int = 0
    horizon_days: int = 0
    as_of: str = ""


@dataclass(frozen=True)
class ChurnPage:
    """The report's first rows, out of `matching` customers (everyone, or the quiet ones)."""

    rows: list[ChurnRow]
    matching: int
    quiet_days: int | None = None
    # regulars worth as much as those shown who are slipping into decline: named beside the loyal
    slipping: list[ChurnRow] = field(default_factory=list)


def churn_report(store, as_of: str | None = None, horizon: int | None = None,
                 top: int | None = 20, lang: str = "en",
                 quiet_days: int | None = None) -> list[ChurnRow]:
    """Customers most likely to stop buying, riskiest and most at stake first; top=None for all;
    quiet_days=N keeps those whose last order is N or more days old."""
    return churn_page(store, as_of, horizon, top, lang, quiet_days).rows


def churn_page(store, as_of: str | None = None, horizon: int | None = None,
               top: int | None = 20, lang: str = "en", quiet_days: int | None = None) -> ChurnPage:
    """churn_report's rows, with how many customers it ranks."""
    if top is not None and top < 1:
        raise InvalidInput("top must be at least 1 (or None for every customer).")
    if quiet_days is not None and not 1 <= int(quiet_days) <= 3650:
        raise InvalidInput("quiet_days must be between 1 and 3650 (e.g. 60 for two months).")
    scored = _scored(store, as_of, horizon)
    f = scored["frame"]
    if quiet_days is None:
        rows = priority(f["churn_probability"], f["at_stake"], f["level"], top)[:top]
        return ChurnPage(_rows(store, scored, rows, lang), len(f["n"]))
    # a customer with no order yet has a NaN recency, never >= N: not "lapsed"
    keep = np.flatnonzero(f["recency"] >= int(quiet_days))
    order = priority(f["churn_probability"][keep], f["at_stake"][keep], f["level"][keep], top)[:top]
    return ChurnPage(_rows(store, scored, keep[order], lang), len(keep), int(quiet_days))


def loyal_page(store, as_of: str | None = None, top: int = 10, lang: str = "en") -> ChurnPage:
    """The loyal regulars: three or more orders, on their own rhythm, not in decline (the
    stability stage and the RFM champions and loyal segments), most valuable first."""
    if top < 1:
        raise InvalidInput("top must be at least 1.")
    scored = _scored(store, as_of, None)
    f = scored["frame"]
    keep = np.flatnonzero(f["loyal"])
    worth = f["total"] - f["refunds"]
    order = keep[np.argsort(-worth[keep], kind="stable")][:top]
    # a big regular whose rhythm broke is no longer "loyal", but an owner asking for the loyal
    # ones needs to hear of them first: the warning the customer file exists to give
    bar = worth[order].min() if len(order) else 0.0
    lapsing = np.flatnonzero((f["n"] >= 3) & (f["stage"] == "decline") & (worth >= bar))
    lapsing = lapsing[np.argsort(-worth[lapsing], kind="stable")][:3]
    return ChurnPage(_rows(store, scored, order, lang), len(keep),
                     slipping=_rows(store, scored, lapsing, lang) if len(lapsing) else [])


def explain_customer(store, customer_id: int, as_of: str | None = None,
                     lang: str = "en") -> ChurnRow:
    """One customer's churn risk, next purchase, stage and value with the reasons."""
    store.get_customer(int(customer_id))  # NotFound with its own hint
    scored = _scored(store, as_of, None)
    hits = np.flatnonzero(scored["frame"]["customer_id"] == int(customer_id))
    if not len(hits):
        raise NotFound(f"No customer with id {customer_id}. Call find_customers(...) to get ids.")
    return _rows(store, scored, hits, lang)[0]


def scored_shop(store, as_of: str | None = None) -> dict:
    """Every customer scored as of a day: {"frame", "scores", "complaints"}, cached like the report."""
    return _scored(store, as_of, None)


def _as_of(as_of: str | None):
    import pandas as pd

    if as_of is None:
        return pd.Timestamp.today().normalize()

    return pd.Timestamp(iso_date(as_of))  # InvalidInput says which format to use


def _scored(store, as_of: str | None, horizon: int | None) -> dict:
    """The scored shop, from the cache while the data, date and horizon are unchanged."""
    when = _as_of(as_of)
    if horizon is not None and not 1 <= int(horizon) <= 3650:
        raise InvalidInput("horizon must be between 1 and 3650 days.")
    key = (str(store.path), store.data_version(), when, horizon) if store.path else None
    if key in _CACHE:
        _CACHE.move_to_end(key)
        return _CACHE[key]
    scored = _score_shop(store, when, horizon)
    if key is not None:
        _CACHE[key] = scored
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return scored


def _score_shop(store, when, horizon: int | None) -> dict:
    """Score every customer of the store and add stage, segment, risk and value at stake."""
    from assistant.analytics import churn_model

    # scikit-learn takes about a second to import: let it load while the orders are read
    # and the features built (numpy's sorts and SQLite's reads release the GIL)
    preload.sklearn_in_background()
    complaints = store.complaints_frame()
    scores = churn_model.score(
        store.orders_arrays(when.strftime("%Y-%m-%d")), when, horizon,
        complaints=complaints, interactions=store.interactions_frame(),
        customer_ids=store.customer_ids(),
    )
    f = scores.frame
    own = _own_rhythm_risk(scores)
    f["stage"] = stages(f, scores.horizon, own)
    # one story: a customer in decline is at least a medium risk
    f["level"] = np.where(f["stage"] == "decline", np.minimum(tier(own), 1), tier(own))
    f["risk"] = RISKS[f["level"]]
    f["loyal"] = (f["n"] >= 3) & (own < 0.5) & (f["stage"] != "decline")
    return {"scores": scores, "frame": f, "complaints": complaints}


def _own_rhythm_risk(scores) -> np.ndarray:
    """P(no purchase) within max(horizon, twice the customer's own usual gap).

    A customer who buys twice a year is quiet for most of a 53-day horizon without being
    lost: their risk tier is judged by BG/NBD over their own rhythm, from their own x, t_x
    and T (the learned model only ever saw horizon-long windows); churn_probability stays.
    """
    f, h = scores.frame, scores.horizon
    p = f["churn_probability"].copy()
    slow = np.flatnonzero((f["n"] >= 2) & (np.nan_to_num(f["gap_mean"]) * 2 > h))
    if len(slow):
        x, t_x, T = (f[c][slow] for c in ("x", "t_x", "T"))
        quiet = scores.bgnbd.p_no_purchase(2 * f["gap_mean"][slow], x, t_x, T)
        p[slow] = np.minimum(p[slow], quiet)
    return p


def _open_complaints(complaints, ids: np.ndarray, as_of) -> dict:
    """Open complaints filed by as_of, per customer, oldest first, as (date, category)."""
    import pandas as pd

    if complaints is None or not len(complaints):
        return {}
    c = complaints[complaints["customer_id"].isin(ids)]
    c = c[c["status"].fillna("open").astype(str).str.lower() != "resolved"]
    dates = pd.to_datetime(c["date"].astype(str).str.slice(0, 10), errors="coerce")
    c = c.assign(_d=dates)[dates.notna() & (dates <= as_of)].sort_values("_d")
    return {cid: list(zip(g["_d"].dt.strftime("%Y-%m-%d"), g["category"].fillna("")))
            for cid, g in c.groupby("customer_id")}


def _rows(store, scored: dict, rows: np.ndarray, lang: str) -> list[ChurnRow]:
    import pandas as pd

    from assistant.analytics.churn_model import next_purchase_days, take

    scores = scored["scores"]
    picked = take(scored["frame"], np.asarray(rows))
    names = store.customer_labels(picked["customer_id"])
    days = next_purchase_days(scores, rows)
    nexts = [None if not np.isfinite(d) else
             (scores.as_of + pd.Timedelta(days=int(d))).strftime("%Y-%m-%d") for d in days]
    complaints = _open_complaints(scored["complaints"], picked["customer_id"], scores.as_of)
    out = []
    for i, (next_date, segment) in enumerate(zip(nexts, segments(scored["frame"], rows))):
        row = {name: col[i] for name, col in picked.items()}
        cid = int(row["customer_id"])
        ext, name = names.get(cid, (None, ""))
        mine = complaints.get(cid, [])
        out.append(ChurnRow(
            customer_id=cid,
            external_id=None if ext is None else str(ext),
            name=str(name or ""),
            churn_probability=round(float(row["churn_probability"]), 3),
            risk=str(row["risk"]),
            expected_next_purchase=next_date,
            expected_purchases=round(float(row["expected_purchases"]), 2),
            stage=str(row["stage"]),
            clv=round(float(row["clv"]), 2),
            historic_value=round(float(row["total"] - row["refunds"]), 2),
            at_stake=round(float(row["at_stake"]), 2),
            segment=str(segment),
            loyal=bool(row["loyal"]),
            reasons=reasons(row, scores.horizon, scores.typical_gap, lang, mine),
            open_complaints=len(mine),
            horizon_days=scores.horizon,
            as_of=scores.as_of.strftime("%Y-%m-%d"),
        ))
    return out
