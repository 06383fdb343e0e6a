"""No turn waits on another: while one session's model turn is in progress, other sessions'
rule-answered turns, previews and confirmations finish, and the pages' lazy parts do not queue
behind the assistant loading. Ordering is asserted, not time (bounds are generous timeouts)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date
from typing import Any

from langchain_core.messages import AIMessage

from assistant.agent.assistant import Assistant
from assistant.core.config import Settings
from assistant.core.records import Write
from assistant.services import Services
from assistant.store.accounts import User
from tests.fakes import ScriptedChatModel
from tools import TOOLS

TODAY = date(2026, 11, 22)
WAIT = 60  # seconds: only a hang reaches it
BOSS, LI = User("boss", "owner"), User("li", "staff")


class SlowChatModel(ScriptedChatModel):
    """A scripted model whose every call waits until the test lets it answer, like a long
    local model turn; `gate` is (entered, release)."""

    gate: Any = None

    def _generate(self, messages, stop=None, run_manager=None, **kwargs):
        entered, release = self.gate
        entered.set()
        if not release.wait(WAIT):
            raise RuntimeError("the test never released the model")
        return super()._generate(messages, stop, run_manager, **kwargs)


def in_thread(fn: Callable[[], Any]) -> tuple[threading.Thread, dict]:
    out: dict = {}

    def run() -> None:
        try:
            out["value"] = fn()
        except Exception as ex:  # noqa: BLE001 - handed to the test's asserts
            out["error"] = ex

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, out


def test_rule_turns_and_confirmations_run_while_another_session_waits_for_the_model(demo_store):
    entered, release = threading.Event(), threading.Event()
    model = SlowChatModel(script=[AIMessage("Sunny, I hear.")], seen=[], gate=(entered, release))
    a = Assistant(demo_store, TOOLS, model=model, backend="scripted", today=TODAY)
    tasks_before = demo_store.count("tasks")

    slow, slow_out = in_thread(lambda: a.reply("hmm, what do you make of the weather lately?",
                                               session="counter", user=BOSS))
    assert entered.wait(WAIT), "the model turn never started"

    def other_session() -> list:
        return [a.reply("show my open tasks", session="phone", user=LI),
                a.reply("remind me to call Li Na on Friday", session="phone", user=LI),
                a.reply("yes", session="phone", user=LI)]

    quick, quick_out = in_thread(other_session)
    quick.join(WAIT)
    assert not quick.is_alive(), "a rule-answered turn waited for another session's model turn"
    assert "error" not in quick_out, quick_out.get("error")
    listed, preview, saved = quick_out["value"]
    # all three finished while the model turn was still inside the model
    assert slow.is_alive() and not release.is_set()
    assert listed.backend == "rules" and preview.proposal is not None and "Saved" in saved.text
    assert demo_store.count("tasks") == tasks_before + 1

    release.set()
    slow.join(WAIT)
    assert "error" not in slow_out, slow_out.get("error")
    assert slow_out["value"].text == "Sunny, I hear." and slow_out["value"].backend == "scripted"


def test_one_session_takes_its_turns_in_order(demo_store):
    entered, release = threading.Event(), threading.Event()
    model = SlowChatModel(script=[AIMessage("Sunny, I hear.")], seen=[], gate=(entered, release))
    a = Assistant(demo_store, TOOLS, model=model, backend="scripted", today=TODAY)
    first, _ = in_thread(lambda: a.reply("hmm, what do you make of the weather lately?",
                                         session="tab", user=LI))
    assert entered.wait(WAIT)
    second, second_out = in_thread(lambda: a.reply("show my open tasks", session="tab", user=LI))
    second.join(0.5)  # the same session's next message (a double click) waits its turn
    assert second.is_alive()
    release.set()
    first.join(WAIT)
    second.join(WAIT)
    assert second_out["value"].backend == "rules"


def test_pages_do_not_wait_for_the_assistant_to_load(store, tmp_path):
    building, release = threading.Event(), threading.Event()

    def slow_assistant(services: Services) -> str:
        building.set()
        release.wait(WAIT)
        return "assistant"

    settings = Settings.from_env({"CRM_DATA_DIR": str(tmp_path), "CRM_MODEL": "none"})
    services = Services(store, settings, index_factory=lambda s: "index",
                        assistant_factory=slow_assistant)
    loading, loaded = in_thread(services.assistant)
    assert building.wait(WAIT)
    page, shown = in_thread(lambda: (services.index(), services.ui_language(),
                                     services.user(None).name))
    page.join(WAIT)
    assert not page.is_alive() and shown["value"] == ("index", "en", "owner")
    assert loading.is_alive()
    release.set()
    loading.join(WAIT)
    assert loaded["value"] == "assistant"


def test_writes_from_many_threads_on_one_store_all_land_once(store):
    customer = store.add_customer("Ada").id

    def writer(n: int) -> None:
        for i in range(25):
            store.apply([Write("orders", "insert", {"customer_id": customer, "date": "2026-11-01",
                                                    "amount": 1, "note": f"{n}-{i}"})],
                        actor=f"w{n}", description=f"order {n}-{i}")
            store.orders(customer)  # reads in between

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(WAIT)
    notes = [o.note for o in store.orders(customer)]
    assert len(notes) == 200 and len(set(notes)) == 200
    assert store.db.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_the_served_app_answers_one_user_while_another_waits_for_the_model(demo_store, tmp_path):
    from gradio_client import Client

    from assistant.store.accounts import Accounts
    from assistant.webui import app
    from assistant.webui.security import Login, launch_options

    accounts = Accounts(demo_store)
    accounts.add("boss", "owner", "owner-pass-1")
    accounts.add("li", "staff", "staff-pass-1")
    entered, release = threading.Event(), threading.Event()
    model = SlowChatModel(script=[AIMessage("Sunny, I hear.")], seen=[], gate=(entered, release))
    assistant = Assistant(demo_store, TOOLS, model=model, backend="scripted", today=TODAY)
    settings = Settings.from_env({"CRM_DATA_DIR": str(tmp_path), "CRM_MODEL": "none"})
    services = Services(demo_store, settings, assistant_factory=lambda s: assistant)
    blocks = app.build_app(services)
    _, url, _ = blocks.launch(prevent_thread_lock=True, server_name="127.0.0.1", quiet=True,
                              **launch_options(Login(accounts)))
    try:
        boss = Client(url, auth=("boss", "owner-pass-1"), verbose=False)
        li = Client(url, auth=("li", "staff-pass-1"), verbose=False)
        slow, slow_out = in_thread(lambda: boss.predict(
            "hmm, what do you make of the weather lately?", api_name="/chat"))
        assert entered.wait(WAIT)
        quick, quick_out = in_thread(lambda: [
            li.predict("remind me to call Li Na on Friday", api_name="/chat"),
            li.predict("yes", api_name="/chat")])
        quick.join(WAIT)
        assert not quick.is_alive(), "gradio queued li's turns behind boss's model turn"
        assert "error" not in quick_out, quick_out.get("error")
        assert "Saved" in quick_out["value"][1]
        assert slow.is_alive()  # boss's turn is still inside the model
        release.set()
        slow.join(WAIT)
        assert slow_out.get("value") == "Sunny, I hear."
    finally:
        release.set()
        blocks.close()
