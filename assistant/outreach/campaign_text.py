"""Campaigns in words, zh and en: a created campaign's summary and a preview's review card."""

from __future__ import annotations

from assistant.outreach.campaigns import SKIP_REASONS, CampaignPreview, CampaignSummary
from assistant.outreach.drafting import CHANNEL_LABELS, GOAL_LABELS


def summary_text(s: CampaignSummary, lang: str) -> str:
    """A created campaign at a glance: groups, skips, warnings and the next step."""
    ch = CHANNEL_LABELS[s.channel]
    skipped = ", ".join(
        f"{n} {SKIP_REASONS[why][lang == 'zh'].format(channel=ch[lang == 'zh'])}"
        for why, n in s.skipped.items())
    if lang == "zh":
        lines = [f"活动 #{s.id}（{s.status}）：{s.segment} — {s.description}",
                 f"联系 {s.contacted} 人，对照组 {s.holdout} 人（{s.holdout_share:.0%}，随机抽取并记录）"]
        if skipped:
            lines.append(f"跳过：{skipped}")
        if s.unknown_consent:
            lines.append(f"⚠ {s.unknown_consent} 位客户未记录是否同意接收营销信息。")
        if s.problems:
            lines.append(f"⚠ {s.problems} 条草稿不符合规则，批准前请修改或移出。")
        if not s.holdout:
            lines.append("⚠ 没有对照组：报告将无法区分活动效果和客户习惯。")
        lines.append(f"下一步：crm campaign drafts {s.id} 审阅，crm campaign approve {s.id} 批准。")
    else:
        lines = [f"Campaign #{s.id} ({s.status}): {s.segment} — {s.description}",
                 (f"{s.contacted} to contact, {s.holdout} held out ({s.holdout_share:.0%}, "
                  "drawn at random and recorded)")]
        if skipped:
            lines.append(f"skipped: {skipped}")
        if s.unknown_consent:
            lines.append(f"⚠ {s.unknown_consent} customer(s) have no recorded marketing consent.")
        if s.problems:
            lines.append(f"⚠ {s.problems} draft(s) break a rule: edit or drop them before "
                         "approving.")
        if not s.holdout:
            lines.append("⚠ Nobody is held out: the report will not be able to tell the "
                         "campaign's effect from habit.")
        lines.append(f"Next: review with `crm campaign drafts {s.id}`, then "
                     f"`crm campaign approve {s.id}`.")
    return "\n".join(lines)


def preview_text(p: CampaignPreview, lang: str) -> str:
    """The preview as a review card in chat, with how to create the campaign."""
    zh = lang == "zh"
    goal, channel = GOAL_LABELS[p.goal][zh], CHANNEL_LABELS[p.channel][zh]
    if not p.contacted:
        return (f"“{p.segment}”（{p.description}）里没有可以通过{channel}联系的客户。" if zh else
                f"Nobody in “{p.segment}” ({p.description}) can be reached by {channel}.")
    skipped = ("，" if zh else ", ").join(
        f"{n} {SKIP_REASONS[why][zh].format(channel=channel)}" for why, n in p.skipped.items())
    if zh:
        lines = [f"**预览：{goal}（{channel}）** — {p.segment}（{p.description}）",
                 f"联系 {p.contacted} 人，随机保留 {p.holdout} 人作对照组（{p.holdout_share:.0%}）"
                 + (f"；跳过 {skipped}" if skipped else "")]
    else:
        lines = [f"**Preview: {goal} ({channel})** — {p.segment} ({p.description})",
                 f"{p.contacted} to contact, {p.holdout} held out at random as a control group "
                 f"({p.holdout_share:.0%})" + (f"; skipped: {skipped}" if skipped else "")]
    if p.offer_note:
        lines.append("⚠ " + p.offer_note)
    if p.unknown_consent:
        lines.append(f"⚠ {p.unknown_consent} 位客户未记录是否同意接收营销信息。" if zh else
                     f"⚠ {p.unknown_consent} have no recorded marketing consent.")
    for d in p.samples:
        lines.append(f"> **{d.name}**: " + d.message.replace("\n", " "))
    lines.append("没有保存或发送任何内容。要创建，请到“营销活动”页，或运行 "
                 f"`crm campaign create --segment \"{p.segment}\" --goal {p.goal} "
                 f"--channel {p.channel}`。" if zh else
                 "Nothing was saved or sent. To create it, use the Campaigns tab or "
                 f"`crm campaign create --segment \"{p.segment}\" --goal {p.goal} "
                 f"--channel {p.channel}`.")
    return "\n".join(lines)
