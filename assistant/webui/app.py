"""The web app: build_app(services) assembles the tabs; main() wires, checks auth and launches."""

from __future__ import annotations

import logging
import os
from typing import Any

import gradio as gr

from assistant.core.config import Settings
from assistant.core.records import CrmError
from assistant.services import Services
from assistant.store import Store
from assistant.store.accounts import Accounts
from assistant.store.app_lock import hold_app_lock
from assistant.webui import (
    campaigns,
    chat,
    churn,
    complaints,
    customers,
    import_tab,
    schedule,
    settings,
    tasks,
    today,
)
from assistant.webui.security import launch_options, login_for
from assistant.webui.theme import launch_kwargs
from assistant.webui.ui import Ui

log = logging.getLogger(__name__)
TABS = (("today", today), ("chat", chat), ("customers", customers), ("churn", churn),
        ("complaints", complaints), ("tasks", tasks), ("campaigns", campaigns),
        ("import", import_tab))


def build_app(services: Services) -> gr.Blocks:
    """The whole app over one set of services (no launch, no env)."""
    ui = Ui(services.ui_language(), services.ui_language)
    # Offline-first: no usage analytics or version checks leave the machine.
    with gr.Blocks(title="CRM Assistant", analytics_enabled=False) as app:
        ui.make(gr.Markdown, {"value": "app.title"}, elem_id="app-title")
        with gr.Tabs(selected="today", elem_id="tabs"):
            for name, module in TABS:
                with ui.make(gr.Tab, {"label": f"tab.{name}"}, id=name,
                             elem_id=f"tab-{name}") as tab:
                    module.build(services, ui, tab)
            with ui.make(gr.Tab, {"label": "tab.settings"}, id="settings",
                         elem_id="tab-settings") as tab:
                language = settings.build(services, ui, tab)

        def switch(lang: str, request: gr.Request) -> list[Any]:
            services.save_setting(services.user(request.username), "ui_language", lang)
            return ui.relabel(lang)

        def on_load() -> list[Any]:
            lang = services.ui_language()
            same = lang == ui.lang
            return [gr.skip() if same else lang, *(
                [gr.skip()] * len(ui.components) if same else ui.relabel(lang))]

        switched = language.input(switch, language, ui.components, api_name=False)
        for fn, inputs, outputs in ui.refreshers:
            switched = switched.then(fn, inputs, outputs, api_name=False)
        app.load(on_load, None, [language, *ui.components], api_name=False)
    return app


def serve(config: Settings, quiet: bool = False, block: bool = True) -> tuple[gr.Blocks, str]:
    """Open the store, build the app, warm models up in the background and launch it."""
    store = Store.open(config.db_path)
    # held until the process exits: `crm restore` refuses to swap the file under a running app
    hold_app_lock(config.db_path)
    login = login_for(config.host, config.auth, Accounts(store))
    lang = "zh" if os.environ.get("LANG", "").lower().startswith("zh") else "en"
    services = Services(store, config, default_lang=lang)
    app = build_app(services)
    app.queue(default_concurrency_limit=4)
    _, url, _ = app.launch(
        server_name=config.host, server_port=config.port, prevent_thread_lock=True, quiet=quiet,
        **launch_options(login), **launch_kwargs(),
    )
    services.warm_up()
    # the briefing composed each morning, a backup each night, while the app runs
    schedule.start(services)
    if block:
        app.block_thread()
    return app, url


def main() -> None:
    """`python app.py`: the app on CRM_HOST:CRM_PORT (default 127.0.0.1:7860)."""
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    try:
        serve(Settings.from_env())
    except CrmError as ex:
        raise SystemExit(f"Error: {ex}") from None


if __name__ == "__main__":
    main()
