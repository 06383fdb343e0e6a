"""Sending an approved campaign: email through the shop's SMTP server, or the WeChat and SMS
messages handed over ready to copy, and the CSV export.

Only what really happened is recorded: an email is marked sent once the server took it, a
refused address is marked failed with the server's words, and a server that is down stops the
batch with the rest left for the next `crm campaign send`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from assistant.core.records import CrmError
from assistant.outreach.campaigns import get_campaign
from assistant.store import campaigns as rows
from assistant.store.audit import now_iso, terms


def _t(lang: str, en: str, zh: str) -> str:
    return zh if lang == "zh" else en


@dataclass
class SendResult:
    """What a send did: sent (email) or handed over (WeChat, SMS), what failed, what is left."""

    channel: str
    sent: int = 0
    handed_over: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    remaining: int = 0
    stopped: str | None = None
    messages: list[dict] = field(default_factory=list)


def send_campaign(store, campaign_id: int, smtp=None, lang: str = "en", actor: str = "user",
                  progress: Callable[[int, int], None] | None = None,
                  flush_every: int = 25) -> SendResult:
    """Email through SMTP (only what is not yet sent; a refused address is marked failed, a
    server that is down stops the batch with nothing marked sent that was not); for WeChat and
    SMS, the copy-ready messages, marked handed over."""
    c = get_campaign(store, campaign_id, lang)
    if c["status"] != "approved":
        raise CrmError(_t(lang, f"Campaign #{c['id']} is not approved yet: review the drafts and "
                                f"run `crm campaign approve {c['id']}` first.",
                          f"活动 #{c['id']} 尚未批准：请先审阅草稿并运行 "
                          f"`crm campaign approve {c['id']}`。"))
    result = SendResult(channel=c["channel"])
    opted_out = {cid for cid, ct in rows.contacts(
        store, [o["customer_id"] for o in rows.outreach(store, c["id"])]).items()
        if ct["consent"] == "no"}
    if c["channel"] != "email":
        todo = rows.outreach(store, c["id"], ("approved", "exported"))
        result.messages = [{"customer_id": o["customer_id"], "name": o["name"],
                            "address": o["address"], "message": o["message"]}
                           for o in todo if o["customer_id"] not in opted_out]
        fresh = [o for o in todo if o["status"] == "approved"]
        _record(store, c["id"], actor, [(o["id"], "skipped" if o["customer_id"] in opted_out
                                         else "exported", None,
                                         "opted out" if o["customer_id"] in opted_out else None)
                                        for o in fresh])
        result.handed_over = len(result.messages)
        result.skipped = [(o["name"], "opted out") for o in todo if o["customer_id"] in opted_out]
        return result
    return _send_email(store, c, smtp, lang, actor, progress, flush_every, opted_out, result)


def _send_email(store, c: dict, smtp, lang: str, actor: str,
                progress: Callable[[int, int], None] | None, flush_every: int,
                opted_out: set[int], result: SendResult) -> SendResult:
    from assistant.channels.mail import Mailer, MailRefused, MailUnavailable

    todo = rows.outreach(store, c["id"], ("approved", "failed"))
    if smtp is None:
        raise CrmError(_t(lang, "Mail is not set up (CRM_SMTP_HOST, CRM_SMTP_FROM …; see "
                                ".env.example). Nothing was sent; export the messages with "
                                f"`crm campaign send {c['id']} --csv FILE` instead.",
                          "尚未设置邮件（CRM_SMTP_HOST、CRM_SMTP_FROM 等，见 .env.example）。"
                          f"没有发送任何邮件；可用 `crm campaign send {c['id']} --csv 文件` 导出。"))
    done: list[tuple[int, str, str | None, str | None]] = []
    try:
        with Mailer(smtp, lang) as mailer:
            for i, o in enumerate(todo):
                if o["customer_id"] in opted_out:
                    done.append((o["id"], "skipped", None, "opted out"))
                    result.skipped.append((o["name"], "opted out"))
                    continue
                try:
                    mailer.send(o["address"], o["subject"] or "", o["message"] or "")
                    done.append((o["id"], "sent", now_iso(), None))
                    result.sent += 1
                except MailRefused as ex:
                    done.append((o["id"], "failed", None, str(ex)))
                    result.failed.append((o["name"], str(ex)))
                if len(done) >= flush_every:
                    _record(store, c["id"], actor, done, via="mail")
                    done = []
                if progress is not None:
                    progress(i + 1, len(todo))
    except MailUnavailable as ex:
        result.stopped = str(ex)
    finally:
        _record(store, c["id"], actor, done, via="mail")  # what the server took stays sent
    result.remaining = len(rows.outreach(store, c["id"], ("approved",)))
    return result


def _record(store, campaign_id: int, actor: str,
            done: list[tuple[int, str, str | None, str | None]], via: str | None = None) -> None:
    """Outreach statuses as one action: only what really happened (via "mail": what the server
    took is never undone, or an undo would send it twice)."""
    if not done:
        return
    if via:
        with terms(via=via):
            _record(store, campaign_id, actor, done)
        return
    counts: dict[str, int] = {}
    for _, status, _, _ in done:
        counts[status] = counts.get(status, 0) + 1
    what = ", ".join(f"{n} {s}" for s, n in counts.items())
    with store.action(f"campaign #{campaign_id}: {what}", actor) as act:
        for oid, status, sent_at, error in done:
            act.update("outreach", oid, {"status": status, "sent_at": sent_at, "error": error})


OUTREACH_CSV = ["customer_id", "external_id", "name", "channel", "address", "subject", "message",
                "status", "sent_at"]


def export_csv(store, campaign_id: int, out, lang: str = "en") -> int:
    """The campaign's messages as CSV (cells a spreadsheet would run as formulas are escaped);
    before approval, the drafts."""
    from assistant.core.csv_safe import write_csv

    c = get_campaign(store, campaign_id, lang)
    if c["status"] == "approved":
        found = rows.outreach(store, c["id"])
    else:
        found = [{**m, "channel": c["channel"], "status": "draft", "sent_at": None}
                 for m in rows.members(store, c["id"], arm="contacted", dropped=False)]
    return write_csv(out, OUTREACH_CSV, found)
