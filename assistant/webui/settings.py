"""Settings tab: chat backend with a connection test, shop policy limits, interface language."""

from __future__ import annotations

import importlib.util
import logging
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import gradio as gr

from assistant.complaints.drafting import policy_from
from assistant.core.config import Settings
from assistant.core.records import CrmError
from assistant.models.factory import connection_test
from assistant.models.packaged import MODELS, chunk_paths
from assistant.outreach.drafting import offer_policy
from assistant.webui import views
from assistant.webui.ui import Ui

if TYPE_CHECKING:
    from assistant.services import Services

log = logging.getLogger(__name__)


def test_backend(kind: str, base_url: str, model: str, api_key: str, lang: str,
                 local_model: str = "local", settings: Settings | None = None) -> str:
    """Check that the chosen backend answers; returns a one-line verdict."""
    say = views.tr(lang)
    if kind == "none":
        return "✅ " + say("settings.none_ok")
    if kind == "local":
        return _test_local(local_model, say)
    return _test_openai(base_url, model, api_key, say, settings)


def _test_local(spec_name: str, say: Any) -> str:
    if importlib.util.find_spec("llama_cpp") is None:
        return "❌ " + say("settings.no_llama")
    wanted = spec_name.split(":", 1)[1] if ":" in spec_name else None
    problems = []
    for name, spec in MODELS.items():
        if wanted and name != wanted:
            continue
        try:
            chunk_paths(spec)
            return "✅ " + say("settings.local_ok", name=name)
        except CrmError as ex:
            problems.append(str(ex))
    return "❌ " + (problems[0] if problems else say("settings.no_model"))


def _test_openai(base_url: str, model: str, api_key: str, say: Any,
                 settings: Settings | None = None) -> str:
    url = (base_url or "").strip().rstrip("/")
    if not url.startswith(("http://", "https://")):
        return "❌ " + say("settings.bad_url")
    name = (model or "").strip().removeprefix("openai:")
    if not name:
        return "❌ " + say("settings.no_model_name")
    base = settings or Settings.from_env({})
    try:
        answer = connection_test(f"openai:{name}", replace(base, base_url=url,
                                                           api_key=api_key or None))
    except CrmError as ex:
        return "❌ " + say("settings.failed", error=str(ex)[:300])
    return "✅ " + say("settings.openai_ok", answer=answer)


def policy_values(store: Any) -> dict:
    """The saved shop policy with defaults filled in."""
    return policy_from(store.get_setting("policy"))


def build(services: Services, ui: Ui, tab: Any) -> Any:
    """The Settings tab; returns the language radio (app.py wires relabelling to it)."""
    store = services.store
    backend = services.backend()
    policy = policy_values(store)
    ui.make(gr.Markdown, {"value": "settings.backend_title"})
    kind = ui.make(gr.Radio, {"label": "settings.backend", "choices": [
        ("settings.local", "local"), ("settings.openai", "openai"), ("settings.none", "none")]},
        value=backend["kind"], elem_id="backend-kind")
    with gr.Row(visible=backend["kind"] == "openai") as remote:
        url = ui.make(gr.Textbox, {"label": "settings.url"}, value=backend.get("base_url") or "",
                      placeholder="http://127.0.0.1:8080/v1", elem_id="backend-url")
        model = ui.make(gr.Textbox, {"label": "settings.model"}, value=backend.get("model") or "",
                        placeholder="gpt-4o-mini")
        # the saved key never goes to the page (every signed-in user receives its config);
        # left blank, saving and testing use the saved one
        key = ui.make(gr.Textbox, {"label": "settings.key"}, value="", type="password",
                      placeholder="••••••" if backend.get("api_key") else "")
    with gr.Row():
        test = ui.make(gr.Button, {"value": "settings.test"}, elem_id="backend-test")
        save_backend = ui.make(gr.Button, {"value": "settings.save"}, variant="primary")
    backend_note = gr.Markdown(elem_id="backend-note")

    ui.make(gr.Markdown, {"value": "settings.policy_title"})
    with gr.Row():
        refund = ui.make(gr.Number, {"label": "settings.max_refund"}, value=policy["max_refund"],
                         minimum=0, elem_id="policy-refund")
        coupon = ui.make(gr.Number, {"label": "settings.max_coupon"}, value=policy["max_coupon"],
                         minimum=0, elem_id="policy-coupon")
        currency = ui.make(gr.Textbox, {"label": "settings.currency"}, value=policy["currency"])
        replace = ui.make(gr.Checkbox, {"label": "settings.replacement"},
                          value=bool(policy["replacement"]))
        offer = ui.make(gr.Number, {"label": "settings.max_offer"}, minimum=0, maximum=90,
                        value=offer_policy(store.get_setting("policy")).max_percent,
                        elem_id="policy-offer")
    save_policy = ui.make(gr.Button, {"value": "settings.save_policy"}, elem_id="policy-save")
    policy_note = gr.Markdown(elem_id="policy-note")

    ui.make(gr.Markdown, {"value": "settings.lang_title"})
    lang = gr.Radio([("English", "en"), ("中文", "zh")], value=ui.lang, show_label=False,
                    elem_id="ui-language")

    def run_test(k: str, u: str, m: str, api_key: str) -> str:
        return test_backend(k, u, m, api_key or services.backend().get("api_key") or "",
                            services.ui_language(), services.settings.model, services.settings)

    def store_backend(k: str, u: str, m: str, api_key: str, request: gr.Request) -> str:
        try:
            services.save_setting(services.user(request.username), "backend", {
                "kind": k, "base_url": (u or "").strip(), "model": (m or "").strip(),
                "api_key": api_key or services.backend().get("api_key") or ""})
        except CrmError as ex:  # a staff account: the owner's setting
            return f"⛔ {ex}"
        services.reset_assistant()
        return "✅ " + views.tr(services.ui_language())("settings.saved_backend")

    def store_policy(r: float | None, c: float | None, cur: str, rep: bool, off: float | None,
                     request: gr.Request) -> str:
        say = views.tr(services.ui_language())
        if r is None or c is None or off is None or r < 0 or c < 0 or not 0 <= off <= 90:
            return "⚠️ " + say("settings.bad_limits")
        try:
            services.save_setting(services.user(request.username), "policy", {
                "max_refund": float(r), "max_coupon": float(c),
                "currency": (cur or "¥").strip() or "¥", "replacement": bool(rep),
                "offer_max_percent": float(off)})
        except CrmError as ex:  # a staff account: the owner's policy
            return f"⛔ {ex}"
        return "✅ " + say("settings.saved_policy")

    kind.change(lambda k: gr.update(visible=k == "openai"), kind, remote, api_name=False)
    test.click(run_test, [kind, url, model, key], backend_note, api_name=False)
    save_backend.click(store_backend, [kind, url, model, key], backend_note, api_name=False)
    save_policy.click(store_policy, [refund, coupon, currency, replace, offer], policy_note,
                      api_name=False)
    return lang
