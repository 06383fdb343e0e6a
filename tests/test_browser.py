"""End to end in Debian's headless Chromium: click through the app like a shop owner would.

Screenshots of every tab land in tests/artifacts/ (look at them after UI changes).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from assistant.core.config import Settings
from assistant.services import Services

pytestmark = pytest.mark.browser
CHROMIUM = os.environ.get("CRM_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
ARTIFACTS = Path(__file__).parent / "artifacts"
TIMEOUT = 60_000  # ms; the first churn report and the first reply warm caches


@pytest.fixture(scope="module")
def server(demo_db_file, tmp_path_factory):
    """The app over a private copy of the demo shop, with the no-model chat backend."""
    import shutil

    from assistant.store import Store
    from assistant.webui import app
    from assistant.webui.theme import launch_kwargs

    folder = tmp_path_factory.mktemp("browser")
    shutil.copy(demo_db_file, folder / "demo.db")
    store = Store.open(folder / "demo.db")
    store.set_setting("ui_language", "en")
    env = {"CRM_DATA_DIR": str(folder), "CRM_MODEL": "none", "CRM_INDEX_DIR": str(folder / "kb")}
    services = Services(store, Settings.from_env(env))
    blocks = app.build_app(services)
    _, url, _ = blocks.launch(prevent_thread_lock=True, server_name="127.0.0.1", quiet=True,
                              **launch_kwargs())
    yield url, services
    blocks.close()
    store.close()


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make browser` (Debian's chromium package).")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, server):
    url, _ = server
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="en-US")
    pg = context.new_page()
    pg.set_default_timeout(TIMEOUT)
    pg.goto(url)
    pg.wait_for_selector("#today-head")  # the Today tab opens first
    open_tab(pg, "Chat")
    pg.wait_for_selector("#chat-input textarea")
    yield pg
    context.close()


def open_tab(page, name: str) -> None:
    page.locator(f"button[role=tab]:has-text('{name}')").click()


def cell(page, table: str, row: int, col: int):
    """One body cell of a gradio 6 Dataframe (a virtual grid of divs, not <td>s)."""
    return page.locator(f"#{table} [data-testid='cell-{row}-{col}']")


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.wait_for_timeout(600)  # let plots and tables finish painting
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def ask(page, text: str) -> None:
    box = page.locator("#chat-input textarea")
    box.fill(text)
    box.press("Enter")


def test_who_is_likely_to_churn_shows_names_and_reasons(page, server):
    from assistant.analytics.churn_report import churn_report

    _, services = server
    top = churn_report(services.store, top=3, lang="en")
    ask(page, "who's likely to churn?")
    page.wait_for_selector(f"#chat :text('{top[0].name}')")
    text = page.locator("#chat").inner_text()
    assert top[0].name in text and top[0].reasons[0] in text
    shot(page, "chat")


def test_log_interaction_confirm_and_see_it_in_the_timeline(page, server):
    _, services = server
    ask(page, "Log a call with 张伟: asked about decaf beans")
    page.wait_for_selector("#chat :text('Review before saving')")
    assert not any("decaf beans" in i.summary for i in services.store.interactions(1))
    shot(page, "chat-preview")
    page.locator("#chat-confirm").click()
    # "Saved:" heads the confirmation; the preview's "Nothing is saved yet" must not satisfy the wait
    page.wait_for_selector("#chat :text('Saved:')")
    assert any("decaf beans" in i.summary for i in services.store.interactions(1))

    open_tab(page, "Customers")
    page.locator("#customer-search textarea, #customer-search input").fill("zhang wei")
    cell(page, "customer-table", 0, 1).click()
    page.wait_for_selector("#profile :text('张伟')")
    page.wait_for_selector("#timeline [role=gridcell]:has-text('decaf beans')")
    page.wait_for_selector("#advice :text('Sources')", timeout=180_000)  # builds the index
    shot(page, "customers")


def test_log_interaction_from_the_profile(page, server):
    _, services = server
    open_tab(page, "Customers")
    page.locator("#customer-search textarea, #customer-search input").fill("李娜")
    cell(page, "customer-table", 0, 1).click()
    page.wait_for_selector("#profile :text('李娜')")
    page.locator("#log-accordion button").first.click()
    page.locator("#log-summary textarea").fill("Picked up the holiday gift box")
    page.locator("#log-preview").click()
    page.wait_for_selector("#log-card :text('Review before saving')")
    page.locator("#log-confirm").click()
    page.wait_for_selector("#timeline [role=gridcell]:has-text('holiday gift box')")
    assert services.store.interactions(2)[0].summary == "Picked up the holiday gift box"


def test_draft_a_complaint_reply(page):
    open_tab(page, "Complaints")
    cell(page, "complaint-table", 0, 2).click()
    page.wait_for_selector("#complaint-detail h3")
    page.locator("#complaint-tone label:has-text('Warm')").click()
    page.locator("#complaint-draft").click()
    reply = page.locator("#complaint-reply textarea")
    page.wait_for_function(
        "() => document.querySelector('#complaint-reply textarea').value.length > 40")
    assert len(reply.input_value()) > 40
    page.wait_for_selector("#complaint-notice :text('Draft ready')")
    shot(page, "complaints")


def test_tasks_tab_marks_a_task_done(page, server):
    _, services = server
    open_tab(page, "Tasks")
    task_id = cell(page, "task-table", 0, 0).inner_text().strip()
    cell(page, "task-table", 0, 3).click()
    page.wait_for_selector(f"#task-detail :text('#{task_id}')")
    page.locator("#task-done").click()
    page.wait_for_selector("#task-notice :text('Done:')")
    assert services.store.get_task(int(task_id)).status == "done"
    page.wait_for_function(  # the open list no longer shows it
        f"() => document.querySelector(\"#task-table [data-testid='cell-0-0']\")"
        f".innerText.trim() !== '{task_id}'")
    page.locator("#task-done").click()
    page.wait_for_selector("#task-notice :text('already done')")
    shot(page, "tasks")


def test_import_a_csv_with_a_bad_row_shows_the_row_error(page, tmp_path, server):
    _, services = server
    before = services.store.count("orders")
    csv = tmp_path / "orders.csv"
    csv.write_text("会员号,姓名,下单日期,实付金额\nC0001,张伟,2026-10-02,98\n"
                   "C0002,李娜,2026-13-45,88\n", encoding="utf-8")
    open_tab(page, "Import")
    page.locator("#import-file input[type=file]").set_input_files(str(csv))
    page.wait_for_selector("#import-note :text('Matched 4 of 4')")
    page.locator("#import-check").click()
    page.wait_for_selector("#import-errors [role=gridcell]:has-text('bad date')")
    assert cell(page, "import-errors", 0, 0).inner_text().strip() == "3"
    assert services.store.count("orders") == before
    shot(page, "import")


def test_churn_tab_lists_and_plots(page):
    open_tab(page, "Churn")
    page.wait_for_selector("#churn-table [data-testid='cell-0-3']:has-text('%')")
    page.wait_for_selector("#plot-stage canvas, #plot-stage svg")
    shot(page, "churn")


def test_settings_and_language_switch(page, server):
    _, services = server
    open_tab(page, "Settings")
    page.locator("#backend-kind label:has-text('No model')").click()
    page.locator("#backend-test").click()
    page.wait_for_selector("#backend-note :text('No model needed')")
    shot(page, "settings")
    page.locator("#ui-language label:has-text('中文')").click()
    page.wait_for_selector("button[role=tab]:has-text('对话')")
    assert services.ui_language() == "zh"
    shot(page, "settings-zh")
    page.locator("#ui-language label:has-text('English')").click()
    page.wait_for_selector("button[role=tab]:has-text('Chat')")


def test_today_opens_first_and_its_line_drafts_a_message(browser, server):
    url, services = server
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="en-US")
    pg = context.new_page()
    pg.set_default_timeout(TIMEOUT)
    try:
        pg.goto(url)
        pg.wait_for_selector("#today-head")
        assert pg.locator("#today-head").is_visible()  # the default tab
        assert "to call" in pg.locator("#today-head").inner_text()
        cell(pg, "today-table", 0, 2).click()
        pg.wait_for_selector("#today-detail:has-text('Next step')")
        pg.locator("#today-draft").click()
        box = pg.locator("#today-message textarea")
        box.wait_for()
        pg.wait_for_function("document.querySelector('#today-message textarea').value.length > 20")
        shot(pg, "today")
        pg.locator("#today-call").click()
        pg.wait_for_selector("#today-notice:has-text('logged')")
    finally:
        context.close()
