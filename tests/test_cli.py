import json
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from assistant.cli.main import cli


def run(*args, ok=True):
    result = CliRunner().invoke(cli, [str(a) for a in args])
    if ok:
        assert result.exit_code == 0, result.output
    return result


def test_done_when_demo_lists_and_pinyin_finds(tmp_path):
    db = tmp_path / "d.db"
    run("init", "--demo", "--db", db, "--end", "2026-11-01")
    listed = json.loads(run("customers", "--db", db, "--json").output)
    assert len(listed) == 20 and {"id", "name", "external_id"} <= set(listed[0])
    found = json.loads(run("customers", "zhang wei", "--db", db, "--json").output)
    assert found[0]["name"] == "张伟"


def test_import_bad_row_then_good_then_undo(tmp_path):
    db = tmp_path / "d.db"
    run("init", "--db", db)
    bad = tmp_path / "bad.csv"
    bad.write_text("external_id,name,date,amount\nC1,Ann,2024-01-02,5\nC2,Bob,2024/13/45,5\n")
    result = run("import", "orders", bad, "--db", db, ok=False)
    assert result.exit_code == 1 and "row 3" in result.output and "Traceback" not in result.output
    assert json.loads(run("customers", "--db", db, "--json").output) == []
    good = tmp_path / "good.csv"
    good.write_text("external_id,name,date,amount\nC1,Ann,2024-01-02,5\n")
    assert "Imported 1 orders" in run("import", "orders", good, "--db", db).output
    assert "import orders" in run("undo", "--db", db).output
    assert json.loads(run("customers", "--db", db, "--json").output) == []


def test_errors_are_one_line_without_traceback(tmp_path):
    result = run("customers", "--db", tmp_path / "missing.db", ok=False)
    assert result.exit_code != 0 and "crm init" in result.output
    db = tmp_path / "d.db"
    run("init", "--db", db)
    result = run("show", "nobody", "--db", db, ok=False)
    assert result.exit_code == 1 and result.output.startswith("Error: No customer")
    result = run("import", "orders", tmp_path / "nope.csv", "--db", db, ok=False)
    assert result.exit_code == 1 and "not found" in result.output.lower()
    result = run("undo", "--db", db, ok=False)
    assert "Nothing to undo" in result.output


def test_show_backup_export(tmp_path):
    db = tmp_path / "d.db"
    run("init", "--demo", "--db", db, "--end", "2026-11-01")
    assert "李娜" in run("show", "li na", "--db", db).output
    data = json.loads(run("show", "C0002", "--db", db, "--json").output)
    assert data["customer"]["name"] == "李娜" and data["order_count"] > 0
    run("backup", tmp_path / "b.db", "--db", db)
    assert (tmp_path / "b.db").stat().st_size > 0
    out = tmp_path / "customers.csv"
    run("export", "customers", "-o", out, "--db", db)
    assert out.read_text(encoding="utf-8-sig").splitlines()[0].startswith("id,")
    assert len(json.loads(run("export", "tasks", "--format", "json", "--db", db).output)) > 0


def test_init_refuses_to_overwrite(tmp_path):
    db = tmp_path / "d.db"
    run("init", "--db", db)
    assert "already exists" in run("init", "--db", db, ok=False).output


def test_console_script_is_installed():
    crm = Path(sys.executable).parent / "crm"
    out = subprocess.run([crm, "--help"], capture_output=True, text=True, check=True)
    assert "import" in out.stdout and "undo" in out.stdout
