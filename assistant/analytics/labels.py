"""Lifecycle stage, RFM segment, risk tier and the reasons behind them, in zh and en."""

from __future__ import annotations

from datetime import date

import numpy as np

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
STAGES = np.array(list(STAGE_LABELS))
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
    "sentiment": {"en": "recent conversations with a negative tone: {n} (average sentiment {score})",
                  "zh": "近期有{n}次负面沟通（平均情绪{score}）"},
    "steady": {"en": "{n} orders, about every {gap} days; last one {recency} days ago",
               "zh": "共{n}单，约每{gap}天一单；上次下单在{recency}天前"},
    "expected": {"en": "expected {e} purchases in the next {h} days",
                 "zh": "未来{h}天预计购买{e}次"},
    "none_expected": {"en": "no purchase expected in the next {h} days",
                      "zh": "未来{h}天预计不会购买"},
    "not_due": {"en": "usually buys every {gap} days; last order {recency} days ago — not overdue yet",
                "zh": "通常每{gap}天购买一次；距上次下单{recency}天，还没到下次购买的时候"},
    "refunds": {"en": "refunds of {amount} so far", "zh": "累计退款{amount}"},
}
CATEGORY_ZH = {"delivery": "物流", "quality": "质量", "service": "服务", "price": "价格",
               "billing": "账单", "product": "产品", "other": "其他",
               # the triage's categories (assistant/complaints/triage.py)
               "product_quality": "产品质量", "wrong_or_missing_item": "错发漏发",
               "service_attitude": "服务态度", "price_billing_refund": "价格/扣款/退款",
               "waiting_time": "等待时间", "hygiene_environment": "卫生环境"}


def risk(p: np.ndarray) -> np.ndarray:
    """high / medium / low by churn probability."""
    return np.where(p >= RISK_CUTS[0], "high", np.where(p >= RISK_CUTS[1], "medium", "low"))


def probability_agrees(p: float, level: str | None) -> bool:
    """Whether P(no purchase within the horizon) alone gives this risk level. It does not when
    the customer's own slow rhythm lowered the level or decline signals raised it; "low risk (99%)"
    would then read as a contradiction, and the reasons say why instead."""
    return str(risk(np.asarray([float(p or 0)]))[0]) == level


def tier(p: np.ndarray) -> np.ndarray:
    """0 = high, 1 = medium, 2 = low (the report's first sort key)."""
    return np.where(p >= RISK_CUTS[0], 0, np.where(p >= RISK_CUTS[1], 1, 2))


def priority(p: np.ndarray, at_stake: np.ndarray, level: np.ndarray | None = None,
             top: int | None = None) -> np.ndarray:
    """Row order of the report: risk tier first, then revenue at stake, largest first
    (only the first `top` rows when given)."""
    stake = -np.nan_to_num(at_stake)
    level = tier(p) if level is None else level
    if top is not None and 0 < top < len(stake):
        # the first rows by (tier, stake) without sorting them all (a full sort of 1M rows
        # took 0.2 s to pick the two-stage model's 50,000): one key, monotone in that order,
        # selects every row up to the top-th one, ties included; sorting just those gives
        # exactly the full sort's head
        key = level * (np.abs(stake).max(initial=0) * 2 + 1) + stake
        bound = np.partition(key, top - 1)[top - 1]
        head = np.flatnonzero(key <= bound)
        return head[np.lexsort((stake[head], level[head]))]
    return np.lexsort((stake, level))


def _score(values: np.ndarray, mask: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """1-5 by the share of buyers strictly below, for `rows`; ties share the lower score."""
    v = values[mask]
    if not len(v):
        return np.zeros(len(rows), int)
    if len(rows) * 50 < len(v):  # a page of the report: count directly, no sort of 1M values
        below = np.array([np.count_nonzero(v < values[r]) for r in rows]) / len(v)
    else:
        below = np.searchsorted(np.sort(v), values[rows], side="left") / len(v)
    return np.where(mask[rows], np.clip(1 + np.floor(below * 5), 1, 5), 0).astype(int)


def segments(f: dict[str, np.ndarray], rows: np.ndarray | None = None) -> np.ndarray:
    """Classic RFM segments from recency, frequency and monetary quintiles among buyers."""
    buyers = f["n"] > 0
    rows = np.arange(len(buyers)) if rows is None else np.asarray(rows)
    r = _score(-np.nan_to_num(f["recency"], nan=0.0), buyers, rows)
    fm = np.round((_score(f["n"], buyers, rows) + _score(f["total"], buyers, rows)) / 2)
    out = np.select(
        [~buyers[rows], (r >= 4) & (fm >= 4), (r >= 3) & (fm >= 4), (r >= 4) & (fm >= 2),
         (r >= 4), (r == 3) & (fm >= 3), (r == 3), (r <= 2) & (fm >= 5), (r <= 2) & (fm >= 3),
         (r == 2)],
        ["no_orders", "champions", "loyal", "potential_loyalist", "new", "need_attention",
         "about_to_sleep", "cant_lose", "at_risk", "hibernating"],
        default="lost",
    )
    return out


def stages(f: dict[str, np.ndarray], horizon: float,
           own_risk: np.ndarray | None = None) -> np.ndarray:
    """Exploration / formation / stability, with decline reachable from any of them."""
    n = f["n"]
    with np.errstate(invalid="ignore", divide="ignore"):
        cv = np.nan_to_num(f["gap_sd"] / f["gap_mean"], nan=9.0)
    # small integer codes, named once: np.where over 1M strings is ten times slower
    base = np.where(n <= 1, 0, np.where((n >= 4) & (cv <= 1.0), 2, 1))
    code = np.where(decline_signals(f, horizon, own_risk).any(axis=1), 3, base)
    return STAGES[code]


def decline_signals(f: dict[str, np.ndarray], horizon: float,
                    own_risk: np.ndarray | None = None) -> np.ndarray:
    """Boolean columns: overdue, widening gaps, shrinking baskets, open complaints, bad tone, long gone.

    `own_risk` (P(no purchase) within the customer's own window) also marks as overdue a
    regular 1.5x past their rhythm whom the model already gives up on.
    """
    n = f["n"]
    cycle = np.nan_to_num(f["cycle_ratio"])
    overdue = (n >= 2) & (cycle >= 2.0)
    if own_risk is not None:
        overdue |= (n >= 2) & (cycle >= 1.5) & (own_risk >= RISK_CUTS[0])
    widening = (n >= 3) & (np.nan_to_num(f["last_gap_ratio"]) >= 2.0)
    shrinking = (n >= 4) & (f["basket_trend"] <= 0.6)
    complaints = f["open_complaints"] > 0
    tone = (f["neg_contacts"] >= 2) | (f["sentiment"] <= -0.3)
    gone = (n == 1) & (np.nan_to_num(f["recency"]) > 2 * horizon)
    return np.column_stack([overdue, widening, shrinking, complaints, tone, gone])


def _num(v: float) -> str:
    return f"{v:.0f}" if abs(v) >= 10 or float(v).is_integer() else f"{v:.1f}"


def reasons(row: dict, horizon: int, typical_gap: float, lang: str,
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
    elif rec < gap and gap >= horizon / 2:
        # a slow rhythm explains a quiet horizon: say so rather than sound an alarm
        out.append(say("not_due", gap=_num(round(gap)), recency=_num(rec)))
    elif row["cycle_ratio"] >= 1.5 or n < 4:
        out.append(say("cycle", gap=_num(round(gap)), recency=_num(rec),
                       ratio=f"{rec / max(gap, 1e-9):.1f}"))
    else:
        out.append(say("steady", n=n, gap=_num(round(gap)), recency=_num(rec)))
    if complaints:
        since, category = complaints[0]
        if len(complaints) == 1:
            cat = CATEGORY_ZH.get(category, category) if lang == "zh" else category
            out.append(say("complaint", category=cat or "-", date=_date(since, lang)))
        else:
            out.append(say("complaints", n=len(complaints), date=_date(since, lang)))
    if n >= 4 and row["basket_trend"] <= 0.75:
        out.append(say("basket_down", pct=round(100 * (1 - row["basket_trend"]))))
    elif n >= 3 and row["last_gap_ratio"] >= 2:
        out.append(say("gap_widening", last=_num(row["last_gap"]), gap=_num(round(gap)),
                       ratio=f"{row['last_gap_ratio']:.1f}"))
    if row["neg_contacts"] >= 1 and row["sentiment"] < 0:
        out.append(say("sentiment", n=int(row["neg_contacts"]), score=f"{row['sentiment']:.2f}"))
    if len(out) < 4 and n >= 4 and row["basket_trend"] >= 1.5:
        out.append(say("basket_up", pct=round(100 * (row["basket_trend"] - 1))))
    if len(out) < 4:  # the model's forecast, unless the rhythm above already says it all
        e = float(row["expected_purchases"])
        out.append(say("expected", e=f"{e:.1f}", h=horizon) if e >= 0.05
                   else say("none_expected", h=horizon))
    if len(out) < 4 and row["refunds"] > 0:
        out.append(say("refunds", amount=f"{row['refunds']:.2f}"))
    return out[:4]


def _date(iso: str, lang: str) -> str:
    d = date.fromisoformat(str(iso)[:10])
    return f"{d.month}月{d.day}日" if lang == "zh" else f"{d.day} {d:%b}"
