"""The store: the only code that talks to SQLite (schema, audit and undo, read-only queries, caches)."""

from assistant.store.database import CUSTOMER_FIELDS, Store

__all__ = ["CUSTOMER_FIELDS", "Store"]
