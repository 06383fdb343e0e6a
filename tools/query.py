"""Ad-hoc read-only questions over the shop's data."""

from __future__ import annotations

from assistant.store import Store
from assistant.store.readonly import QueryResult


def run_sql(store: Store, sql: str) -> QueryResult:
    """Answer a counting or summing question with ONE read-only SQLite SELECT over tables
    customers(id, name, city, created_at), orders(customer_id, date 'YYYY-MM-DD', amount,
    quantity, product), interactions(customer_id, date, channel, summary), complaints(customer_id,
    date, category, severity, status), tasks(customer_id, due_date, title, status)."""
    return store.query_readonly(sql)
