"""Privacy on request: a customer's own data as JSON, and erasure everywhere, audit images included."""

from __future__ import annotations

import json
import sqlite3

import pytest
from click.testing import CliRunner

from assistant.cli.main import cli
from assistant.core.records import NotFound, NothingToUndo, Write
from assistant.store.backup import OwnerOnly
from assistant.store.erasure import customer_data, erase_customer, erasure_preview

SECRET = "SECRET-DIVORCE-PLAN-4711"


def crm(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def _shop(store):
    """张伟 (to forget) and Li Na (to keep), with every kind of row and log that can name them."""
    zw = store.add_customer("张伟", phone="13800001111", email="zw@example.com",
                            notes=f"{SECRET} prefers decaf", external_id="C1")
    ln = store.add_customer("Li Na", phone="13900002222", external_id="C2")
    for c in (zw, ln):
        store.add_order(c.id, "2026-01-05", 88, product="Yirgacheffe")
        store.log_interaction(c.id, "2026-01-06", "phone", f"{c.name} asked about beans")
        store.log_complaint(c.id, "2026-01-07", f"{c.name}: late delivery")
        store.add_task(c.id, "2026-02-01", f"call {c.name}")
    store.update_customer(zw.id, city="上海", notes=f"{SECRET} moved")  # before/after images
    store.apply([Write("interactions", "insert", {"customer_id": zw.id, "date": "2026-01-08",
                                                  "channel": "wechat", "summary": "wants refund"},
                       summary="Interaction with 张伟 (wechat): wants refund")], actor="owner")
    store.add_task(None, "2026-03-01", "ask 张伟 for a testimonial")  # names them, no customer id
    store.record_turn("s1", "张伟打电话说要退款", "已记录张伟的来电", "none", 3.0,
                      [{"tool": "log_activity", "args": {"customer": "张伟"}, "status": "proposed",
                        "result": "preview"}])
    store.record_turn("s1", "show zhang wei", "profile", "none", 2.0, [])
    store.record_turn("s2", "Li Na called", "noted", "none", 2.0,
                      [{"tool": "log_activity", "args": {"customer": "Li Na"}, "status": "done"}])
    return zw, ln


def _texts(conn: sqlite3.Connection) -> str:
    """Every text value in every table, joined: what a search of the file could find."""
    out = []
    for (table,) in conn.execute("SELECT name FROM sqlite_master WHERE type='table'"):
        for row in conn.execute(f"SELECT * FROM [{table}]"):
            out += [str(v) for v in row if isinstance(v, str)]
    return "\n".join(out)


def test_erasure_is_owner_only(store):
    zw, _ = _shop(store)
    with pytest.raises(OwnerOnly, match="Only an owner"):
        erase_customer(store, zw.id, actor="amy", role="staff")
    assert store.get_customer(zw.id).name == "张伟"


def test_export_gives_the_customer_their_own_rows(store):
    zw, _ = _shop(store)
    data = customer_data(store, zw.id)
    assert data["customer"]["name"] == "张伟" and SECRET in data["customer"]["notes"]
    assert len(data["orders"]) == 1 and len(data["interactions"]) == 2
    assert len(data["complaints"]) == 1 and len(data["tasks"]) == 1
    assert "Li Na" not in json.dumps(data, ensure_ascii=False)
    with pytest.raises(NotFound):
        customer_data(store, 999)


def test_forget_removes_them_everywhere_and_leaves_one_audit_entry(store):
    zw, ln = _shop(store)
    preview = erasure_preview(store, zw.id)
    assert preview.deleted["orders"] == 1 and preview.deleted["turns"] == 2
    done = erase_customer(store, zw.id, actor="owner", role="owner")
    conn = store.db.conn
    text = _texts(conn)
    for trace in (SECRET, "张伟", "13800001111", "zw@example.com", "zhang wei"):
        assert trace not in text, trace
    for table in ("orders", "interactions", "complaints", "tasks"):
        assert conn.execute(f"SELECT count(*) FROM {table} WHERE customer_id = ?",
                            [zw.id]).fetchone() == (0,)
        assert conn.execute(f"SELECT count(*) FROM {table} WHERE customer_id = ?",
                            [ln.id]).fetchone()[0] >= 1
    # Li Na's rows, log and turns stay
    assert store.get_customer(ln.id).phone == "13900002222"
    assert conn.execute("SELECT count(*) FROM turns WHERE message = 'Li Na called'").fetchone() == (1,)
    assert "ask [erased] for a testimonial" in [t.title for t in store.tasks()]
    # one entry says an erasure happened, by whom and when, without the name
    entry = conn.execute("SELECT actor, at, op, row_id, after FROM audit_log WHERE op = 'erase'"
                         ).fetchall()
    assert len(entry) == 1 and entry[0][0] == "owner" and entry[0][3] == zw.id and entry[0][1]
    assert json.loads(entry[0][4])["deleted"]["customers"] == 1
    assert done.deleted == preview.deleted
    history = store.history(1)[0]
    assert history["description"].startswith(f"erased customer #{zw.id}")
    assert sqlite3.connect(store.path).execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_an_erasure_is_never_undone_and_undo_cannot_bring_them_back(store):
    zw, _ = _shop(store)
    erase_customer(store, zw.id, actor="owner", role="owner")
    for _ in range(30):  # undo everything that can be undone
        try:
            store.undo()
        except NothingToUndo:
            break
        except Exception:  # noqa: BLE001 - a refused undo (a later change) is fine here
            break
    conn = store.db.conn
    assert conn.execute("SELECT count(*) FROM customers WHERE id = ?", [zw.id]).fetchone() == (0,)
    assert SECRET not in _texts(conn) and "张伟" not in _texts(conn)
    assert conn.execute("SELECT count(*) FROM audit_log WHERE op = 'erase'").fetchone() == (1,)


def test_the_file_itself_no_longer_holds_their_text(store):
    zw, _ = _shop(store)
    for i in range(50):  # enough rows that their pages are shared with others
        store.add_customer(f"Other {i}", notes="x" * 100)
    erase_customer(store, zw.id, actor="owner", role="owner")
    raw = b"".join(p.read_bytes() for p in store.path.parent.glob("crm.db*") if p.is_file())
    assert SECRET.encode() not in raw and "张伟".encode() not in raw


def test_cli_customer_export_and_forget(tmp_path):
    db = tmp_path / "crm.db"
    assert crm("init", "--demo", "--db", db, "--end", "2026-11-01").exit_code == 0
    data = json.loads(crm("customer", "export", "2", "--db", db).output)
    assert data["customer"]["name"] == "李娜" and data["orders"]
    out = tmp_path / "li-na.json"
    assert crm("customer", "export", "2", "-o", out, "--db", db).exit_code == 0
    assert json.loads(out.read_text(encoding="utf-8")) ["customer"]["id"] == 2
    refused = crm("customer", "forget", "2", "--db", db)
    assert refused.exit_code == 1 and "--yes" in refused.output
    done = crm("customer", "forget", "2", "--yes", "--db", db)
    assert done.exit_code == 0 and "Erased customer 2" in done.output
    again = crm("customer", "forget", "2", "--yes", "--db", db)
    assert again.exit_code == 1 and again.output.startswith("Error: No customer with id 2")
    bad = crm("customer", "export", "li", "--db", db)
    assert bad.exit_code == 1 and "numeric id" in bad.output
    assert "李娜" not in _texts(sqlite3.connect(db))
