"""The complaint service: log a triaged complaint, draft and save replies, change status, see what recurs."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from datetime import date as _date

from assistant.complaints import drafting as replies
from assistant.complaints.drafting import Draft, ReplyContext
from assistant.complaints.triage import classify
from assistant.core.records import Complaint, InvalidInput, NotFound
from assistant.store import Store

STATUSES = ("open", "in_progress", "resolved")


def log_complaint(store: Store, customer: str | int, text: str,
                  date: str | None = None) -> Complaint:
    """Triage a complaint and record it for a customer (name or id) with its labels."""
    who = store.resolve_customer(customer)
    prior = len(store.complaints(customer_id=who.id))
    triage = classify(text, prior_complaints=prior)
    return store.log_complaint(who.id, date or _date.today().isoformat(), text.strip(),
                               **triage.labels())


def _context(store: Store, complaint: Complaint) -> ReplyContext:
    """Gather the customer's history and the shop policy for one complaint."""
    who = store.get_customer(complaint.customer_id)
    orders = store.orders(customer_id=who.id)
    dates = [o.date for o in orders if o.date] + ([who.created_at[:10]] if who.created_at else [])
    products = Counter(o.product for o in orders if o.product)
    past = [c for c in store.complaints(customer_id=who.id)
            if c.id != complaint.id and (c.date or "") <= (complaint.date or "")]
    language = complaint.language or classify(complaint.text).language
    return ReplyContext(
        complaint_id=complaint.id, text=complaint.text, name=who.name, language=language,
        category=complaint.category or "other", fault=complaint.fault or "unclear",
        severity=complaint.severity or "medium", since=min(dates) if dates else None,
        usual_product=products.most_common(1)[0][0] if products else None,
        past_complaints=len(past), policy=replies.policy_from(store.get_setting("policy")),
        signature=str(store.get_setting("shop_signature", "") or ""),
    )


def _followed(index: object, ids: list[str], lang: str) -> list:
    """The passages a reply follows, from the index (none without one: nothing to cite)."""
    if index is None:
        return []
    found = []
    for pid in ids:
        try:
            found.append(index.get(pid, lang))  # type: ignore[attr-defined]
        except NotFound:  # a playbook without that passage: cite what there is
            continue
    return found


def draft_reply(store: Store, complaint_id: int, tone: str = "formal", index: object = None,
                llm: Callable[[str], str] | None = None) -> Draft:
    """Draft a reply to a complaint (formal, warm or brief) that follows the shop's policy."""
    if tone not in replies.TONES:
        raise InvalidInput(f"Tone must be one of {', '.join(replies.TONES)}; got {tone!r}.")
    ctx = _context(store, store.get_complaint(int(complaint_id)))
    text, remedy = replies.compose(ctx, tone)
    passages = _followed(index, replies.passages_followed(ctx, remedy), ctx.language)
    cites = [p.id for p in passages]
    draft = Draft(ctx.complaint_id, text, ctx.language, tone, cites, replies.check(text, ctx),
                  "template", remedy.text)
    if llm is None:
        return draft
    failed: list[str] = []
    for attempt in ("llm", "llm-retry"):
        raw = llm(replies.llm_prompt(ctx, tone, remedy, passages, failed))
        text, used = replies.parse_llm_reply(raw, set(cites))
        checks = replies.check(text, ctx)
        if all(checks.values()):
            return Draft(ctx.complaint_id, text, ctx.language, tone, used, checks, attempt,
                         remedy.text)
        failed = [name for name, ok in checks.items() if not ok]
    # Both LLM drafts broke a rule (policy, apology, language...): the template draft is safe.
    return Draft(draft.complaint_id, draft.text, draft.language, tone, draft.citations,
                 draft.checks, "template (llm failed: " + ", ".join(failed) + ")", remedy.text)


def set_status(store: Store, complaint_id: int, status: str) -> Complaint:
    """Move a complaint to open, in_progress or resolved (resolved records the date)."""
    if status not in STATUSES:
        raise InvalidInput(f"Status must be one of {', '.join(STATUSES)}; got {status!r}.")
    current = store.get_complaint(int(complaint_id))
    if current.status == status:
        return current
    resolved_at = _date.today().isoformat() if status == "resolved" else None
    return store.update_complaint(current.id, status=status, resolved_at=resolved_at)


def save_reply(store: Store, complaint_id: int, text: str, sent: bool = False) -> Complaint:
    """Store a reply as the draft, or as sent (which moves an open complaint to in_progress)."""
    if not (text or "").strip():
        raise InvalidInput("The reply is empty. Draft one with draft_reply first.")
    current = store.get_complaint(int(complaint_id))
    if not sent:
        return store.update_complaint(current.id, reply_draft=text.strip())
    fields: dict = {"reply_sent": text.strip()}
    if current.status == "open":
        fields["status"] = "in_progress"
    return store.update_complaint(current.id, **fields)


def recurrence_report(store: Store) -> dict:
    """What keeps going wrong: complaint categories by month, repeat complainers, open count."""
    complaints = store.complaints()
    by_month: dict[str, Counter] = defaultdict(Counter)
    for c in complaints:
        by_month[(c.date or "")[:7] or "unknown"][c.category or "other"] += 1
    per_customer: dict[int, list[Complaint]] = defaultdict(list)
    for c in complaints:
        per_customer[c.customer_id].append(c)
    repeat = []
    for customer_id, items in per_customer.items():
        if len(items) < 2:
            continue
        repeat.append({
            "customer_id": customer_id, "name": store.get_customer(customer_id).name,
            "complaints": len(items),
            "open": sum(c.status != "resolved" for c in items),
            "categories": dict(Counter(c.category or "other" for c in items)),
            "last_date": max(c.date or "" for c in items),
        })
    repeat.sort(key=lambda r: (-r["complaints"], r["name"]))
    totals = Counter(c.category or "other" for c in complaints)
    return {
        "total": len(complaints),
        "open": sum(c.status == "open" for c in complaints),
        "in_progress": sum(c.status == "in_progress" for c in complaints),
        "by_category": dict(totals.most_common()),
        "by_month": {m: dict(by_month[m].most_common()) for m in sorted(by_month)},
        "repeat_complainers": repeat,
    }
