"""Lifecycle stage, RFM segment, risk tier and the reasons behind them, in zh and en (issue 3)."""

from __future__ import annotations

import numpy as np
import pandas as pd

STAGE_LABELS = {
    "exploration": {"en": "exploration", "zh": "考察期"},
    "formation": {"en": "formation", "zh": "形成期"},
    "stability": {"en": "stability", "zh": "稳定期"},
    "decline": {"en": "decline", "zh": "退化期"},
}
SEGMENT_LABELS = {
    "champions": {"en": "champions", "zh": "重要价值客户"},
    "loyal": {"en": "loyal", "zh": "忠诚客户"},
    "potential_loyalist": {"en": "potential loyalist", "zh": "潜力客户"},
    "new": {"en": "new", "zh": "新客户"},
    "need_attention": {"en": "need attention", "zh": "需要关注"},
    "about_to_sleep": {"en": "about to sleep", "zh": "即将沉睡"},
    "at_risk": {"en": "at risk", "zh": "流失风险"},
    "cant_lose": {"en": "can't lose", "zh": "重要挽留客户"},
    "hibernating": {"en": "hibernating", "zh": "沉睡客户"},
    "lost": {"en": "lost", "zh": "已流失"},
    "no_orders": {"en": "no orders", "zh": "未下单"},
}
RISK_CUTS = (0.6, 0.3)  # churn probability at or above: high, medium
TEXT = {
    "cycle": {"en": "usually buys every {gap} days; {recency} days since the last order ({ratio}×)",
              "zh": "通常每{gap}天购买一次；距上次下单已{recency}天（{ratio}倍）"},
    "one_order": {"en": "one order so far, {recency} days ago; repeat buyers here return every {gap} days",
                  "zh": "目前只下过一单，距今{recency}天；本店回购客户通常每{gap}天回购一次"},
    "no_orders": {"en": "no orders yet", "zh": "尚未下单"},
    "basket_down": {"en": "basket down {pct} % over the last 3 orders",
                    "zh": "最近3单客单价下降{pct}%"},
    "basket_up": {"en": "basket up {pct} % over the last 3 orders",
                  "zh": "最近3单客单价上升{pct}%"},
    "gap_widening": {"en": "last gap between orders was {last} days, {ratio}× the usual {gap}",
                     "zh": "最近一次购买间隔{last}天，是平时{gap}天的{ratio}倍"},
    "complaint": {"en": "open complaint about {category} since {date}",
                  "zh": "自{date}起有未解决的{category}投诉"},
    "complaints": {"en": "{n} open complaints, the oldest since {date}",
                   "zh": "有{n}个未解决投诉，最早自{date}起"},
    "sentiment": {"en": "{n} negative conversations recently (average sentiment {score})",
                  "zh": "近期有{n}次负面沟通（平均情绪{score}）"},
    "steady": {"en": "{n} orders, about every {gap} days; last one {recency} days ago",
               "zh": "共{n}单，约每{gap}天一单；上次下单在{recency}天前"},
    "expected": {"en": "expected {e} purchases in the next {h} days (P(no purchase) {p} %)",
                 "zh": "预计未来{h}天购买{e}次（不再购买的概率{p}%）"},
    "refunds": {"en": "refunds of {amount} so far", "zh": "累计退款{amount}"},
}
CATEGORY_ZH = {"delivery": "物流", "quality": "质量", "service": "服务", "price": "价格",
               "billing": "账单", "product": "产品", "other": "其他"}


def risk(p: np.ndarray) -> np.ndarray:
    """high / medium / low by churn probability."""
    return np.where(p >= RISK_CUTS[0], "high", np.where(p >= RISK_CUTS[1], "medium", "low"))


def _score(values: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """1-5 by the share of buyers strictly below; ties share the lower score."""
    out = np.zeros(len(values), int)
    v = values[mask]
    if len(v):
        below = np.searchsorted(np.sort(v), v, side="left") / len(v)
        out[mask] = np.clip(1 + np.floor(below * 5), 1, 5).astype(int)
    return out


def segments(f: pd.DataFrame) -> np.ndarray:
    """Classic RFM segments from recency, frequency and monetary quintiles among buyers."""
    buyers = f["n"].to_numpy() > 0
    r = _score(-np.nan_to_num(f["recency"].to_numpy(), nan=0.0), buyers)
    fm = np.round((_score(f["n"].to_numpy(float), buyers)
                   + _score(f["total"].to_numpy(float), buyers)) / 2)
    out = np.select(
        [~buyers, (r >= 4) & (fm >= 4), (r >= 3) & (fm >= 4), (r >= 4) & (fm >= 2),
         (r >= 4), (r == 3) & (fm >= 3), (r == 3), (r <= 2) & (fm >= 5), (r <= 2) & (fm >= 3),
         (r == 2)],
        ["no_orders", "champions", "loyal", "potential_loyalist", "new", "need_attention",
         "about_to_sleep", "cant_lose", "at_risk", "hibernating"],
        default="lost",
    )
    return out


def stages(f: pd.DataFrame, horizon: float) -> np.ndarray:
    """Exploration / formation / stability, with decline reachable from any of them."""
    n = f["n"].to_numpy()
    cv = np.nan_to_num(f["gap_sd"].to_numpy() / f["gap_mean"].to_numpy(), nan=9.0)
    base = np.where(n <= 1, "exploration", np.where((n >= 4) & (cv <= 1.0), "stability", "formation"))
    return np.where(decline_signals(f, horizon).any(axis=1), "decline", base)


def decline_signals(f: pd.DataFrame, horizon: float) -> np.ndarray:
    """Boolean columns: overdue, widening gaps, shrinking baskets, open complaints, bad tone, long gone."""
    n = f["n"].to_numpy()
    with np.errstate(invalid="ignore"):
        overdue = (n >= 2) & (np.nan_to_num(f["cycle_ratio"].to_numpy()) >= 2.0)
        widening = (n >= 3) & (np.nan_to_num(f["last_gap_ratio"].to_numpy()) >= 2.0)
        shrinking = (n >= 4) & (f["basket_trend"].to_numpy() <= 0.6)
    complaints = f["open_complaints"].to_numpy() > 0
    tone = (f["neg_contacts"].to_numpy() >= 2) | (f["sentiment"].to_numpy() <= -0.3)
    gone = (n == 1) & (np.nan_to_num(f["recency"].to_numpy()) > 2 * horizon)
    return np.column_stack([overdue, widening, shrinking, complaints, tone, gone])


def _num(v: float) -> str:
    return f"{v:.0f}" if abs(v) >= 10 or float(v).is_integer() else f"{v:.1f}"


def reasons(row: pd.Series, horizon: int, typical_gap: float, lang: str,
            complaints: list[tuple[str, str]]) -> list[str]:
    """1-4 short sentences, each tied to a number, most telling first."""
    lang = "zh" if lang == "zh" else "en"
    say = lambda key, **kw: TEXT[key][lang].format(**kw)
    out: list[str] = []
    n = int(row["n"])
    if n == 0:
        return [say("no_orders")]
    rec, gap = float(row["recency"]), float(row["gap_mean"]) if n > 1 else float("nan")
    if n == 1:
        out.append(say("one_order", recency=_num(rec), gap=_num(round(typical_gap))))
    elif row["cycle_ratio"] >= 1.5 or n < 4:
        out.append(say("cycle", gap=_num(round(gap)), recency=_num(rec),
                       ratio=f"{rec / max(gap, 1e-9):.1f}"))
    else:
        out.append(say("steady", n=n, gap=_num(round(gap)), recency=_num(rec)))
    if complaints:
        date, category = complaints[0]
        if len(complaints) == 1:
            cat = CATEGORY_ZH.get(category, category) if lang == "zh" else category
            out.append(say("complaint", category=cat or "-", date=_date(date, lang)))
        else:
            out.append(say("complaints", n=len(complaints), date=_date(date, lang)))
    if n >= 4 and row["basket_trend"] <= 0.75:
        out.append(say("basket_down", pct=round(100 * (1 - row["basket_trend"]))))
    elif n >= 3 and row["last_gap_ratio"] >= 2:
        out.append(say("gap_widening", last=_num(row["last_gap"]), gap=_num(round(gap)),
                       ratio=f"{row['last_gap_ratio']:.1f}"))
    if row["neg_contacts"] >= 1 and row["sentiment"] < 0:
        out.append(say("sentiment", n=int(row["neg_contacts"]), score=f"{row['sentiment']:.2f}"))
    if len(out) < 4 and n >= 4 and row["basket_trend"] >= 1.5:
        out.append(say("basket_up", pct=round(100 * (row["basket_trend"] - 1))))
    if len(out) < 4:
        out.append(say("expected", e=f"{row['expected_purchases']:.1f}", h=horizon,
                       p=round(100 * row["churn_probability"])))
    if len(out) < 4 and row["refunds"] > 0:
        out.append(say("refunds", amount=f"{row['refunds']:.2f}"))
    return out[:4]


def _date(iso: str, lang: str) -> str:
    ts = pd.Timestamp(str(iso)[:10])
    return f"{ts.month}月{ts.day}日" if lang == "zh" else f"{ts.day} {ts:%b}"
