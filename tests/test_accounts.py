"""Accounts and roles: argon2 passwords, sign-in lockout, `crm user`, the owner-only seam (in code,
through the pages' events and gradio's HTTP API), who did what, per-user undo and stale previews."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from assistant.agent.assistant import Assistant
from assistant.cli.main import cli
from assistant.core.config import Settings
from assistant.core.records import CrmError, InvalidInput, NotFound
from assistant.services import Services
from assistant.store import Store
from assistant.store.accounts import (
    LOCAL_OWNER,
    MAX_FAILURES,
    Accounts,
    LoginLocked,
    NotPermitted,
    User,
    accounts_exist,
)
from assistant.webui.security import auth_for, login_for
from tools import TOOLS

TODAY = date(2026, 11, 22)
BOSS, LI, WANG = User("boss", "owner"), User("li", "staff"), User("wang", "staff")
OWNER_PW, STAFF_PW = "owner-pass-1", "staff-pass-1"


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def shop_accounts(store: Store, clock: Clock | None = None) -> Accounts:
    accounts = Accounts(store, clock=clock or Clock())
    accounts.add("boss", "owner", OWNER_PW)
    accounts.add("li", "staff", STAFF_PW)
    accounts.add("wang", "staff", STAFF_PW)
    return accounts


def services_for(store: Store, tmp_path: Path) -> Services:
    env = {"CRM_DATA_DIR": str(tmp_path), "CRM_MODEL": "none", "CRM_DB": str(store.path)}
    return Services(store, Settings.from_env(env))


# -- accounts ----------------------------------------------------------------------------------

def test_passwords_are_argon2_hashes_and_accounts_are_listed_without_them(store):
    accounts = shop_accounts(store)
    stored = dict(store.db.execute("SELECT name, password_hash FROM users").fetchall())
    assert stored["boss"].startswith("$argon2id$") and OWNER_PW not in stored["boss"]
    assert [(u["name"], u["role"]) for u in accounts.list()] == [
        ("boss", "owner"), ("li", "staff"), ("wang", "staff")]
    assert all("password_hash" not in u for u in accounts.list())
    assert accounts.get("LI") == LI  # names are matched in any letter case
    logged = [json.loads(r[0]) for r in store.db.execute(
        "SELECT after FROM audit_log WHERE table_name = 'users'")]
    assert [e["event"] for e in logged] == ["add", "add", "add"]
    assert not any(OWNER_PW in json.dumps(e) or "argon2" in json.dumps(e) for e in logged)


@pytest.mark.parametrize("name, role, password, message", [
    ("li", "staff", STAFF_PW, "first account must be an owner"),
    ("boss", "admin", OWNER_PW, "Role must be owner or staff"),
    ("boss", "owner", "short", "at least 8 characters"),
    ("a:b", "owner", OWNER_PW, "cannot contain"),
    ("user", "owner", OWNER_PW, "reserved"),
    ("", "owner", OWNER_PW, "1 to 40 characters"),
])
def test_bad_accounts_are_refused_and_nothing_is_written(store, name, role, password, message):
    with pytest.raises(InvalidInput, match=message):
        Accounts(store).add(name, role, password)
    assert store.db.execute("SELECT count(*) FROM users").fetchone()[0] == 0
    assert store.db.execute("SELECT count(*) FROM actions").fetchone()[0] == 0


def test_the_last_owner_cannot_be_removed_and_account_changes_are_never_undone(store):
    accounts = shop_accounts(store)
    with pytest.raises(InvalidInput, match="last owner"):
        accounts.remove("boss")
    with pytest.raises(InvalidInput, match="already an account"):
        accounts.add("Li", "staff", STAFF_PW)
    accounts.remove("wang")
    assert accounts.get("wang") is None
    with pytest.raises(NotFound):
        accounts.set_password("wang", STAFF_PW)
    with pytest.raises(CrmError, match="Nothing to undo"):
        store.undo()  # `crm undo` never brings an account (and its hash) back
    accounts.add("zhao", "owner", OWNER_PW)
    accounts.remove("boss")  # another owner exists now
    assert accounts.owners() == 1


def test_five_wrong_passwords_lock_that_address_for_five_minutes(store, tmp_path):
    clock = Clock()
    accounts = shop_accounts(store, clock)
    assert accounts.verify("boss", OWNER_PW, "10.0.0.5") == BOSS
    for _ in range(MAX_FAILURES - 1):
        assert accounts.verify("boss", "wrong-password", "10.0.0.5") is None
    with pytest.raises(LoginLocked, match="locked for 5 more minute.*锁定"):
        accounts.verify("boss", "wrong-password", "10.0.0.5")
    with pytest.raises(LoginLocked):  # the right password too, while locked
        accounts.verify("boss", OWNER_PW, "10.0.0.5")
    assert accounts.verify("boss", OWNER_PW, "10.0.0.6") == BOSS  # another address is not
    # kept in SQLite: a restarted app over the same file is still locked
    again = Accounts(Store.open(store.path), clock=clock)
    with pytest.raises(LoginLocked):
        again.verify("li", STAFF_PW, "10.0.0.5")
    clock.now += timedelta(minutes=5, seconds=1)
    assert again.verify("boss", OWNER_PW, "10.0.0.5") == BOSS
    assert accounts.verify("nobody", OWNER_PW, "10.0.0.7") is None  # unknown names fail alike


def test_failures_are_forgotten_after_a_success_or_a_quarter_hour(store):
    clock = Clock()
    accounts = shop_accounts(store, clock)
    for _ in range(MAX_FAILURES - 1):
        accounts.verify("li", "wrong-password", "10.0.0.9")
    assert accounts.verify("li", STAFF_PW, "10.0.0.9") == LI
    for _ in range(MAX_FAILURES - 1):
        accounts.verify("li", "wrong-password", "10.0.0.9")
    clock.now += timedelta(minutes=16)
    assert accounts.verify("li", "wrong-password", "10.0.0.9") is None  # counts as the first


# -- crm user --------------------------------------------------------------------------------

def test_crm_user_commands(tmp_path):
    db = str(tmp_path / "crm.db")
    run = CliRunner().invoke
    made = run(cli, ["user", "add", "boss", "--role", "owner", "--password-stdin", "--db", db],
               input=f"{OWNER_PW}\n")
    assert made.exit_code == 0, made.output
    typed = run(cli, ["user", "add", "小李", "--role", "staff", "--db", db],
                input=f"{STAFF_PW}\n{STAFF_PW}\n")  # hidden prompt, asked twice
    assert typed.exit_code == 0 and "Added staff 小李" in typed.output
    listed = run(cli, ["user", "list", "--json", "--db", db])
    assert [(u["name"], u["role"]) for u in json.loads(listed.output)] == [
        ("boss", "owner"), ("小李", "staff")]
    assert run(cli, ["user", "passwd", "小李", "--password-stdin", "--db", db],
               input="new-password-2\n").exit_code == 0
    assert Accounts(Store.open(db)).verify("小李", "new-password-2", "cli") == User("小李", "staff")
    last = run(cli, ["user", "remove", "boss", "--db", db])
    assert last.exit_code == 1 and last.output.count("\n") == 1 and "last owner" in last.output
    short = run(cli, ["user", "passwd", "boss", "--password-stdin", "--db", db], input="abc\n")
    assert short.exit_code == 1 and "at least 8" in short.output
    assert run(cli, ["user", "remove", "小李", "--db", db]).exit_code == 0
    assert accounts_exist(db)


# -- the role seam -------------------------------------------------------------------------------

@pytest.mark.parametrize("action", ["settings", "policy", "undo_others", "export", "backup"])
def test_staff_are_refused_owner_only_actions_in_code_with_one_bilingual_line(
        store, tmp_path, action):
    services = services_for(store, tmp_path)
    shop_accounts(store)
    staff = services.user("li")
    run = {
        "settings": lambda u: services.save_setting(u, "backend", {"kind": "none"}),
        "policy": lambda u: services.save_setting(u, "policy", {"max_refund": 9999}),
        "undo_others": lambda u: services.undo(u, of="boss"),
        "export": lambda u: services.export_rows(u, "customers"),
        "backup": lambda u: services.backup(u, tmp_path / "copy.db"),
    }[action]
    with pytest.raises(NotPermitted) as refused:
        run(staff)
    text = str(refused.value)
    assert "\n" not in text and "Only an owner may" in text and "只有店主可以" in text
    assert store.get_setting("policy") is None and not (tmp_path / "copy.db").exists()
    try:
        run(services.user("boss"))
    except CrmError as ex:  # the owner passes the role check (nothing may be left to undo)
        assert "Nothing to undo" in str(ex)
    services.save_setting(staff, "ui_language", "zh")  # the interface language is anyone's


def test_import_tab_refuses_staff_and_records_the_owner(demo_store, tmp_path):
    from assistant.webui import import_tab

    services = services_for(demo_store, tmp_path)
    shop_accounts(demo_store)
    path = tmp_path / "orders.csv"
    path.write_text("会员号,姓名,下单日期,实付金额\nC0001,张伟,2026-10-02,98\n", encoding="utf-8")
    before = demo_store.count("orders")
    msg, _ = import_tab.run_import(services, str(path), "orders", None, dry_run=False,
                                   user=services.user("li"))
    assert msg.startswith("⛔") and "Only an owner may import" in msg
    assert demo_store.count("orders") == before
    msg, _ = import_tab.run_import(services, str(path), "orders", None, dry_run=False,
                                   user=services.user("boss"))
    assert msg.startswith("✅") and demo_store.count("orders") == before + 1
    assert demo_store.history(1)[0]["actor"] == "boss"
    # a person's chat undo never reverts an import, even their own
    a = Assistant(demo_store, TOOLS, today=TODAY)
    assert "Nothing saved in chat" in a.reply("undo", user=BOSS).text
    assert demo_store.count("orders") == before + 1


def test_a_removed_account_is_refused_and_no_accounts_means_the_local_owner(store, tmp_path):
    services = services_for(store, tmp_path)
    assert services.user(None) == LOCAL_OWNER
    assert services.user("owner").is_owner  # a password given straight to launch(), no accounts
    accounts = shop_accounts(store)
    accounts.remove("wang")
    with pytest.raises(NotPermitted, match="no longer exists"):
        services.user("wang")


# -- chat: actor, sessions, undo, stale previews -------------------------------------------------

def test_each_user_writes_as_themselves_and_has_their_own_previews(demo_store):
    shop_accounts(demo_store)
    a = Assistant(demo_store, TOOLS, today=TODAY)
    preview = a.reply("remind me to call Li Na on Friday", session="tab", user=LI)
    assert preview.proposal is not None
    # another user's session of the same name has nothing pending
    assert "Nothing is waiting" in a.reply("yes", session="tab", user=WANG).text
    saved = a.reply("yes", session="tab", user=LI)
    assert "Saved" in saved.text
    assert demo_store.history(1)[0]["actor"] == "li"
    task = demo_store.tasks(demo_store.resolve_customer("Li Na").id)[-1]
    entry = demo_store.db.execute("SELECT actor FROM audit_log WHERE table_name = 'tasks' AND"
                                  " row_id = ?", [task.id]).fetchone()
    assert entry == ("li",)
    turn = demo_store.db.execute("SELECT session FROM turns ORDER BY id DESC LIMIT 1").fetchone()
    assert turn == ("li/tab",)


def test_the_timeline_shows_who(demo_store):
    from assistant.webui import customers

    shop_accounts(demo_store)
    a = Assistant(demo_store, TOOLS, today=TODAY)
    a.reply("Log a call with 李娜: asked about the new Ethiopian beans", user=WANG)
    a.reply("yes", user=WANG)
    frame = customers.timeline(demo_store, demo_store.resolve_customer("李娜").id, "en")
    row = frame[frame["Details"].str.contains("Ethiopian")].iloc[0]
    assert row["By"] == "wang"
    assert set(frame["By"]) >= {"demo", "wang"}  # the demo shop's rows were imported as "demo"


def test_undo_is_your_own_and_an_owner_may_name_another(demo_store):
    shop_accounts(demo_store)
    a = Assistant(demo_store, TOOLS, today=TODAY)
    li_na = demo_store.resolve_customer("Li Na").id
    a.reply("remind me to call Li Na on Friday", user=LI)
    a.reply("yes", user=LI)
    a.reply("remind me to email Li Na on Monday", user=WANG)
    a.reply("yes", user=WANG)

    def titles() -> list[str]:
        return [t.title for t in demo_store.tasks(li_na)]

    assert any("call Li Na" in t for t in titles()) and any("email Li Na" in t for t in titles())

    refused = a.reply("undo wang's last action", user=LI)
    assert "Only an owner may undo someone else's action" in refused.text
    assert "只有店主可以撤销别人的操作" in refused.text
    assert any("email Li Na" in t for t in titles())

    mine = a.reply("undo", user=LI)  # Li's own, although Wang saved after
    assert mine.text.startswith("Undone")
    assert not any("call Li Na" in t for t in titles()) and any("email" in t for t in titles())

    other = a.reply("撤销wang的上一步", user=BOSS)
    assert other.text.startswith("已撤销") and "wang" in other.text
    assert not any("email Li Na" in t for t in titles())
    undone_by = demo_store.db.execute(
        "SELECT undone_by FROM actions WHERE undone = 1 ORDER BY id").fetchall()
    assert undone_by == [("li",), ("boss",)]
    assert "no account" in a.reply("undo zhao's last action", user=BOSS).text.lower()


def test_an_undo_that_would_overwrite_a_later_change_is_refused(demo_store):
    shop_accounts(demo_store)
    a = Assistant(demo_store, TOOLS, today=TODAY)
    li_na = demo_store.resolve_customer("Li Na")
    a.reply("update Li Na's phone to 13900001111", user=LI)
    a.reply("yes", user=LI)
    demo_store.update_customer(li_na.id, actor="wang", phone="13700002222")
    refused = a.reply("undo", user=LI)
    assert "Cannot undo" in refused.text and "wang" in refused.text
    assert demo_store.get_customer(li_na.id).phone == "13700002222"


def test_a_stale_preview_is_not_applied_blindly(demo_store):
    shop_accounts(demo_store)
    a = Assistant(demo_store, TOOLS, today=TODAY)
    li_na = demo_store.resolve_customer("Li Na")
    first = a.reply("update Li Na's phone to 13900001111", session="s", user=LI)
    assert first.proposal is not None
    # Wang edits the same customer after Li's preview was shown
    demo_store.update_customer(li_na.id, actor="wang", phone="13700002222", city="杭州")
    stale = a.reply("yes", session="s", user=LI)
    assert "Not saved" in stale.text and "wang" in stale.text and "13700002222" in stale.text
    assert demo_store.get_customer(li_na.id).phone == "13700002222"  # nothing written
    assert stale.proposal is not None and stale.proposal.id != first.proposal.id  # proposed again
    assert "13700002222 → 13900001111" in stale.text
    saved = a.reply("yes", session="s", user=LI)
    assert "Saved" in saved.text
    after = demo_store.get_customer(li_na.id)
    assert (after.phone, after.city) == ("13900001111", "杭州")  # Wang's city kept


def test_a_stale_preview_in_chinese_says_what_changed(demo_store):
    a = Assistant(demo_store, TOOLS, today=TODAY)
    k = demo_store.complaints(status="open")[0]
    assert a.reply(f"投诉{k.id}已解决", session="zh").proposal is not None
    demo_store.update_complaint(k.id, actor="li", status="in_progress")
    stale = a.reply("确认", session="zh")
    assert "未保存" in stale.text and "in_progress" in stale.text
    assert demo_store.get_complaint(k.id).status == "in_progress"


# -- the app: sign-in and refusals through gradio's HTTP API ----------------------------------------

def test_crm_auth_creates_the_first_owner_and_accounts_allow_other_hosts(store):
    accounts = Accounts(store)
    assert login_for("127.0.0.1", None, accounts) is None  # loopback, no accounts: as before
    with pytest.raises(CrmError, match="crm user add"):
        auth_for("0.0.0.0", None)
    login = login_for("0.0.0.0", "boss:" + OWNER_PW, accounts)
    assert accounts.get("boss") == BOSS
    assert asyncio.run(login.check("boss", OWNER_PW)) and not asyncio.run(login.check("boss", "x"))
    assert auth_for("0.0.0.0", None, has_accounts=True) is None
    login_for("0.0.0.0", "other:" + STAFF_PW, accounts)  # accounts exist: CRM_AUTH is ignored
    assert accounts.get("other") is None


@pytest.fixture(scope="module")
def signed_app(demo_db_file, tmp_path_factory):
    """The app with sign-in (owner boss, staff li) over a copy of the demo shop."""
    import shutil

    from assistant.webui import app
    from assistant.webui.security import Login, launch_options

    folder = tmp_path_factory.mktemp("signed")
    shutil.copy(demo_db_file, folder / "demo.db")
    store = Store.open(folder / "demo.db")
    store.set_setting("ui_language", "en")
    accounts = Accounts(store)
    accounts.add("boss", "owner", OWNER_PW)
    accounts.add("li", "staff", STAFF_PW)
    services = services_for(store, folder)
    blocks = app.build_app(services)
    _, url, _ = blocks.launch(prevent_thread_lock=True, server_name="127.0.0.1", quiet=True,
                              **launch_options(Login(accounts)))
    yield url, services
    blocks.close()
    store.close()


def signed_in(url: str, name: str, password: str) -> httpx.Client:
    client = httpx.Client(base_url=url, timeout=60)
    assert client.post("login", data={"username": name, "password": password}).status_code == 200
    return client


def event(client: httpx.Client, target: str, data: dict | None = None) -> list:
    """Run the page event on the button `target` (its elem_id, or "label:" its text) the way the
    page does: POST to the queue with the session's cookie, read the result from the stream."""
    config = client.get("config").json()
    by_id = {c["id"]: c for c in config["components"]}
    if target.startswith("label:"):
        wanted = next(c["id"] for c in config["components"] if c.get("type") == "button"
                      and c.get("props", {}).get("value") == target.removeprefix("label:"))
    else:
        wanted = next(c["id"] for c in config["components"]
                      if c.get("props", {}).get("elem_id") == target)
    dep = next(d for d in config["dependencies"] if any(t[0] == wanted for t in d["targets"]))
    values = [(data or {}).get(by_id[i]["props"].get("elem_id"), by_id[i]["props"].get("value"))
              for i in dep["inputs"]]
    session = uuid.uuid4().hex
    joined = client.post("gradio_api/queue/join", json={
        "data": values, "event_data": None, "fn_index": dep["id"], "trigger_id": wanted,
        "session_hash": session})
    assert joined.status_code == 200, joined.text
    with client.stream("GET", f"gradio_api/queue/data?session_hash={session}") as stream:
        for line in stream.iter_lines():
            if line.startswith("data:"):
                msg = json.loads(line[5:])
                if msg.get("msg") == "process_completed":
                    return msg["output"].get("data") or [msg["output"].get("error")]
    raise AssertionError("no result")


@pytest.mark.parametrize("target, refused", [
    ("policy-save", "Only an owner may change the offer policy"),
    ("label:Save", "Only an owner may change settings"),  # the chat backend
    ("import-go", "Only an owner may import files"),
    ("import-check", "Only an owner may import files"),
    ("import-undo", "Only an owner may undo someone else's action"),
])
def test_staff_are_refused_through_the_http_api(signed_app, target, refused):
    url, services = signed_app
    before = services.store.get_setting("policy"), services.store.get_setting("backend")
    history = services.store.history(1)
    out = event(signed_in(url, "li", STAFF_PW), target)
    assert refused in str(out[0]) and "只有店主可以" in str(out[0]) and "\n" not in str(out[0])
    assert (services.store.get_setting("policy"), services.store.get_setting("backend")) == before
    assert services.store.history(1) == history


def test_owners_pass_the_same_events(signed_app):
    url, services = signed_app
    owner = signed_in(url, "boss", OWNER_PW)
    saved = event(owner, "policy-save", data={"policy-refund": 123})
    assert "Policy saved" in saved[0]
    assert services.store.get_setting("policy")["max_refund"] == 123
    assert services.store.history(1)[0]["actor"] == "boss"


def test_staff_chat_through_the_api_is_theirs_and_cannot_undo_the_owners(signed_app):
    from gradio_client import Client

    url, services = signed_app
    staff = Client(url, auth=("li", STAFF_PW), verbose=False)
    assert "Only an owner may undo" in staff.predict("undo boss's last action", api_name="/chat")
    preview = staff.predict("remind me to call Li Na on Friday", api_name="/chat")
    assert "yes" in preview
    assert "Saved" in staff.predict("yes", api_name="/chat")
    assert services.store.history(1)[0]["actor"] == "li"
    owner = Client(url, auth=("boss", OWNER_PW), verbose=False)
    assert "Nothing is waiting" in owner.predict("yes", api_name="/chat")  # li's session is li's
    assert "Undone (li's)" in owner.predict("undo li's last action", api_name="/chat")


def test_sign_in_locks_after_five_wrong_passwords(tmp_path):
    from assistant.webui import app
    from assistant.webui.security import Login, launch_options

    store = Store.open(tmp_path / "crm.db")
    Accounts(store).add("boss", "owner", OWNER_PW)
    blocks = app.build_app(services_for(store, tmp_path))
    _, url, _ = blocks.launch(prevent_thread_lock=True, server_name="127.0.0.1", quiet=True,
                              **launch_options(Login(Accounts(store))))
    try:
        client = httpx.Client(base_url=url, timeout=60)
        assert client.get("config").status_code == 401
        answers = [client.post("login", data={"username": "boss", "password": "wrong-one"})
                   for _ in range(MAX_FAILURES)]
        assert [r.status_code for r in answers] == [400] * MAX_FAILURES
        assert "locked" in answers[-1].json()["detail"]
        right = client.post("login", data={"username": "boss", "password": OWNER_PW})
        assert right.status_code == 400 and "锁定" in right.json()["detail"]
        row = sqlite3.connect(tmp_path / "crm.db").execute(
            "SELECT address, failures FROM login_failures").fetchone()
        assert row == ("127.0.0.1", MAX_FAILURES)
    finally:
        blocks.close()
        store.close()


# -- the browser -----------------------------------------------------------------------------------

@pytest.mark.browser
def test_staff_sign_in_and_are_refused_settings_and_import_then_the_owner(signed_app, tmp_path):
    from playwright.sync_api import sync_playwright

    from tests.test_browser import ARGS, CHROMIUM, shot

    url, services = signed_app
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make browser` (Debian's chromium package).")
    csv = tmp_path / "orders.csv"
    csv.write_text("会员号,姓名,下单日期,实付金额\nC0001,张伟,2026-10-02,98\n", encoding="utf-8")
    orders = services.store.count("orders")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)

        def sign_in(name: str, password: str):
            context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="en-US")
            page = context.new_page()
            page.set_default_timeout(60_000)
            page.goto(url)
            page.locator("input[type=password]").wait_for()
            page.locator("input:not([type=password])").first.fill(name)
            page.locator("input[type=password]").fill(password)
            page.locator("button:has-text('Login')").click()
            page.wait_for_selector("button[role=tab]:has-text('Settings')")
            return context, page

        context, page = sign_in("li", STAFF_PW)
        page.locator("button[role=tab]:has-text('Settings')").click()
        page.locator("#policy-refund input").fill("9999")
        page.locator("#policy-save").click()
        page.wait_for_selector("#policy-note :text('Only an owner may change the offer policy')")
        shot(page, "staff-settings-refused")
        page.locator("button[role=tab]:has-text('Import')").click()
        page.locator("#import-file input[type=file]").set_input_files(str(csv))
        page.wait_for_selector("#import-note :text('Matched')")
        page.locator("#import-go").click()
        page.wait_for_selector("#import-result :text('Only an owner may import files')")
        assert services.store.count("orders") == orders
        assert (services.store.get_setting("policy") or {}).get("max_refund") != 9999
        context.close()

        context, page = sign_in("boss", OWNER_PW)
        page.locator("button[role=tab]:has-text('Settings')").click()
        page.locator("#policy-refund input").fill("321")
        page.locator("#policy-save").click()
        page.wait_for_selector("#policy-note :text('Policy saved')")
        assert services.store.get_setting("policy")["max_refund"] == 321
        context.close()
        browser.close()
