"""The documented, versioned schema of the CRM database (README: "Your data")."""

from __future__ import annotations

from sqlite_utils import Database, Migrations

MIGRATIONS = Migrations("crm")


@MIGRATIONS()
def m001_initial(db: Database) -> None:
    """Customers, orders, interactions, complaints, tasks, audit log, settings."""
    db.table("customers").create(
        {
            "id": int, "external_id": str, "name": str, "phone": str, "email": str,
            "wechat": str, "city": str, "tags": str, "notes": str, "created_at": str,
            "name_key": str,
        },
        pk="id",
        not_null={"name"},
    )
    db.execute("CREATE UNIQUE INDEX idx_customers_external_id ON customers(external_id)")
    db.table("customers").create_index(["name_key"])
    db.table("orders").create(
        {
            "id": int, "customer_id": int, "date": str, "amount": float, "quantity": float,
            "product": str, "note": str,
        },
        pk="id",
        not_null={"customer_id", "date", "amount"},
        foreign_keys=[("customer_id", "customers", "id")],
    )
    db.table("orders").create_index(["customer_id", "date"])
    db.table("orders").create_index(["date"])
    db.table("interactions").create(
        {
            "id": int, "customer_id": int, "date": str, "channel": str, "summary": str,
            "sentiment": float, "created_at": str,
        },
        pk="id",
        not_null={"customer_id", "date"},
        foreign_keys=[("customer_id", "customers", "id")],
    )
    db.table("interactions").create_index(["customer_id", "date"])
    db.table("complaints").create(
        {
            "id": int, "customer_id": int, "date": str, "text": str, "category": str,
            "sentiment": float, "severity": str, "fault": str, "status": str,
            "reply_draft": str, "reply_sent": str, "resolved_at": str, "language": str,
            "label_source": str, "created_at": str,
        },
        pk="id",
        not_null={"customer_id", "date", "text"},
        defaults={"status": "open"},
        foreign_keys=[("customer_id", "customers", "id")],
    )
    db.table("complaints").create_index(["customer_id"])
    db.table("complaints").create_index(["status"])
    db.table("tasks").create(
        {
            "id": int, "customer_id": int, "due_date": str, "title": str, "status": str,
            "created_at": str,
        },
        pk="id",
        not_null={"title"},
        defaults={"status": "open"},
        foreign_keys=[("customer_id", "customers", "id")],
    )
    # One row per user action; audit_log rows point at it so undo reverts a whole action.
    db.table("actions").create(
        {"id": int, "at": str, "actor": str, "description": str, "undone": int},
        pk="id",
        defaults={"undone": 0},
    )
    db.table("audit_log").create(
        {
            "id": int, "action_id": int, "at": str, "actor": str, "action": str, "op": str,
            "table_name": str, "row_id": int, "before": str, "after": str, "undone": int,
        },
        pk="id",
        defaults={"undone": 0},
        foreign_keys=[("action_id", "actions", "id")],
    )
    db.table("audit_log").create_index(["action_id"])
    db.table("settings").create({"key": str, "value": str}, pk="key")
    # Chat turns and tool calls are data too: what was asked, what ran, how long.
    db.table("turns").create(
        {
            "id": int, "at": str, "session": str, "message": str, "reply": str,
            "backend": str, "latency_ms": float,
        },
        pk="id",
    )
    db.table("tool_calls").create(
        {
            "id": int, "turn_id": int, "at": str, "tool": str, "arguments": str,
            "result": str, "status": str, "backend": str, "latency_ms": float,
        },
        pk="id",
    )
    db.table("tool_calls").create_index(["turn_id"])


@MIGRATIONS()
def m002_complaint_fault_clue(db: Database) -> None:
    """The phrase that decided a complaint's fault label, kept for the owner to check."""
    db.table("complaints").add_column("fault_clue", str)


@MIGRATIONS()
def m003_column_cache(db: Database) -> None:
    """Columnar copies of orders and customer ids for analytics, and the epochs that void them
    (assistant/store/column_cache.py explains why they cannot go stale)."""
    db.execute("""CREATE TABLE column_cache (
        id INTEGER PRIMARY KEY, source TEXT NOT NULL, spec TEXT NOT NULL,
        epoch INTEGER NOT NULL, first_id INTEGER NOT NULL, last_id INTEGER NOT NULL,
        rows INTEGER NOT NULL, data BLOB NOT NULL)""")
    db.execute("CREATE INDEX idx_column_cache_source ON column_cache(source, first_id)")
    db.execute("CREATE TABLE table_epochs (name TEXT PRIMARY KEY, epoch INTEGER NOT NULL)")
    # the cached tables, and the small ones whose changes the churn cache key must notice
    for table, columns in (("orders", "id, customer_id, date, amount, quantity"),
                           ("customers", "id"), ("complaints", None), ("interactions", None)):
        db.execute("INSERT INTO table_epochs VALUES (?, 0)", [table])
        bump = f"UPDATE table_epochs SET epoch = epoch + 1 WHERE name = '{table}';"
        of = f" OF {columns}" if columns else ""
        db.execute(f"CREATE TRIGGER {table}_epoch_update AFTER UPDATE{of} ON {table}"
                   f" BEGIN {bump} END")
        db.execute(f"CREATE TRIGGER {table}_epoch_delete AFTER DELETE ON {table} BEGIN {bump} END")
        # appends above the cached ids are read as the tail; anything at or below them is not
        db.execute(f"CREATE TRIGGER {table}_epoch_insert AFTER INSERT ON {table}"
                   f" WHEN NEW.id <= (SELECT ifnull(max(last_id), 0) FROM column_cache"
                   f" WHERE source = '{table}') BEGIN {bump} END")


def apply_migrations(db: Database) -> None:
    """Bring a database file up to the current schema."""
    MIGRATIONS.apply(db)
