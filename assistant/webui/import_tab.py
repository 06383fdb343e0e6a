"""Import tab: upload CSV/XLSX, preview the column mapping, dry-run with row errors, then import."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import gradio as gr

from assistant.core.markup import as_text  # file names and headers come from the file
from assistant.core.records import CrmError, ImportFailed
from assistant.importer import import_file
from assistant.importer.read import FIELDS, map_columns, read_table
from assistant.store.accounts import LOCAL_OWNER, User
from assistant.store.audit import IMPORT, terms
from assistant.webui import views
from assistant.webui.ui import Ui

if TYPE_CHECKING:
    import pandas as pd

    from assistant.services import Services

log = logging.getLogger(__name__)
KINDS = ("customers", "orders", "interactions")


def mapping_frame(path: str, kind: str, lang: str) -> tuple[pd.DataFrame, pd.DataFrame, str]:
    """(first rows, {column -> field} table, message) for an uploaded file."""
    import pandas as pd


    say = views.tr(lang)
    frame = read_table(path)
    headers = list(frame.columns)
    try:
        mapping = map_columns(headers, kind)
        note = say("import.mapped", n=len(mapping), total=len(headers),
                   fields=", ".join(FIELDS[kind]))
    except CrmError as ex:
        mapping, note = {}, f"⚠️ {as_text(ex)}"
    table = pd.DataFrame({say("import.column"): headers,
                          say("import.field"): [mapping.get(h, "") for h in headers]})
    return frame.head(8), table, note


def overrides_from(table: Any) -> dict[str, str]:
    """The edited mapping table as importer overrides (blank fields are left to auto-detect)."""
    if table is None or len(table) == 0:
        return {}
    rows = table.values.tolist() if hasattr(table, "values") else table
    return {str(src): str(dst).strip() for src, dst in rows if str(dst or "").strip()}


def run_import(services: Services, path: str | None, kind: str, table: Any, dry_run: bool,
               progress: Any = None, user: User = LOCAL_OWNER) -> tuple[str, pd.DataFrame | None]:
    """Import (or dry-run) the file as `user` (owners only); returns a message and the row
    errors, if any."""
    import pandas as pd


    lang = services.ui_language()
    say = views.tr(lang)
    try:
        services.require(user, "import")
    except CrmError as ex:
        return f"⛔ {ex}", None
    if not path:
        return say("import.no_file"), None
    try:
        # an import is the signed-in owner's, and a person's chat "undo" never reverts it
        with terms(actor=user.name, via=IMPORT):
            result = import_file(services.store, kind, path, overrides_from(table),
                                 dry_run=dry_run, progress=progress is not None)
    except ImportFailed as ex:
        errors = pd.DataFrame(ex.errors, columns=views.headers(["import.row", "import.reason"],
                                                               lang))
        return "❌ " + say("import.failed", n=len(ex.errors)), errors
    except CrmError as ex:
        return f"⚠️ {as_text(ex)}", None
    key = "import.dry_ok" if dry_run else "import.done"
    msg = say(key, n=result.inserted, kind=say("kind." + kind), updated=result.updated,
              created=result.created_customers)
    return ("✅ " if not dry_run else "🔎 ") + msg, None


def build(services: Services, ui: Ui, tab: Any) -> None:
    """The Import tab (call inside a gr.Tab)."""
    ui.make(gr.Markdown, {"value": "import.intro"})
    with gr.Row():
        with gr.Column(scale=1, min_width=260):
            kind = ui.make(gr.Radio, {"label": "import.kind", "choices": [
                ("import.k_customers", "customers"), ("import.k_orders", "orders"),
                ("import.k_interactions", "interactions")]}, value="orders",
                elem_id="import-kind")
            upload = ui.make(gr.File, {"label": "import.file"}, file_types=[".csv", ".xlsx"],
                             type="filepath", elem_id="import-file", height=140)
        with gr.Column(scale=2):
            note = gr.Markdown(elem_id="import-note")
            mapping = ui.make(gr.Dataframe, {"label": "import.mapping"}, interactive=True,
                              static_columns=[0], elem_id="import-mapping", max_height=260,
                              visible=False)
    preview = ui.make(gr.Dataframe, {"label": "import.preview"}, interactive=False,
                      max_height=240, elem_id="import-preview", wrap=True, visible=False)
    with gr.Row():
        check = ui.make(gr.Button, {"value": "import.check"}, elem_id="import-check")
        go = ui.make(gr.Button, {"value": "import.go"}, variant="primary", elem_id="import-go")
        undo = ui.make(gr.Button, {"value": "import.undo"}, size="sm", elem_id="import-undo")
    result = gr.Markdown(elem_id="import-result")
    errors = ui.make(gr.Dataframe, {"label": "import.errors"}, visible=False, interactive=False,
                     elem_id="import-errors", max_height=300, wrap=True)

    def load(path: str | None, k: str) -> tuple:
        lang = services.ui_language()
        hidden = gr.update(visible=False, value=None)
        if not path:
            return hidden, hidden, "", "", hidden
        try:
            head, table, msg = mapping_frame(path, k, lang)
        except CrmError as ex:
            return hidden, hidden, f"⚠️ {as_text(ex)}", "", hidden
        return (gr.update(value=head, visible=True), gr.update(value=table, visible=True), msg,
                "", hidden)

    def dry(path: str | None, k: str, table: Any, request: gr.Request) -> tuple:
        try:
            user = services.user(request.username)
        except CrmError as ex:
            return f"⛔ {ex}", gr.update(visible=False)
        msg, errs = run_import(services, path, k, table, dry_run=True, user=user)
        return msg, gr.update(value=errs, visible=errs is not None)

    def real(path: str | None, k: str, table: Any, request: gr.Request,
             progress: gr.Progress = gr.Progress(track_tqdm=True)) -> tuple:  # noqa: B008 - gradio injects progress via the default
        try:
            user = services.user(request.username)
        except CrmError as ex:
            return f"⛔ {ex}", gr.update(visible=False)
        msg, errs = run_import(services, path, k, table, dry_run=False, progress=progress,
                               user=user)
        return msg, gr.update(value=errs, visible=errs is not None)

    def undo_last(request: gr.Request) -> str:
        try:  # the newest action of anyone: the owner's
            what = services.undo(services.user(request.username), of="*")
            return "↩️ " + views.tr(services.ui_language())("import.undone", what=what)
        except CrmError as ex:
            return f"⚠️ {as_text(ex)}"

    outs = [preview, mapping, note, result, errors]
    upload.change(load, [upload, kind], outs, api_name=False)
    kind.change(load, [upload, kind], outs, api_name=False)
    check.click(dry, [upload, kind, mapping], [result, errors], api_name=False)
    go.click(real, [upload, kind, mapping], [result, errors], api_name=False)
    undo.click(undo_last, None, result, api_name=False)
