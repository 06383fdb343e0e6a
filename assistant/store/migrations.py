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


@MIGRATIONS()
def m004_briefings(db: Database) -> None:
    """Customers' birthdays, and the daily briefings kept so "what changed" has a yesterday."""
    db.table("customers").add_column("birthday", str)
    db.table("briefings").create(
        {"id": int, "as_of": str, "created_at": str, "lang": str, "body": str},
        pk="id",
        not_null={"as_of", "created_at", "body"},
    )
    db.table("briefings").create_index(["as_of"])


@MIGRATIONS()
def m006_segments(db: Database) -> None:
    """Saved segments: a name, the owner's words and the filter; customers are found each time."""
    if "segments" not in db.table_names():
        db.table("segments").create(
            {"id": int, "name": str, "text": str, "filter": str, "created_by": str,
             "created_at": str},
            pk="id",
            not_null={"name", "filter"},
        )
        db.execute("CREATE UNIQUE INDEX idx_segments_name ON segments(name COLLATE NOCASE)")


@MIGRATIONS()
def m007_campaigns(db: Database) -> None:
    """Campaigns, who was in them (contacted or held out), the outreach sent, marketing consent
    and referral codes (an order quoting one is credited to the referrer)."""
    customers = {c.name for c in db.table("customers").columns}
    if "marketing_consent" not in customers:
        # yes / no / unknown; NULL (an import without the column) reads as unknown too
        db.execute("ALTER TABLE customers ADD COLUMN marketing_consent TEXT DEFAULT 'unknown'")
    if "referral_code" not in customers:
        db.table("customers").add_column("referral_code", str)
    db.execute("CREATE UNIQUE INDEX IF NOT EXISTS idx_customers_referral_code"
               " ON customers(referral_code)")
    orders = {c.name for c in db.table("orders").columns}
    if "referral_code" not in orders:
        db.table("orders").add_column("referral_code", str)
    if "referred_by" not in orders:
        db.table("orders").add_column("referred_by", int)
    if "campaigns" not in db.table_names():
        db.table("campaigns").create(
            {"id": int, "created_at": str, "created_by": str, "as_of": str, "segment_text": str,
             "segment_name": str, "segment_filter": str, "goal": str, "channel": str,
             "holdout": float, "seed": int, "offer_percent": float, "product": str, "lang": str,
             "status": str, "approved_at": str, "start_date": str},
            pk="id", not_null={"goal", "channel", "as_of"}, defaults={"status": "draft"})
    if "campaign_members" not in db.table_names():
        # arm: contacted / holdout (randomised), or skipped (no consent or no contact detail,
        # decided before the draw so both arms are alike)
        db.table("campaign_members").create(
            {"id": int, "campaign_id": int, "customer_id": int, "arm": str, "skip_reason": str,
             "stage": str, "language": str, "address": str, "subject": str, "message": str,
             "offer_percent": float, "source": str, "problems": str, "consent": str,
             "dropped": int},
            pk="id", not_null={"campaign_id", "customer_id", "arm"}, defaults={"dropped": 0},
            foreign_keys=[("campaign_id", "campaigns", "id"), ("customer_id", "customers", "id")])
        db.table("campaign_members").create_index(["campaign_id", "arm"])
        db.table("campaign_members").create_index(["customer_id"])
    if "outreach" not in db.table_names():
        db.table("outreach").create(
            {"id": int, "campaign_id": int, "customer_id": int, "member_id": int,
             "channel": str, "address": str, "subject": str, "message": str, "status": str,
             "created_at": str, "sent_at": str, "error": str, "interaction_id": int},
            pk="id", not_null={"campaign_id", "customer_id", "channel", "status"},
            foreign_keys=[("campaign_id", "campaigns", "id"), ("customer_id", "customers", "id")])
        db.table("outreach").create_index(["campaign_id", "status"])
        db.table("outreach").create_index(["customer_id"])


@MIGRATIONS()
def m005_accounts(db: Database) -> None:
    """Staff accounts, failed sign-ins per address, where each action came from and who undid
    it (assistant/store/accounts.py)."""
    if "users" not in db.table_names():
        db.execute("""CREATE TABLE users (
            name TEXT PRIMARY KEY COLLATE NOCASE,
            role TEXT NOT NULL CHECK (role IN ('owner', 'staff')),
            password_hash TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL)""")
    if "login_failures" not in db.table_names():
        db.execute("""CREATE TABLE login_failures (
            address TEXT PRIMARY KEY, failures INTEGER NOT NULL, last_failed_at TEXT NOT NULL,
            locked_until TEXT)""")
    have = {c.name for c in db.table("actions").columns}
    for column in ("via", "undone_by", "undone_at"):
        if column not in have:
            db.table("actions").add_column(column, str)
    # before accounts, chat saved as "owner" (or "assistant:<backend>" with --yes)
    db.execute("UPDATE actions SET via = 'chat' WHERE via IS NULL"
               " AND (actor = 'owner' OR actor LIKE 'assistant:%')")
    db.execute("CREATE INDEX IF NOT EXISTS idx_audit_log_row ON audit_log(table_name, row_id)")


def apply_migrations(db: Database) -> None:
    """Bring a database file up to the current schema."""
    MIGRATIONS.apply(db)
