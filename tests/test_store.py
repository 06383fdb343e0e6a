import json
import sqlite3
import threading

import pytest

from assistant.core.records import Ambiguous, InvalidInput, NotFound, NothingToUndo, Write


def test_add_and_get_customer(store):
    c = store.add_customer("张伟", city="上海", external_id="C1")
    assert store.get_customer(c.id).name == "张伟"
    assert store.db.table("customers").get(c.id)["name_key"] == "zhang wei"


@pytest.mark.parametrize("query,expected", [
    ("zhang wei", "张伟"), ("ZhangWei", "张伟"), ("zhang  wie", "张伟"), ("Wei Zhang", "张伟"),
    ("Li Na", "李娜"), ("lina", "李娜"), ("李娜", "李娜"), ("alice brown", "Alice Brown"),
    ("Alice Browne", "Alice Brown"), ("C1", "张伟"),
])
def test_resolve_customer_across_scripts_case_spacing_and_typos(store, query, expected):
    store.add_customer("张伟", external_id="C1")
    store.add_customer("李娜")
    store.add_customer("Alice Brown")
    assert store.resolve_customer(query).name == expected


def test_homophones_are_ambiguous_in_pinyin_but_not_in_hanzi(store):
    store.add_customer("张伟")
    store.add_customer("章伟")
    with pytest.raises(Ambiguous) as err:
        store.resolve_customer("zhang wei")
    assert {c.name for c in err.value.candidates} == {"张伟", "章伟"}
    assert store.resolve_customer("章伟").name == "章伟"


def test_a_hanzi_name_that_sounds_different_is_someone_else(store):
    store.add_customer("黎晓东")
    with pytest.raises(NotFound):
        store.resolve_customer("李小龙")  # li xiao long is one letter from li xiao dong
    assert store.resolve_customer("黎曉東").name == "黎晓东"
    assert store.resolve_customer("li xiaodong").name == "黎晓东"


def test_unknown_customer_says_what_to_do(store):
    with pytest.raises(NotFound, match="Check the spelling"):
        store.resolve_customer("Nobody Here")
    with pytest.raises(NotFound, match="find_customers"):
        store.get_customer(99)


def test_find_customers_searches_notes_in_both_languages(store):
    store.add_customer("李娜", notes="喜欢耶加雪菲, likes light roast")
    store.add_customer("Bob")
    assert [c.name for c in store.find_customers("耶加雪菲")] == ["李娜"]
    assert [c.name for c in store.find_customers("light roast")] == ["李娜"]
    assert [c.name for c in store.find_customers("li na")] == ["李娜"]


def test_name_with_sql_is_stored_verbatim(store):
    evil = "Robert'); DROP TABLE customers;--"
    c = store.add_customer(evil)
    assert store.get_customer(c.id).name == evil
    assert store.find_customers("DROP TABLE")[0].id == c.id
    assert store.count("customers") == 1


def test_every_write_is_audited_and_undone_in_reverse_order(store):
    c = store.add_customer("Ann")
    store.update_customer(c.id, city="Paris")
    store.add_order(c.id, "2024-03-05", 12.5, 2, "beans")
    rows = list(store.db.table("audit_log").rows)
    assert [r["op"] for r in rows] == ["insert", "update", "insert"]
    update = rows[1]
    assert json.loads(update["before"])["city"] is None
    assert json.loads(update["after"])["city"] == "Paris"
    assert "add order" in store.undo()
    assert store.count("orders") == 0
    assert "update customer" in store.undo()
    assert store.get_customer(c.id).city is None
    store.undo()
    assert store.count("customers") == 0
    with pytest.raises(NothingToUndo):
        store.undo()


def test_apply_is_one_action_all_or_nothing(store):
    c = store.add_customer("Ann")
    good = [Write("interactions", "insert", {"customer_id": c.id, "date": "2024-05-01",
                                              "channel": "phone", "summary": "called"}),
            Write("tasks", "insert", {"customer_id": c.id, "due_date": "2024-05-03",
                                       "title": "call back"})]
    bad = good + [Write("orders", "insert", {"customer_id": c.id, "date": "2024/13/45",
                                              "amount": 5})]
    with pytest.raises(InvalidInput, match="bad date"):
        store.apply(bad)
    assert store.count("interactions") == 0 and store.count("tasks") == 0
    store.apply(good, description="call with Ann")
    assert store.count("interactions") == 1 and store.count("tasks") == 1
    assert store.undo().startswith("call with Ann")
    assert store.count("interactions") == 0 and store.count("tasks") == 0


@pytest.mark.parametrize("field,value,message", [
    ("date", "2024/13/45", "bad date"), ("amount", "abc", "amount must be a number"),
    ("quantity", -2, "quantity must be at least 0"),
])
def test_order_validation(store, field, value, message):
    c = store.add_customer("Ann")
    args = {"customer_id": c.id, "date": "2024-01-02", "amount": 3, "quantity": 1, field: value}
    with pytest.raises(InvalidInput, match=message):
        store.add_order(**args)
    assert store.count("orders") == 0


def test_zero_and_negative_amounts_are_valid_orders(store):
    c = store.add_customer("Ann")
    store.add_order(c.id, "2024-01-02", 0)
    store.add_order(c.id, "2024-01-03", -20, note="refund")
    assert [o.amount for o in store.orders(c.id)] == [0, -20]


def test_order_for_missing_customer_is_rejected(store):
    with pytest.raises(NotFound):
        store.add_order(42, "2024-01-02", 5)
    assert store.count("orders") == 0


def test_parallel_writes_from_threads(store):
    c = store.add_customer("Ann")
    errors = []

    def work(i):
        try:
            store.apply([Write("interactions", "insert", {"customer_id": c.id,
                        "date": "2024-01-02", "channel": "wechat", "summary": f"msg {i}"})])
        except Exception as ex:  # noqa: BLE001 - collected and asserted below
            errors.append(ex)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert store.count("interactions") == 20


def test_wal_mode_and_schema_is_documented(store, tmp_path):
    assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    for table in ("customers", "orders", "interactions", "complaints", "tasks", "audit_log"):
        assert store.db.table(table).exists()
    raw = sqlite3.connect(tmp_path / "crm.db")
    cols = {r[1] for r in raw.execute("PRAGMA table_info(audit_log)")}
    assert {"id", "at", "actor", "action", "table_name", "row_id", "before", "after",
            "undone"} <= cols


def test_reopening_applies_no_migration_twice(tmp_path):
    from assistant.store import Store

    s = Store.open(tmp_path / "x.db")
    s.add_customer("Ann")
    s.close()
    again = Store.open(tmp_path / "x.db")
    assert again.count("customers") == 1


def test_backup_is_a_readable_copy(store, tmp_path):
    store.add_customer("Ann")
    target = store.backup(tmp_path / "backup.db")
    assert sqlite3.connect(target).execute("select name from customers").fetchone() == ("Ann",)


def test_settings_round_trip(store):
    store.set_setting("policy", {"max_refund": 200})
    assert store.get_setting("policy") == {"max_refund": 200}
    assert store.get_setting("missing", 5) == 5


def test_demo_shop_is_realistic_and_deterministic(demo_store, tmp_path):
    from assistant.importer.demo_shop import build_demo
    from assistant.store import Store
    from tests.conftest import DEMO_END

    assert 280 <= demo_store.count("customers") <= 320
    assert demo_store.count("complaints") >= 20
    assert len({c.category for c in demo_store.complaints()}) >= 6
    assert demo_store.tasks(status="open")
    channels = {i.channel for i in demo_store.interactions()}
    assert len(channels) >= 4
    frame = demo_store.orders_frame()
    assert (frame["date"].max() - frame["date"].min()).days >= 2 * 365
    names = [c.name for c in demo_store.find_customers(limit=400)]
    assert any(n.isascii() for n in names) and any(not n.isascii() for n in names)
    other = Store.open(tmp_path / "again.db")
    build_demo(other, seed=7, end=DEMO_END)
    assert other.export_rows("orders") == demo_store.export_rows("orders")


@pytest.mark.parametrize("query", ["Zhang", "老张", "张", "Smith"])
def test_surname_alone_asks_back_with_every_match(store, query):
    for name in ("张伟", "张超", "李娜", "Emma Smith", "Tom Smith"):
        store.add_customer(name)
    with pytest.raises(Ambiguous) as err:
        store.resolve_customer(query)
    assert len(err.value.candidates) == 2


@pytest.mark.parametrize("query,expected", [("小李", "李娜"), ("Ethan", "Ethan Chen"),
                                            ("Mr. Chen", "Ethan Chen"), ("李", "李娜")])
def test_unique_name_parts_and_honorifics_resolve(store, query, expected):
    for name in ("张伟", "李娜", "Ethan Chen"):
        store.add_customer(name)
    assert store.resolve_customer(query).name == expected
