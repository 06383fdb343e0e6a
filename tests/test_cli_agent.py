"""`crm ask` / `crm chat` on the no-model backend: the JSON contract scripts rely on."""

import json

import pytest
from click.testing import CliRunner

from assistant.cli.main import cli


@pytest.fixture
def db(demo_db_file, tmp_path):
    import shutil

    path = tmp_path / "d.db"
    shutil.copy(demo_db_file, path)
    return path


def ask(db, message, *extra):
    result = CliRunner().invoke(cli, ["ask", message, "--db", str(db), "--model", "none",
                                      "--today", "2026-11-22", "--json", *extra])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_churn_question_in_chinese(db):
    out = ask(db, "谁可能流失？")
    assert out["actions"] == [{"tool": "churn_risks", "args": out["actions"][0]["args"],
                               "status": "done"}]
    assert "最可能流失" in out["reply"]


def test_write_is_proposed_without_yes_and_done_with_yes(db):
    from assistant.store import Store

    before = Store.open(db).count("interactions")
    out = ask(db, "Log a call with Li Na: asked about decaf beans")
    assert out["actions"][0]["tool"] == "log_activity"
    assert out["actions"][0]["status"] == "proposed"
    assert Store.open(db).count("interactions") == before
    out = ask(db, "Log a call with Li Na: asked about decaf beans", "--yes")
    assert out["actions"][0]["status"] == "done"
    assert Store.open(db).count("interactions") == before + 1


def test_unknown_customer_is_an_error_action_not_a_crash(db):
    out = ask(db, "show Zzyzx Qwerty")
    assert out["reply"]
    assert all(a["status"] in ("error", "done") for a in out["actions"])


def test_terminal_chat_session(db):
    result = CliRunner().invoke(cli, ["chat", "--db", str(db), "--model", "none"],
                                input="help\nshow 李娜\n")
    assert result.exit_code == 0
    assert "李娜" in result.output


def test_unknown_backend_is_a_one_line_error(db):
    result = CliRunner().invoke(cli, ["ask", "hi", "--db", str(db), "--model", "gpt9"])
    assert result.exit_code == 1 and "Unknown model backend" in result.output
