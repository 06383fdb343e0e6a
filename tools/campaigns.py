"""Campaign tools: how the last campaign did, a campaign previewed from a request, and an order
credited to the customer whose referral code it used."""

from __future__ import annotations

from assistant.core.context import TurnContext
from assistant.core.records import CrmError, Plan
from assistant.outreach.campaign_text import preview_text
from assistant.outreach.campaigns import (
    HOLDOUT_DEFAULT,
    CampaignPreview,
    choose_segment,
    preview_campaign,
)
from assistant.outreach.drafting import CHANNELS, GOAL_LABELS, GOALS
from assistant.outreach.referrals import credit_plan
from assistant.outreach.report import CampaignReport, campaign_report, latest_campaign_id, render
from assistant.store import Store
from tools.customers import resolve


def campaign_results(store: Store, ctx: TurnContext, campaign_id: int | None = None,
                     goal: str | None = None) -> CampaignReport | None:
    """How a campaign did: returns, orders and revenue of the contacted customers against the
    held-out ones over 30 days, the difference with a 90 % interval, referral orders and replies.
    Without an id, the latest approved campaign (of the goal, when given: winback, reorder,
    new_product, thanks, share)."""
    goal = goal if goal in GOALS else None
    cid = int(campaign_id) if campaign_id else latest_campaign_id(store, goal)
    latest = latest_campaign_id(store)
    if cid is None and goal is not None and latest is not None:
        label = GOAL_LABELS[goal]
        raise CrmError(ctx.t(f"No {label[0]} campaign has been approved yet. Ask about the "
                             f"latest campaign, or name one by number (campaign #{latest}).",
                             f"还没有批准过{label[1]}活动。可以问最近一次活动，或按编号询问"
                             f"（活动 #{latest}）。"))
    if cid is None:
        return None  # the answer is that there is nothing to report yet
    return campaign_report(store, cid, as_of=ctx.today.isoformat(), lang=ctx.lang)


def draft_campaign(store: Store, ctx: TurnContext, segment: str, goal: str = "winback",
                   channel: str = "wechat", offer_percent: float | None = None) -> CampaignPreview:
    """Preview a campaign to a segment in plain words ("quiet for 2 months", "上海的VIP"): how many
    are contacted and held out, who is skipped, and sample drafts. goal: winback, reorder,
    new_product, thanks or share; channel: wechat, sms or email. Nothing is saved or sent."""
    goal = goal if goal in GOALS else "winback"
    channel = channel if channel in CHANNELS else "wechat"
    chosen = choose_segment(store, segment, ctx.lang, ctx.today.isoformat())
    return preview_campaign(store, chosen, goal, channel, HOLDOUT_DEFAULT,
                            offer_percent=offer_percent, lang=ctx.lang,
                            as_of=ctx.today.isoformat())


def credit_referral(store: Store, ctx: TurnContext, customer: str, referrer: str) -> Plan:
    """Credit a customer's latest order to the customer whose referral code they used
    ("王芳用了李娜的推荐码": customer 王芳, referrer 李娜)."""
    buyer, by = resolve(store, ctx, customer), resolve(store, ctx, referrer)
    return credit_plan(store, buyer.id, by.id, ctx.lang)


def format_report(r: CampaignReport | None, lang: str) -> str:
    """The campaign report as chat text."""
    if r is None:
        return ("还没有批准过任何营销活动，暂时没有效果可看。可以在“营销活动”页或用 "
                "`crm campaign create` 创建。" if lang == "zh" else
                "No campaign has been approved yet, so there is nothing to report. Create one in "
                "the Campaigns tab or with `crm campaign create`.")
    return render(r, lang)


def format_preview(p: CampaignPreview, lang: str) -> str:
    """The preview as a review card in chat, with how to create the campaign."""
    return preview_text(p, lang)
