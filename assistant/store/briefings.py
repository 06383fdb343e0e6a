"""The reads behind the daily briefing, and the last briefings kept for "what changed"."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from assistant.store.audit import now_iso

if TYPE_CHECKING:
    from assistant.store.database import Store

KEEP = 30  # briefings kept: a month of "since yesterday"


def _rows(store: Store, sql: str, params: list | tuple = ()) -> list[dict]:
    with store._lock:
        cur = store.db.execute(sql, list(params))
        names = [d[0] for d in cur.description]
        return [dict(zip(names, row)) for row in cur.fetchall()]


def open_complaints(store: Store, until: str) -> list[dict]:
    """Complaints not yet resolved, filed on or before `until`, oldest first."""
    return _rows(store, "SELECT id, customer_id, date, created_at, category, severity, status,"
                        " text FROM complaints WHERE coalesce(status, 'open') != 'resolved'"
                        " AND substr(date, 1, 10) <= ? ORDER BY date, id", [until])


def complaints_filed(store: Store, since: str, until: str) -> list[dict]:
    """Complaints dated after `since` up to `until`."""
    return _rows(store, "SELECT id, customer_id, date, category, severity FROM complaints"
                        " WHERE substr(date, 1, 10) > ? AND substr(date, 1, 10) <= ?"
                        " ORDER BY date, id", [since, until])


def open_tasks(store: Store, due_by: str) -> list[dict]:
    """Open tasks due on or before `due_by` (overdue ones included), earliest first."""
    return _rows(store, "SELECT id, customer_id, due_date, title FROM tasks"
                        " WHERE coalesce(status, 'open') = 'open' AND due_date IS NOT NULL"
                        " AND substr(due_date, 1, 10) <= ? ORDER BY due_date, id", [due_by])


def interactions_between(store: Store, since: str, until: str) -> list[dict]:
    """Logged conversations dated after `since` up to `until`, newest first."""
    return _rows(store, "SELECT id, customer_id, date, channel, summary FROM interactions"
                        " WHERE substr(date, 1, 10) > ? AND substr(date, 1, 10) <= ?"
                        " ORDER BY date DESC, id DESC", [since, until])


def last_contact(store: Store, ids: list[int], until: str) -> dict[int, str]:
    """The latest interaction or order date per customer, up to `until`."""
    out: dict[int, str] = {}
    for start in range(0, len(ids), 900):  # SQLite caps bound parameters
        chunk = [int(i) for i in ids[start:start + 900]]
        marks = ",".join("?" * len(chunk))
        for row in _rows(store, f"SELECT customer_id, max(d) AS d FROM ("
                                f" SELECT customer_id, substr(date, 1, 10) AS d FROM interactions"
                                f" WHERE customer_id IN ({marks}) UNION ALL"
                                f" SELECT customer_id, substr(date, 1, 10) FROM orders"
                                f" WHERE customer_id IN ({marks})) WHERE d <= ?"
                                f" GROUP BY customer_id", [*chunk, *chunk, until]):
            out[int(row["customer_id"])] = row["d"]
    return out


def contacted_on(store: Store, day: str) -> set[int]:
    """Customers with a conversation logged for `day`: already reached today."""
    return {int(r["customer_id"]) for r in _rows(
        store, "SELECT DISTINCT customer_id FROM interactions WHERE substr(date, 1, 10) = ?", [day])}


def birthdays(store: Store, month_days: list[str]) -> list[dict]:
    """Customers whose birthday falls on one of the given MM-DD days (with or without a year)."""
    marks = ",".join("?" * len(month_days))
    return _rows(store, f"SELECT id, external_id, name, birthday FROM customers"
                        f" WHERE birthday IS NOT NULL AND substr(birthday, -5) IN ({marks})",
                 month_days) if month_days else []


def usual_products(store: Store, ids: list[int], until: str, top: int = 2) -> dict[int, list[str]]:
    """What each customer buys most often (by orders), up to `until`."""
    out: dict[int, list[str]] = {}
    for start in range(0, len(ids), 900):
        chunk = [int(i) for i in ids[start:start + 900]]
        marks = ",".join("?" * len(chunk))
        for row in _rows(store, f"SELECT customer_id, product, count(*) AS n FROM orders"
                                f" WHERE customer_id IN ({marks}) AND product IS NOT NULL"
                                f" AND product != '' AND amount > 0 AND substr(date, 1, 10) <= ?"
                                f" GROUP BY customer_id, product ORDER BY customer_id, n DESC,"
                                f" product", [*chunk, until]):
            mine = out.setdefault(int(row["customer_id"]), [])
            if len(mine) < top:
                mine.append(str(row["product"]))
    return out


def daily_sales(store: Store, since: str, until: str) -> dict[str, float]:
    """Sales per day (refunds left out) after `since` up to `until`."""
    return {row["d"]: float(row["total"] or 0) for row in _rows(
        store, "SELECT substr(date, 1, 10) AS d, sum(amount) AS total FROM orders"
               " WHERE date > ? AND date <= ? AND amount > 0"  # the date index narrows first
               " AND substr(date, 1, 10) > ? AND substr(date, 1, 10) <= ?"
               " GROUP BY d", [since, until + "\uffff", since, until])}


def orders_between(store: Store, since: str, until: str, limit: int = 5000,
                   at_least: float = 0.0) -> list[dict]:
    """Orders of at least `at_least` dated after `since` up to `until`, biggest first."""
    return _rows(store, "SELECT id, customer_id, date, amount, product FROM orders"
                        " WHERE amount > 0 AND amount >= ? AND date > ? AND date <= ?"
                        " AND substr(date, 1, 10) > ? AND substr(date, 1, 10) <= ?"
                        " ORDER BY amount DESC LIMIT ?",
                 [at_least, since, until + "\uffff", since, until, limit])


def save_briefing(store: Store, as_of: str, lang: str, body: dict[str, Any],
                  keep: int = KEEP) -> int:
    """Keep a composed briefing (the last `keep` of them); not an owner action, so not audited."""
    payload = json.dumps(body, ensure_ascii=False, default=str)
    with store._lock, store.db.conn:
        cur = store.db.execute(
            "INSERT INTO briefings (as_of, created_at, lang, body) VALUES (?, ?, ?, ?)",
            [as_of, now_iso(), lang, payload])
        store.db.execute("DELETE FROM briefings WHERE id NOT IN"
                         " (SELECT id FROM briefings ORDER BY id DESC LIMIT ?)", [keep])
        return int(cur.lastrowid)


def last_briefing(store: Store, before: str) -> dict | None:
    """The latest kept briefing for a day before `before`: its as_of and body."""
    found = _rows(store, "SELECT as_of, created_at, body FROM briefings WHERE as_of < ?"
                         " ORDER BY as_of DESC, id DESC LIMIT 1", [before])
    if not found:
        return None
    row = found[0]
    return {"as_of": row["as_of"], "created_at": row["created_at"], "body": json.loads(row["body"])}


def briefing_on(store: Store, as_of: str) -> dict | None:
    """The briefing kept for day `as_of`, if one was composed."""
    found = _rows(store, "SELECT as_of, created_at, body FROM briefings WHERE as_of = ?"
                         " ORDER BY id DESC LIMIT 1", [as_of])
    return None if not found else {**found[0], "body": json.loads(found[0]["body"])}
