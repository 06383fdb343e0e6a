"""Churn, next purchase, lifecycle stage and value per customer, explained (issue 3)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from assistant.churn_labels import SEGMENT_LABELS, STAGE_LABELS, reasons, risk, segments, stages
from assistant.records import InvalidInput, NotFound

__all__ = ["SEGMENT_LABELS", "STAGE_LABELS", "ChurnRow", "churn_report", "explain_customer"]
RISK_ORDER = {"high": 0, "medium": 1, "low": 2}


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
    segment: str
    loyal: bool
    reasons: list[str] = field(default_factory=list)
    open_complaints: int = 0
    horizon_days: int = 0
    as_of: str = ""


def churn_report(store, as_of: str | None = None, horizon: int | None = None,
                 top: int | None = 20, lang: str = "en") -> list[ChurnRow]:
    """Customers most likely to stop buying, riskiest and most valuable first; top=None for all."""
    if top is not None and top < 1:
        raise InvalidInput("top must be at least 1 (or None for every customer).")
    scored = _scored(store, as_of, horizon)
    frame = scored["frame"]
    order = np.lexsort((-frame["at_stake"].to_numpy(), frame["risk"].map(RISK_ORDER).to_numpy()))
    rows = order if top is None else order[:top]
    return _rows(store, scored, rows, lang)


def explain_customer(store, customer_id: int, as_of: str | None = None,
                     lang: str = "en") -> ChurnRow:
    """One customer's churn risk, next purchase, stage and value with the reasons."""
    store.get_customer(int(customer_id))  # NotFound with its own hint
    scored = _scored(store, as_of, None)
    hits = np.flatnonzero(scored["frame"]["customer_id"].to_numpy() == int(customer_id))
    if not len(hits):
        raise NotFound(f"No customer with id {customer_id}. Call find_customers(...) to get ids.")
    return _rows(store, scored, hits, lang)[0]


def _as_of(as_of: str | None) -> pd.Timestamp:
    if as_of is None:
        return pd.Timestamp.today().normalize()
    from assistant.validate import iso_date

    return pd.Timestamp(iso_date(as_of))  # InvalidInput says which format to use


def _scored(store, as_of: str | None, horizon: int | None) -> dict:
    """Score every customer of the store and add stage, segment, risk and value at stake."""
    from assistant import churn_model

    when = _as_of(as_of)
    if horizon is not None and not 1 <= int(horizon) <= 3650:
        raise InvalidInput("horizon must be between 1 and 3650 days.")
    complaints = store.complaints_frame()
    scores = churn_model.score(
        _orders(store, when), when, horizon,
        complaints=complaints, interactions=store.interactions_frame(),
        customer_ids=_customer_ids(store),
    )
    f = scores.frame
    p = f["churn_probability"].to_numpy()
    f["risk"] = risk(p)
    f["stage"] = stages(f, scores.horizon)
    f["segment"] = segments(f)
    f["loyal"] = (f["n"].to_numpy() >= 3) & (p < 0.5) & (f["stage"].to_numpy() != "decline")
    # what the customer brought per horizon-long stretch so far: the revenue a churn would cost
    run_rate = np.maximum(f["total"].to_numpy(), 0) * scores.horizon / np.maximum(
        f["T"].to_numpy() + 1, scores.horizon)
    f["at_stake"] = p * run_rate
    return {"scores": scores, "frame": f, "complaints": complaints}


# The two readers below use store.db read-only, as store.orders_frame() / customers_frame()
# would, but skip the string dates and the million names: at 1M customers that is most of
# the 3-second budget (issue 3, bench/churn_scale.py).
def _orders(store, when: pd.Timestamp) -> pd.DataFrame:
    """Orders dated on or before `when`: customer_id, date, amount, quantity."""
    from itertools import chain

    rows = store.db.execute(
        # -1e9 marks a date SQLite cannot read; "+date" scans the table instead of the index
        "SELECT customer_id, coalesce(CAST(julianday(substr(date, 1, 10)) - 2440587.5 AS INTEGER),"
        " -1e9), coalesce(amount, 0), coalesce(quantity, 1) FROM orders WHERE +date < ?",
        [(when + pd.Timedelta(days=1)).strftime("%Y-%m-%d")],
    ).fetchall()
    data = np.fromiter(chain.from_iterable(rows), dtype=float, count=4 * len(rows)).reshape(-1, 4)
    data = data[data[:, 1] > -1e9]
    return pd.DataFrame({
        "customer_id": data[:, 0].astype(np.int64),
        "date": data[:, 1].astype(np.int64).astype("datetime64[D]").astype("datetime64[ns]"),
        "amount": data[:, 2], "quantity": data[:, 3],
    })


def _customer_ids(store) -> np.ndarray:
    """Every customer id (1..n without a query per row when ids are dense, as usual)."""
    count, low, high = store.db.execute("SELECT count(*), min(id), max(id) FROM customers").fetchone()
    if count and low == 1 and high == count:
        return np.arange(1, count + 1, dtype=np.int64)
    return np.array([r[0] for r in store.db.execute("SELECT id FROM customers")], np.int64)


def _names(store, ids: np.ndarray) -> dict[int, tuple]:
    """id -> (external_id, name) for the customers being returned."""
    out: dict[int, tuple] = {}
    ids = [int(i) for i in ids]
    for start in range(0, len(ids), 900):  # SQLite caps bound parameters
        chunk = ids[start:start + 900]
        marks = ",".join("?" * len(chunk))
        for cid, ext, name in store.db.execute(
                f"SELECT id, external_id, name FROM customers WHERE id IN ({marks})", chunk):
            out[int(cid)] = (ext, name)
    return out


def _open_complaints(complaints: pd.DataFrame, ids: np.ndarray, as_of: pd.Timestamp) -> dict:
    """Open complaints filed by as_of, per customer, oldest first, as (date, category)."""
    if complaints is None or not len(complaints):
        return {}
    c = complaints[complaints["customer_id"].isin(ids)]
    c = c[c["status"].fillna("open").astype(str).str.lower() != "resolved"]
    dates = pd.to_datetime(c["date"].astype(str).str.slice(0, 10), errors="coerce")
    c = c.assign(_d=dates)[dates.notna() & (dates <= as_of)].sort_values("_d")
    return {cid: list(zip(g["_d"].dt.strftime("%Y-%m-%d"), g["category"].fillna("")))
            for cid, g in c.groupby("customer_id")}


def _rows(store, scored: dict, rows: np.ndarray, lang: str) -> list[ChurnRow]:
    from assistant.churn_model import next_purchase_days

    scores, f = scored["scores"], scored["frame"]
    picked = f.iloc[rows]
    names = _names(store, picked["customer_id"].to_numpy())
    days = next_purchase_days(scores, rows)
    nexts = [None if not np.isfinite(d) else
             (scores.as_of + pd.Timedelta(days=int(d))).strftime("%Y-%m-%d") for d in days]
    complaints = _open_complaints(scored["complaints"], picked["customer_id"].to_numpy(), scores.as_of)
    out = []
    for (_, row), next_date in zip(picked.iterrows(), nexts):
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
            segment=str(row["segment"]),
            loyal=bool(row["loyal"]),
            reasons=reasons(row, scores.horizon, scores.typical_gap, lang, mine),
            open_complaints=len(mine),
            horizon_days=scores.horizon,
            as_of=scores.as_of.strftime("%Y-%m-%d"),
        ))
    return out
