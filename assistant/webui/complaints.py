"""Complaints tab: inbox by status and severity, triage labels, reply drafts by tone, resolve."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import gradio as gr

from assistant.complaints.service import draft_reply, save_reply, set_status
from assistant.complaints.triage import classify
from assistant.core.markup import as_text
from assistant.core.records import CrmError
from assistant.webui import views
from assistant.webui.ui import Ui

if TYPE_CHECKING:
    import pandas as pd

    from assistant.services import Services
    from assistant.store import Store

log = logging.getLogger(__name__)
SEVERITY_RANK = {"critical": 0, "high": 1, "medium": 2, "low": 3}
TONES = ("formal", "warm", "brief")


def inbox(store: Store, status: str, severity: str, lang: str) -> pd.DataFrame:
    """Complaints filtered by status and severity, most severe and newest first."""
    import pandas as pd

    say = views.tr(lang)
    rows = store.complaints(status=None if status == "all" else status)
    if severity != "all":
        rows = [k for k in rows if k.severity == severity]
    rows.sort(key=lambda k: (SEVERITY_RANK.get(k.severity or "", 9), _neg(k.date), -k.id))
    names = store.names_by_id()
    data = [[k.id, k.date, names.get(k.customer_id, "?"),
             say("sev." + k.severity) if k.severity in SEVERITY_RANK else (k.severity or ""),
             say("status." + k.status), views.label("cat", k.category, lang), _cut(k.text)]
            for k in rows]
    cols = views.headers(["col.id", "col.date", "col.name", "col.severity", "col.status",
                          "col.category", "col.text"], lang)
    return pd.DataFrame(data, columns=cols)


def _neg(day: str) -> str:
    # Sort dates descending inside an ascending sort key.
    return "".join(chr(0x10FFFF - ord(ch)) for ch in day or "")


def _cut(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


def detail(store: Store, complaint_id: int, lang: str) -> str:
    """One complaint with its labels, as markdown."""
    say = views.tr(lang)
    k = store.get_complaint(complaint_id)
    name = store.get_customer(k.customer_id).name
    labels = [(say("col.category"), views.label("cat", k.category, lang)),
              (say("col.severity"), views.label("sev", k.severity, lang)),
              (say("col.sentiment"), None if k.sentiment is None else f"{k.sentiment:+.2f}"),
              (say("col.fault"), views.label("fault", k.fault, lang)),
              (say("col.status"), say("status." + k.status)),
              (say("col.source"), k.label_source)]
    chips = " · ".join(f"**{a}**: {b}" for a, b in labels if b)
    # the customer's words and the reply are shown as text, never as Markdown or HTML
    head = f"### #{k.id} · {as_text(name)} · {k.date}\n\n> {as_text(k.text)}\n\n{chips}"
    if k.reply_sent:
        head += f"\n\n{say('complaints.sent')}: {as_text(k.reply_sent)}"
    return head


def build(services: Services, ui: Ui, tab: Any) -> None:
    """The Complaints tab (call inside a gr.Tab)."""
    store = services.store
    current = gr.State(None)
    with gr.Row(equal_height=True):
        status = ui.make(gr.Radio, {"label": "col.status", "choices": [
            ("status.open", "open"), ("status.in_progress", "in_progress"),
            ("status.resolved", "resolved"), ("churn.all", "all")]}, value="open", scale=3)
        severity = ui.make(gr.Dropdown, {"label": "col.severity", "choices": [
            ("churn.all", "all"), ("sev.critical", "critical"), ("sev.high", "high"),
            ("sev.medium", "medium"), ("sev.low", "low")]}, value="all", scale=1)
    table = gr.Dataframe(inbox(store, "open", "all", ui.lang), interactive=False, wrap=True,
                         max_height=320, elem_id="complaint-table",
                         column_widths=["5%", "10%", "10%", "8%", "9%", "14%", "44%"])
    info = ui.make(gr.Markdown, {"value": "complaints.pick"}, elem_id="complaint-detail")
    with gr.Row():
        triage = ui.make(gr.Button, {"value": "complaints.triage"}, size="sm", scale=0,
                         min_width=160,
                         elem_id="complaint-triage")
        resolve = ui.make(gr.Button, {"value": "complaints.resolve"}, size="sm", scale=0,
                          min_width=160,
                          elem_id="complaint-resolve")
    with gr.Row(equal_height=True):
        tone = ui.make(gr.Radio, {"label": "complaints.tone", "choices": [
            ("tone.formal", "formal"), ("tone.warm", "warm"), ("tone.brief", "brief")]},
            value="formal", scale=3, elem_id="complaint-tone")
        draft_btn = ui.make(gr.Button, {"value": "complaints.draft"}, variant="primary",
                            scale=1, elem_id="complaint-draft")
    reply = ui.make(gr.Textbox, {"label": "complaints.reply"}, lines=6, elem_id="complaint-reply",
                    buttons=["copy"])
    with gr.Row():
        save = ui.make(gr.Button, {"value": "complaints.save"}, size="sm", scale=0,
                       min_width=150)
        sent = ui.make(gr.Button, {"value": "complaints.sent_btn"}, size="sm", scale=0,
                       min_width=150, elem_id="complaint-sent")
        notice = gr.Markdown(elem_id="complaint-notice")

    def refresh(st: str, sev: str) -> Any:
        return inbox(store, st, sev, services.ui_language())

    def pick(evt: gr.SelectData) -> tuple:
        row = evt.row_value or []
        if not row:
            return gr.skip(), gr.skip(), gr.skip(), gr.skip()
        cid = int(row[0])
        k = store.get_complaint(cid)
        return cid, detail(store, cid, services.ui_language()), k.reply_draft or "", ""

    def do_triage(cid: int | None, request: gr.Request) -> tuple:
        lang = services.ui_language()
        if cid is None:
            return gr.skip(), views.tr(lang)("complaints.pick_first")

        k = store.get_complaint(cid)
        with services.acting(services.user(request.username)):
            store.update_complaint(cid, **classify(k.text).labels())
        return detail(store, cid, lang), views.tr(lang)("complaints.triaged")

    def do_draft(cid: int | None, tone_name: str) -> tuple:
        lang = services.ui_language()
        if cid is None:
            return gr.skip(), views.tr(lang)("complaints.pick_first")

        try:
            index = services.index()
        except CrmError as ex:  # no knowledge base yet: draft without citations
            log.warning("Drafting without the knowledge base: %s", ex)
            index = None
        try:
            d = draft_reply(store, cid, tone=tone_name, index=index)
        except CrmError as ex:
            return gr.skip(), f"⚠️ {ex}"
        text = views.get(d, "text", "") if not isinstance(d, str) else d
        cites = views.get(d, "citations") or []
        note = views.tr(lang)("complaints.drafted")
        failed = [name for name, ok in (views.get(d, "checks") or {}).items() if not ok]
        if failed:
            note += " ⚠️ " + views.tr(lang)("complaints.check_failed", checks=", ".join(failed))
        if cites:
            note += (f"  \n<small>{views.tr(lang)('suggest.sources')}: "
                     f"{views.citations(services, cites, lang)}</small>")
        return text, note

    def do_save(sent: bool) -> Any:
        def run(cid: int | None, text: str, request: gr.Request) -> tuple:
            say = views.tr(services.ui_language())
            if cid is None:
                return gr.skip(), say("complaints.pick_first")
            try:
                with services.acting(services.user(request.username)):
                    save_reply(store, cid, text, sent=sent)
            except CrmError as ex:
                return gr.skip(), f"⚠️ {ex}"
            note = say("complaints.marked_sent" if sent else "complaints.saved")
            return detail(store, cid, services.ui_language()), note
        return run

    def do_resolve(cid: int | None, request: gr.Request) -> tuple:
        lang = services.ui_language()
        if cid is None:
            return gr.skip(), views.tr(lang)("complaints.pick_first")
        with services.acting(services.user(request.username)):
            set_status(store, cid, "resolved")
        return detail(store, cid, lang), views.tr(lang)("complaints.resolved")

    filters = [status, severity]
    tab.select(refresh, filters, table, api_name=False)
    ui.on_switch(refresh, filters, table)
    status.change(refresh, filters, table, api_name=False)
    severity.change(refresh, filters, table, api_name=False)
    table.select(pick, None, [current, info, reply, notice], api_name=False)
    triage.click(do_triage, current, [info, notice], api_name=False).then(
        refresh, filters, table, api_name=False)
    draft_btn.click(do_draft, [current, tone], [reply, notice], api_name=False)
    save.click(do_save(False), [current, reply], [info, notice], api_name=False)
    sent.click(do_save(True), [current, reply], [info, notice], api_name=False).then(
        refresh, filters, table, api_name=False)
    resolve.click(do_resolve, current, [info, notice], api_name=False).then(
        refresh, filters, table, api_name=False)
