"""Campaigns: a segment, a goal and a channel; a held-out control group drawn at random; one
draft per contacted customer; review, approval as one undoable action, and sending.

Who can be reached is decided before the draw: a customer who said no to marketing, or who has
no contact detail for the channel, is listed as skipped and is in neither group. The draw then
splits the rest, so the contacted and the held-out customers are alike in everything but the
message, and the report's difference between them is the campaign's effect, not habit.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

import numpy as np

from assistant.core.records import CrmError, InvalidInput, NotFound
from assistant.lang.validate import iso_date
from assistant.outreach.drafting import (
    CHANNEL_LABELS,
    CHANNELS,
    GOAL_LABELS,
    GOALS,
    Draft,
    OfferPolicy,
    Recipient,
    check_requested_offer,
    checked_edit,
    customer_language,
    draft,
    offer_policy,
)
from assistant.store import campaigns as rows
from assistant.store.audit import now_iso

HOLDOUT_DEFAULT = 0.15
HOLDOUT_MAX = 0.5
BATCH = 2000  # drafts made (and progress reported) per batch
ADDRESS_FIELD = {"wechat": "wechat", "sms": "phone", "email": "email"}
SKIP_REASONS = {
    "no_consent": ("said no to marketing", "不同意接收营销信息"),
    "no_contact": ("no {channel} contact detail", "没有{channel}联系方式"),
}
_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud at the till
_EMAIL = re.compile(r"^[^@\s,;<>]+@[^@\s,;<>]+\.[^@\s,;<>]+$")


def _t(lang: str, en: str, zh: str) -> str:
    return zh if lang == "zh" else en


@dataclass(frozen=True)
class Segment:
    """The customers a campaign is for, and the words that chose them."""

    text: str
    ids: tuple[int, ...]
    description: str = ""
    name: str | None = None
    filter: dict = field(default_factory=dict)


@dataclass(frozen=True)
class CampaignSummary:
    """A campaign at a glance: its groups, who was skipped and why, and what needs a look."""

    id: int
    goal: str
    channel: str
    status: str
    segment: str
    description: str
    holdout_share: float
    contacted: int
    holdout: int
    dropped: int
    skipped: dict[str, int]
    unknown_consent: int
    problems: int
    as_of: str
    start_date: str | None = None
    offer_percent: float | None = None


@dataclass(frozen=True)
class DraftRow:
    """One contacted customer's message on the review card."""

    customer_id: int
    name: str
    channel: str
    language: str
    stage: str | None
    subject: str
    message: str
    offer_percent: float
    source: str
    problems: str
    dropped: bool
    consent: str


def policy_of(store) -> OfferPolicy:
    """The shop's offer limits and signature, from Settings."""
    return offer_policy(store.get_setting("policy"), str(store.get_setting("shop_signature", "")
                                                         or ""))


# -- segments ---------------------------------------------------------------------------------

def choose_segment(store, text_or_name: str, lang: str = "en", as_of: str | None = None) -> Segment:
    """A saved segment by name, or plain words parsed into a filter; words the parser could not
    read are refused with what it did understand, never guessed."""
    from assistant.outreach.segment_parser import read_segment
    from assistant.outreach.segments import customers_matching, describe

    when = iso_date(as_of) if as_of else date.today().isoformat()
    parsed = read_segment(store, text_or_name, today=date.fromisoformat(when))
    if parsed.unsupported:
        understood = describe(parsed.filter, lang) if not parsed.filter.is_empty() else \
            _t(lang, "nothing", "无")
        raise InvalidInput(_t(
            lang, f"I could not read all of “{text_or_name}”. Not understood: "
                  f"{', '.join(parsed.not_understood)}. Understood: {understood}. Rephrase it, "
                  "or use a saved segment's name.",
            f"没能完全理解“{text_or_name}”。没看懂：{'，'.join(parsed.not_understood)}。"
            f"已理解：{understood}。请换个说法，或使用已保存的分群名称。"))
    ids = customers_matching(store, parsed.filter, when)
    return Segment(parsed.text, tuple(ids), describe(parsed.filter, lang), parsed.saved_name,
                   parsed.filter.to_dict())


# -- who is in, who is held out ---------------------------------------------------------------

def address_for(contact: dict, channel: str) -> str | None:
    """The customer's contact detail for the channel, if it is usable."""
    value = (contact.get(ADDRESS_FIELD[channel]) or "").strip()
    if not value:
        return None
    if channel == "email" and not _EMAIL.match(value):
        return None
    if channel == "sms" and len(re.sub(r"\D", "", value)) < 7:
        return None
    return value


def stages(store, ids: list[int], as_of: str) -> dict[int, str]:
    """Each customer's lifecycle stage as of the day (the churn report's, cached)."""
    from assistant.analytics.churn_report import scored_shop

    if not ids:
        return {}
    frame = scored_shop(store, as_of)["frame"]
    cids = np.asarray(frame["customer_id"], np.int64)
    keep = np.isin(cids, np.asarray(ids, np.int64))
    return dict(zip(cids[keep].tolist(), [str(s) for s in np.asarray(frame["stage"])[keep]]))


def draw_holdout(ids: list[int], share: float, seed: int) -> set[int]:
    """The held-out customers: round(share x n) of them, drawn with the campaign's seed."""
    ordered = sorted(int(i) for i in ids)
    n = round(len(ordered) * share)
    if n <= 0:
        return set()
    picked = np.random.default_rng(seed).permutation(len(ordered))[:n]
    return {ordered[i] for i in picked}


@dataclass(frozen=True)
class _Member:
    customer_id: int
    arm: str
    skip_reason: str | None
    consent: str
    address: str | None
    recipient: Recipient | None


def plan_members(store, segment: Segment, channel: str, holdout: float, seed: int,
                 as_of: str) -> list[_Member]:
    """Every customer of the segment: skipped (and why), held out, or contacted."""
    ids = sorted(set(segment.ids))
    contacts = rows.contacts(store, ids)
    eligible, skipped = [], []
    for cid in ids:
        c = contacts.get(cid)
        if c is None:
            continue
        if c["consent"] == "no":
            skipped.append((cid, "no_consent"))
        elif address_for(c, channel) is None:
            skipped.append((cid, "no_contact"))
        else:
            eligible.append(cid)
    held = draw_holdout(eligible, holdout, seed)
    stage = stages(store, eligible, as_of)
    products = rows.usual_products(store, eligible)
    languages = rows.complaint_languages(store, eligible)
    out = [_Member(cid, "skipped", why, contacts[cid]["consent"], None, None)
           for cid, why in skipped]
    for cid in eligible:
        c = contacts[cid]
        r = Recipient(cid, c["name"], customer_language(c["name"], languages.get(cid)),
                      stage.get(cid), products.get(cid), c["referral_code"])
        out.append(_Member(cid, "holdout" if cid in held else "contacted", None, c["consent"],
                           address_for(c, channel), r))
    return out


def new_referral_codes(n: int, taken: set[str], seed: int) -> list[str]:
    """n fresh six-character codes, none already given out."""
    rng, out = random.Random(seed), []
    while len(out) < n:
        code = "".join(rng.choice(_CODE_ALPHABET) for _ in range(6))
        if code not in taken:
            taken.add(code)
            out.append(code)
    return out


# -- creating ---------------------------------------------------------------------------------

def validate(goal: str, channel: str, holdout: float, lang: str = "en") -> None:
    """One clear line for a goal, channel or holdout share that is not allowed."""
    if goal not in GOALS:
        raise InvalidInput(_t(lang, f"Unknown goal {goal!r}; use one of {', '.join(GOALS)}.",
                              f"未知目标 {goal!r}；可选：{', '.join(GOALS)}。"))
    if channel not in CHANNELS:
        raise InvalidInput(_t(lang, f"Unknown channel {channel!r}; use one of "
                                    f"{', '.join(CHANNELS)}.",
                              f"未知渠道 {channel!r}；可选：{', '.join(CHANNELS)}。"))
    if not 0 <= holdout <= HOLDOUT_MAX:
        raise InvalidInput(_t(lang, f"The held-out share must be between 0 (off) and "
                                    f"{HOLDOUT_MAX:g}; the default is {HOLDOUT_DEFAULT:g}.",
                              f"对照组比例须在 0（关闭）到 {HOLDOUT_MAX:g} 之间，默认 "
                              f"{HOLDOUT_DEFAULT:g}。"))


def draft_all(recipients: list[Recipient], goal: str, channel: str, policy: OfferPolicy,
              offer_percent: float | None = None, product: str | None = None,
              llm: Callable[[str], str] | None = None,
              progress: Callable[[int, int], None] | None = None) -> list[Draft]:
    """Drafts for everyone, in batches, reporting (done, total) after each."""
    out: list[Draft] = []
    for start in range(0, len(recipients), BATCH):
        out += [draft(r, goal, channel, policy, offer_percent, product, llm)
                for r in recipients[start:start + BATCH]]
        if progress is not None:
            progress(len(out), len(recipients))
    return out


def create_campaign(store, segment: Segment, goal: str, channel: str,
                    holdout: float = HOLDOUT_DEFAULT, *, as_of: str | None = None,
                    seed: int | None = None, offer_percent: float | None = None,
                    product: str | None = None, lang: str = "en", actor: str = "user",
                    llm: Callable[[str], str] | None = None,
                    progress: Callable[[int, int], None] | None = None) -> CampaignSummary:
    """Draw the groups, draft every contacted customer's message and save it all as one action
    (nothing is sent: the drafts wait for review and approval)."""
    validate(goal, channel, holdout, lang)
    policy = policy_of(store)
    check_requested_offer(offer_percent, policy, lang)
    if not segment.ids:
        raise InvalidInput(_t(lang, f"No customers match “{segment.text}” "
                                    f"({segment.description}); nothing was created.",
                              f"没有客户符合“{segment.text}”（{segment.description}），未创建活动。"))
    when = iso_date(as_of) if as_of else date.today().isoformat()
    seed = int(seed) if seed is not None else random.SystemRandom().randrange(2 ** 31)
    members = plan_members(store, segment, channel, holdout, seed, when)
    contacted = [m for m in members if m.arm == "contacted"]
    if not contacted:
        raise InvalidInput(_t(lang, "Nobody in this segment can be contacted on "
                                    f"{CHANNEL_LABELS[channel][0]} (no consent or no contact "
                                    "detail); nothing was created.",
                              f"该分群里没有可以通过{CHANNEL_LABELS[channel][1]}联系的客户"
                              "（不同意营销或没有联系方式），未创建活动。"))
    codes: dict[int, str] = {}
    if goal == "share":
        lacking = [m.recipient for m in contacted if m.recipient and not m.recipient.referral_code]
        fresh = new_referral_codes(len(lacking), rows.referral_codes(store), seed)
        codes = {r.customer_id: code for r, code in zip(lacking, fresh)}
    recipients = [_with_code(m.recipient, codes) for m in contacted if m.recipient]
    drafts = {d.customer_id: d for d in draft_all(recipients, goal, channel, policy,
                                                   offer_percent, product, llm, progress)}
    campaign_row = {
        "created_at": now_iso(), "created_by": actor, "as_of": when,
        "segment_text": segment.text, "segment_name": segment.name,
        "segment_filter": json.dumps(segment.filter, ensure_ascii=False), "goal": goal,
        "channel": channel, "holdout": float(holdout), "seed": seed,
        "offer_percent": offer_percent, "product": product, "lang": lang, "status": "draft",
    }
    label = f"{GOAL_LABELS[goal][0]}, {CHANNEL_LABELS[channel][0]}"
    with store.action(f"create campaign ({label}): {len(contacted)} to contact, "
                      f"{sum(m.arm == 'holdout' for m in members)} held out", actor) as act:
        cid = act.insert("campaigns", campaign_row)
        for customer_id, code in codes.items():
            act.update("customers", customer_id, {"referral_code": code})
        act.insert_many("campaign_members", MEMBER_COLUMNS,
                        [_member_row(cid, m, drafts.get(m.customer_id)) for m in members])
    return summary(store, cid)


@dataclass(frozen=True)
class CampaignPreview:
    """What a campaign would be, before anything is saved: its groups and a few drafts."""

    segment: str
    description: str
    goal: str
    channel: str
    holdout_share: float
    contacted: int
    holdout: int
    skipped: dict[str, int]
    unknown_consent: int
    samples: tuple[Draft, ...]
    offer_percent: float | None
    offer_note: str = ""


def preview_campaign(store, segment: Segment, goal: str, channel: str,
                     holdout: float = HOLDOUT_DEFAULT, *, offer_percent: float | None = None,
                     product: str | None = None, lang: str = "en", as_of: str | None = None,
                     sample: int = 5) -> CampaignPreview:
    """The campaign's groups and its first drafts, writing nothing; an offer above the policy is
    cut to the limit, and the note says so."""
    validate(goal, channel, holdout, lang)
    policy = policy_of(store)
    note = ""
    if offer_percent is not None and offer_percent > policy.max_percent:
        note = _t(lang, f"{offer_percent:g}% is above the shop policy's limit of "
                        f"{policy.max_percent:g}% for campaigns; the drafts offer at most "
                        f"{policy.max_percent:g}%.",
                  f"{offer_percent:g}% 超出了店铺政策的活动上限 {policy.max_percent:g}%，"
                  f"草稿最多给 {policy.max_percent:g}%。")
        offer_percent = policy.max_percent
    check_requested_offer(offer_percent, policy, lang)
    when = iso_date(as_of) if as_of else date.today().isoformat()
    members = plan_members(store, segment, channel, holdout, 0, when)
    contacted = [m for m in members if m.arm == "contacted"]
    recipients = [m.recipient for m in contacted[:sample] if m.recipient]
    if goal == "share":  # codes are given out on creation; the preview shows their shape
        recipients = [r if r.referral_code else Recipient(r.customer_id, r.name, r.language,
                                                          r.stage, r.product, "ABC234")
                      for r in recipients]
    skipped: dict[str, int] = {}
    for m in members:
        if m.skip_reason:
            skipped[m.skip_reason] = skipped.get(m.skip_reason, 0) + 1
    return CampaignPreview(
        segment=segment.name or segment.text, description=segment.description, goal=goal,
        channel=channel, holdout_share=holdout, contacted=len(contacted),
        holdout=sum(m.arm == "holdout" for m in members), skipped=skipped,
        unknown_consent=sum(m.consent in (None, "unknown") for m in contacted),
        samples=tuple(draft(r, goal, channel, policy, offer_percent, product) for r in recipients),
        offer_percent=offer_percent, offer_note=note)


MEMBER_COLUMNS = ["campaign_id", "customer_id", "arm", "skip_reason", "stage", "language",
                  "address", "subject", "message", "offer_percent", "source", "problems",
                  "consent", "dropped"]


def _with_code(r: Recipient | None, codes: dict[int, str]) -> Recipient:
    assert r is not None
    code = codes.get(r.customer_id)
    return r if code is None else Recipient(r.customer_id, r.name, r.language, r.stage,
                                            r.product, code)


def _member_row(cid: int, m: _Member, d: Draft | None) -> tuple:
    r = m.recipient
    problems = ",".join(k for k, ok in d.checks.items() if not ok) if d else None
    return (cid, m.customer_id, m.arm, m.skip_reason, r.stage if r else None,
            r.language if r else None, m.address, d.subject if d else None,
            d.message if d else None, d.offer_percent if d else None,
            d.source if d else None, problems or None, m.consent, 0)


# -- reading ----------------------------------------------------------------------------------

def get_campaign(store, campaign_id: int | str, lang: str = "en") -> dict:
    """One campaign's row; NotFound says how to list them."""
    try:
        cid = int(str(campaign_id).lstrip("#"))
    except ValueError:
        cid = -1
    row = rows.campaign(store, cid) if cid > 0 else None
    if row is None:
        raise NotFound(_t(lang, f"No campaign #{campaign_id}. `crm campaign list` shows them.",
                          f"没有活动 #{campaign_id}。用 `crm campaign list` 查看所有活动。"))
    return row


def summary(store, campaign_id: int, lang: str = "en") -> CampaignSummary:
    """The campaign at a glance."""
    c = get_campaign(store, campaign_id, lang)
    counts = rows.arm_counts(store, c["id"])
    sending = rows.members(store, c["id"], arm="contacted", dropped=False)
    unknown = sum(1 for m in sending if m["consent"] in (None, "unknown"))
    problems = sum(1 for m in sending if m["problems"])
    from assistant.outreach.segments import SegmentFilter, describe

    try:
        description = describe(SegmentFilter.from_dict(json.loads(c["segment_filter"] or "{}")),
                               lang)
    except (InvalidInput, ValueError):
        description = ""
    return CampaignSummary(
        id=c["id"], goal=c["goal"], channel=c["channel"], status=c["status"],
        segment=c["segment_name"] or c["segment_text"] or "", description=description,
        holdout_share=float(c["holdout"] or 0), contacted=counts["contacted"] - counts["dropped"],
        holdout=counts["holdout"], dropped=counts["dropped"],
        skipped=rows.skip_counts(store, c["id"]), unknown_consent=unknown, problems=problems,
        as_of=c["as_of"], start_date=c["start_date"], offer_percent=c["offer_percent"])


def skipped_customers(store, campaign_id: int, lang: str = "en") -> list[dict]:
    """Who was left out before the draw and why: customer_id, name, reason (in words)."""
    c = get_campaign(store, campaign_id, lang)
    channel = CHANNEL_LABELS[c["channel"]][lang == "zh"]
    return [{"customer_id": m["customer_id"], "name": m["name"],
             "reason": SKIP_REASONS[m["skip_reason"]][lang == "zh"].format(channel=channel)}
            for m in rows.members(store, c["id"], arm="skipped")]


def list_campaigns(store, limit: int = 50, lang: str = "en") -> list[CampaignSummary]:
    """Campaigns, newest first."""
    return [summary(store, c["id"], lang) for c in rows.campaigns(store, limit)]


def drafts(store, campaign_id: int, offset: int = 0, limit: int | None = None,
           include_dropped: bool = False) -> list[DraftRow]:
    """The review card's rows: one per contacted customer, a page at a time."""
    c = get_campaign(store, campaign_id)
    found = rows.members(store, c["id"], arm="contacted",
                         dropped=None if include_dropped else False, offset=offset, limit=limit)
    return [_draft_row(c, m) for m in found]


def draft_for(store, campaign_id: int, customer_id: int) -> DraftRow | None:
    """One contacted customer's draft, or None."""
    c = get_campaign(store, campaign_id)
    m = rows.member(store, c["id"], int(customer_id))
    return _draft_row(c, m) if m is not None and m["arm"] == "contacted" else None


def draft_count(store, campaign_id: int) -> int:
    """How many customers the review card lists (dropped ones included)."""
    return rows.arm_counts(store, get_campaign(store, campaign_id)["id"])["contacted"]


def _draft_row(c: dict, m: dict) -> DraftRow:
    return DraftRow(m["customer_id"], m["name"], c["channel"], m["language"] or "en",
                    m["stage"], m["subject"] or "", m["message"] or "",
                    float(m["offer_percent"] or 0), m["source"] or "template",
                    m["problems"] or "", bool(m["dropped"]), m["consent"] or "unknown")


# -- review -----------------------------------------------------------------------------------

def _editable(store, campaign_id: int, customer_id: int, lang: str) -> tuple[dict, dict]:
    c = get_campaign(store, campaign_id, lang)
    if c["status"] != "draft":
        raise CrmError(_t(lang, f"Campaign #{c['id']} is already approved; undo the approval "
                                "(`crm undo`) to change its drafts.",
                          f"活动 #{c['id']} 已批准；要修改草稿，请先撤销批准（`crm undo`）。"))
    m = rows.member(store, c["id"], int(customer_id))
    if m is None or m["arm"] != "contacted":
        raise NotFound(_t(lang, f"Customer {customer_id} is not on campaign #{c['id']}'s "
                                "contact list.",
                          f"客户 {customer_id} 不在活动 #{c['id']} 的联系名单上。"))
    return c, m


def edit_draft(store, campaign_id: int, customer_id: int, message: str, lang: str = "en",
               actor: str = "user") -> DraftRow:
    """Save the owner's wording for one customer (refused, saying why, if it breaks a rule)."""
    c, m = _editable(store, campaign_id, customer_id, lang)
    code = rows.contacts(store, [m["customer_id"]])[m["customer_id"]]["referral_code"]
    r = Recipient(m["customer_id"], m["name"], m["language"] or "en", m["stage"], None, code)
    original = Draft(r.customer_id, r.name, c["channel"], r.language, r.stage,
                     m["subject"] or "", m["message"] or "", float(m["offer_percent"] or 0))
    edited = checked_edit(original, message, r, c["goal"], policy_of(store), lang)
    failed = ",".join(k for k, ok in edited.checks.items() if not ok)
    with store.action(f"edit campaign #{c['id']} message to {m['name']}", actor) as act:
        act.update("campaign_members", m["id"], {"message": edited.message, "source": "edited",
                                                 "problems": failed or None})
    found = draft_for(store, c["id"], m["customer_id"])
    assert found is not None
    return found


def set_dropped(store, campaign_id: int, customer_id: int, dropped: bool = True,
                lang: str = "en", actor: str = "user") -> None:
    """Take one customer off the send list (or put them back); they stay in the contacted
    group for the report, so the comparison with the held-out group stays fair."""
    c, m = _editable(store, campaign_id, customer_id, lang)
    verb = "drop" if dropped else "restore"
    with store.action(f"{verb} {m['name']} in campaign #{c['id']}", actor) as act:
        act.update("campaign_members", m["id"], {"dropped": int(dropped)})


# -- approval and sending ---------------------------------------------------------------------

def approve(store, campaign_id: int, on: str | None = None, lang: str = "en",
            actor: str = "user") -> CampaignSummary:
    """One audited, undoable action: an outreach row and a timeline interaction per contacted
    customer, and the campaign marked approved (its report counts from this day)."""
    c = get_campaign(store, campaign_id, lang)
    if c["status"] != "draft":
        raise CrmError(_t(lang, f"Campaign #{c['id']} was already approved on {c['start_date']}.",
                          f"活动 #{c['id']} 已于 {c['start_date']} 批准。"))
    todo = rows.members(store, c["id"], arm="contacted", dropped=False)
    if not todo:
        raise CrmError(_t(lang, "Every draft was dropped; there is nothing to approve.",
                          "所有草稿都已移出，没有可批准的内容。"))
    bad = [m for m in todo if m["problems"]]
    if bad:
        names = ", ".join(f"{m['name']} ({m['problems']})" for m in bad[:5])
        raise CrmError(_t(lang, f"{len(bad)} draft(s) break a rule: {names}. Edit or drop them "
                                "first.",
                          f"{len(bad)} 条草稿不符合规则：{names}。请先修改或移出。"))
    day = iso_date(on) if on else date.today().isoformat()
    stamp = now_iso()
    goal, channel = GOAL_LABELS[c["goal"]], CHANNEL_LABELS[c["channel"]]
    head = (f"营销活动 #{c['id']}（{goal[1]}，{channel[1]}）：" if c["lang"] == "zh"
            else f"Campaign #{c['id']} ({goal[0]}, {channel[0]}): ")
    with store.action(f"approve campaign #{c['id']} ({goal[0]}, {channel[0]}): "
                      f"{len(todo)} messages", actor) as act:
        first, _ = act.insert_many(
            "interactions", ["customer_id", "date", "channel", "summary", "sentiment",
                             "created_at"],
            [(m["customer_id"], day, c["channel"], head + (m["message"] or ""), None, stamp)
             for m in todo])
        act.insert_many(
            "outreach", ["campaign_id", "customer_id", "member_id", "channel", "address",
                         "subject", "message", "status", "created_at", "interaction_id"],
            [(c["id"], m["customer_id"], m["id"], c["channel"], m["address"], m["subject"],
              m["message"], "approved", stamp, first + i) for i, m in enumerate(todo)])
        act.update("campaigns", c["id"], {"status": "approved", "approved_at": stamp,
                                          "start_date": day})
    return summary(store, c["id"], lang)
