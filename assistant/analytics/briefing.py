"""The morning briefing: whom to call today and why, who is due to reorder, what is waiting.

"Call today" ranks regulars by *recoverable value*. The customers a call can help are the
wavering ones: late on their own rhythm, who would come back but only after a long gap (more
than twice their usual cycle) — those who buy on time need no call, and those already gone
cannot be saved. `wavering_chance` estimates exactly that from each customer's own rhythm and
regularity; it fades as a lapse grows. Times what the customer buys in a year, raised when a
complaint is open. bench/today.py backtests the list on CDNOW and the demo shop.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, timedelta
from functools import lru_cache
from typing import Any

import numpy as np

from assistant.analytics import churn_report
from assistant.analytics.labels import CATEGORY_ZH, STAGE_LABELS
from assistant.core.markup import as_text
from assistant.core.records import InvalidInput
from assistant.lang.validate import iso_date
from assistant.store import briefings as kept

CALL_TOP = 7
REORDER_TOP = 7
REORDER_AHEAD = 3  # days: a reminder in this window lands before they would buy anyway
DATES_AHEAD = 7
RESPONSE_TARGET_HOURS = 24.0
FOLLOW_WINDOW = 365  # a return within this many days counts as won back
COMPLAINT_URGENCY = 1.3
REGULAR = 3  # orders: fewer and the customer's "own rhythm" is a guess
SECTIONS = ("call_today", "due_to_reorder", "complaints_waiting", "tasks_due", "dates", "changes")

# the stage's next step and the playbook passage behind it
_STAGE_ACTION = {
    "stability": ("stability-non-price-care",
                  "Call to check in — non-price care, no discount needed",
                  "打个电话问候——稳定期客户重在非价格关怀，不必打折"),
    "formation": ("formation-habit-building",
                  "Remind them of their usual order; a small repeat-purchase nudge",
                  "提醒 TA 常买的商品，给一点复购激励"),
    "decline": ("decline-ask-why",
                "Call and ask why they stopped; win back with a targeted offer only if the cause is ours",
                "打电话问问为什么不来了；若是我们的原因，再给有针对性的优惠"),
    "exploration": ("exploration-first-followup",
                    "Follow up on their first purchases", "跟进 TA 最初几次购买的体验"),
}
_COMPLAINT_ACTION = ("complaint-respond-fast",
                     "Call about the open complaint first, then the order",
                     "先就未解决的投诉打电话，再谈订单")
_REORDER_ACTION = ("recommend-replenish-timing", "Send a reorder reminder", "发一条补货提醒")
_DATE_ACTION = ("loyalty-birthdays-milestones", "Send warm wishes (no discount needed)",
                "送上祝福（不必打折）")
_PROMISE = ("call back", "get back", "follow up", "follow-up", "will send", "will check",
            "promised", "remind", "回电", "回复", "再联系", "跟进", "答应", "会寄", "稍后", "回头",
            "下周", "明天联系", "确认后", "等我")


@dataclass
class Entry:
    """One line of the briefing about one customer (or one thing to do)."""

    customer_id: int | None
    external_id: str | None
    name: str
    reasons: list[str]
    action: str
    kind: str = "call"
    citation: str | None = None
    details: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict:
        return asdict(self)


@dataclass
class Briefing:
    """The whole page, as of one day, in one language."""

    as_of: str
    lang: str
    call_today: list[Entry] = field(default_factory=list)
    due_to_reorder: list[Entry] = field(default_factory=list)
    complaints_waiting: list[Entry] = field(default_factory=list)
    tasks_due: list[Entry] = field(default_factory=list)
    dates: list[Entry] = field(default_factory=list)
    changes: list[Entry] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what could not be done, and why
    since: str | None = None
    seconds: float = 0.0

    @property
    def urgent(self) -> int:
        """Complaints past the response target plus overdue tasks."""
        late = sum(1 for e in self.complaints_waiting if e.details.get("overdue"))
        return late + sum(1 for e in self.tasks_due if e.details.get("overdue"))

    def to_json(self) -> dict:
        out: dict[str, Any] = {"as_of": self.as_of, "lang": self.lang, "since": self.since,
                               "urgent": self.urgent, "notes": list(self.notes)}
        for name in SECTIONS:
            out[name] = [e.to_json() for e in getattr(self, name)]
        return out

    def is_empty(self) -> bool:
        return not any(getattr(self, name) for name in SECTIONS)

    def headline(self) -> str:
        """One line for a notification: how many to call, what is waiting."""
        zh = self.lang == "zh"
        parts = [(f"{len(self.call_today)}位客户该联系" if zh else f"{len(self.call_today)} to call")]
        if self.due_to_reorder:
            parts.append(f"{len(self.due_to_reorder)}位该补货" if zh
                         else f"{len(self.due_to_reorder)} due to reorder")
        if self.complaints_waiting:
            parts.append(f"{len(self.complaints_waiting)}条投诉待处理" if zh
                         else f"{len(self.complaints_waiting)} complaints waiting")
        if self.urgent:
            parts.append(f"{self.urgent}项已超时" if zh else f"{self.urgent} overdue")
        return ("，" if zh else ", ").join(parts)

    def to_markdown(self, sections: tuple[str, ...] = SECTIONS, notes: bool = True) -> str:
        """The page as markdown, in the briefing's language; stored text is quoted, never markup."""
        zh = self.lang == "zh"
        out = [f"## {'今日简报' if zh else 'Today'} · {self.as_of}", "", self.headline()]
        for name in sections:
            entries = getattr(self, name)
            if not entries:
                continue
            out += ["", f"### {SECTION_TITLES[name][1 if zh else 0]}"]
            for i, e in enumerate(entries, 1):
                who = f"**{_plain(e.name)}**" + (f" ({_plain(e.external_id)})" if e.external_id else "")
                head = f"{i}. {who} — " if e.name else f"{i}. "
                cite = (f" _[{e.citation}: {_plain(e.details.get('citation_title', ''))}]_"
                        if e.citation and e.details.get("citation_title") else "")
                action = f" → {_plain(e.action)}{cite}" if e.action else ""
                out.append(head + ("；" if zh else "; ").join(_plain(r) for r in e.reasons) + action)
        for note in self.notes if notes else ():
            out += ["", f"_{_plain(note)}_"]
        return "\n".join(out)


SECTION_TITLES = {
    "call_today": ("Call today", "今天该联系"),
    "due_to_reorder": ("Due to reorder", "快到补货时间"),
    "complaints_waiting": ("Complaints waiting", "待处理的投诉"),
    "tasks_due": ("Tasks and follow-ups due", "到期的任务和跟进"),
    "dates": ("Birthdays and anniversaries", "生日和纪念日"),
    "changes": ("What changed", "有什么变化"),
}


def _plain(text: object) -> str:
    """Stored text (names, notes, complaint words) shown as text, never as markup."""
    return as_text(text)


def _t(lang: str, en: str, zh: str) -> str:
    return zh if lang == "zh" else en


@lru_cache(maxsize=1)
def _titles() -> dict[tuple[str, str], str]:
    from knowledge.ingest import load_dir

    return {(e.passage.id, e.passage.lang): e.passage.title for e in load_dir()}


def passage_title(passage_id: str, lang: str) -> str:
    """The playbook passage's title, for the citation shown with an action."""
    try:
        return _titles().get((passage_id, lang), passage_id)
    except Exception:  # a broken docs folder must not take the briefing down
        return passage_id


def _money(value: float, currency: str) -> str:
    return f"{currency}{value:,.0f}"


def wavering_chance(f: dict[str, np.ndarray], model: Any,
                    window: int = FOLLOW_WINDOW) -> np.ndarray:
    """P(the customer is still buying, and their next purchase comes after twice the usual gap
    but within `window` days from now).

    Regularity matters: a weekly regular silent for five weeks has almost surely stopped, while
    a customer whose gaps swing from two weeks to two months has not. So, as in Pareto/GGG
    (Platzer & Reutterer 2016), gaps between purchases are gamma-distributed with the customer's
    own shape (1/cv^2 of their gaps, pulled towards the Poisson case k = 1 with three gaps'
    weight), and after each purchase they drop out with BG/NBD's posterior mean chance
    a / (a + b + x). Given the silence so far: P(alive) by Bayes, then the share of the
    remaining gap that lands after 2x the mean gap and within the window.
    """
    from scipy.stats import gamma

    gap = np.maximum(np.nan_to_num(f["gap_mean"], nan=1.0), 1e-9)
    rec = np.maximum(np.nan_to_num(f["recency"], nan=0.0), 0.0)
    x = np.maximum(f["x"], 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        cv = np.nan_to_num(f["gap_sd"] / gap, nan=1.0)
    own = np.clip(1.0 / np.maximum(cv, 1e-3) ** 2, 0.5, 20.0)
    shape = (x * own + 3.0) / (x + 3.0)
    scale = gap / shape
    quiet = gamma.sf(rec, shape, scale=scale)  # P(a gap this long at least | still buying)
    drop = model.a / (model.a + model.b + x)
    alive = (1 - drop) * quiet / np.maximum((1 - drop) * quiet + drop, 1e-300)
    held = np.maximum(quiet, 1e-300)
    late = gamma.sf(np.maximum(2 * gap, rec), shape, scale=scale) / held
    beyond = gamma.sf(rec + window, shape, scale=scale) / held
    return np.clip(alive * (late - beyond), 0.0, 1.0)


def late_regulars(f: dict[str, np.ndarray]) -> np.ndarray:
    """Regulars past their own usual gap: the only customers the call list considers."""
    gap = np.nan_to_num(f["gap_mean"], nan=np.inf)
    rec = np.nan_to_num(f["recency"], nan=-1.0)
    return (f["n"] >= REGULAR) & np.isfinite(gap) & (gap > 0) & (rec > gap)


def recoverable_value(f: dict[str, np.ndarray], model: Any,
                      window: int = FOLLOW_WINDOW) -> dict[str, np.ndarray]:
    """Per customer: wavering chance, yearly worth, and their product — zero for anyone who is
    not a regular late on their own rhythm."""
    late = late_regulars(f)
    rows = np.flatnonzero(late)
    chance = np.zeros(len(late))
    if len(rows):  # a million customers, a few thousand late regulars: score only those
        chance[rows] = wavering_chance({k: f[k][rows] for k in ("gap_mean", "recency", "x",
                                                                "gap_sd")}, model, window)
    spend = f["expected_spend"] if "expected_spend" in f else f["mean_spend"]
    # purchases a year at the model's rate: a short history's own gap is too noisy to trust
    worth = np.where(late, np.nan_to_num(spend) * np.nan_to_num(f["rate"]) * 365.0, 0.0)
    urgency = np.where(f.get("open_complaints", np.zeros(len(late))) > 0, COMPLAINT_URGENCY, 1.0)
    return {"late": late, "chance": chance, "worth": worth, "score": chance * worth * urgency}


def call_order(value: dict[str, np.ndarray], top: int) -> np.ndarray:
    """Rows of the frame to call, most recoverable value first."""
    rows = np.flatnonzero(value["late"] & (value["score"] > 0))
    return rows[np.argsort(-value["score"][rows], kind="stable")][:top]


def today(store: Any, as_of: str | date | None = None, lang: str = "en", top: int = CALL_TOP,
          since: str | None = None) -> Briefing:
    """Compose the briefing as of a day: only data dated on or before it counts."""
    started = time.perf_counter()
    lang = "zh" if lang == "zh" else "en"
    if top is None or int(top) < 1:
        raise InvalidInput("top must be at least 1 (the length of the call list, e.g. 7).")
    day = date.today() if as_of is None else date.fromisoformat(iso_date(as_of))
    when = day.isoformat()
    out = Briefing(as_of=when, lang=lang)
    if day > date.today():
        out.notes.append(_t(lang, f"{when} is in the future: nothing has happened yet after today, "
                                  "so the lists show the data as it stands.",
                            f"{when} 在未来：今天之后还没有数据，以下按现有数据列出。"))
    previous = kept.last_briefing(store, when) if since is None else {"as_of": iso_date(since)}
    out.since = previous["as_of"] if previous else (day - timedelta(days=1)).isoformat()
    currency = _currency(store)
    scored = None
    if store.count("orders") == 0:
        out.notes.append(_t(lang, "No orders yet: import or log orders and the call and reorder "
                                  "lists will appear.",
                            "还没有订单：导入或记录订单后，会出现该联系和该补货的客户。"))
    else:
        # the scores are cached; the orders' columns are read once for every section
        scored = {**churn_report.scored_shop(store, when), "orders": store.orders_arrays(when)}
        _call_today(store, scored, out, int(top), currency)
        _due_to_reorder(store, scored, out, currency)
    _complaints_waiting(store, out)
    _tasks_due(store, out)
    _dates(store, scored, out)
    _changes(store, scored, out, currency)
    out.seconds = round(time.perf_counter() - started, 3)
    return out


def _currency(store: Any) -> str:
    policy = store.get_setting("policy") or {}
    return str(policy.get("currency") or "¥") if isinstance(policy, dict) else "¥"


def _hours_target(store: Any) -> float:
    try:
        value = float(store.get_setting("response_target_hours", RESPONSE_TARGET_HOURS))
    except (TypeError, ValueError):
        return RESPONSE_TARGET_HOURS
    return value if value > 0 else RESPONSE_TARGET_HOURS


def _spent_last_year(orders: dict[str, np.ndarray], ids: np.ndarray, day: date) -> dict[int, float]:
    from assistant.store.column_cache import day_number

    cutoff = day_number(day.isoformat())
    keep = (orders["day"] > cutoff - 365) & (orders["amount"] > 0) & np.isin(
        orders["customer_id"], ids)
    totals: dict[int, float] = {}
    for cid, amount in zip(orders["customer_id"][keep], orders["amount"][keep]):
        totals[int(cid)] = totals.get(int(cid), 0.0) + float(amount)
    return totals


def _labels(store: Any, ids) -> dict[int, tuple[str | None, str]]:
    return store.customer_labels([int(i) for i in ids])


def _entry(labels: dict, cid: int, reasons: list[str], action: str, kind: str,
           citation: str | None, **details: Any) -> Entry:
    ext, name = labels.get(int(cid), (None, f"#{cid}"))
    return Entry(int(cid), None if ext is None else str(ext), str(name or f"#{cid}"), reasons,
                 action, kind, citation, details)


def _call_today(store: Any, scored: dict, out: Briefing, top: int, currency: str) -> None:
    lang, f, model = out.lang, scored["frame"], scored["scores"].bgnbd
    value = recoverable_value(f, model)
    reached = kept.contacted_on(store, out.as_of)
    if reached:  # a call logged today is done: the next one moves up
        value["score"] = np.where(np.isin(f["customer_id"], list(reached)), 0.0, value["score"])
    rows = call_order(value, top)
    if not len(rows):
        out.notes.append(_t(lang, "Nobody to call today: no regular is late on their own rhythm.",
                            "今天没有需要打电话的客户：没有熟客晚于自己的购买节奏。"))
        return
    ids = f["customer_id"][rows]
    labels = _labels(store, ids)
    spent = _spent_last_year(scored["orders"], ids, date.fromisoformat(out.as_of))
    stage = f["stage"][rows]
    for row, cid, st in zip(rows, ids, stage):
        gap, rec = float(f["gap_mean"][row]), float(f["recency"][row])
        reasons = [_t(lang, f"usually every {gap:.0f} days; {rec:.0f} days since the last order",
                      f"通常每{gap:.0f}天买一次；距上次下单已{rec:.0f}天")]
        year = spent.get(int(cid), 0.0)
        if year > 0:
            reasons.append(_t(lang, f"spent {_money(year, currency)} in the last 12 months",
                              f"近12个月消费{_money(year, currency)}"))
        if f["open_complaints"][row] > 0:
            reasons.append(_t(lang, "has an open complaint", "有未解决的投诉"))
        chance = float(value["chance"][row])
        shown = min(chance, 0.95)  # a model's 100 % is still a guess about a person
        reasons.append(_t(lang, f"{'over ' if chance > 0.95 else ''}{shown:.0%} chance they come back "
                                f"late without a nudge "
                                f"({STAGE_LABELS[str(st)]['en']} stage)",
                          f"不联系的话{'超过' if chance > 0.95 else '大约'}{shown:.0%}的可能拖很久才回来"
                          f"（{STAGE_LABELS[str(st)]['zh']}）"))
        passage, en, zh = (_COMPLAINT_ACTION if f["open_complaints"][row] > 0
                           else _STAGE_ACTION.get(str(st), _STAGE_ACTION["decline"]))
        out.call_today.append(_entry(
            labels, cid, reasons, _t(lang, en, zh), "call", passage,
            citation_title=passage_title(passage, lang), stage=str(st),
            score=round(float(value["score"][row]), 2), chance=round(chance, 3),
            usual_gap_days=round(gap, 1), days_since_last_order=int(rec),
            spent_last_12_months=round(year, 2)))


def _due_to_reorder(store: Any, scored: dict, out: Briefing, currency: str) -> None:
    lang, f = out.lang, scored["frame"]
    gap, rec = f["gap_mean"], f["recency"]
    with np.errstate(invalid="ignore"):
        until_due = np.nan_to_num(gap - rec, nan=-1.0)
        due = (f["n"] >= REGULAR) & (until_due >= 0) & (until_due <= REORDER_AHEAD)
    called = {e.customer_id for e in out.call_today} | kept.contacted_on(store, out.as_of)
    rows = [r for r in np.flatnonzero(due) if int(f["customer_id"][r]) not in called]
    # the most regular and most valuable first: their reminder is the surest to land
    rows.sort(key=lambda r: (-float(f["n"][r]) * float(f["mean_spend"][r])))
    rows = rows[:REORDER_TOP]
    if not rows:
        return
    ids = [int(f["customer_id"][r]) for r in rows]
    labels, products = _labels(store, ids), kept.usual_products(store, ids, out.as_of)
    passage, en, zh = _REORDER_ACTION
    for r, cid in zip(rows, ids):
        days = int(round(float(until_due[r])))
        when = (date.fromisoformat(out.as_of) + timedelta(days=days)).isoformat()
        usual = products.get(cid, [])
        reasons = [_t(lang, f"usually every {float(gap[r]):.0f} days; next order expected "
                            f"{'today' if days == 0 else f'in {days} days'} ({when})",
                      f"通常每{float(gap[r]):.0f}天买一次；预计{'今天' if days == 0 else f'{days}天后'}"
                      f"（{when}）下单")]
        if usual:
            reasons.append(_t(lang, "usually buys " + ", ".join(usual), "常买：" + "、".join(usual)))
        out.due_to_reorder.append(_entry(labels, cid, reasons, _t(lang, en, zh), "reorder", passage,
                                         citation_title=passage_title(passage, lang),
                                         expected=when, usual_products=usual))


def _age_hours(row: dict, day: date) -> float:
    from datetime import datetime

    stamp = row.get("created_at") or ""
    filed = str(row.get("date") or "")[:10]
    try:
        made = datetime.fromisoformat(str(stamp))
        if made.tzinfo is None:
            made = made.replace(tzinfo=UTC)
        if made.date().isoformat() == filed or not filed:
            now = datetime.now(UTC) if day >= date.today() else \
                datetime.combine(day, datetime.max.time(), UTC)
            return max((now - made).total_seconds() / 3600, 0.0)
    except ValueError:
        pass
    # imported or back-dated: only the day is known; count from its start
    return max((day - date.fromisoformat(filed)).days * 24.0, 0.0) if filed else 0.0


_SEVERITY = {"critical": 0, "high": 1, "medium": 2, "low": 3}
_SEVERITY_ZH = {"critical": "危急", "high": "高", "medium": "中", "low": "低"}


def _complaints_waiting(store: Any, out: Briefing) -> None:
    lang, day = out.lang, date.fromisoformat(out.as_of)
    target = _hours_target(store)
    rows = kept.open_complaints(store, out.as_of)
    if not rows:
        return
    labels = _labels(store, {r["customer_id"] for r in rows})
    passage, en, zh = _COMPLAINT_ACTION
    items = []
    for r in rows:
        hours = _age_hours(r, day)
        overdue = hours > target
        age = f"{hours:.0f} h" if hours < 48 else f"{hours / 24:.0f} d"
        age_zh = f"{hours:.0f}小时" if hours < 48 else f"{hours / 24:.0f}天"
        sev = r.get("severity") or "medium"
        reasons = [_t(lang, f"#{r['id']} {(r.get('category') or 'uncategorised').replace('_', ' ')}, {sev} severity, "
                            f"waiting {age}", f"#{r['id']} {CATEGORY_ZH.get(r.get('category') or '', r.get('category') or '未分类')}，"
                            f"严重程度{_SEVERITY_ZH.get(sev, sev)}，"
                            f"已等{age_zh}")]
        if overdue:
            reasons.append(_t(lang, f"past the {target:.0f} h response target",
                              f"已超过{target:.0f}小时的响应时限"))
        action = _t(lang, "Draft a reply", "起草回复")
        items.append((0 if overdue else 1, _SEVERITY.get(sev, 2), -hours, _entry(
            labels, r["customer_id"], reasons, action, "complaint", passage,
            citation_title=passage_title(passage, lang), complaint_id=int(r["id"]),
            status=r.get("status") or "open", severity=sev, hours_waiting=round(hours, 1),
            overdue=overdue)))
    items.sort(key=lambda t: t[:3])
    out.complaints_waiting.extend(e for *_, e in items[:20])
    if len(items) > 20:
        out.notes.append(_t(lang, f"{len(items) - 20} more open complaints on the Complaints tab.",
                            f"另有{len(items) - 20}条未解决投诉，见投诉页。"))


def _tasks_due(store: Any, out: Briefing) -> None:
    lang, day = out.lang, date.fromisoformat(out.as_of)
    tasks = kept.open_tasks(store, out.as_of)
    ids = {t["customer_id"] for t in tasks if t["customer_id"] is not None}
    promises = _promises(store, day)
    ids |= {p["customer_id"] for p in promises}
    labels = _labels(store, ids)
    for t in tasks[:20]:
        due = str(t["due_date"])[:10]
        late = (day - date.fromisoformat(due)).days if _is_date(due) else 0
        reasons = [_t(lang, f"due {due}" + (f", {late} days overdue" if late > 0 else " (today)"),
                      f"截止{due}" + (f"，已逾期{late}天" if late > 0 else "（今天）"))]
        entry = _entry(labels, t["customer_id"], reasons, str(t["title"]), "task", None,
                       task_id=int(t["id"]), due=due, overdue=late > 0) \
            if t["customer_id"] is not None else Entry(None, None, "", reasons, str(t["title"]),
                                                       "task", None, {"task_id": int(t["id"]),
                                                                      "due": due,
                                                                      "overdue": late > 0})
        out.tasks_due.append(entry)
    for p in promises[:10]:
        reasons = [_t(lang, f"on {p['date']} you noted: “{p['summary'][:80]}”",
                      f"{p['date']}记录：“{p['summary'][:80]}”"),
                   _t(lang, "nothing logged with them since", "此后没有再联系的记录")]
        out.tasks_due.append(_entry(labels, p["customer_id"], reasons,
                                    _t(lang, "Follow up as promised", "按承诺跟进"), "follow_up",
                                    "recovery-follow-up", interaction_id=int(p["id"])))


def _is_date(text: str) -> bool:
    try:
        date.fromisoformat(text)
        return True
    except ValueError:
        return False


def _promises(store: Any, day: date) -> list[dict]:
    """Conversations in the last two weeks that promised something, with nothing logged since."""
    since = (day - timedelta(days=14)).isoformat()
    rows = [r for r in kept.interactions_between(store, since, day.isoformat())
            if any(w in str(r["summary"] or "").lower() for w in _PROMISE)]
    if not rows:
        return []
    latest = kept.last_contact(store, list({r["customer_id"] for r in rows}), day.isoformat())
    seen, out = set(), []
    for r in rows:  # newest first: one promise per customer
        cid = r["customer_id"]
        if cid in seen or latest.get(cid, "") > str(r["date"])[:10]:
            seen.add(cid)
            continue
        seen.add(cid)
        out.append(r)
    return out


def _window_days(day: date) -> dict[str, date]:
    """MM-DD -> the date it falls on in the next DATES_AHEAD days; 02-29 rides on 28 February
    in years without one."""
    out: dict[str, date] = {}
    for k in range(DATES_AHEAD + 1):
        d = day + timedelta(days=k)
        out[f"{d.month:02d}-{d.day:02d}"] = d
        if (d.month, d.day) == (2, 28) and not _leap(d.year):
            out["02-29"] = d
    return out


def _leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def _dates(store: Any, scored: dict | None, out: Briefing) -> None:
    lang, day = out.lang, date.fromisoformat(out.as_of)
    window = _window_days(day)
    passage, en, zh = _DATE_ACTION
    found = [(window[r["birthday"][-5:]], "birthday", r["id"], None)
             for r in kept.birthdays(store, list(window))]
    if scored is not None:
        import pandas as pd

        from assistant.store.column_cache import day_number

        f = scored["frame"]
        old = np.flatnonzero((f["n"] >= REGULAR) & (f["first_day"] <= day_number(out.as_of) - 300))
        first = pd.DatetimeIndex(f["first_day"][old].astype("datetime64[D]"))
        keys = first.month.to_numpy() * 100 + first.day.to_numpy()
        by_key = {int(k[:2]) * 100 + int(k[3:]): d for k, d in window.items()}
        hit = np.isin(keys, list(by_key))
        for r, key, year in zip(old[hit], keys[hit], first.year.to_numpy()[hit]):
            when = by_key[int(key)]
            if when.year - int(year) >= 1:
                found.append((when, "anniversary", int(f["customer_id"][r]), when.year - int(year)))
    found.sort(key=lambda t: (t[0], t[1]))
    found = found[:15]
    labels = _labels(store, {t[2] for t in found})
    for when, kind, cid, years in found:
        days = (when - day).days
        soon = _t(lang, "today" if days == 0 else f"in {days} days ({when:%d %b})",
                  "今天" if days == 0 else f"{days}天后（{when.month}月{when.day}日）")
        reason = (_t(lang, f"birthday {soon}", f"{soon}生日") if kind == "birthday" else
                  _t(lang, f"{years} year{'s' if years > 1 else ''} since their first order, {soon}",
                     f"{soon}是首次下单{years}周年"))
        out.dates.append(_entry(labels, cid, [reason], _t(lang, en, zh), kind, passage,
                                citation_title=passage_title(passage, lang),
                                date=when.isoformat(), years=years))


def _changes(store: Any, scored: dict | None, out: Briefing, currency: str) -> None:
    lang, since, day = out.lang, out.since, date.fromisoformat(out.as_of)
    if since >= out.as_of:
        return
    filed = kept.complaints_filed(store, since, out.as_of)
    ids = {r["customer_id"] for r in filed}
    moved, firsts, big = [], [], []
    if scored is not None:
        from assistant.store.column_cache import day_number

        f = scored["frame"]
        s_n, d_n = day_number(since), day_number(out.as_of)
        with np.errstate(invalid="ignore"):
            crossed = f["last_day"] + 2 * f["gap_mean"]
            moved = np.flatnonzero((f["n"] >= REGULAR) & (crossed > s_n) & (crossed <= d_n)
                                   & (f["stage"] == "decline"))
        moved = moved[np.argsort(-f["total"][moved], kind="stable")][:10]
        firsts = np.flatnonzero((f["n"] >= 1) & (f["first_day"] > s_n) & (f["first_day"] <= d_n))
        firsts = firsts[:10]
        o = scored["orders"]
        amounts = o["amount"][(o["day"] > d_n - 365) & (o["amount"] > 0)]
        if len(amounts) >= 20:
            # a big basket: in the top 5 % of the last year's orders
            big = kept.orders_between(store, since, out.as_of, limit=5,
                                      at_least=float(np.quantile(amounts, 0.95)))
        ids |= {int(f["customer_id"][r]) for r in moved} | {int(f["customer_id"][r]) for r in firsts}
        ids |= {o["customer_id"] for o in big}
    labels = _labels(store, ids)
    for r in moved:
        f = scored["frame"]
        cid = int(f["customer_id"][r])
        out.changes.append(_entry(labels, cid, [_t(
            lang, f"moved into decline: now {float(f['recency'][r]):.0f} days since the last order, "
                  f"over twice their usual {float(f['gap_mean'][r]):.0f}",
            f"进入退化期：距上次下单已{float(f['recency'][r]):.0f}天，超过平时{float(f['gap_mean'][r]):.0f}天的两倍")],
            _t(lang, "Ask why they stopped", "问问为什么不来了"), "decline", "decline-ask-why"))
    for r in filed[:10]:
        out.changes.append(_entry(labels, r["customer_id"], [_t(
            lang, f"new complaint #{r['id']} on {r['date'][:10]} ({(r.get('category') or 'uncategorised').replace('_', ' ')})",
            f"{r['date'][:10]}新投诉#{r['id']}（{CATEGORY_ZH.get(r.get('category') or '', '未分类')}）")],
            _t(lang, "Draft a reply", "起草回复"), "new_complaint", "complaint-respond-fast",
            complaint_id=int(r["id"])))
    for r in firsts:
        f = scored["frame"]
        cid = int(f["customer_id"][r])
        out.changes.append(_entry(labels, cid, [_t(
            lang, f"first order: {_money(float(f['first_spend'][r]), currency)}",
            f"首次下单：{_money(float(f['first_spend'][r]), currency)}")],
            _t(lang, "Welcome them and ask how they liked it", "欢迎新客，问问使用感受"),
            "first_order", "exploration-first-followup"))
    for o in big:
        out.changes.append(_entry(labels, o["customer_id"], [_t(
            lang, f"big order on {o['date'][:10]}: {_money(float(o['amount']), currency)}"
                  + (f" ({o['product']})" if o.get("product") else ""),
            f"{o['date'][:10]}大单：{_money(float(o['amount']), currency)}"
            + (f"（{o['product']}）" if o.get("product") else ""))],
            _t(lang, "Thank them", "表示感谢"), "big_order", "stability-recognise-vips",
            order_id=int(o["id"])))
    # the last whole day: a morning briefing would otherwise compare today's empty till
    sales = _sales_line(store, day - timedelta(days=1), lang, currency)
    if sales is not None:
        out.changes.append(sales)


def _sales_line(store: Any, day: date, lang: str, currency: str) -> Entry | None:
    """The day's sales against the average of the same weekday over the 8 weeks before."""
    sales = kept.daily_sales(store, (day - timedelta(days=57)).isoformat(), day.isoformat())
    if not sales:
        return None
    same = [sales.get((day - timedelta(days=7 * k)).isoformat(), 0.0) for k in range(1, 9)]
    mean = sum(same) / len(same)
    now = sales.get(day.isoformat(), 0.0)
    weekday = _t(lang, f"{day:%A}", "周" + "一二三四五六日"[day.weekday()])
    if mean <= 0:
        text = _t(lang, f"sales on {day.isoformat()}: {_money(now, currency)}",
                  f"{day.isoformat()}销售额：{_money(now, currency)}")
    else:
        pct = (now - mean) / mean
        text = _t(lang, f"sales on {day.isoformat()}: {_money(now, currency)}, {pct:+.0%} vs an "
                        f"average {weekday} ({_money(mean, currency)})",
                  f"{day.isoformat()}销售额{_money(now, currency)}，比平常的{weekday}"
                  f"（{_money(mean, currency)}）{'高' if pct >= 0 else '低'}{abs(pct):.0%}")
    return Entry(None, None, "", [text], "", "sales", None, {"sales": round(now, 2),
                                                              "weekday_average": round(mean, 2)})


def keep_briefing(store: Any, briefing: Briefing) -> int:
    """Keep the briefing so tomorrow's can say what changed."""
    return kept.save_briefing(store, briefing.as_of, briefing.lang, briefing.to_json())
