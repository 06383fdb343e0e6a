"""Customers tab: searchable table; profile with timeline, stage, churn risk and suggested actions."""

from __future__ import annotations

import logging
from datetime import date
from typing import TYPE_CHECKING, Any

import gradio as gr

from assistant.core.markup import as_text
from assistant.core.records import CrmError
from assistant.store.audit import authors
from assistant.webui import views
from assistant.webui.ui import Ui

if TYPE_CHECKING:
    import pandas as pd

    from assistant.services import Services
    from assistant.store import Store

log = logging.getLogger(__name__)
CHANNELS = ("wechat", "phone", "in_store", "email", "xiaohongshu", "other")


def customer_table(store: Store, query: str, lang: str) -> pd.DataFrame:
    """Matching customers with their order count, spend and last order date."""
    import pandas as pd

    found = store.find_customers(query or "", limit=200 if not query else 50)
    stats = store.order_stats()
    rows = []
    for c in found:
        s = stats.get(c.id, {})
        rows.append([c.id, c.name, c.city or "", int(s.get("n") or 0),
                     round(float(s.get("spent") or 0), 2), s.get("last") or ""])
    cols = views.headers(["col.id", "col.name", "col.city", "col.orders", "col.spent",
                          "col.last_order"], lang)
    return pd.DataFrame(rows, columns=cols)


def timeline(store: Store, customer_id: int, lang: str) -> pd.DataFrame:
    """Orders, interactions, complaints and tasks of one customer, newest first."""
    import pandas as pd

    tr = views.tr(lang)
    orders, talks = store.orders(customer_id), store.interactions(customer_id)
    complaints, tasks = store.complaints(customer_id), store.tasks(customer_id)

    def by(table: str, items: list) -> dict[int, str]:
        """Who added each row (and who changed it last, when someone else did)."""
        return {i: made + (f" → {changed}" if changed else "")
                for i, (made, changed) in authors(store, table, [x.id for x in items]).items()}

    who = {t: by(t, items) for t, items in (("orders", orders), ("interactions", talks),
                                              ("complaints", complaints), ("tasks", tasks))}
    rows: list[list[Any]] = []
    for o in orders:
        what = f"{o.product or ''} ×{o.quantity:g} · {o.amount:.2f}".strip()
        rows.append([o.date, tr("kind.order"), what, who["orders"].get(o.id, "")])
    for i in talks:
        rows.append([i.date, tr("kind.interaction") + f" ({i.channel})", i.summary,
                     who["interactions"].get(i.id, "")])
    for k in complaints:
        rows.append([k.date, tr("kind.complaint") + f" ({tr('status.' + k.status)})", k.text,
                     who["complaints"].get(k.id, "")])
    for task in tasks:
        rows.append([task.due_date or "", tr("kind.task") + f" ({task.status})", task.title,
                     who["tasks"].get(task.id, "")])
    rows.sort(key=lambda r: r[0] or "", reverse=True)
    return pd.DataFrame(rows, columns=timeline_headers(lang).columns)


def timeline_headers(lang: str) -> pd.DataFrame:
    """An empty timeline (so the table shows its headers before a customer is picked)."""
    import pandas as pd

    return pd.DataFrame(columns=views.headers(["col.date", "col.kind", "col.detail", "col.by"],
                                              lang))


def profile_markdown(store: Store, customer_id: int, lang: str) -> str:
    """Header, contact details, spend and the churn assessment with its reasons."""
    tr = views.tr(lang)
    c = store.get_customer(customer_id)
    orders = store.orders(c.id)
    # stored values are shown as text: a note's <img> or "# SYSTEM" must not render
    contact = " · ".join(as_text(v) for v in (c.phone, c.email, c.wechat and f"WeChat {c.wechat}")
                         if v)
    lines = [(f"## {as_text(c.name)}  <small>#{c.id}"
              f"{' · ' + as_text(c.external_id) if c.external_id else ''}"
              f"{' · ' + as_text(c.city) if c.city else ''}</small>")]
    if contact:
        lines.append(contact)
    spent = sum(o.amount for o in orders)
    last = orders[-1].date if orders else "—"
    lines.append(tr("profile.stats", n=len(orders), spent=f"{spent:,.2f}", last=last))
    if c.tags or c.notes:
        lines.append(" · ".join(as_text(v) for v in (c.tags, c.notes) if v))
    lines.append(views.churn_summary(store, c.id, lang))
    return "\n\n".join(lines)


def build(services: Services, ui: Ui, tab: Any) -> None:
    """The Customers tab (call inside a gr.Tab)."""
    store = services.store
    current = gr.State(None)
    with gr.Row():
        with gr.Column(scale=5, min_width=320):
            query = ui.make(gr.Textbox, {"placeholder": "customers.search"}, show_label=False,
                            elem_id="customer-search")
            table = gr.Dataframe(customer_table(store, "", ui.lang), interactive=False,
                                 max_height=560, elem_id="customer-table", show_search="none",
                                 wrap=True, column_widths=["9%", "27%", "14%", "13%",
                                                           "14%", "23%"])
        with gr.Column(scale=6, min_width=360):
            profile = ui.make(gr.Markdown, {"value": "customers.pick"}, elem_id="profile")
            with gr.Accordion(ui.t("customers.log"), open=False, elem_id="log-accordion") as acc:
                with gr.Row():
                    channel = ui.make(gr.Dropdown, {"label": "col.channel"}, choices=CHANNELS,
                                      value="wechat", elem_id="log-channel")
                    when = ui.make(gr.Textbox, {"label": "col.date"},
                                   value=date.today().isoformat(), elem_id="log-date")
                summary = ui.make(gr.Textbox, {"label": "customers.summary",
                                               "placeholder": "customers.summary_hint"},
                                  lines=2, elem_id="log-summary")
                preview = ui.make(gr.Button, {"value": "customers.preview"}, elem_id="log-preview")
                card = gr.Markdown(visible=False, elem_id="log-card")
                with gr.Row(visible=False) as confirm_row:
                    confirm = ui.make(gr.Button, {"value": "chat.confirm"}, variant="primary",
                                      elem_id="log-confirm")
                    cancel = ui.make(gr.Button, {"value": "chat.cancel"}, elem_id="log-cancel")
            ui.make(gr.Markdown, {"value": "customers.timeline"})
            events = gr.Dataframe(timeline_headers(ui.lang), interactive=False, max_height=360,
                                  wrap=True, elem_id="timeline",
                                  column_widths=["16%", "20%", "50%", "14%"])
            ui.make(gr.Markdown, {"value": "customers.suggest"})
            advice = gr.Markdown(elem_id="advice")
    ui.register(acc, {"label": "customers.log"})

    def search(q: str) -> Any:
        return customer_table(store, q, services.ui_language())

    def show(cid: int | None) -> tuple:
        if cid is None:
            return gr.skip(), gr.skip()
        lang = services.ui_language()
        try:
            return profile_markdown(store, cid, lang), timeline(store, cid, lang)
        except CrmError as ex:
            return f"⚠️ {ex}", None

    def pick(evt: gr.SelectData) -> int | None:
        row = evt.row_value or []
        return int(row[0]) if row else None

    def suggest(cid: int | None) -> str:
        if cid is None:
            return ""
        return views.suggestions(services, cid, services.ui_language())

    def preview_write(cid: int | None, ch: str, day: str, text: str) -> tuple:
        lang = services.ui_language()
        if cid is None:
            return gr.update(value=views.tr(lang)("customers.pick_first"), visible=True), \
                gr.update(visible=False)
        try:
            row = store.interaction_row(cid, day, ch, text)
        except CrmError as ex:
            return gr.update(value=f"⚠️ {ex}", visible=True), gr.update(visible=False)
        name = store.get_customer(cid).name
        msg = views.tr(lang)("customers.card", name=as_text(name), date=row["date"],
                             channel=row["channel"], summary=as_text(row["summary"]))
        return gr.update(value=msg, visible=True), gr.update(visible=True)

    def save(cid: int, ch: str, day: str, text: str, request: gr.Request) -> tuple:
        lang = services.ui_language()
        try:
            with services.acting(services.user(request.username)):
                store.log_interaction(cid, day, ch, text)
        except CrmError as ex:
            return gr.update(value=f"⚠️ {ex}"), gr.update(visible=False), gr.skip()
        done = views.tr(lang)("customers.saved")
        return gr.update(value=done), gr.update(visible=False), ""

    tab.select(search, query, table, api_name=False)
    ui.on_switch(search, query, table)
    ui.on_switch(show, current, [profile, events])
    query.submit(search, query, table, api_name=False)
    query.change(search, query, table, api_name=False, trigger_mode="always_last")
    table.select(pick, None, current, api_name=False).then(
        show, current, [profile, events], api_name=False).then(
        lambda: views.tr(services.ui_language())("suggest.loading"), None, advice,
        api_name=False).then(
        suggest, current, advice, api_name=False)
    preview.click(preview_write, [current, channel, when, summary], [card, confirm_row],
                  api_name=False)
    confirm.click(save, [current, channel, when, summary], [card, confirm_row, summary],
                  api_name=False).then(show, current, [profile, events], api_name=False)
    cancel.click(lambda: (gr.update(visible=False), gr.update(visible=False)), None,
                 [card, confirm_row], api_name=False)
