"""Privacy on request: a customer's own data as JSON, and "forget this customer" (PIPL / GDPR).

Forgetting deletes the customer's rows in every table that points at them, the audit log's
before/after images of those rows (undo must never bring them back), the chat-log turns and tool
calls that name them, and their name in other stored text (briefings, action descriptions). What
stays is one audit entry saying that an erasure happened, by whom and when, without the name.
It cannot be undone: its action is recorded with via = 'erasure', which no undo selects (in a
file without that column, undone = 2 does the same).

Deleted pages are overwritten (secure_delete) and the WAL is checkpointed, so the file itself
no longer holds the text; backups taken before the erasure still do until they age out.
"""

from __future__ import annotations

import json
import re
import sqlite3
from dataclasses import dataclass, field
from typing import Any

from assistant.core.records import NotFound
from assistant.store.audit import now_iso
from assistant.store.backup import require_owner
from assistant.store.database import Store

# Written by code, never text about a customer: nothing to scan there.
_SKIP = {"customers", "audit_log", "actions", "_sqlite_migrations", "column_cache",
         "table_epochs", "settings", "sqlite_sequence"}
# The chat log: a turn or tool call that names the customer goes as a whole.
CHAT_LOG = ("turns", "tool_calls")
# Columns that name a customer as someone else's reference (an order's referrer): cleared.
_REFERENCES = ("referred_by",)
NOT_UNDOABLE = 2
VIA = "erasure"
ERASED = "[erased]"


@dataclass(frozen=True)
class ErasureReport:
    """What an erasure removed (or, as a preview, would remove), table by table."""

    customer_id: int
    name: str
    deleted: dict[str, int] = field(default_factory=dict)
    redacted: dict[str, int] = field(default_factory=dict)
    action_id: int | None = None


def _tables(conn: sqlite3.Connection) -> list[str]:
    return [r[0] for r in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]


def _columns(conn: sqlite3.Connection, table: str) -> list[tuple[str, str]]:
    return [(r[1], (r[2] or "").upper()) for r in conn.execute(f"PRAGMA table_info([{table}])")]


def _owned_tables(conn: sqlite3.Connection) -> list[str]:
    """Tables whose rows belong to one customer: a customer_id column or a key to customers."""
    out = []
    for table in _tables(conn):
        if table in _SKIP:
            continue
        cols = {name for name, _ in _columns(conn, table)}
        keyed = {r[3] for r in conn.execute(f"PRAGMA foreign_key_list([{table}])")
                 if r[2] == "customers"}
        if "customer_id" in cols or "customer_id" in keyed:
            out.append(table)
    return out


def _identifiers(row: dict) -> list[str]:
    """The strings that name this customer in free text (long enough not to match by chance)."""
    found = []
    for key, least in (("name", 2), ("external_id", 3), ("phone", 5), ("email", 5),
                       ("wechat", 4), ("name_key", 5)):
        value = str(row.get(key) or "").strip()
        if len(value) >= least:
            found.append(value)
    return sorted(set(found), key=len, reverse=True)


def _pattern(identifiers: list[str]) -> re.Pattern | None:
    """Latin words match whole (Ann is not in 'planning'); CJK names match anywhere."""
    if not identifiers:
        return None
    parts = []
    for ident in identifiers:
        body = re.escape(ident).replace(r"\ ", r"\s*")
        parts.append(rf"(?<![A-Za-z0-9]){body}(?![A-Za-z0-9])" if ident[0].isascii() and
                     ident[-1].isascii() else body)
    return re.compile("|".join(parts), re.IGNORECASE)


def _customer(conn: sqlite3.Connection, customer_id: int) -> dict:
    cur = conn.execute("SELECT * FROM customers WHERE id = ?", [int(customer_id)])
    row = cur.fetchone()
    if row is None:
        raise NotFound(f"No customer with id {customer_id}. `crm customers NAME` shows ids.")
    return dict(zip([d[0] for d in cur.description], row))


def _rows(conn: sqlite3.Connection, sql: str, params: list) -> list[dict]:
    cur = conn.execute(sql, params)
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r)) for r in cur.fetchall()]


def customer_data(store: Store, customer_id: int) -> dict[str, Any]:
    """Everything stored about one customer, as JSON-ready data (their copy of their data)."""
    with store._lock:
        conn = store.db.conn
        row = _customer(conn, customer_id)
        data: dict[str, Any] = {"customer": row, "exported_at": now_iso()}
        for table in _owned_tables(conn):
            data[table] = _rows(conn, f"SELECT * FROM [{table}] WHERE customer_id = ? ORDER BY rowid",
                                [row["id"]])
    return data


def _audit_ids(conn: sqlite3.Connection, customer_id: int, owned: dict[str, set[int]]) -> list[int]:
    """Audit entries holding an image of the customer or of one of their rows (past ones too)."""
    ids = {r[0] for r in conn.execute(
        "SELECT id FROM audit_log WHERE (table_name = 'customers' AND row_id = ?)"
        " OR (json_valid(before) AND json_extract(before, '$.customer_id') = ?)"
        " OR (json_valid(after) AND json_extract(after, '$.customer_id') = ?)",
        [customer_id, customer_id, customer_id])}
    for table, row_ids in owned.items():
        for start in range(0, len(row_ids), 500):
            chunk = sorted(row_ids)[start:start + 500]
            marks = ",".join("?" * len(chunk))
            ids |= {r[0] for r in conn.execute(
                f"SELECT id FROM audit_log WHERE table_name = ? AND row_id IN ({marks})",
                [table, *chunk])}
    return sorted(ids)


def _plan(conn: sqlite3.Connection, customer_id: int) -> dict[str, Any]:
    """Which rows an erasure touches (read only; shared by the preview and the erasure)."""
    row = _customer(conn, customer_id)
    owned = {t: {r[0] for r in conn.execute(f"SELECT rowid FROM [{t}] WHERE customer_id = ?",
                                            [row["id"]])} for t in _owned_tables(conn)}
    audit = _audit_ids(conn, row["id"], owned)
    marks = ",".join("?" * len(audit)) or "NULL"
    touched = {r[0] for r in conn.execute(
        f"SELECT DISTINCT action_id FROM audit_log WHERE id IN ({marks})", audit)}
    pattern = _pattern(_identifiers(row))
    chat: dict[str, list[int]] = {t: [] for t in CHAT_LOG}
    text: dict[tuple[str, str], list[int]] = {}
    for table in _tables(conn):
        if table in _SKIP or pattern is None:
            continue
        cols = [c for c, kind in _columns(conn, table) if kind in ("", "TEXT") or "CHAR" in kind]
        for col in cols:
            going = owned.get(table, set())  # deleted anyway
            hits = [rid for rid, value in conn.execute(f"SELECT rowid, [{col}] FROM [{table}]")
                    if isinstance(value, str) and rid not in going and pattern.search(value)]
            if not hits:
                continue
            if table in chat:
                chat[table] += hits
            else:
                text[(table, col)] = hits
    if chat["turns"]:
        marks = ",".join("?" * len(chat["turns"]))
        chat["tool_calls"] += [r[0] for r in conn.execute(
            f"SELECT id FROM tool_calls WHERE turn_id IN ({marks})", chat["turns"])]
    described = [r[0] for r in conn.execute("SELECT id, description FROM actions")
                 if pattern is not None and isinstance(r[1], str) and pattern.search(r[1])]
    gone = set(audit)  # other images that name them (a task about them with no customer id)
    imaged = [rid for rid, before, after in conn.execute(
        "SELECT id, before, after FROM audit_log") if rid not in gone and pattern is not None
        and any(isinstance(v, str) and pattern.search(v) for v in (before, after))]
    return {"row": row, "owned": owned, "audit": audit, "touched": touched, "pattern": pattern,
            "chat": {t: sorted(set(ids)) for t, ids in chat.items()}, "text": text,
            "described": described, "imaged": imaged}


def _counts(plan: dict) -> tuple[dict[str, int], dict[str, int]]:
    deleted = {"customers": 1, **{t: len(ids) for t, ids in plan["owned"].items() if ids},
               "audit_log": len(plan["audit"]),
               **{t: len(ids) for t, ids in plan["chat"].items() if ids}}
    redacted = {f"{t}.{c}": len(ids) for (t, c), ids in plan["text"].items()}
    if plan["imaged"]:
        redacted["audit_log.images"] = len(plan["imaged"])
    actions = len(plan["touched"] | set(plan["described"]))
    if actions:
        redacted["actions.description"] = actions
    return {k: v for k, v in deleted.items() if v}, redacted


def erasure_preview(store: Store, customer_id: int) -> ErasureReport:
    """What forgetting this customer would remove (nothing is changed)."""
    with store._lock:
        plan = _plan(store.db.conn, int(customer_id))
    deleted, redacted = _counts(plan)
    return ErasureReport(plan["row"]["id"], plan["row"]["name"], deleted, redacted)


def _delete_ids(conn: sqlite3.Connection, table: str, ids: list[int] | set[int]) -> None:
    ordered = sorted(ids)
    for start in range(0, len(ordered), 500):
        chunk = ordered[start:start + 500]
        conn.execute(f"DELETE FROM [{table}] WHERE rowid IN ({','.join('?' * len(chunk))})", chunk)


def erase_customer(store: Store, customer_id: int, actor: str, role: str) -> ErasureReport:
    """Forget one customer everywhere, in one transaction; owner only, never undoable."""
    require_owner(role, "erase a customer's data", "删除客户的全部数据")
    conn = store.db.conn
    with store._lock:
        secure = conn.execute("PRAGMA secure_delete").fetchone()[0]
        conn.execute("PRAGMA secure_delete = ON")  # deleted text is overwritten, not left in pages
        try:
            report = store.retrying(lambda c: _erase(c, int(customer_id), actor))
        finally:
            conn.execute(f"PRAGMA secure_delete = {int(secure)}")
        try:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # old WAL frames still hold the text
        except sqlite3.OperationalError:
            pass  # a reader holds the WAL; the next checkpoint overwrites it
    return report


def _redact_json(text: str | None, pattern: re.Pattern) -> str | None:
    """A JSON row image with the customer's identifiers replaced in its string values."""
    if text is None:
        return None
    try:
        data = json.loads(text)
    except ValueError:
        return pattern.sub(ERASED, text)

    def clean(value: Any) -> Any:
        if isinstance(value, str):
            return pattern.sub(ERASED, value)
        if isinstance(value, dict):
            return {k: clean(v) for k, v in value.items()}
        if isinstance(value, list):
            return [clean(v) for v in value]
        return value

    return json.dumps(clean(data), ensure_ascii=False)


def _erase(conn: sqlite3.Connection, customer_id: int, actor: str) -> ErasureReport:
    plan = _plan(conn, customer_id)
    row, pattern = plan["row"], plan["pattern"]
    conn.execute("PRAGMA defer_foreign_keys = ON")  # children and parent go in one transaction
    _delete_ids(conn, "audit_log", plan["audit"])
    for table, ids in plan["chat"].items():
        _delete_ids(conn, table, ids)
    for table, ids in plan["owned"].items():
        _delete_ids(conn, table, ids)
    for table in _tables(conn):
        cols = {c for c, _ in _columns(conn, table)}
        for col in _REFERENCES:
            if col in cols and table not in _SKIP:
                conn.execute(f"UPDATE [{table}] SET [{col}] = NULL WHERE [{col}] = ?", [customer_id])
    conn.execute("DELETE FROM customers WHERE id = ?", [customer_id])
    conn.execute("DELETE FROM column_cache")  # derived copies of orders and ids; rebuilt on read
    for (table, col), ids in plan["text"].items():
        for rid in ids:
            value = conn.execute(f"SELECT [{col}] FROM [{table}] WHERE rowid = ?", [rid]).fetchone()
            if value and isinstance(value[0], str):
                conn.execute(f"UPDATE [{table}] SET [{col}] = ? WHERE rowid = ?",
                             [pattern.sub(ERASED, value[0]), rid])
    for rid in plan["imaged"]:
        before, after = conn.execute("SELECT before, after FROM audit_log WHERE id = ?",
                                     [rid]).fetchone()
        conn.execute("UPDATE audit_log SET before = ?, after = ? WHERE id = ?",
                     [_redact_json(before, pattern), _redact_json(after, pattern), rid])
    # An action that wrote the customer's rows is described by them; one that merely named
    # them (in a longer description) keeps the rest of its words.
    for action_id in plan["touched"]:
        conn.execute("UPDATE actions SET description = ? WHERE id = ?",
                     [f"{ERASED} (an erased customer's data)", action_id])
        conn.execute("UPDATE audit_log SET action = ? WHERE action_id = ?",
                     [f"{ERASED} (an erased customer's data)", action_id])
    for action_id in set(plan["described"]) - plan["touched"]:
        text = conn.execute("SELECT description FROM actions WHERE id = ?", [action_id]).fetchone()[0]
        conn.execute("UPDATE actions SET description = ? WHERE id = ?",
                     [pattern.sub(ERASED, text), action_id])
        conn.execute("UPDATE audit_log SET action = ? WHERE action_id = ?",
                     [pattern.sub(ERASED, text), action_id])
    deleted, redacted = _counts(plan)
    at = now_iso()
    description = f"erased customer #{customer_id} on request (personal data removed; cannot be undone)"
    if "via" in {c for c, _ in _columns(conn, "actions")}:
        undone, cur = 0, conn.execute(
            "INSERT INTO actions (at, actor, description, undone, via) VALUES (?, ?, ?, 0, ?)",
            [at, actor, description, VIA])
    else:
        undone, cur = NOT_UNDOABLE, conn.execute(
            "INSERT INTO actions (at, actor, description, undone) VALUES (?, ?, ?, ?)",
            [at, actor, description, NOT_UNDOABLE])
    action_id = int(cur.lastrowid or 0)
    conn.execute(
        "INSERT INTO audit_log (action_id, at, actor, action, op, table_name, row_id, before,"
        " after, undone) VALUES (?, ?, ?, ?, 'erase', 'customers', ?, NULL, ?, ?)",
        [action_id, at, actor, description, customer_id,
         json.dumps({"deleted": deleted, "redacted": redacted}), undone])
    return ErasureReport(customer_id, row["name"], deleted, redacted, action_id)
