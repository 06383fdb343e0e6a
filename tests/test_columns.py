"""The columnar order cache never serves stale data (assistant/store/column_cache.py)."""

from __future__ import annotations

import sqlite3

import numpy as np
import pytest

from assistant.store import Store
from assistant.store import column_cache as columns


@pytest.fixture
def shop(store: Store, monkeypatch) -> Store:
    """A store with 40 orders and cache thresholds small enough to use the cache."""
    monkeypatch.setattr(columns, "MIN_ROWS", 10)
    monkeypatch.setattr(columns, "MIN_TAIL", 5)
    monkeypatch.setattr(columns, "CHUNK_ROWS", 16)
    a = store.add_customer("Ann").id
    b = store.add_customer("Bo").id
    with store.action("seed") as act:
        for i in range(40):
            act.insert("orders", store.order_row(a if i % 2 else b, f"2025-01-{i % 28 + 1:02d}",
                                                 10 + i))
    return store


def plain(store: Store) -> dict[str, np.ndarray]:
    """The orders straight from SQL, for comparison."""
    rows = store.db.execute("SELECT customer_id, CAST(julianday(date) + 0.5 AS INTEGER) - 2440588,"
                            " amount, ifnull(quantity, 1) FROM orders ORDER BY id").fetchall()
    return {name: np.array([r[i] for r in rows]) for i, name in
            enumerate(("customer_id", "day", "amount", "quantity"))}


def cached(store: Store) -> list[tuple]:
    return store.db.execute("SELECT first_id, last_id, epoch FROM column_cache"
                            " WHERE source = 'orders' ORDER BY first_id").fetchall()


def same(store: Store) -> None:
    """The cached read holds exactly the table's rows (its row order is not promised)."""
    got, want = ordered(store.orders_arrays()), ordered(plain(store))
    for name in want:
        np.testing.assert_array_equal(got[name], want[name], err_msg=name)


def ordered(rows: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    index = np.lexsort([rows[name] for name in ("quantity", "amount", "day", "customer_id")])
    return {name: np.asarray(values, float)[index] for name, values in rows.items()}


def test_first_read_copies_the_columns_in_chunks(shop):
    same(shop)
    assert [(first, last) for first, last, _ in cached(shop)] == [(1, 16), (17, 32), (33, 40)]
    same(shop)  # and reading them back gives the same arrays
    first = shop.orders_arrays()
    head = list(zip(first["customer_id"][:16], first["day"][:16]))
    assert head == sorted(head)  # each copy sorted by customer and day


def test_appended_orders_are_read_as_the_tail_then_copied(shop):
    same(shop)
    customer = shop.find_customers("Ann")[0].id
    for day in range(1, 4):
        shop.add_order(customer, f"2025-02-0{day}", 99)
    same(shop)
    assert cached(shop)[-1][1] == 40  # 3 new rows < MIN_TAIL: read, not copied
    for day in range(4, 9):
        shop.add_order(customer, f"2025-02-0{day}", 99)
    same(shop)
    assert cached(shop)[-1][1] == 48


def test_an_update_or_delete_voids_the_copy(shop):
    same(shop)
    shop.db.execute("UPDATE orders SET amount = 1234.5 WHERE id = 7")  # a raw write, no audit
    shop.db.conn.commit()
    assert 1234.5 in shop.orders_arrays()["amount"]
    same(shop)
    shop.db.execute("DELETE FROM orders WHERE id = 3")
    shop.db.conn.commit()
    same(shop)
    assert len(shop.orders_arrays()["amount"]) == 39


def test_undo_and_reinserted_old_ids_void_the_copy(shop):
    same(shop)
    customer = shop.find_customers("Bo")[0].id
    with shop.action("more") as act:
        for i in range(6):
            act.insert("orders", shop.order_row(customer, "2025-03-01", 5))
    same(shop)
    shop.undo()
    same(shop)
    # an id below the copied ones (as an undo of a delete writes) must not be missed
    shop.db.execute("DELETE FROM orders WHERE id = 2")
    shop.db.conn.commit()
    same(shop)
    shop.db.execute("INSERT INTO orders (id, customer_id, date, amount) VALUES (2, ?, '2025-01-09', 77)",
                    [customer])
    shop.db.conn.commit()
    same(shop)
    assert 77 in shop.orders_arrays()["amount"]


def test_as_of_and_unreadable_dates(shop):
    shop.db.execute("UPDATE orders SET date = 'soon' WHERE id = 1")
    shop.db.conn.commit()
    got = shop.orders_arrays()
    assert len(got["day"]) == 39
    assert (shop.orders_arrays("2025-01-10")["day"] <= np.datetime64("2025-01-10", "D")
            .astype(np.int64)).all()


def test_a_read_only_file_is_read_without_a_copy(shop, tmp_path):
    shop.close()
    path = shop.path
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    got = columns.read(conn, columns.ORDERS)
    assert len(got["amount"]) == 40
    assert conn.execute("SELECT count(*) FROM column_cache").fetchone()[0] == 0
    conn.close()


def test_a_new_layout_never_reads_an_old_copy(shop, monkeypatch):
    same(shop)
    monkeypatch.setattr(columns, "LAYOUT", "something else")
    same(shop)
    digests = {r[0] for r in shop.db.execute("SELECT spec FROM column_cache WHERE source = 'orders'")}
    assert digests == {columns.ORDERS.digest}


def test_data_version_sees_updates_the_old_counts_missed(shop):
    before = shop.data_version()
    shop.db.execute("UPDATE orders SET amount = amount + 1 WHERE id = 5")
    shop.db.conn.commit()
    assert shop.data_version() != before


def test_a_big_import_leaves_the_copy_ready(store, monkeypatch, tmp_path):
    from assistant.importer import import_file

    monkeypatch.setattr(columns, "MIN_ROWS", 10)
    monkeypatch.setattr(columns, "MIN_TAIL", 5)
    store.add_customer("Ann", external_id="A1")
    csv = tmp_path / "orders.csv"
    csv.write_text("customer_id,date,amount\n" + "".join(f"A1,2025-01-{d:02d},{d}\n" for d in range(1, 29)))
    import_file(store, "orders", csv)
    assert cached(store) and cached(store)[-1][1] == 28  # written by the import, not a read
    same(store)
