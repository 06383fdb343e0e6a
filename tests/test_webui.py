"""The tabs' functions over the real demo shop (no browser): tables, timeline, import, settings."""

from __future__ import annotations

import json
import threading
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pandas as pd
import pytest

from assistant.agent.assistant import Action, Proposal, Reply
from assistant.core.config import Settings
from assistant.services import Services
from assistant.webui import chat, churn, complaints, customers, import_tab, settings, tasks
from assistant.webui.ui import Ui


def services_for(store, tmp_path: Path) -> Services:
    env = {"CRM_DATA_DIR": str(tmp_path), "CRM_MODEL": "none"}
    return Services(store, Settings.from_env(env))


def test_customer_search_by_pinyin_with_spend(demo_store):
    table = customers.customer_table(demo_store, "zhang wei", "en")
    assert table.iloc[0]["Customer"] == "张伟"
    assert table.iloc[0]["Orders"] > 0 and table.iloc[0]["Spent"] > 0
    assert list(customers.customer_table(demo_store, "", "zh").columns)[:2] == ["编号", "客户"]


def test_timeline_merges_everything_newest_first(demo_store):
    demo_store.log_interaction(2, "2026-11-20", "wechat", "Asked about decaf")
    frame = customers.timeline(demo_store, 2, "en")
    assert frame.iloc[0]["Details"] == "Asked about decaf"
    kinds = " ".join(frame["What"])
    assert "Order" in kinds and "Complaint" in kinds and "Task" in kinds
    assert list(frame["Date"]) == sorted(frame["Date"], reverse=True)


def test_profile_names_the_customer_and_spend(demo_store):
    text = customers.profile_markdown(demo_store, 2, "zh")
    assert "李娜" in text and "笔订单" in text


def test_inbox_filters_and_puts_worst_first(demo_store):
    open_all = complaints.inbox(demo_store, "open", "all", "en")
    assert set(open_all["Status"]) == {"Open"}
    assert open_all.iloc[0]["Severity"] == "Critical"
    high = complaints.inbox(demo_store, "all", "high", "en")
    assert len(high) and set(high["Severity"]) == {"High"}


def test_complaint_detail_shows_labels(demo_store):
    cid = demo_store.complaints(status="open")[0].id
    text = complaints.detail(demo_store, cid, "en")
    assert f"#{cid}" in text and "**Category**" in text


TODAY = date(2026, 11, 5)  # a Thursday: demo tasks fall due from 2 to 15 November


def test_task_list_puts_open_first_by_due_date_and_marks_overdue(demo_store):
    done = demo_store.add_task(1, "2026-11-01", "Send samples")
    demo_store.update_task(done.id, status="done")
    frame, count = tasks.listing(demo_store, "all", "en", TODAY)
    assert frame.iloc[-1].tolist() == [done.id, "2026-11-01", "张伟", "Send samples", "Done"]
    opened = frame.iloc[:-1]
    assert list(opened["Due"]) == sorted(opened["Due"])
    late = opened["Due"] < TODAY.isoformat()
    assert late.any() and set(opened[late]["Status"]) == {"⚠ Overdue"}
    assert set(opened[~late]["Status"]) == {"Open"}
    assert count == f"**{len(frame)}** task(s) · **{late.sum()}** overdue"


@pytest.mark.parametrize("show, keep", [
    ("open", lambda due: True),
    ("overdue", lambda due: due < "2026-11-05"),
    ("week", lambda due: due <= "2026-11-08"),  # overdue work still counts this week
])
def test_task_filters(demo_store, show, keep):
    every = tasks.listing(demo_store, "open", "en", TODAY)[0]
    frame, _ = tasks.listing(demo_store, show, "en", TODAY)
    assert 0 < len(frame) and frame["ID"].tolist() == [
        i for i, due in zip(every["ID"], every["Due"]) if keep(due)]


def test_task_list_in_chinese(demo_store):
    frame, count = tasks.listing(demo_store, "overdue", "zh", TODAY)
    assert list(frame.columns) == ["编号", "到期", "客户", "事项", "状态"]
    assert set(frame["状态"]) == {"⚠ 已逾期"} and count.endswith(f"已逾期 **{len(frame)}** 条")


def test_mark_done_is_one_undoable_action(demo_store):
    task = demo_store.tasks(status="open")[0]
    assert tasks.set_status(demo_store, None, "done", "en") == "Pick a task in the list first."
    assert tasks.set_status(demo_store, task.id, "done", "en").startswith("✅ Done: ")
    assert demo_store.get_task(task.id).status == "done"
    assert "Done" in tasks.detail(demo_store, task.id, "en", TODAY)
    assert tasks.set_status(demo_store, task.id, "done", "zh") == f"“{task.title}”已经完成了。"
    assert task.id not in tasks.listing(demo_store, "open", "en", TODAY)[0]["ID"].tolist()
    assert demo_store.undo().startswith(f"update task {task.id} (")
    assert demo_store.get_task(task.id).status == "open"


def test_reopen_a_done_task(demo_store):
    task = demo_store.tasks(status="open")[0]
    assert "still open" in tasks.set_status(demo_store, task.id, "open", "en")
    demo_store.update_task(task.id, status="done")
    assert tasks.set_status(demo_store, task.id, "open", "en") == f"Reopened: {task.title}"
    assert demo_store.get_task(task.id).status == "open"


def test_marking_a_task_that_no_longer_exists_explains(store):
    assert tasks.set_status(store, 99, "done", "en").startswith("⚠️ No task with id 99")


def test_tasks_tab_follows_the_language_switch(demo_store, tmp_path):
    import gradio as gr

    services = services_for(demo_store, tmp_path)
    ui = Ui("en", services.ui_language)
    with gr.Blocks(), ui.make(gr.Tab, {"label": "tab.tasks"}) as tab:
        tasks.build(services, ui, tab)
    updates = ui.relabel("zh")
    assert {"label": "✅ 待办", "__type__": "update"} in updates
    assert {"value": "✔ 标记为已完成", "__type__": "update"} in updates
    demo_store.set_setting("ui_language", "zh")
    [(redraw, _, _)] = ui.refreshers
    frame, count = redraw("open")
    assert "到期" in frame.columns and count.startswith("共")


def write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_mapping_preview_understands_chinese_headers(tmp_path):
    path = write(tmp_path, "o.csv", "会员号,姓名,下单日期,实付金额,备注\nC1,张三,2026-01-02,88,\n")
    head, table, note = import_tab.mapping_frame(path, "orders", "en")
    mapped = dict(table.values.tolist())
    assert mapped == {"会员号": "external_id", "姓名": "name", "下单日期": "date",
                      "实付金额": "amount", "备注": "note"}
    assert len(head) == 1 and "Matched 5 of 5" in note


def test_dry_run_reports_the_bad_row_and_writes_nothing(store, tmp_path):
    path = write(tmp_path, "bad.csv",
                 "external_id,name,date,amount\nC1,Ann,2026-01-02,5\nC2,Bob,2026/13/45,5\n")
    msg, errors = import_tab.run_import(services_for(store, tmp_path), path, "orders", None,
                                      dry_run=True)
    assert "1 row(s) need fixing" in msg
    assert errors.values.tolist() == [[3, "bad date '2026/13/45' (use YYYY-MM-DD)"]]
    assert store.count("orders") == 0


def test_import_with_an_edited_mapping_then_undo(store, tmp_path):
    path = write(tmp_path, "good.csv", "who,when,paid\nAnn,2026-01-02,5\nBob,2026-01-03,7\n")
    edited = pd.DataFrame({"Column in file": ["who", "when", "paid"],
                           "Field": ["name", "date", "amount"]})
    services = services_for(store, tmp_path)
    msg, errors = import_tab.run_import(services, path, "orders", edited, dry_run=False,
                                      progress=object())
    assert errors is None and "Imported 2 orders" in msg and store.count("orders") == 2
    assert store.undo().startswith("import orders")
    assert store.count("orders") == 0


def test_churn_table_and_plots_from_report_rows():
    frame = pd.DataFrame({
        "customer_id": [1, 2, 3], "name": ["A", "B", "C"],
        "churn_probability": [0.91, 0.55, 0.05], "risk": ["high", "medium", "low"],
        "stage": ["decline", "stability", "stability"], "clv": [100.0, 200.0, 300.0],
        "expected_next_purchase": ["2026-12-01", None, "2026-11-20"],
        "reasons": [["no order for 90 days"], ["orders slowing"], []],
    })
    shown = churn.ranked_table(frame, "high", 20, "en")
    assert shown["Customer"].tolist() == ["A"] and shown.iloc[0]["Why"] == "no order for 90 days"
    assert shown.iloc[0]["Risk"] == "High 91%"
    lowered = frame.assign(risk=["low", "medium", "low"])  # A: a slow rhythm lowered the level
    assert churn.ranked_table(lowered, "low", 20, "en")["Risk"].tolist() == ["Low", "Low 5%"]
    risk, count, money = churn.plots(frame, "en")
    assert risk["y"].tolist() == [1, 0, 1, 0, 1] and risk["x"].iloc[-1] == "80–100%"
    assert dict(zip(count["x"], count["y"])) == {"Stability": 2, "Decline": 1}
    assert dict(zip(money["x"], money["y"])) == {"Stability": 125.0, "Decline": 91.0}


def test_churn_export_opens_in_excel(tmp_path):
    frame = pd.DataFrame({"客户": ["李娜"], "风险": ["高 90%"]})
    path = churn.export_csv(frame, "zh")
    raw = Path(path).read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and "李娜" in raw.decode("utf-8-sig")


class _FakeOpenAI(BaseHTTPRequestHandler):
    """Just enough of an OpenAI-compatible server: chat completions answer 'ok'."""

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        reply = {"id": "x", "object": "chat.completion", "created": 0, "model": body["model"],
                 "choices": [{"index": 0, "finish_reason": "stop",
                              "message": {"role": "assistant", "content": "ok"}}],
                 "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}}
        data = json.dumps(reply).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture
def openai_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _FakeOpenAI)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/v1"
    server.shutdown()


def test_connection_test_reaches_an_openai_compatible_server(openai_server):
    verdict = settings.test_backend("openai", openai_server, "tiny", "", "en")
    assert verdict.startswith("✅") and "ok" in verdict


@pytest.mark.parametrize("url, expected", [("", "Enter the server URL"),
                                           ("http://127.0.0.1:9/v1", "Connection failed")])
def test_connection_test_explains_failures(url, expected):
    assert expected in settings.test_backend("openai", url, "tiny", "", "en")


def test_connection_test_for_no_model():
    assert settings.test_backend("none", "", "", "", "zh").startswith("✅ 无需模型")


def test_saved_backend_overrides_the_environment(store, tmp_path):
    services = services_for(store, tmp_path)
    assert services.backend()["kind"] == "none"
    store.set_setting("backend", {"kind": "openai", "base_url": "http://127.0.0.1:1/v1",
                                  "model": "tiny", "api_key": ""})
    eff = services.effective_settings()
    assert eff.model == "openai:tiny" and eff.base_url == "http://127.0.0.1:1/v1"


def test_reply_shows_tool_steps_collapsed_and_the_preview_card():
    ui = Ui("en", lambda: "en")
    reply = Reply("I'll save these:\n- Call with Ann",
                  [Action("log_activity", {"customer": "Ann"}, "proposed")],
                  Proposal("p1", ["Call with Ann"], []))
    shown = chat.reply_messages(reply, ui)
    assert shown[0]["metadata"]["title"] == "📝 log_activity"
    assert "Review before saving" in shown[-1]["content"] and "Call with Ann" in shown[-1]["content"]
    assert len(shown) == 2  # the text only restated the proposal, so the card replaces it


def test_long_answers_are_typed_out_in_growing_frames():
    answer = {"role": "assistant", "content": "word " * 60}
    step = {"role": "assistant", "content": "x", "metadata": {"title": "🔧 churn_risks"}}
    frames = list(chat.typed([step, answer]))
    lengths = [len(f[1]["content"]) for f in frames]
    assert len(frames) > 5 and lengths == sorted(lengths)
    assert frames[-1] == [step, answer] and all(f[0] is step for f in frames)


def test_short_answers_and_cards_appear_at_once():
    card = {"role": "assistant", "content": "📝 **Review before saving**\n\n- " + "x" * 200}
    assert list(chat.typed([{"role": "assistant", "content": "Done."}, card])) == [
        [{"role": "assistant", "content": "Done."}, card]]
