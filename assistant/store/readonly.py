"""Read-only ad-hoc SQL: a mode=ro connection plus an authorizer, with row and time limits."""

from __future__ import annotations

import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

from assistant.core.records import InvalidInput

_ALLOWED = {sqlite3.SQLITE_SELECT, sqlite3.SQLITE_READ, sqlite3.SQLITE_FUNCTION}
_ALLOWED |= {getattr(sqlite3, "SQLITE_RECURSIVE", 33)}
# Internal tables an owner's question never needs.
_HIDDEN = {"_sqlite_migrations", "sqlite_master", "sqlite_schema", "column_cache", "table_epochs"}


@dataclass(frozen=True)
class QueryResult:
    columns: list[str]
    rows: list[list]
    truncated: bool


def _authorizer(action: int, arg1: str | None, arg2: str | None, db: str | None,
                trigger: str | None) -> int:
    if action not in _ALLOWED:
        return sqlite3.SQLITE_DENY
    if action == sqlite3.SQLITE_READ and (arg1 or "") in _HIDDEN:
        return sqlite3.SQLITE_DENY
    return sqlite3.SQLITE_OK


def run_readonly(path: Path, sql: str, max_rows: int = 200, timeout_s: float = 3.0) -> QueryResult:
    """Run one SELECT; SQLite itself refuses writes (read-only file handle + authorizer)."""
    text = (sql or "").strip().rstrip(";").strip()
    if not text:
        raise InvalidInput("Give a SELECT statement.")
    if ";" in text:
        raise InvalidInput("One statement at a time, please (no ';').")
    conn = sqlite3.connect(f"file:{Path(path).resolve()}?mode=ro", uri=True)
    try:
        conn.set_authorizer(_authorizer)
        deadline = time.monotonic() + timeout_s
        # Returning non-zero from the progress handler aborts a runaway query.
        conn.set_progress_handler(lambda: int(time.monotonic() > deadline), 10_000)
        try:
            cur = conn.execute(text)
            rows = cur.fetchmany(max_rows + 1)
        except sqlite3.DatabaseError as ex:
            msg = str(ex)
            if "interrupted" in msg:
                raise InvalidInput(f"The query took longer than {timeout_s:g} s; narrow it down.") from ex
            if "not authorized" in msg or "readonly" in msg:
                raise InvalidInput("Only read-only SELECT queries are allowed.") from ex
            raise InvalidInput(f"SQL error: {msg}. Tables: customers, orders, interactions, "
                               "complaints, tasks.") from ex
        columns = [d[0] for d in cur.description or []]
        return QueryResult(columns, [list(r) for r in rows[:max_rows]], len(rows) > max_rows)
    finally:
        conn.close()
