"""`crm today`: the morning briefing — whom to call and why, what is due, what is waiting.

Each command imports what it uses when it runs, so `crm --help` starts without pandas or a model.
"""

from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path

import click

from assistant.cli.common import db_option, fail, json_option, open_store
from assistant.core.records import CrmError


def register(group: click.Group) -> None:
    """Add `today` to the `crm` CLI."""
    group.add_command(today)


@click.command()
@db_option
@click.option("--as-of", "as_of", default=None, metavar="YYYY-MM-DD",
              help="Brief as of this day; only data dated on or before it counts (default: today).")
@click.option("--top", type=click.IntRange(1, 100), default=7, show_default=True,
              help="How many customers the call list holds.")
@click.option("--lang", type=click.Choice(["en", "zh"]), default=None,
              help="Language of the briefing (default: the app's language setting).")
@click.option("--notify", "notify_owner", is_flag=True,
              help="Also put it where the owner sees it: a desktop notification, else a dated "
                   "markdown file in the data folder; and an email when CRM_SMTP_* is set.")
@json_option
def today(db: str | None, as_of: str | None, top: int, lang: str | None, notify_owner: bool,
          as_json: bool) -> None:
    """Today's briefing (suitable for cron: `crm today --notify`)."""
    from assistant.analytics.briefing import keep_briefing
    from assistant.analytics.briefing import today as compose

    store = open_store(db)
    lang = lang or ("zh" if store.get_setting("ui_language") == "zh" else "en")
    try:
        briefing = compose(store, as_of, lang=lang, top=top)
    except CrmError as ex:
        fail(str(ex))
    if as_of is None or briefing.as_of == date.today().isoformat():
        keep_briefing(store, briefing)  # tomorrow's "what changed" starts from here
    if as_json:
        click.echo(json.dumps(briefing.to_json(), ensure_ascii=False, indent=2, default=str))
    else:
        click.echo(briefing.to_markdown())
    if notify_owner:
        for line in deliver(briefing, _data_dir(db)):
            click.echo(line, err=True)


def _data_dir(db: str | None) -> Path:
    from assistant.cli.common import db_path
    from assistant.core.config import Settings

    env = os.environ.get("CRM_DATA_DIR")
    return Path(env) if env else (db_path(db).parent if db else Settings.from_env().data_dir)


def deliver(briefing, data_dir: Path) -> list[str]:
    """Desktop notification or a dated file, plus email when configured; one line per outcome."""
    from assistant.channels import desktop, mail

    zh = briefing.lang == "zh"
    out = []
    title = f"{'今日简报' if zh else 'Today'} · {briefing.as_of}"
    why_not = desktop.notify(title, briefing.headline())
    if why_not is None:
        out.append("已发送桌面通知" if zh else "desktop notification shown")
    else:
        folder = data_dir / "briefings"
        try:
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / f"{briefing.as_of}.md"
            path.write_text(briefing.to_markdown() + "\n", encoding="utf-8")
            out.append(f"没有桌面（{why_not}）：简报已写入 {path}" if zh else
                        f"no desktop ({why_not}): briefing written to {path}")
        except OSError as ex:
            out.append(f"无法写入 {folder}：{ex.strerror}" if zh else
                        f"could not write to {folder}: {ex.strerror}; check the folder's permissions")
    try:
        settings = mail.SmtpSettings.from_env()
    except CrmError as ex:
        return out + [f"email not sent: {ex}"]
    if settings is None:
        return out
    to = os.environ.get("CRM_BRIEFING_TO") or settings.sender
    try:
        mail.send_mail(settings, to, title + " — " + briefing.headline(), briefing.to_markdown(),
                       lang=briefing.lang)
        out.append(f"已发邮件给 {to}" if zh else f"emailed to {to}")
    except CrmError as ex:
        out.append(f"邮件未发送：{ex}" if zh else f"email not sent: {ex}")
    return out
