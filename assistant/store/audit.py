"""One user action = one transaction + audit rows with before/after, so it can be undone."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from assistant.core.records import CrmError, NothingToUndo

# Columns a caller may not set directly: ids and bookkeeping are the store's.
_RANGE = "insert_range"
# Where an action came from (actions.via) when no undo may revert it: account changes keep no
# row images (a password hash is not put in the log), an erasure must stay erased, and an email
# the server took stays marked sent (unmarking it would send it twice).
NEVER_UNDONE = ("accounts", "erasure", "mail")
# A person's "undo" (chat, the app) reverts what people did by hand, never an import.
IMPORT = "import"


def now_iso() -> str:
    """Current UTC time, ISO-8601 with seconds."""
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def _row(conn: sqlite3.Connection, table: str, row_id: int) -> dict | None:
    cur = conn.execute(f"SELECT * FROM [{table}] WHERE id = ?", (row_id,))
    found = cur.fetchone()
    if found is None:
        return None
    return dict(zip([d[0] for d in cur.description], found))


@dataclass(frozen=True)
class Terms:
    """What the caller knows about the next action beyond the Store method's arguments."""

    actor: str | None = None  # the signed-in person: recorded instead of the actor passed down
    via: str | None = None  # where it came from: chat, import, accounts …
    # rows as a preview showed them, {(table, id): row}: the action fails if any changed since
    expect: dict = field(default_factory=dict)


_TERMS: ContextVar[Terms | None] = ContextVar("crm_action_terms", default=None)


@contextmanager
def terms(**changes: Any) -> Iterator[Terms]:
    """Actions written inside carry these terms (nested calls add to the outer ones).

    Store methods open the transaction; the terms travel with the thread into it, so the preview
    check runs inside the transaction, after its first write, when no other writer (thread or
    process) can come between the check and the writes.
    """
    now = replace(_TERMS.get() or Terms(), **changes)
    token = _TERMS.set(now)
    try:
        yield now
    finally:
        _TERMS.reset(token)


@dataclass(frozen=True)
class RowChange:
    """A row that changed after a preview of a write to it was shown."""

    table: str
    row_id: int
    label: str  # the customer's name, or "complaint #3"
    fields: tuple[tuple[str, Any, Any], ...]  # (column, as shown, now)
    deleted: bool = False
    by: str | None = None  # who changed it last, from the audit log
    at: str | None = None


class StalePreview(CrmError):
    """The rows a preview would change were changed after it was shown; nothing was written."""

    def __init__(self, changes: list[RowChange]):
        self.changes = changes
        said = "; ".join(describe_change(c, "en") for c in changes)
        super().__init__(f"Not saved: changed since the preview was shown ({said}).")


class UndoConflict(CrmError):
    """Undoing the action would overwrite or orphan what someone did after it."""

    def __init__(self, description: str, by: str | None = None, at: str | None = None,
                 what: str = ""):
        self.description, self.by, self.at, self.what = description, by, at, what
        since = (f"{by} changed the same records since ({what}, {at})" if by
                 else "records added since depend on it")
        super().__init__(f"Cannot undo “{description}”: {since}. Undo that first, or change it "
                         "by hand.")


def clock_time(at: str | None) -> str:
    """HH:MM on this machine's clock for a stored UTC timestamp ("" when unknown)."""
    try:
        return datetime.fromisoformat(at or "").astimezone().strftime("%H:%M")
    except ValueError:
        return ""


def describe_change(change: RowChange, lang: str) -> str:
    """One changed row in words: what changed, from what to what, by whom."""
    zh = lang == "zh"
    if change.deleted:
        what = f"{change.label} 已被删除" if zh else f"{change.label} was deleted"
    else:
        parts = [f"{column} {_shown(was)} → {_shown(now)}" for column, was, now in change.fields]
        what = f"{change.label}: " + ", ".join(parts)
    if change.by:
        when = clock_time(change.at)
        what += (f"（{change.by} 于 {when} 修改）" if zh else f" (by {change.by} at {when})")
    return what


def _shown(value: Any) -> str:
    text = "—" if value in (None, "") else str(value)
    return text if len(text) <= 40 else text[:40] + "…"


def _label(table: str, row: dict | None, row_id: int) -> str:
    if table == "customers" and row and row.get("name"):
        return str(row["name"])
    return f"{table.removesuffix('s')} #{row_id}"


def changed_rows(conn: sqlite3.Connection, shown: dict) -> list[RowChange]:
    """The rows of `shown` ({(table, id): row as shown}) that read differently now."""
    out = []
    for (table, row_id), before in shown.items():
        now = _row(conn, table, row_id)
        if now == before:
            continue
        fields = () if now is None or before is None else tuple(
            (k, before.get(k), now.get(k)) for k in before if before.get(k) != now.get(k))
        last = conn.execute(
            "SELECT actor, at FROM audit_log WHERE table_name = ? AND row_id = ? AND undone = 0"
            " ORDER BY id DESC LIMIT 1", (table, row_id)).fetchone()
        out.append(RowChange(table, row_id, _label(table, before or now, row_id), fields,
                             now is None, *(last or (None, None))))
    return out


def rows_as_shown(store: Any, writes: Iterable[Any]) -> dict:
    """{(table, id): row} now, for the rows the writes would update (kept with a preview)."""
    keys = [(w.table, int(w.row_id)) for w in writes if w.op == "update" and w.row_id is not None]
    if not keys:
        return {}
    with store._lock:  # the store's one connection is shared by every thread
        return {key: _row(store.db.conn, *key) for key in keys}


def authors(store: Any, table: str, ids: Iterable[int]) -> dict[int, tuple[str, str | None]]:
    """{row id: (who added it, who changed it last if someone else)} from the audit log."""
    wanted = sorted({int(i) for i in ids})
    out: dict[int, tuple[str, str | None]] = {}
    if not wanted:
        return out
    with store._lock:
        conn = store.db.conn
        for actor, after in conn.execute(
                "SELECT actor, after FROM audit_log WHERE table_name = ? AND op = ?"
                " AND undone = 0 ORDER BY id", (table, _RANGE)):
            span = json.loads(after)
            for i in wanted:
                if span["first"] <= i <= span["last"]:
                    out[i] = (actor, None)
        for start in range(0, len(wanted), 900):  # SQLite caps bound parameters
            chunk = wanted[start:start + 900]
            marks = ", ".join("?" for _ in chunk)
            for row_id, actor, op in conn.execute(
                    f"SELECT row_id, actor, op FROM audit_log WHERE table_name = ? AND undone = 0"
                    f" AND op IN ('insert', 'update') AND row_id IN ({marks}) ORDER BY id",
                    [table, *chunk]):
                first, _ = out.get(row_id, (None, None))
                if op == "insert" or first is None:
                    out[row_id] = (actor, None)
                else:
                    out[row_id] = (first, None if actor == first else actor)
    return out


class Action:
    """Writes of one user action inside an open transaction, each recorded in audit_log."""

    def __init__(self, conn: sqlite3.Connection, actor: str, description: str,
                 via: str | None = None):
        now = _TERMS.get() or Terms()
        self.conn = conn
        self.actor = now.actor or actor
        self.via = via or now.via
        self.description = description
        self.at = now_iso()
        cur = conn.execute(
            "INSERT INTO actions (at, actor, description, undone, via) VALUES (?, ?, ?, 0, ?)",
            (self.at, self.actor, description, self.via),
        )
        self.id = int(cur.lastrowid or 0)
        if now.expect:
            changed = changed_rows(conn, now.expect)
            if changed:
                raise StalePreview(changed)  # the caller's transaction rolls back

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

    With `by`, only an action one of those actors took by hand (never an import): a person's
    "undo". `actor` is who asked, recorded on the action. Account changes and erasures are never
    undone; an action whose rows someone changed after it is refused (UndoConflict).
    """
    where = [f"undone = 0 AND coalesce(via, '') NOT IN ({', '.join('?' for _ in NEVER_UNDONE)})"]
    params: list[Any] = list(NEVER_UNDONE)
    if by is not None:
        where.append(f"actor IN ({', '.join('?' for _ in by)}) AND coalesce(via, '') != ?")
        params += [*by, IMPORT]
    found = conn.execute(
        f"SELECT id, description, at FROM actions WHERE {' AND '.join(where)}"
        " ORDER BY id DESC LIMIT 1", params).fetchone()
    if found is None:
        raise NothingToUndo("Nothing to undo: every recorded action has already been undone.")
    action_id, description, at = found
    entries = conn.execute(
        "SELECT id, op, table_name, row_id, before, after FROM audit_log"
        " WHERE action_id = ? ORDER BY id DESC",
        (action_id,),
    ).fetchall()
    _refuse_if_changed_since(conn, action_id, description, entries)
    try:
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
    except sqlite3.IntegrityError as ex:  # rows added since point at what it would remove
        raise UndoConflict(description) from ex
    conn.execute("UPDATE actions SET undone = 1, undone_by = ?, undone_at = ? WHERE id = ?",
                 (actor, now_iso(), action_id))
    conn.execute("UPDATE audit_log SET undone = 1 WHERE action_id = ?", (action_id,))
    return f"{description} ({at})"


def _refuse_if_changed_since(conn: sqlite3.Connection, action_id: int, description: str,
                             entries: list) -> None:
    """A later, still standing change to a row this action wrote would be lost by undoing it."""
    for _, op, table, row_id, _before, after in entries:
        if op == _RANGE:
            span = json.loads(after)
            clause, args = "row_id BETWEEN ? AND ?", [span["first"], span["last"]]
        elif row_id is not None:
            clause, args = "row_id = ?", [row_id]
        else:
            continue
        later = conn.execute(
            f"SELECT actor, at, action FROM audit_log WHERE table_name = ? AND {clause}"
            " AND action_id > ? AND undone = 0 ORDER BY id LIMIT 1",
            [table, *args, action_id]).fetchone()
        if later is not None:
            raise UndoConflict(description, later[0], later[1], later[2])
