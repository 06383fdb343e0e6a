"""Tasks tab: follow-ups by due date with overdue ones marked; mark done or reopen."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

import gradio as gr

from assistant.core.markup import as_text
from assistant.core.records import CrmError
from assistant.lang.dates import parse_period
from assistant.webui import views
from assistant.webui.ui import Ui

if TYPE_CHECKING:
    import pandas as pd

    from assistant.core.records import Task
    from assistant.services import Services
    from assistant.store import Store



def overdue(task: Task, today: date) -> bool:
    """Still open and due before today."""
    return task.status == "open" and task.due_date is not None and task.due_date < today.isoformat()


def shown(store: Store, show: str, today: date) -> list[Task]:
    """Tasks for one filter: open ones first, each group by due date (undated last)."""
    sunday = parse_period("this week", today)[1].isoformat()  # the chat's week, to the day
    keep = {"open": lambda k: k.status == "open",
            "overdue": lambda k: overdue(k, today),
            # Like "what's due this week" in chat: overdue work still needs doing this week.
            "week": lambda k: k.status == "open" and k.due_date is not None and k.due_date <= sunday,
            "all": lambda k: True}[show]
    rows = [k for k in store.tasks() if keep(k)]
    rows.sort(key=lambda k: (k.status != "open", not k.due_date, k.due_date or "", k.id))
    return rows


def listing(store: Store, show: str, lang: str,
            today: date | None = None) -> tuple[pd.DataFrame, str]:
    """The tasks table for one filter (ID, due, customer, task, status) and its count line."""
    import pandas as pd

    say, today = views.tr(lang), today or date.today()
    rows = shown(store, show, today)
    # only the customers on the list: a big shop's full customer table is not needed here
    labels = store.customer_labels({k.customer_id for k in rows if k.customer_id is not None})
    names = {cid: name for cid, (_, name) in labels.items()}
    data = [[k.id, k.due_date or "", names.get(k.customer_id, "—"), k.title,
             say("tasks.overdue") if overdue(k, today) else say("status." + k.status)]
            for k in rows]
    cols = views.headers(["col.id", "col.due", "col.name", "col.task", "col.status"], lang)
    late = sum(overdue(k, today) for k in rows)
    return pd.DataFrame(data, columns=cols), say("tasks.count", n=len(rows), late=late)


def detail(store: Store, task_id: int, lang: str, today: date | None = None) -> str:
    """One task as a markdown line: id, customer, due date, title and status."""
    say, today = views.tr(lang), today or date.today()
    k = store.get_task(task_id)
    who = store.get_customer(k.customer_id).name if k.customer_id else "—"
    state = say("tasks.overdue") if overdue(k, today) else say("status." + k.status)
    return f"**#{k.id}** · {as_text(who)} · {k.due_date or '—'} — {as_text(k.title)} · *{state}*"


def set_status(store: Store, task_id: int | None, status: str, lang: str) -> str:
    """Mark one task done or open again (one audited, undoable action); the message to show."""
    say = views.tr(lang)
    if task_id is None:
        return say("tasks.pick_first")
    try:
        k = store.get_task(task_id)
        if k.status == status:
            return say(f"tasks.already_{status}", title=k.title)
        store.update_task(k.id, status=status)
    except CrmError as ex:  # e.g. the task's creation was undone meanwhile
        return f"⚠️ {ex}"
    return say("tasks.marked_done" if status == "done" else "tasks.reopened", title=k.title)


def build(services: Services, ui: Ui, tab: Any) -> None:
    """The Tasks tab (call inside a gr.Tab)."""
    store = services.store
    current = gr.State(None)
    first, first_count = listing(store, "open", ui.lang)
    with gr.Row(equal_height=True):
        show = ui.make(gr.Radio, {"label": "tasks.show", "choices": [
            ("tasks.f_open", "open"), ("tasks.f_overdue", "overdue"),
            ("tasks.f_week", "week"), ("churn.all", "all")]}, value="open", scale=3,
            elem_id="task-filter")
        count = gr.Markdown(first_count, elem_id="task-count")
    table = gr.Dataframe(first, interactive=False, wrap=True, max_height=420,
                         elem_id="task-table", column_widths=["6%", "12%", "14%", "52%", "16%"])
    info = ui.make(gr.Markdown, {"value": "tasks.pick"}, elem_id="task-detail")
    with gr.Row():
        done = ui.make(gr.Button, {"value": "tasks.done_btn"}, variant="primary", size="sm",
                       scale=0, min_width=160, elem_id="task-done")
        reopen = ui.make(gr.Button, {"value": "tasks.reopen_btn"}, size="sm", scale=0,
                         min_width=160, elem_id="task-reopen")
        notice = gr.Markdown(elem_id="task-notice")

    def refresh(which: str) -> tuple:
        return listing(store, which, services.ui_language())

    def pick(evt: gr.SelectData) -> tuple:
        row = evt.row_value or []
        if not row:
            return gr.skip(), gr.skip(), gr.skip()
        tid = int(row[0])
        return tid, detail(store, tid, services.ui_language()), ""

    def change(status: str) -> Any:
        def run(tid: int | None, request: gr.Request) -> tuple:
            lang = services.ui_language()
            try:
                with services.acting(services.user(request.username)):
                    note = set_status(store, tid, status, lang)
            except CrmError as ex:  # the account was removed meanwhile
                return gr.skip(), f"⚠️ {ex}"
            try:
                shown_now = detail(store, tid, lang) if tid is not None else gr.skip()
            except CrmError:
                shown_now = gr.skip()
            return shown_now, note
        return run

    tab.select(refresh, show, [table, count], api_name=False)
    ui.on_switch(refresh, show, [table, count])
    show.change(refresh, show, [table, count], api_name=False)
    table.select(pick, None, [current, info, notice], api_name=False)
    done.click(change("done"), current, [info, notice], api_name=False).then(
        refresh, show, [table, count], api_name=False)
    reopen.click(change("open"), current, [info, notice], api_name=False).then(
        refresh, show, [table, count], api_name=False)
