"""Today tab (first and default): the morning briefing, and a button for each line's next step."""

from __future__ import annotations

import logging
from datetime import date
from typing import TYPE_CHECKING, Any

import gradio as gr

from assistant.analytics.briefing import SECTION_TITLES, Briefing, Entry, today
from assistant.core.markup import as_text
from assistant.core.records import CrmError
from assistant.webui import views
from assistant.webui.customers import profile_markdown
from assistant.webui.ui import Ui

if TYPE_CHECKING:
    import pandas as pd

    from assistant.services import Services
    from assistant.store import Store

log = logging.getLogger(__name__)
ACTIONABLE = ("call_today", "due_to_reorder", "complaints_waiting", "tasks_due", "dates")
# the outreach goal a drafted message serves, by the kind of line
_GOAL = {"call": "winback", "reorder": "reorder", "birthday": "thanks", "anniversary": "thanks",
         "follow_up": "thanks"}


def compose(store: Store, lang: str, as_of: date | None = None) -> Briefing:
    """Today's briefing for the tab (the cache keeps a repeat within the same data instant)."""
    return today(store, (as_of or date.today()).isoformat(), lang=lang)


def lines(briefing: Briefing) -> list[tuple[str, Entry]]:
    """Every line a button can act on, section by section."""
    return [(name, e) for name in ACTIONABLE for e in getattr(briefing, name)]


def table(briefing: Briefing) -> pd.DataFrame:
    """Section, customer, why and next step: one row per actionable line."""
    import pandas as pd

    zh = briefing.lang == "zh"
    cols = ["#", "板块", "客户", "原因", "下一步"] if zh else ["#", "Section", "Customer", "Why",
                                                           "Next step"]
    rows = [[i, SECTION_TITLES[name][1 if zh else 0], e.name or "—",
             ("；" if zh else "; ").join(e.reasons), e.action]
            for i, (name, e) in enumerate(lines(briefing), 1)]
    return pd.DataFrame(rows, columns=cols)


def header(briefing: Briefing, lang: str) -> str:
    """The headline, the notes and the 'what changed' section (read-only lines)."""
    say = views.tr(lang)
    parts = [f"### {say('today.title', day=briefing.as_of)}", briefing.headline()]
    if briefing.urgent:
        parts.append("🔴 " + say("today.urgent", n=briefing.urgent))
    parts += [f"_{as_text(n)}_" for n in briefing.notes]
    return "\n\n".join(parts)


def changes(briefing: Briefing) -> str:
    return briefing.to_markdown(sections=("changes",), notes=False).split("\n", 3)[-1] \
        if briefing.changes else ""


def tab_label(briefing: Briefing | None, lang: str) -> str:
    """The tab's label, with a red badge when something is overdue."""
    base = views.tr(lang)("tab.today")
    return f"{base} 🔴{briefing.urgent}" if briefing is not None and briefing.urgent else base


def detail(store: Store, entry: Entry, lang: str) -> str:
    """The picked line: who, why, the next step and its playbook passage."""
    zh = lang == "zh"
    who = f"**{as_text(entry.name)}**" if entry.name else ""
    cite = (f"\n\n📖 {entry.citation}: {as_text(entry.details.get('citation_title', ''))}"
            if entry.citation else "")
    why = "\n".join(f"- {as_text(r)}" for r in entry.reasons)
    step = ("下一步：" if zh else "Next step: ") + as_text(entry.action)
    return f"{who}\n\n{why}\n\n{step}{cite}"


def draft_for(services: Services, entry: Entry, lang: str) -> str:
    """A message for the line: a complaint reply, or a personal note in the customer's language."""
    store = services.store
    if entry.kind in ("complaint", "new_complaint"):
        from assistant.complaints.service import draft_reply

        return draft_reply(store, int(entry.details["complaint_id"]), index=services.index()).text
    from assistant.outreach.drafting import Recipient, customer_language, draft, offer_policy

    if entry.customer_id is None:
        raise CrmError(views.tr(lang)("today.no_customer"))
    c = store.get_customer(entry.customer_id)
    usual = entry.details.get("usual_products") or []
    stage = entry.details.get("stage")
    recipient = Recipient(c.id, c.name, customer_language(c.name), stage,
                          usual[0] if usual else None)
    policy = offer_policy(store.get_setting("policy"), str(store.get_setting("shop_signature", "")
                                                            or ""))
    made = draft(recipient, _GOAL.get(entry.kind, "thanks"), "wechat", policy)
    return made.message


def log_call(services: Services, entry: Entry, user: Any, lang: str, day: date) -> str:
    """Record that the owner called (one audited, undoable action by the signed-in user)."""
    say = views.tr(lang)
    if entry.customer_id is None:
        return "⚠️ " + say("today.no_customer")
    summary = say("today.call_summary", why=entry.reasons[0] if entry.reasons else "")
    with services.acting(user):
        services.store.log_interaction(entry.customer_id, day.isoformat(), "phone", summary,
                                       actor=user.name)
    return "✅ " + say("today.logged", name=entry.name)


def mark_done(services: Services, entry: Entry, user: Any, lang: str, day: date) -> str:
    """Close the line: a task done, a complaint in progress, a customer marked as reached."""
    say = views.tr(lang)
    store = services.store
    with services.acting(user):
        if entry.kind == "task":
            store.update_task(int(entry.details["task_id"]), status="done", actor=user.name)
            return "✅ " + say("today.task_done")
        if entry.kind in ("complaint", "new_complaint"):
            store.update_complaint(int(entry.details["complaint_id"]), status="in_progress",
                                   actor=user.name)
            return "✅ " + say("today.complaint_taken")
    if entry.customer_id is None:
        return "⚠️ " + say("today.no_customer")
    with services.acting(user):
        store.log_interaction(entry.customer_id, day.isoformat(), "other",
                              say("today.done_summary", what=entry.action), actor=user.name)
    return "✅ " + say("today.marked", name=entry.name)


def build(services: Services, ui: Ui, tab: Any) -> None:
    """The Today tab (call inside a gr.Tab)."""
    store = services.store
    try:
        first = compose(store, ui.lang)
    except CrmError as ex:  # a broken or empty file still opens the app
        log.warning("briefing: %s", ex)
        first = Briefing(date.today().isoformat(), ui.lang, notes=[str(ex)])
    picked = gr.State(None)
    head = gr.Markdown(header(first, ui.lang), elem_id="today-head")
    refresh_btn = ui.make(gr.Button, {"value": "today.refresh"}, size="sm", scale=0,
                          min_width=120, elem_id="today-refresh")
    grid = gr.Dataframe(table(first), interactive=False, wrap=True, max_height=480,
                        elem_id="today-table", column_widths=["5%", "14%", "14%", "45%", "22%"])
    info = ui.make(gr.Markdown, {"value": "today.pick"}, elem_id="today-detail")
    with gr.Row():
        draft_btn = ui.make(gr.Button, {"value": "today.draft"}, variant="primary", size="sm",
                            elem_id="today-draft")
        call_btn = ui.make(gr.Button, {"value": "today.log_call"}, size="sm", elem_id="today-call")
        profile_btn = ui.make(gr.Button, {"value": "today.profile"}, size="sm",
                              elem_id="today-profile")
        done_btn = ui.make(gr.Button, {"value": "today.done"}, size="sm", elem_id="today-done")
    notice = gr.Markdown(elem_id="today-notice")
    message = ui.make(gr.Textbox, {"label": "today.message"}, lines=4, buttons=["copy"],
                      visible=False, elem_id="today-message")
    changed = gr.Markdown(changes(first), elem_id="today-changes")

    def refresh() -> tuple:
        lang = services.ui_language()
        try:
            b = compose(store, lang)
        except CrmError as ex:
            return (f"⚠️ {ex}", gr.skip(), gr.skip(), gr.skip(), None)
        return header(b, lang), table(b), changes(b), gr.update(label=tab_label(b, lang)), None

    def pick(evt: gr.SelectData) -> tuple:
        row = evt.row_value or []
        lang = services.ui_language()
        if not row:
            return gr.skip(), gr.skip(), gr.skip()
        b = compose(store, lang)
        all_lines = lines(b)
        i = int(row[0]) - 1
        if not 0 <= i < len(all_lines):
            return None, "⚠️ " + views.tr(lang)("today.stale"), ""
        return i, detail(store, all_lines[i][1], lang), ""

    def chosen(i: int | None, lang: str) -> Entry | None:
        if i is None:
            return None
        all_lines = lines(compose(store, lang))
        return all_lines[i][1] if 0 <= i < len(all_lines) else None

    def on_draft(i: int | None) -> tuple:
        lang = services.ui_language()
        entry = chosen(i, lang)
        if entry is None:
            return "⚠️ " + views.tr(lang)("today.pick_first"), gr.update(visible=False)
        try:
            text = draft_for(services, entry, lang)
        except CrmError as ex:
            return f"⚠️ {ex}", gr.update(visible=False)
        return views.tr(lang)("today.drafted"), gr.update(value=text, visible=True)

    def on_profile(i: int | None) -> str:
        lang = services.ui_language()
        entry = chosen(i, lang)
        if entry is None or entry.customer_id is None:
            return "⚠️ " + views.tr(lang)("today.pick_first")
        try:
            return profile_markdown(store, entry.customer_id, lang)
        except CrmError as ex:
            return f"⚠️ {ex}"

    def act(fn: Any) -> Any:
        def run(i: int | None, request: gr.Request) -> str:
            lang = services.ui_language()
            entry = chosen(i, lang)
            if entry is None:
                return "⚠️ " + views.tr(lang)("today.pick_first")
            try:
                return fn(services, entry, services.user(request.username), lang, date.today())
            except CrmError as ex:
                return f"⚠️ {ex}"
        return run

    outputs = [head, grid, changed, tab, picked]
    tab.select(refresh, None, outputs, api_name=False)
    refresh_btn.click(refresh, None, outputs, api_name=False)
    ui.on_switch(refresh, None, outputs)
    grid.select(pick, None, [picked, info, notice], api_name=False)
    draft_btn.click(on_draft, picked, [notice, message], api_name=False)
    profile_btn.click(on_profile, picked, info, api_name=False)
    call_btn.click(act(log_call), picked, notice, api_name=False).then(
        refresh, None, outputs, api_name=False)
    done_btn.click(act(mark_done), picked, notice, api_name=False).then(
        refresh, None, outputs, api_name=False)
