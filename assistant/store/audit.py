"""One user action = one transaction + audit rows with before/after, so it can be undone."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime, timezone
from typing import Any, Iterable

from assistant.core.records import NothingToUndo

# Columns a caller may not set directly: ids and bookkeeping are the store's.
_RANGE = "insert_range"


def now_iso() -> str:
    """Current UTC time, ISO-8601 with seconds."""
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


def _row(conn: sqlite3.Connection, table: str, row_id: int) -> dict | None:
    cur = conn.execute(f"SELECT * FROM [{table}] WHERE id = ?", (row_id,))
    found = cur.fetchone()
    if found is None:
        return None
    return dict(zip([d[0] for d in cur.description], found))


class Action:
    """Writes of one user action inside an open transaction, each recorded in audit_log."""

    def __init__(self, conn: sqlite3.Connection, actor: str, description: str):
        self.conn = conn
        self.actor = actor
        self.description = description
        self.at = now_iso()
        cur = conn.execute(
            "INSERT INTO actions (at, actor, description, undone) VALUES (?, ?, ?, 0)",
            (self.at, actor, description),
        )
        self.id = int(cur.lastrowid or 0)

    def _audit(self, op: str, table: str, row_id: int | None, before: Any, after: Any) -> None:
        self.conn.execute(
            "INSERT INTO audit_log (action_id, at, actor, action, op, table_name, row_id,"
            " before, after, undone) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0)",
            (
                self.id, self.at, self.actor, self.description, op, table, row_id,
                None if before is None else json.dumps(before, ensure_ascii=False),
                None if after is None else json.dumps(after, ensure_ascii=False),
            ),
        )

    def insert(self, table: str, values: dict) -> int:
        """Insert one row; returns its id."""
        cols = list(values)
        cur = self.conn.execute(
            f"INSERT INTO [{table}] ({', '.join(f'[{c}]' for c in cols)})"
            f" VALUES ({', '.join('?' for _ in cols)})",
            [values[c] for c in cols],
        )
        row_id = int(cur.lastrowid or 0)
        self._audit("insert", table, row_id, None, _row(self.conn, table, row_id))
        return row_id

    def insert_many(self, table: str, columns: list[str], rows: Iterable[tuple]) -> tuple[int, int]:
        """Bulk insert; audited as one id range so a million-row import stays fast."""
        start = self.conn.execute(f"SELECT coalesce(max(id), 0) FROM [{table}]").fetchone()[0]
        self.conn.executemany(
            f"INSERT INTO [{table}] ({', '.join(f'[{c}]' for c in columns)})"
            f" VALUES ({', '.join('?' for _ in columns)})",
            rows,
        )
        end = self.conn.execute(f"SELECT coalesce(max(id), 0) FROM [{table}]").fetchone()[0]
        if end > start:
            self._audit(_RANGE, table, None, None, {"first": start + 1, "last": end})
        return start + 1, end

    def update(self, table: str, row_id: int, values: dict) -> dict:
        """Update one row; returns the row after the update."""
        before = _row(self.conn, table, row_id)
        if before is None:
            raise KeyError(f"{table} row {row_id} does not exist")
        changed = {k: v for k, v in values.items() if before.get(k) != v}
        if changed:
            sets = ", ".join(f"[{c}] = ?" for c in changed)
            self.conn.execute(
                f"UPDATE [{table}] SET {sets} WHERE id = ?", [*changed.values(), row_id]
            )
            after = _row(self.conn, table, row_id)
            self._audit("update", table, row_id, before, after)
            return after or before
        return before

    def delete(self, table: str, row_id: int) -> None:
        """Delete one row, keeping it in the audit log so undo can restore it."""
        before = _row(self.conn, table, row_id)
        if before is not None:
            self.conn.execute(f"DELETE FROM [{table}] WHERE id = ?", (row_id,))
            self._audit("delete", table, row_id, before, None)


def undo_last(conn: sqlite3.Connection, actor: str, by: tuple[str, ...] | None = None) -> str:
    """Revert the newest action not yet undone (call inside a transaction); returns its description.
    With `by`, only an action one of those actors took (chat's undo never reverts an import)."""
    if by is None:
        found = conn.execute(
            "SELECT id, description, at FROM actions WHERE undone = 0 ORDER BY id DESC LIMIT 1"
        ).fetchone()
    else:
        marks = ", ".join("?" for _ in by)
        found = conn.execute(
            f"SELECT id, description, at FROM actions WHERE undone = 0 AND actor IN ({marks})"
            " ORDER BY id DESC LIMIT 1", by).fetchone()
    if found is None:
        raise NothingToUndo("Nothing to undo: every recorded action has already been undone.")
    action_id, description, at = found
    entries = conn.execute(
        "SELECT id, op, table_name, row_id, before, after FROM audit_log"
        " WHERE action_id = ? ORDER BY id DESC",
        (action_id,),
    ).fetchall()
    for _, op, table, row_id, before, after in entries:
        if op == "insert":
            conn.execute(f"DELETE FROM [{table}] WHERE id = ?", (row_id,))
        elif op == _RANGE:
            span = json.loads(after)
            conn.execute(
                f"DELETE FROM [{table}] WHERE id BETWEEN ? AND ?", (span["first"], span["last"])
            )
        elif op in ("update", "delete"):
            old = json.loads(before)
            cols = list(old)
            conn.execute(
                f"INSERT OR REPLACE INTO [{table}] ({', '.join(f'[{c}]' for c in cols)})"
                f" VALUES ({', '.join('?' for _ in cols)})",
                [old[c] for c in cols],
            )
    conn.execute("UPDATE actions SET undone = 1 WHERE id = ?", (action_id,))
    conn.execute("UPDATE audit_log SET undone = 1 WHERE action_id = ?", (action_id,))
    return f"{description} ({at})"
