"""Backtest of the briefing's "call today" list against two baselines, and its build time.

Who can a call help? The *wavering*: regulars (>= 3 purchase days before the as-of date) who are
late on their own rhythm at that date (days since the last order > their mean gap) and who do
come back later — but only after a gap longer than twice their usual cycle. Customers who buy on
time needed no call; those who never come back were probably lost already.

For each as-of date and N in (7, 20, 50), three lists of N customers are scored:
  briefing  — `today(store, as_of).call_today` (recoverable value)
  churn     — the churn report's order (`crm churn`)
  longest   — the regulars with the longest time since their last order
precision@N = share of the list that is wavering; spend = what the listed wavering customers
spent in the following 52 weeks (or to the end of the data, printed per date).

Data nobody here wrote: CDNOW (the CDNOW_master.txt shipped in the `lifetimes` wheel, bench
extra only), loaded into a real store file; and the demo shop. Same-day orders count as one
purchase occasion, as everywhere in the analytics.

    .venv/bin/python bench/today.py [--dates 1997-05-03,...] [--skip-scale]
"""

from __future__ import annotations

import argparse
import importlib.metadata
import sqlite3
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from assistant.analytics import churn_report
from assistant.analytics.briefing import today
from assistant.importer.demo_shop import build_demo
from assistant.store import Store

OUT = Path(__file__).parent / "out"
NS = (7, 20, 50)
# weekly Saturdays spread over CDNOW's history (its cohort first bought Jan-Mar 1997; data to
# 1998-06-30): the later dates' 52 weeks are cut at the end of the data, and say so
CDNOW_DATES = ("1997-04-26", "1997-05-31", "1997-07-05", "1997-08-09", "1997-09-13",
               "1997-10-18", "1997-11-22", "1998-01-03")
DEMO_END = "2026-11-22"
# the demo's regulars start to drift 4-7 months before its last day: as-of dates from then on
DEMO_DATES = ("2026-06-13", "2026-07-04", "2026-07-25", "2026-08-15", "2026-09-05", "2026-09-26")


def cdnow_store(path: Path) -> Store:
    """CDNOW's orders in a real CRM store file, built once."""
    if path.exists():
        return Store.open(path)
    try:
        dist = importlib.metadata.distribution("lifetimes")
    except importlib.metadata.PackageNotFoundError:
        raise SystemExit("Install the bench extra first: .venv/bin/pip install lifetimes==0.11.3")
    raw = pd.read_csv(dist.locate_file("lifetimes/datasets/CDNOW_master.txt"), sep=r"\s+",
                      header=0, dtype={"date": str},
                      names=["customer_id", "date", "quantity", "amount"])
    raw["date"] = pd.to_datetime(raw["date"], format="%Y%m%d").dt.strftime("%Y-%m-%d")
    path.parent.mkdir(parents=True, exist_ok=True)
    Store.open(path).close()  # schema and migrations
    conn = sqlite3.connect(path)
    with conn:
        conn.executemany("INSERT INTO customers (id, external_id, name, name_key) VALUES (?,?,?,?)",
                         [(int(c), f"CD{c}", f"CDNOW {c}", f"cdnow {c}")
                          for c in sorted(raw["customer_id"].unique())])
        conn.executemany("INSERT INTO orders (customer_id, date, amount, quantity) VALUES (?,?,?,?)",
                         raw[["customer_id", "date", "amount", "quantity"]]
                         .astype(object).itertuples(index=False, name=None))
    conn.close()
    return Store.open(path)


def truth(store: Store, as_of: str, end: str) -> tuple[dict[int, bool], dict[int, float]]:
    """Per customer: wavering at as_of, and spend in the 52 weeks after (cut at `end`)."""
    o = store.orders_arrays()
    day0 = (np.datetime64(as_of) - np.datetime64("1970-01-01")).astype(int)
    stop = min(day0 + 364, (np.datetime64(end) - np.datetime64("1970-01-01")).astype(int))
    frame = pd.DataFrame({"c": o["customer_id"], "d": o["day"], "a": o["amount"]})
    frame = frame[frame["a"] > 0]
    before = frame[frame["d"] <= day0].drop_duplicates(["c", "d"])
    after = frame[(frame["d"] > day0) & (frame["d"] <= stop)]
    g = before.groupby("c")["d"]
    n, first, last = g.nunique(), g.min(), g.max()
    gap = (last - first) / (n - 1).where(n > 1)
    back = after.groupby("c")["d"].min()
    spend = after.groupby("c")["a"].sum()
    late = (n >= 3) & ((day0 - last) > gap)
    ret = back.reindex(n.index)
    wavering = late & ret.notna() & ((ret - last) > 2 * gap)
    return ({int(c): bool(w) for c, w in wavering.items()},
            {int(c): float(s) for c, s in spend.items()})


def lists(store: Store, as_of: str, top: int) -> dict[str, list[int]]:
    """The three ranked lists of customer ids as of a date."""
    brief = today(store, as_of, top=top)
    churn = churn_report.churn_page(store, as_of, top=top)
    f = churn_report.scored_shop(store, as_of)["frame"]
    regular = np.flatnonzero(f["n"] >= 3)
    longest = regular[np.argsort(-f["recency"][regular], kind="stable")][:top]
    return {"briefing": [e.customer_id for e in brief.call_today],
            "churn": [r.customer_id for r in churn.rows],
            "longest": [int(c) for c in f["customer_id"][longest]]}


def backtest(name: str, store: Store, dates: tuple[str, ...], end: str) -> list[dict]:
    rows = []
    for as_of in dates:
        wav, spend = truth(store, as_of, end)
        ranked = lists(store, as_of, max(NS))
        cut = min(date.fromisoformat(as_of) + timedelta(days=364), date.fromisoformat(end))
        for n in NS:
            row = {"data": name, "as_of": as_of, "follow_to": cut.isoformat(), "N": n,
                   "wavering_in_shop": sum(wav.values())}
            for method, ids in ranked.items():
                top = ids[:n]
                hits = [c for c in top if wav.get(c)]
                row[f"{method}_p"] = len(hits) / n
                row[f"{method}_spend"] = sum(spend.get(c, 0.0) for c in hits)
            rows.append(row)
    return rows


def print_table(rows: list[dict]) -> None:
    head = (f"{'data':6} {'as_of':10} {'to':10} {'N':>3} {'waver':>5} | {'P@N brief':>9} "
            f"{'churn':>6} {'longest':>7} | {'spend brief':>11} {'churn':>9} {'longest':>9} | beats")
    print(head)
    print("-" * len(head))
    wins = 0
    for r in rows:
        beats = (r["briefing_p"] > max(r["churn_p"], r["longest_p"])
                 and r["briefing_spend"] > max(r["churn_spend"], r["longest_spend"]))
        wins += beats
        print(f"{r['data']:6} {r['as_of']:10} {r['follow_to']:10} {r['N']:>3} "
              f"{r['wavering_in_shop']:>5} | {r['briefing_p']:>9.2f} {r['churn_p']:>6.2f} "
              f"{r['longest_p']:>7.2f} | {r['briefing_spend']:>11,.0f} {r['churn_spend']:>9,.0f} "
              f"{r['longest_spend']:>9,.0f} | {'yes' if beats else 'NO'}")
    print(f"briefing beats both baselines on precision AND spend in {wins}/{len(rows)} rows")


def show_lists(store: Store, as_of: str, wav: dict[int, bool], n: int = 7) -> None:
    """The three lists side by side for one date (W = wavering)."""
    ranked = lists(store, as_of, n)
    names = store.customer_labels([c for ids in ranked.values() for c in ids])
    print(f"\nThe three lists on {as_of} (W = wavering):")
    print(f"{'briefing':28} {'churn':28} {'longest':28}")
    for i in range(n):
        cells = []
        for method in ("briefing", "churn", "longest"):
            ids = ranked[method]
            if i < len(ids):
                c = ids[i]
                cells.append(f"{'W' if wav.get(c) else ' '} {names.get(c, (None, str(c)))[1][:24]}")
            else:
                cells.append("")
        print(" ".join(f"{c:28}" for c in cells))


def timing(store: Store, as_of: str, label: str) -> None:
    churn_report._CACHE.clear()
    started = time.perf_counter()
    today(store, as_of)
    cold = time.perf_counter() - started
    started = time.perf_counter()
    today(store, as_of)
    warm = time.perf_counter() - started
    print(f"{label}: first briefing {cold:.2f} s (scores the shop), warm {warm:.3f} s")


CHAT_TOOLS = {"briefing": "daily_briefing", "loyal": "loyal_customers"}


def chat_section(names: list[str]) -> None:
    """Which tool the no-model router picks for briefing / loyal / other requests."""
    import json

    from assistant.agent.router import Route, RouteContext, route
    from assistant.agent.router.meaning import MeaningModel
    from knowledge.embedder import MultilingualE5Embedder
    from tools import TOOLS

    meaning = MeaningModel(MultilingualE5Embedder())
    sets = (("dev (own; tuned on)", Path(__file__).parent / "data" / "today_dev.jsonl"),
            ("blind (frozen; open to tuning since 2026-12-05)",
             Path(__file__).parent / "data" / "blind" / "today_blind.jsonl"))
    print("\nChat: right tool for the request, no model (briefing -> daily_briefing, loyal -> "
          "loyal_customers, other -> neither)")
    print(f"{'set':32} {'briefing':>12} {'loyal':>12} {'other':>12} {'all':>12}")
    for label, path in sets:
        rows = [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]
        right: dict[str, list[bool]] = {"briefing": [], "loyal": [], "other": []}
        for row in rows:
            ctx = RouteContext(today=date(2026, 11, 22), lang=row.get("lang", "en") if
                               row.get("lang") != "mixed" else "zh",
                               customer_names=lambda: names, meaning=meaning)
            found = route(row["text"], ctx, TOOLS)
            tool = found.tool if isinstance(found, Route) else None
            want = CHAT_TOOLS.get(row["intent"])
            ok = tool == want if want else tool not in CHAT_TOOLS.values()
            right[row["intent"]].append(ok)
        cells = [f"{sum(v)}/{len(v)} {sum(v) / max(len(v), 1):.0%}" for v in right.values()]
        total = [x for v in right.values() for x in v]
        print(f"{label:32} {cells[0]:>12} {cells[1]:>12} {cells[2]:>12} "
              f"{sum(total)}/{len(total)} {sum(total) / len(total):.0%}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dates", default=",".join(CDNOW_DATES), help="CDNOW as-of dates")
    parser.add_argument("--skip-scale", action="store_true", help="skip the 1M-customer timing")
    parser.add_argument("--chat-only", action="store_true", help="only the chat routing section")
    args = parser.parse_args()
    OUT.mkdir(exist_ok=True)
    demo_path = OUT / "today_demo.db"
    if not demo_path.exists():
        build_demo(Store.open(demo_path), seed=7, end=date.fromisoformat(DEMO_END))
    demo = Store.open(demo_path)
    chat_section(demo.customer_names())
    if args.chat_only:
        return

    cdnow = cdnow_store(OUT / "cdnow.db")

    rows = backtest("cdnow", cdnow, tuple(args.dates.split(",")), "1998-06-30")
    rows += backtest("demo", demo, DEMO_DATES, DEMO_END)
    print_table(rows)
    first = args.dates.split(",")[0]
    show_lists(cdnow, first, truth(cdnow, first, "1998-06-30")[0])
    show_lists(demo, DEMO_DATES[-1], truth(demo, DEMO_DATES[-1], DEMO_END)[0])

    print()
    timing(demo, DEMO_END, f"demo shop ({demo.count('customers')} customers)")
    timing(cdnow, "1998-06-30", f"CDNOW ({cdnow.count('customers'):,} customers)")
    if not args.skip_scale:
        scale = OUT / "churn_scale_1000000_2000000.db"  # shared with bench/churn_scale.py
        if not scale.exists():
            sys.path.insert(0, str(Path(__file__).parent))
            from churn_scale import build

            print("building the 1M-customer store once (a few minutes)...", flush=True)
            build(scale, 1_000_000, 2_000_000)
        timing(Store.open(scale), "2025-12-31", "1M customers / 2M orders")


if __name__ == "__main__":
    main()
