"""`crm campaign`: outreach to a segment with a held-out control group, reviewed before it goes.

Each command imports what it uses when it runs, so `crm --help` and the other one-shot commands
start without loading pandas, scikit-learn, chromadb, LangChain or a model.
"""

from __future__ import annotations

import sys

import click

from assistant.cli.common import db_option, emit, fail, json_option, open_store, plain

GOALS = ("winback", "reorder", "new_product", "thanks", "share")
CHANNELS = ("wechat", "sms", "email")
PAGE = 50


def register(group: click.Group) -> None:
    """Add `campaign` to the `crm` CLI."""
    group.add_command(campaign)


def _lang_option(fn):
    return click.option("--lang", type=click.Choice(["en", "zh"]), default="en",
                        show_default=True, help="Language of messages and the report.")(fn)


def _progress(label: str):
    """A progress line on stderr for long runs (only on a terminal)."""
    if not sys.stderr.isatty():
        return None

    def show(done: int, total: int) -> None:
        click.echo(f"\r{label} {done}/{total}", nl=done >= total, err=True)

    return show


@click.group()
def campaign() -> None:
    """Campaigns: a segment, a goal and a channel, with a held-out control group."""


@campaign.command("create")
@db_option
@click.option("--segment", "segment_words", required=True, metavar="TEXT_OR_NAME",
              help='Plain words ("quiet for 60 days", "上海的VIP") or a saved segment\'s name.')
@click.option("--goal", type=click.Choice(GOALS), required=True)
@click.option("--channel", type=click.Choice(CHANNELS), required=True)
@click.option("--holdout", type=float, default=0.15, show_default=True,
              help="Share held out as a control group, drawn at random (0 turns it off).")
@click.option("--offer", "offer", type=float, default=None, metavar="PERCENT",
              help="% off for the customers an offer suits (at most the shop policy's limit).")
@click.option("--product", default=None, help="The new product (goal new_product).")
@click.option("--seed", type=int, default=None, help="Seed of the random draw (recorded).")
@click.option("--as-of", "as_of", default=None, metavar="YYYY-MM-DD",
              help="Evaluate the segment as of this date (default: today).")
@click.option("--rephrase", is_flag=True,
              help="Let the chat model (CRM_MODEL) reword each draft; every rule is checked "
                   "again and the template kept where one breaks (slow on a large segment).")
@_lang_option
@json_option
def create(db: str | None, segment_words: str, goal: str, channel: str, holdout: float,
           offer: float | None, product: str | None, seed: int | None, as_of: str | None,
           rephrase: bool, lang: str, as_json: bool) -> None:
    """Draw the groups and draft one message per contacted customer (nothing is sent)."""
    from assistant.outreach.campaign_text import summary_text
    from assistant.outreach.campaigns import choose_segment, create_campaign, skipped_customers

    store = open_store(db)
    segment = choose_segment(store, segment_words, lang, as_of)
    made = create_campaign(store, segment, goal, channel, holdout, as_of=as_of, seed=seed,
                           offer_percent=offer, product=product, lang=lang,
                           llm=_rephraser() if rephrase else None,
                           progress=_progress("drafting" if lang == "en" else "起草"))
    skipped = skipped_customers(store, made.id, lang)
    if as_json:
        emit({**plain(made), "skipped_customers": skipped}, True)
        return
    click.echo(summary_text(made, lang))
    for s in skipped[:20]:
        click.echo(f"  – {s['name']} (id {s['customer_id']}): {s['reason']}")
    if len(skipped) > 20:
        click.echo(f"  … +{len(skipped) - 20}")


def _rephraser():
    """The configured model as a rewording callable (None when CRM_MODEL is none)."""
    from assistant.core.config import Settings
    from assistant.models.factory import make_text_llm

    settings = Settings.from_env()
    llm = make_text_llm(settings.model, settings, max_tokens=300)
    if llm is None:
        click.echo("CRM_MODEL is none: the drafts keep the templates' wording.", err=True)
    return llm


@campaign.command("list")
@db_option
@_lang_option
@json_option
def list_(db: str | None, lang: str, as_json: bool) -> None:
    """Campaigns, newest first."""
    from assistant.outreach.campaigns import list_campaigns

    found = list_campaigns(open_store(db), lang=lang)
    emit(found if as_json else [
        {"id": s.id, "status": s.status, "goal": s.goal, "channel": s.channel,
         "segment": s.segment, "contacted": s.contacted, "holdout": s.holdout,
         "start": s.start_date or ""} for s in found], as_json)


@campaign.command("drafts")
@db_option
@click.argument("campaign_id", type=int)
@click.option("--offset", type=click.IntRange(0), default=0, help="Skip this many drafts.")
@click.option("--limit", type=click.IntRange(1), default=None,
              help=f"Show this many (default: all with --json, {PAGE} as text).")
@_lang_option
@json_option
def drafts_(db: str | None, campaign_id: int, offset: int, limit: int | None, lang: str,
            as_json: bool) -> None:
    """One message per contacted customer, for review."""
    from assistant.outreach.campaigns import drafts, summary

    store = open_store(db)
    rows = drafts(store, campaign_id, offset, limit if (limit or as_json) else PAGE)
    if as_json:
        emit([{"customer_id": d.customer_id, "name": d.name, "channel": d.channel,
               "message": d.message, "subject": d.subject, "language": d.language,
               "stage": d.stage, "offer_percent": d.offer_percent, "source": d.source,
               "problems": d.problems} for d in rows], True)
        return
    total = summary(store, campaign_id, lang).contacted
    for d in rows:
        flag = f"  ⚠ {d.problems}" if d.problems else ""
        click.echo(f"── {d.name} (id {d.customer_id}, {d.language}, {d.stage or '-'}){flag}")
        if d.subject:
            click.echo(f"   [{d.subject}]")
        click.echo("   " + d.message.replace("\n", "\n   "))
    shown = offset + len(rows)
    if shown < total:
        click.echo(f"… {shown} of {total}; more with --offset {shown}" if lang == "en"
                   else f"… 共 {total} 条，已显示 {shown} 条；用 --offset {shown} 看后面的")


@campaign.command("edit")
@db_option
@click.argument("campaign_id", type=int)
@click.argument("customer")
@click.option("--message", required=True, help="The new wording (checked against the rules).")
@_lang_option
def edit(db: str | None, campaign_id: int, customer: str, message: str, lang: str) -> None:
    """Change one customer's message before approval."""
    from assistant.outreach.campaigns import edit_draft

    store = open_store(db)
    who = store.resolve_customer(customer)
    edit_draft(store, campaign_id, who.id, message, lang)
    click.echo(f"Saved {who.name}'s message." if lang == "en" else f"已保存给{who.name}的消息。")


@campaign.command("drop")
@db_option
@click.argument("campaign_id", type=int)
@click.argument("customer")
@click.option("--restore", is_flag=True, help="Put the customer back on the send list.")
@_lang_option
def drop(db: str | None, campaign_id: int, customer: str, restore: bool, lang: str) -> None:
    """Take one customer off the send list (they stay in the contacted group for the report)."""
    from assistant.outreach.campaigns import set_dropped

    store = open_store(db)
    who = store.resolve_customer(customer)
    set_dropped(store, campaign_id, who.id, not restore, lang)
    if lang == "zh":
        click.echo(f"已把{who.name}{'放回' if restore else '移出'}发送名单。")
    else:
        click.echo(f"{'Restored' if restore else 'Dropped'} {who.name}.")


@campaign.command("approve")
@db_option
@click.argument("campaign_id", type=int)
@click.option("--on", "on", default=None, metavar="YYYY-MM-DD",
              help="The campaign's start date (default: today).")
@_lang_option
def approve_(db: str | None, campaign_id: int, on: str | None, lang: str) -> None:
    """Approve every remaining draft: one undoable action (outreach rows and timeline entries)."""
    from assistant.outreach.campaigns import approve

    s = approve(open_store(db), campaign_id, on, lang)
    if lang == "zh":
        click.echo(f"已批准活动 #{s.id}：{s.contacted} 条消息，{s.start_date} 起计算效果。"
                   f"用 crm campaign send {s.id} 发送；用 crm undo 撤销。")
        if s.unknown_consent:
            click.echo(f"⚠ {s.unknown_consent} 位客户未记录是否同意接收营销信息。")
    else:
        click.echo(f"Approved campaign #{s.id}: {s.contacted} messages; its report counts from "
                   f"{s.start_date}. Send with `crm campaign send {s.id}`; undo with `crm undo`.")
        if s.unknown_consent:
            click.echo(f"⚠ {s.unknown_consent} customer(s) have no recorded marketing consent.")


@campaign.command("send")
@db_option
@click.argument("campaign_id", type=int)
@click.option("--csv", "csv_file", type=click.Path(dir_okay=False), default=None,
              help="Also write the messages (and what happened to each) to this CSV file.")
@_lang_option
@json_option
def send(db: str | None, campaign_id: int, csv_file: str | None, lang: str,
         as_json: bool) -> None:
    """Email through CRM_SMTP_* (only what is not yet sent), or print the WeChat / SMS messages
    ready to copy; run again later to retry what did not go."""
    from assistant.channels.mail import SmtpSettings
    from assistant.outreach.campaigns import get_campaign
    from assistant.outreach.sending import send_campaign

    store = open_store(db)
    channel = get_campaign(store, campaign_id, lang)["channel"]
    smtp = SmtpSettings.from_env() if channel == "email" else None
    result = None
    if channel != "email" or smtp is not None or not csv_file:
        result = send_campaign(store, campaign_id, smtp, lang,
                               progress=_progress("sending" if lang == "en" else "发送"))
    if csv_file:  # after sending, so the file says what happened to each message
        _write_csv(store, campaign_id, csv_file, lang)
    if result is None:
        return  # mail is not set up and the owner asked for the CSV
    if as_json:
        emit(plain(result), True)
    elif channel != "email":
        for m in result.messages:
            click.echo(f"── {m['name']} ({m['address']})\n{m['message']}\n")
        click.echo(f"{result.handed_over} messages ready to copy." if lang == "en"
                   else f"共 {result.handed_over} 条消息，可复制发送。")
    else:
        _say_sent(result, lang)
    if result.stopped:
        sys.exit(1)


def _write_csv(store, campaign_id: int, path: str, lang: str) -> None:
    from assistant.outreach.sending import export_csv

    with open(path, "w", encoding="utf-8-sig", newline="") as out:
        n = export_csv(store, campaign_id, out, lang)
    click.echo(f"Wrote {n} messages to {path}" if lang == "en" else f"已把 {n} 条消息写入 {path}",
               err=True)


def _say_sent(result, lang: str) -> None:
    if lang == "zh":
        click.echo(f"已发送 {result.sent} 封，失败 {len(result.failed)} 封，剩余 {result.remaining} 封未发送。")
    else:
        click.echo(f"Sent {result.sent}, failed {len(result.failed)}, {result.remaining} not "
                   "sent yet.")
    for name, why in result.failed[:20] + result.skipped[:20]:
        click.echo(f"  {name}: {why}")
    if result.stopped:
        click.echo(result.stopped, err=True)


@campaign.command("report")
@db_option
@click.argument("campaign_id", type=int)
@click.option("--as-of", "as_of", default=None, metavar="YYYY-MM-DD",
              help="Count up to this date (default: today).")
@click.option("--days", type=click.IntRange(1, 365), default=30, show_default=True,
              help="Days after the campaign's start that count.")
@_lang_option
@json_option
def report(db: str | None, campaign_id: int, as_of: str | None, days: int, lang: str,
           as_json: bool) -> None:
    """Contacted vs held out: returns, orders, revenue, the difference with a 90 % interval."""
    from assistant.core.records import CrmError
    from assistant.outreach.report import campaign_report, render

    try:
        r = campaign_report(open_store(db), campaign_id, as_of, days, lang)
    except CrmError as ex:
        fail(str(ex))
    if as_json:
        data = plain(r)
        data["interval"] = list(r.interval) if r.interval else None
        emit(data, True)
        return
    click.echo(render(r, lang))
