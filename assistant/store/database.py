"""Store: the only module that talks to SQLite. Every write is one audited, undoable action."""

from __future__ import annotations

import json
import logging
import random
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import fields
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from sqlite_utils import Database

from assistant.core.records import (
    Ambiguous,
    Complaint,
    CrmError,
    Customer,
    Interaction,
    InvalidInput,
    NotFound,
    Order,
    Task,
    Write,
)
from assistant.lang.names import name_key
from assistant.lang.validate import birthday, iso_date, marketing_consent, number
from assistant.store import name_lookup as lookup
from assistant.store.audit import Action, now_iso, undo_last
from assistant.store.migrations import MIGRATIONS, apply_migrations
from assistant.store.readonly import run_readonly

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

log = logging.getLogger(__name__)
T = TypeVar("T")

# How long one attempt waits for another writer (SQLite's busy handler), and how long a write
# keeps retrying in all. Several app sessions and `crm` processes share one file: a busy
# database is waited for, never shown to the owner as an error, unless another program holds
# the write lock for minutes (a million-row import); then the owner is told, and nothing was saved.
BUSY_TIMEOUT_S = 5.0
BUSY_PATIENCE_S = 180.0
SQLITE_BUSY, SQLITE_LOCKED, SQLITE_FULL = 5, 6, 13

CUSTOMER_FIELDS = ("external_id", "name", "phone", "email", "wechat", "city", "tags", "notes",
                   "birthday", "marketing_consent")
COMPLAINT_STATUSES = ("open", "in_progress", "resolved")
_RECORDS = {
    "customers": Customer, "orders": Order, "interactions": Interaction,
    "complaints": Complaint, "tasks": Task,
}


class DatabaseBusy(CrmError):
    """Another program kept the database locked for longer than a write waits."""


class DiskFull(CrmError):
    """The disk (or the database's size limit) is full; the write was rolled back."""


def is_busy(ex: BaseException) -> bool:
    """SQLITE_BUSY / SQLITE_LOCKED: another connection holds a lock this one needs."""
    if not isinstance(ex, sqlite3.OperationalError):
        return False
    code = getattr(ex, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF in (SQLITE_BUSY, SQLITE_LOCKED)
    return "locked" in str(ex) or "busy" in str(ex)


def is_full(ex: BaseException) -> bool:
    """SQLITE_FULL: no room on the disk, or the database hit its page limit."""
    if not isinstance(ex, sqlite3.DatabaseError):
        return False
    code = getattr(ex, "sqlite_errorcode", None)
    return (code is not None and code & 0xFF == SQLITE_FULL) or "disk is full" in str(ex)


def disk_full(path: Path | None) -> DiskFull:
    """The one-line message for a write that did not fit."""
    where = f" ({path.parent})" if path else ""
    return DiskFull(f"The disk is full{where}: nothing was saved. Free some space and try again. "
                    f"/ 磁盘已满{where}：没有保存任何内容，请腾出空间后重试。")


def _retry_busy(step: Callable[[], Any]) -> Any:
    """Run one statement, retrying while another connection holds the lock it needs."""
    deadline = time.monotonic() + BUSY_PATIENCE_S
    pause = 0.01
    while True:
        try:
            return step()
        except sqlite3.OperationalError as ex:
            if not is_busy(ex):
                raise
            if time.monotonic() > deadline:
                raise DatabaseBusy(
                    "The database is busy: another program has been writing to it for minutes "
                    "(a large import?). Nothing was saved; try again when it finishes. / "
                    "数据库正被其他程序长时间写入（大批量导入？），没有保存任何内容，请稍后再试。") from None
        time.sleep(pause * (1 + random.random()))
        pause = min(pause * 2, 0.5)


def _record(cls: type, row: dict) -> Any:
    names = {f.name for f in fields(cls)}
    return cls(**{k: v for k, v in row.items() if k in names})


class Store:
    """Customers, orders, interactions, complaints and tasks in one SQLite file."""

    def __init__(self, db: Database, path: Path | None = None):
        self.db = db
        self.path = path
        # LangGraph and gradio call tools from worker threads; one lock serialises them.
        self._lock = threading.RLock()
        with self._lock:
            if MIGRATIONS.pending(db):
                # two processes opening a new file at once: the second waits, then finds the
                # schema made (each migration records itself in the same transaction)
                with self.write_transaction():
                    if MIGRATIONS.pending(db):
                        apply_migrations(db)

    @classmethod
    def open(cls, path: str | Path) -> Store:
        """Open (creating and migrating if needed) the database file at `path`."""
        path = Path(path)
        if path.exists() and path.is_dir():
            raise CrmError(f"{path} is a folder; give a database file path such as {path}/crm.db")
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(str(path), check_same_thread=False, timeout=BUSY_TIMEOUT_S)
        try:
            conn.execute("PRAGMA foreign_keys = ON")
            # WAL + NORMAL is durable across app crashes; a bigger page cache keeps the order
            # indexes in memory during million-row imports and their undo.
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute("PRAGMA cache_size = -262144")
            conn.execute("PRAGMA temp_store = MEMORY")
            db = Database(conn)
            _retry_busy(db.enable_wal)
            return cls(db, path)
        except sqlite3.DatabaseError as ex:
            conn.close()
            if is_full(ex):
                raise disk_full(path) from None
            if is_busy(ex):
                raise DatabaseBusy(f"{path} stayed locked by another program; try again in a "
                                   "minute. / 数据库被其他程序占用，请稍后再试。") from None
            raise CrmError(f"{path} is not a CRM database ({ex}). Pick another file.") from ex

    def close(self) -> None:
        """Close the connection."""
        with self._lock:
            self.db.conn.close()

    # -- transactions ----------------------------------------------------------------------

    def _begin_immediate(self) -> None:
        """BEGIN IMMEDIATE, waiting for other writers. A deferred BEGIN that reads first and
        writes later fails at once with SQLITE_BUSY when another connection committed in
        between (SQLite cannot wait there): taking the write lock first makes every write wait
        its turn instead."""
        _retry_busy(lambda: self.db.conn.execute("BEGIN IMMEDIATE"))

    @contextmanager
    def write_transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction holding SQLite's write lock from its first statement; nested
        calls become savepoints. A full disk rolls everything back and raises DiskFull."""
        with self._lock:
            conn = self.db.conn
            if conn.in_transaction:
                try:
                    with self.db.atomic():
                        yield conn
                except sqlite3.DatabaseError as ex:
                    if is_full(ex):
                        raise disk_full(self.path) from None
                    raise
                return
            self._begin_immediate()
            try:
                yield conn
                conn.execute("COMMIT")
            except BaseException as ex:
                if conn.in_transaction:  # SQLite has already rolled back after some errors
                    conn.rollback()
                if is_full(ex):
                    raise disk_full(self.path) from None
                raise

    def retrying(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """Run `work(conn)` as one write transaction, again from the start if another
        connection's lock interrupts it midway (it is rolled back first, so nothing doubles)."""
        deadline = time.monotonic() + BUSY_PATIENCE_S
        pause = 0.01
        while True:
            try:
                with self.write_transaction() as conn:
                    return work(conn)
            except sqlite3.OperationalError as ex:
                if not is_busy(ex) or time.monotonic() > deadline:
                    raise
                log.debug("database busy mid-transaction (%s); retrying", ex)
            time.sleep(pause * (1 + random.random()))
            pause = min(pause * 2, 0.5)

    # -- actions -------------------------------------------------------------------------

    @contextmanager
    def action(self, description: str, actor: str = "user",
               checked: bool = True) -> Iterator[Action]:
        """One user action: a transaction whose writes are audited together.

        checked=False skips SQLite's per-row foreign-key checks, for bulk writes whose customer
        ids the caller has already resolved (the pragma can only change outside a transaction).
        """
        with self._lock:
            if not checked:
                self.db.conn.execute("PRAGMA foreign_keys = OFF")
            try:
                with self.write_transaction() as conn:
                    yield Action(conn, actor, description)
            finally:
                if not checked:
                    self.db.conn.execute("PRAGMA foreign_keys = ON")

    def undo(self, actor: str = "user", by: tuple[str, ...] | None = None) -> str:
        """Revert the last action that is not yet undone (of the actors `by`, when given);
        returns what was undone."""
        return self.retrying(lambda conn: undo_last(conn, actor, by))

    def history(self, limit: int = 20) -> list[dict]:
        """The most recent actions, newest first."""
        with self._lock:
            return list(self.db.query(
                "SELECT id, at, actor, description, undone FROM actions ORDER BY id DESC LIMIT ?",
                [limit],
            ))

    # -- reads ---------------------------------------------------------------------------

    def _one(self, table: str, row_id: int) -> Any:
        with self._lock:
            rows = list(self.db.query(f"SELECT * FROM [{table}] WHERE id = ?", [row_id]))
        if not rows:
            hint = " Call find_customers(query=...) to get ids." if table == "customers" else ""
            raise NotFound(f"No {table[:-1]} with id {row_id}.{hint}")
        return _record(_RECORDS[table], rows[0])

    def _many(self, table: str, where: dict, order: str, limit: int | None = None) -> list:
        clauses = [f"[{k}] = ?" for k, v in where.items() if v is not None]
        params = [v for v in where.values() if v is not None]
        sql = f"SELECT * FROM [{table}]"
        if clauses:
            sql += " WHERE " + " AND ".join(clauses)
        sql += f" ORDER BY {order}"
        if limit:
            sql += f" LIMIT {int(limit)}"
        with self._lock:
            return [_record(_RECORDS[table], r) for r in self.db.query(sql, params)]

    def get_customer(self, customer_id: int) -> Customer:
        """One customer by id."""
        return self._one("customers", int(customer_id))

    def get_complaint(self, complaint_id: int) -> Complaint:
        """One complaint by id."""
        return self._one("complaints", int(complaint_id))

    def get_task(self, task_id: int) -> Task:
        """One task by id."""
        return self._one("tasks", int(task_id))

    def find_customers(self, query: str = "", limit: int = 20) -> list[Customer]:
        """Customers whose name (any script, fuzzy), notes, contact or id match the query."""
        with self._lock:
            ids = lookup.search(self.db, query, limit)
        return [self.get_customer(i) for i in ids]

    def resolve_customer(self, name_or_id: str | int) -> Customer:
        """The one customer meant by an id, external id or (fuzzy, pinyin-aware) name."""
        with self._lock:
            ids = lookup.resolve(self.db, name_or_id)

        if not ids:
            raise NotFound(
                f"No customer matches {name_or_id!r}. Check the spelling, or add them first."
            )
        if len(ids) > 1:
            found = [self.get_customer(i) for i in ids[:5]]
            names = ", ".join(f"{c.name} (id {c.id})" for c in found)
            raise Ambiguous(f"{name_or_id!r} matches several customers: {names}. Which one?", found)
        return self.get_customer(ids[0])

    def orders(self, customer_id: int | None = None, until: str | None = None) -> list[Order]:
        """Orders, oldest first, optionally for one customer and up to a date."""
        rows = self._many("orders", {"customer_id": customer_id}, "date, id")
        return [o for o in rows if until is None or o.date <= until]

    def recent_sales(self, product: str, limit: int = 5) -> list[tuple[float, float]]:
        """(amount, quantity) of the newest paid orders whose product contains `product`."""
        rows = self.db.execute(
            "SELECT amount, quantity FROM orders WHERE product LIKE ? AND quantity > 0 AND amount > 0 "
            "ORDER BY date DESC LIMIT ?", [f"%{product}%", limit]).fetchall()
        return [(float(a), float(q)) for a, q in rows]

    def product_names(self) -> list[str]:
        """Every product name the orders use, as stored."""
        return [r[0] for r in self.db.execute(
            "SELECT DISTINCT product FROM orders WHERE product IS NOT NULL AND product != ''")]

    def interactions(self, customer_id: int | None = None) -> list[Interaction]:
        """Interactions, newest first."""
        return self._many("interactions", {"customer_id": customer_id}, "date DESC, id DESC")

    def complaints(self, customer_id: int | None = None, status: str | None = None) -> list[Complaint]:
        """Complaints, newest first."""
        return self._many(
            "complaints", {"customer_id": customer_id, "status": status}, "date DESC, id DESC"
        )

    def tasks(self, customer_id: int | None = None, status: str | None = None) -> list[Task]:
        """Tasks by due date."""
        return self._many("tasks", {"customer_id": customer_id, "status": status}, "due_date, id")

    def count(self, table: str) -> int:
        """Row count of one of the CRM tables."""
        if table not in _RECORDS:
            raise InvalidInput(f"Unknown table {table!r}; choose one of {', '.join(_RECORDS)}.")
        with self._lock:
            return int(self.db.execute(f"SELECT count(*) FROM [{table}]").fetchone()[0])

    def _frame(self, sql: str, params: list | None = None) -> pd.DataFrame:
        import pandas as pd

        with self._lock:
            cur = self.db.conn.execute(sql, params or [])
            rows = cur.fetchall()
            cols = [d[0] for d in cur.description]
        return pd.DataFrame.from_records(rows, columns=cols)

    def orders_frame(self, as_of: str | None = None) -> pd.DataFrame:
        """All orders (up to `as_of`) as customer_id, date, amount, quantity columns."""
        import pandas as pd

        sql = "SELECT customer_id, date, amount, quantity FROM orders"
        frame = self._frame(sql + (" WHERE date <= ?" if as_of else ""), [as_of] if as_of else [])
        frame["customer_id"] = frame["customer_id"].astype("int64")
        frame["date"] = pd.to_datetime(frame["date"].str.slice(0, 10), format="%Y-%m-%d")
        frame["amount"] = frame["amount"].astype("float64")
        frame["quantity"] = frame["quantity"].fillna(1).astype("float64")
        return frame

    def columns(self, table: str) -> list[str]:
        """Column names of one table."""
        with self._lock:
            return [c.name for c in self.db.table(table).columns]

    def export_rows(self, table: str) -> list[dict]:
        """Every row of one table (the CLI's export)."""
        with self._lock:
            return list(self.db.query(f"SELECT * FROM [{table}] ORDER BY rowid"))

    def customer_keys(self) -> tuple[dict[str, int], dict[str, int]]:
        """{external_id: id} and {name: id} (id -1 where several customers share a name)."""
        by_ext: dict[str, int] = {}
        by_name: dict[str, int] = {}
        with self._lock:
            for cid, ext, name in self.db.execute("SELECT id, external_id, name FROM customers"):
                if ext:
                    by_ext[ext] = cid
                by_name[name] = -1 if name in by_name else cid
        return by_ext, by_name

    def customers_frame(self) -> pd.DataFrame:
        """All customers as id, external_id, name, created_at."""
        return self._frame("SELECT id, external_id, name, created_at FROM customers")

    def complaints_frame(self) -> pd.DataFrame:
        """All complaints' labels."""
        return self._frame(
            "SELECT id, customer_id, date, category, severity, status, sentiment FROM complaints"
        )

    def interactions_frame(self) -> pd.DataFrame:
        """All interactions' dates, channels and sentiment."""
        return self._frame("SELECT customer_id, date, channel, sentiment FROM interactions")

    # -- settings ------------------------------------------------------------------------

    def get_setting(self, key: str, default: Any = None) -> Any:
        """A JSON setting, or `default`."""
        with self._lock:
            row = self.db.execute("SELECT value FROM settings WHERE key = ?", [key]).fetchone()
        return default if row is None else json.loads(row[0])

    def set_setting(self, key: str, value: Any, actor: str = "user") -> None:
        """Store a JSON setting (audited like any write)."""
        payload = json.dumps(value, ensure_ascii=False)
        with self.action(f"set setting {key}", actor) as act:
            act.conn.execute(
                "INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)", (key, payload)
            )
            act._audit("set", "settings", None, None, {"key": key, "value": value})

    # -- writes --------------------------------------------------------------------------

    def add_customer(self, name: str, actor: str = "user", **values: Any) -> Customer:
        """Add one customer."""
        row = self.customer_row(name, **values)
        with self.action(f"add customer {row['name']}", actor) as act:
            new_id = self._insert(act, "customers", row)
        return self.get_customer(new_id)

    @staticmethod
    def customer_row(name: str, **values: Any) -> dict:
        """A validated customers row (name_key and created_at filled in)."""
        unknown = set(values) - set(CUSTOMER_FIELDS) - {"created_at"}
        if unknown:
            raise InvalidInput(
                f"Unknown customer field(s): {', '.join(sorted(unknown))}. "
                f"Use {', '.join(CUSTOMER_FIELDS)}."
            )
        name = (name or "").strip()
        if not name:
            raise InvalidInput("A customer needs a name.")
        row = {k: (str(v).strip() or None) if v is not None else None for k, v in values.items()}
        if "birthday" in row:
            row["birthday"] = birthday(row["birthday"])
        if "marketing_consent" in row:
            row["marketing_consent"] = marketing_consent(row["marketing_consent"]) or "unknown"
        row.update(name=name, name_key=name_key(name))
        row.setdefault("created_at", now_iso())
        return row

    def _insert(self, act: Action, table: str, row: dict) -> int:
        try:
            return act.insert(table, row)
        except sqlite3.IntegrityError as ex:
            if "external_id" in str(ex):
                raise InvalidInput(
                    f"A customer with external id {row.get('external_id')!r} already exists."
                ) from ex
            if "FOREIGN KEY" in str(ex):
                raise NotFound(f"No customer with id {row.get('customer_id')}.") from ex
            raise

    def update_customer(self, customer_id: int, actor: str = "user", **values: Any) -> Customer:
        """Change some of one customer's fields."""
        current = self.get_customer(customer_id)
        row = self.customer_row(values.pop("name", current.name), **values)
        row.pop("created_at")
        with self.action(f"update customer {current.name}", actor) as act:
            try:
                act.update("customers", current.id, row)
            except sqlite3.IntegrityError as ex:
                raise InvalidInput(f"External id {row.get('external_id')!r} is taken.") from ex
        return self.get_customer(current.id)

    @staticmethod
    def order_row(customer_id: int, date: str, amount: Any, quantity: Any = 1,
                  product: str | None = None, note: str | None = None) -> dict:
        """A validated orders row."""
        qty = number(quantity, "quantity", minimum=0)
        return {
            "customer_id": int(customer_id), "date": iso_date(date),
            "amount": number(amount, "amount"), "quantity": 1.0 if qty is None else qty,
            "product": product, "note": note,
        }

    def add_order(self, customer_id: int, date: str, amount: Any, quantity: Any = 1,
                  product: str | None = None, note: str | None = None,
                  actor: str = "user") -> Order:
        """Record one order."""
        row = self.order_row(customer_id, date, amount, quantity, product, note)
        with self.action(f"add order for customer {customer_id}", actor) as act:
            new_id = self._insert(act, "orders", row)
        return self._one("orders", new_id)

    def log_interaction(self, customer_id: int, date: str, channel: str, summary: str,
                        sentiment: float | None = None, actor: str = "user") -> Interaction:
        """Record one conversation, visit or message."""
        row = self.interaction_row(customer_id, date, channel, summary, sentiment)
        with self.action(f"log interaction with customer {customer_id}", actor) as act:
            new_id = self._insert(act, "interactions", row)
        return self._one("interactions", new_id)

    @staticmethod
    def interaction_row(customer_id: int, date: str, channel: str, summary: str,
                        sentiment: float | None = None) -> dict:
        """A validated interactions row."""
        if not (summary or "").strip():
            raise InvalidInput("An interaction needs a short summary of what was said.")
        return {
            "customer_id": int(customer_id), "date": iso_date(date),
            "channel": (channel or "other").strip().lower(), "summary": summary.strip(),
            "sentiment": number(sentiment, "sentiment", minimum=-1, maximum=1),
            "created_at": now_iso(),
        }

    def add_task(self, customer_id: int | None, due_date: str | None, title: str,
                 actor: str = "user") -> Task:
        """Add a follow-up task."""
        row = self.task_row(customer_id, due_date, title)
        with self.action(f"add task {row['title']}", actor) as act:
            new_id = self._insert(act, "tasks", row)
        return self._one("tasks", new_id)

    @staticmethod
    def task_row(customer_id: int | None, due_date: str | None, title: str) -> dict:
        """A validated tasks row."""
        if not (title or "").strip():
            raise InvalidInput("A task needs a title.")
        return {
            "customer_id": None if customer_id is None else int(customer_id),
            "due_date": iso_date(due_date) if due_date else None,
            "title": title.strip(), "status": "open", "created_at": now_iso(),
        }

    def log_complaint(self, customer_id: int, date: str, text: str, actor: str = "user",
                      **labels: Any) -> Complaint:
        """Record one complaint with its triage labels."""
        row = self.complaint_row(customer_id, date, text, **labels)
        with self.action(f"log complaint from customer {customer_id}", actor) as act:
            new_id = self._insert(act, "complaints", row)
        return self.get_complaint(new_id)

    @staticmethod
    def complaint_row(customer_id: int, date: str, text: str, **labels: Any) -> dict:
        """A validated complaints row."""
        allowed = {"category", "sentiment", "severity", "fault", "fault_clue", "language",
                   "label_source", "status", "reply_draft"}
        unknown = set(labels) - allowed
        if unknown:
            raise InvalidInput(f"Unknown complaint field(s): {', '.join(sorted(unknown))}.")
        if not (text or "").strip():
            raise InvalidInput("A complaint needs the customer's words.")
        status = labels.pop("status", None) or "open"
        if status not in COMPLAINT_STATUSES:
            raise InvalidInput(f"Status must be one of {', '.join(COMPLAINT_STATUSES)}.")
        return {"customer_id": int(customer_id), "date": iso_date(date), "text": text.strip(),
                "status": status, "created_at": now_iso(), **labels}

    def update_complaint(self, complaint_id: int, actor: str = "user", **values: Any) -> Complaint:
        """Change a complaint's status, labels or reply."""
        allowed = {"status", "reply_draft", "reply_sent", "resolved_at", "category", "sentiment",
                   "severity", "fault", "fault_clue", "language", "label_source"}
        unknown = set(values) - allowed
        if unknown:
            raise InvalidInput(f"Unknown complaint field(s): {', '.join(sorted(unknown))}.")
        if "status" in values and values["status"] not in COMPLAINT_STATUSES:
            raise InvalidInput(f"Status must be one of {', '.join(COMPLAINT_STATUSES)}.")
        current = self.get_complaint(complaint_id)
        with self.action(f"update complaint {current.id}", actor) as act:
            act.update("complaints", current.id, values)
        return self.get_complaint(current.id)

    def update_task(self, task_id: int, actor: str = "user", **values: Any) -> Task:
        """Change a task's status, title or due date."""
        current = self._one("tasks", int(task_id))
        if values.get("due_date"):
            values["due_date"] = iso_date(values["due_date"])
        with self.action(f"update task {current.id}", actor) as act:
            act.update("tasks", current.id, values)
        return self._one("tasks", current.id)

    def apply(self, writes: list[Write], actor: str = "user", description: str = "") -> list[int]:
        """Several proposed writes as ONE action: all land, or none do."""
        builders = {
            "customers": lambda v: self.customer_row(**v),
            "orders": lambda v: self.order_row(**v),
            "interactions": lambda v: self.interaction_row(**v),
            "tasks": lambda v: self.task_row(**v),
            "complaints": lambda v: self.complaint_row(**v),
        }
        # Validate everything before the transaction opens, so a bad write changes nothing.
        prepared = []
        for w in writes:
            if w.table not in builders:
                raise InvalidInput(f"Cannot write to {w.table!r}.")
            if w.op == "insert":
                prepared.append((w, builders[w.table](dict(w.values))))
            elif w.op == "update" and w.row_id is not None:
                prepared.append((w, dict(w.values)))
            else:
                raise InvalidInput(f"Unsupported write {w.op!r} on {w.table}.")
        summary = description or "; ".join(w.summary or f"{w.op} {w.table}" for w in writes)

        def write(conn: sqlite3.Connection) -> list[int]:
            act, ids = Action(conn, actor, summary), []
            for w, row in prepared:
                if w.op == "insert":
                    ids.append(self._insert(act, w.table, row))
                else:
                    act.update(w.table, int(w.row_id or 0), row)
                    ids.append(int(w.row_id or 0))
            return ids

        return self.retrying(write)

    def query_readonly(self, sql: str, max_rows: int = 200, timeout_s: float = 3.0) -> Any:
        """One SELECT on a separate read-only connection (see assistant/store/readonly.py)."""
        if self.path is None:
            raise CrmError("Read-only queries need a database file.")
        return run_readonly(self.path, sql, max_rows, timeout_s)

    def names_by_id(self) -> dict[int, str]:
        """{customer id: name} for every customer (lists that show many rows at once)."""
        with self._lock:
            return dict(self.db.execute("SELECT id, name FROM customers").fetchall())

    def order_stats(self) -> dict[int, dict]:
        """{customer id: {n, spent, last}}: order count, total spend and last order date."""
        with self._lock:
            rows = self.db.execute("SELECT customer_id, count(*), sum(amount), max(date)"
                                   " FROM orders GROUP BY customer_id").fetchall()
        return {cid: {"n": n, "spent": spent, "last": last} for cid, n, spent, last in rows}

    def customer_names(self) -> list[str]:
        """Every customer's name (the no-model router spots them in messages)."""
        with self._lock:
            return [r[0] for r in self.db.execute("SELECT name FROM customers")]

    def record_turn(self, session: str, message: str, reply: str, backend: str,
                    latency_ms: float, tool_calls: list[dict]) -> int:
        """Log one chat turn and its tool calls (data, not an undoable action)."""
        def write(conn: sqlite3.Connection) -> int:
            cur = conn.execute(
                "INSERT INTO turns (at, session, message, reply, backend, latency_ms)"
                " VALUES (?, ?, ?, ?, ?, ?)", (now_iso(), session, message, reply, backend,
                                               round(latency_ms, 1)))
            turn_id = int(cur.lastrowid or 0)
            for call in tool_calls:
                conn.execute(
                    "INSERT INTO tool_calls (turn_id, at, tool, arguments, result, status,"
                    " backend, latency_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (turn_id, now_iso(), call["tool"],
                     json.dumps(call["args"], ensure_ascii=False, default=str),
                     call.get("result"), call["status"], backend,
                     round(call.get("latency_ms", 0.0), 1)))
            return turn_id

        return self.retrying(write)

    def backup(self, target: str | Path) -> Path:
        """Copy the live database to `target` with SQLite's online backup API."""
        target = Path(target)
        target.parent.mkdir(parents=True, exist_ok=True)
        with self._lock:
            dest = sqlite3.connect(str(target))
            try:
                self.db.conn.backup(dest)
            finally:
                dest.close()
        return target

    # -- analytics reads --------------------------------------------------------
    # Column arrays rather than records or frames: at 1M customers / 2M orders, Python objects
    # per row are most of the churn report's 3-second budget (bench/churn_scale.py).

    def orders_arrays(self, as_of: str | None = None) -> dict[str, np.ndarray]:
        """Orders dated on or before `as_of` as arrays: customer_id, day (days since
        1970-01-01), amount, quantity, in no promised order; rows whose date SQLite cannot
        read are left out."""
        from assistant.store import column_cache as columns

        with self._lock:
            rows = columns.read(self.db.conn, columns.ORDERS)
        keep = rows["day"] != columns.NO_DAY
        if as_of:
            keep &= rows["day"] <= columns.day_number(iso_date(as_of))
        if keep.all():
            return rows
        return {name: values[keep] for name, values in rows.items()}

    def refresh_analytics(self) -> None:
        """Bring the columnar copies up to date now (they are also refreshed on first read)."""
        from assistant.store import column_cache as columns

        with self._lock:
            for spec in (columns.ORDERS, columns.CUSTOMER_IDS):
                columns.read(self.db.conn, spec)

    def customer_ids(self) -> np.ndarray:
        """Every customer id, ascending."""
        from assistant.store import column_cache as columns

        with self._lock:
            ids = columns.read(self.db.conn, columns.CUSTOMER_IDS)["id"]
        return ids

    def customer_labels(self, ids: list[int] | np.ndarray) -> dict[int, tuple[str | None, str]]:
        """id -> (external_id, name) for the given customer ids."""
        out: dict[int, tuple[str | None, str]] = {}
        wanted = [int(i) for i in ids]
        with self._lock:
            for start in range(0, len(wanted), 900):  # SQLite caps bound parameters
                chunk = wanted[start:start + 900]
                marks = ",".join("?" * len(chunk))
                for cid, ext, name in self.db.execute(
                        f"SELECT id, external_id, name FROM customers WHERE id IN ({marks})", chunk):
                    out[int(cid)] = (ext, name)
        return out

    def data_version(self) -> tuple:
        """Changes whenever the data changes, audited or not: a cache key for analytics.
        Appends move a max id; the triggers of schema.m003 count every update and delete."""
        with self._lock:
            return tuple(self.db.execute(
                "SELECT (SELECT max(id) FROM orders), (SELECT max(id) FROM customers),"
                " (SELECT max(id) FROM complaints), (SELECT max(id) FROM interactions),"
                " (SELECT group_concat(name || ':' || epoch) FROM table_epochs),"
                " (SELECT max(rowid) FROM audit_log)").fetchone())

