"""A columnar copy of the big tables, kept inside the database as numpy blobs.

Reading 2M orders through the sqlite3 module builds ~10M Python objects: 1.5 s of the churn
report's budget, while SQLite itself needs 0.4 s. So analytics keep the columns they read as
blobs in `column_cache`, one row per chunk of ids, and read only the rows added since.

Why it cannot go stale: triggers (schema.m003) bump `table_epochs` on every UPDATE or DELETE
of a cached table and on any INSERT at or below the highest cached id (an undo re-inserting
old rows); a chunk counts only while its epoch is current. New rows above the cached ids are
read from the table itself. A chunk is written inside BEGIN IMMEDIATE together with the read
it copies, so no writer can slip in between.
"""

from __future__ import annotations

import hashlib
import sqlite3
from dataclasses import dataclass

import numpy as np

LAYOUT = "raw columns, native byte order"  # part of every chunk's digest
MIN_ROWS = 200_000  # below this a plain read takes < 0.15 s: not worth a copy in the file
CHUNK_ROWS = 4_000_000  # rows per blob row: 32 MB a column, well under SQLite's 1 GB limit
MIN_TAIL = 50_000  # uncached rows above this are copied into a new chunk
BLOB_PIECE = 4 << 20  # bytes per read of a chunk's blob


@dataclass(frozen=True)
class Spec:
    """Which columns of a table are cached: name -> (SQL expression, numpy dtype)."""

    table: str
    columns: tuple[tuple[str, str, str], ...]
    order: tuple[str, ...] = ()  # copies are sorted by these columns (first = primary)

    @property
    def digest(self) -> str:
        """Changes when the expressions do, so a new release never reads an old layout."""
        return hashlib.sha1(repr((LAYOUT, self.columns, self.order)).encode()).hexdigest()[:12]

    @property
    def dtype(self) -> np.dtype:
        return np.dtype([(name, kind) for name, _, kind in self.columns])

    def select(self) -> str:
        exprs = ", ".join(expr for _, expr, _ in self.columns)
        return f"SELECT {exprs} FROM [{self.table}] WHERE id > ? AND id <= ? ORDER BY id"


NO_DAY = -(2**62)  # a date SQLite cannot read
# julianday + 0.5 floors to the calendar day even with a time part
_DAY = f"ifnull(CAST(julianday(date) + 0.5 AS INTEGER) - 2440588, {NO_DAY})"
ORDERS = Spec("orders", (("customer_id", "customer_id", "i8"), ("day", _DAY, "i8"),
                         ("amount", "ifnull(amount, 0)", "f8"),
                         ("quantity", "ifnull(quantity, 1)", "f8")),
               # by customer and day, as the churn features want them: their sort is then
               # nearly free (timsort over one long run plus the new rows)
               order=("customer_id", "day"))
CUSTOMER_IDS = Spec("customers", (("id", "id", "i8"),))


def day_number(value) -> int:
    """A date-like value as the `day` column counts it: days since 1970-01-01."""
    import pandas as pd

    return int(np.datetime64(pd.Timestamp(value).date(), "D").astype(np.int64))


def read(conn: sqlite3.Connection, spec: Spec) -> dict[str, np.ndarray]:
    """Every row of the spec's table as arrays, using and topping up the cache. Row order:
    the copied rows sorted by `spec.order`, then newer rows by id."""
    # two subqueries: SQLite's min/max shortcut works for one aggregate per SELECT only
    low, high = conn.execute(f"SELECT (SELECT min(id) FROM [{spec.table}]),"
                             f" (SELECT max(id) FROM [{spec.table}])").fetchone()
    if high is None:
        return _empty(spec)
    if high - low + 1 < MIN_ROWS:  # small shop: read the table and leave the file alone
        return _fetch(conn, spec, low - 1, high)
    if not conn.in_transaction:
        try:
            return _read_consistent(conn, spec)
        except sqlite3.OperationalError:  # read-only file, or a writer holds the lock
            if conn.in_transaction:
                conn.rollback()
    return _fetch(conn, spec, low - 1, high)


def _read_consistent(conn: sqlite3.Connection, spec: Spec) -> dict[str, np.ndarray]:
    """Chunks plus tail in one snapshot; when there is something to copy, in a write transaction."""
    conn.execute("BEGIN")  # one snapshot for epoch, chunks and tail
    try:
        epoch, chunks, cached_to, high = _state(conn, spec)
        if high - cached_to < MIN_TAIL:
            return _join(_load(conn, chunks, spec) + [_fetch(conn, spec, cached_to, high)], spec)
    finally:
        conn.rollback()  # nothing was written: just end the read
    conn.execute("PRAGMA busy_timeout = 200")  # never make the owner wait on a cache
    try:
        conn.execute("BEGIN IMMEDIATE")
    finally:
        conn.execute("PRAGMA busy_timeout = 30000")
    try:
        epoch, valid, cached_to, high = _state(conn, spec)  # again: a writer may have come between
        if not valid:
            conn.execute("DELETE FROM column_cache WHERE source = ?", [spec.table])
        chunks = _load(conn, valid, spec)
        start = cached_to
        while start < high:
            end = min(start + CHUNK_ROWS, high)
            rows = _sorted(_fetch(conn, spec, start, end), spec)
            conn.execute(
                "INSERT INTO column_cache (source, spec, epoch, first_id, last_id, rows, data)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                [spec.table, spec.digest, epoch, start + 1, end, len(rows[spec.columns[0][0]]),
                 _pack(rows, spec)])
            chunks.append(rows)
            start = end
        conn.commit()
    except BaseException:
        conn.rollback()
        raise
    return _join(chunks, spec)


def _state(conn: sqlite3.Connection, spec: Spec) -> tuple[int, list[tuple[int, int]], int, int]:
    """Current epoch, the valid chunks in id order as (rowid, rows), the last id they cover,
    the table's max id. Only what decides whether to copy: the blobs are read by _load."""
    epoch = conn.execute("SELECT epoch FROM table_epochs WHERE name = ?", [spec.table]).fetchone()
    epoch = epoch[0] if epoch else 0
    high = conn.execute(f"SELECT ifnull(max(id), 0) FROM [{spec.table}]").fetchone()[0]
    chunks, cached_to = [], 0
    for rowid, first, last, rows in conn.execute(
            "SELECT id, first_id, last_id, rows FROM column_cache WHERE source = ? AND spec = ?"
            " AND epoch = ? ORDER BY first_id", [spec.table, spec.digest, epoch]).fetchall():
        if first != cached_to + 1:  # a gap: trust nothing after it
            break
        chunks.append((rowid, rows))
        cached_to = last
    return epoch, chunks, cached_to, high


def _load(conn: sqlite3.Connection, chunks: list[tuple[int, int]], spec: Spec) -> list[dict[str, np.ndarray]]:
    """The columns of the chunks _state found valid."""
    return [_unpack(_read_blob(conn, rowid), rows, spec) for rowid, rows in chunks]


def _read_blob(conn: sqlite3.Connection, rowid: int) -> np.ndarray:
    """One chunk's bytes, read piecewise into a numpy buffer.

    A plain SELECT of a 64 MB value makes SQLite assemble it in its own buffer and Python copy
    it into a bytes object, both fresh 4 KB pages: ~27k page faults of a new `crm churn`
    process. A numpy buffer this big gets huge pages, and the pieces reuse one small buffer.
    """
    with conn.blobopen("column_cache", "data", rowid, readonly=True) as blob:
        out = np.empty(len(blob), np.uint8)
        for start in range(0, len(out), BLOB_PIECE):
            piece = blob.read(BLOB_PIECE)
            out[start:start + len(piece)] = np.frombuffer(piece, np.uint8)
    return out


def _fetch(conn: sqlite3.Connection, spec: Spec, after: int, through: int) -> dict[str, np.ndarray]:
    # np.fromiter on the cursor: no list of tuples in between
    rows = np.fromiter(conn.execute(spec.select(), [after, through]), dtype=spec.dtype)
    return {name: np.ascontiguousarray(rows[name]) for name, _, _ in spec.columns}


def _sorted(rows: dict[str, np.ndarray], spec: Spec) -> dict[str, np.ndarray]:
    if not spec.order:
        return rows
    index = np.lexsort([rows[name] for name in reversed(spec.order)])
    return {name: values[index] for name, values in rows.items()}


def _pack(rows: dict[str, np.ndarray], spec: Spec) -> bytes:
    """The columns one after another, raw: reading them back is a zero-copy view."""
    return b"".join(rows[name].astype(kind, copy=False).tobytes() for name, _, kind in spec.columns)


def _unpack(data, rows: int, spec: Spec) -> dict[str, np.ndarray]:
    out, offset = {}, 0
    for name, _, kind in spec.columns:
        out[name] = np.frombuffer(data, dtype=kind, count=rows, offset=offset)
        offset += rows * np.dtype(kind).itemsize
    return out


def _join(parts: list[dict[str, np.ndarray]], spec: Spec) -> dict[str, np.ndarray]:
    """Chunks and tail as one array per column (no copy when there is a single part)."""
    parts = [p for p in parts if len(p[spec.columns[0][0]])] or [_empty(spec)]
    if len(parts) == 1:
        return parts[0]
    return {name: np.concatenate([p[name] for p in parts]) for name, _, _ in spec.columns}


def _empty(spec: Spec) -> dict[str, np.ndarray]:
    return {name: np.zeros(0, kind) for name, _, kind in spec.columns}
