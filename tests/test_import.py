import pytest

from assistant.core.records import CrmError, ImportFailed, InvalidInput
from assistant.importer import import_file
from assistant.importer.read import map_columns

ORDERS_ZH = "客户编号,客户,日期,金额,数量,商品\nC1,张伟,2024/3/5,￥128.00,2,耶加雪菲\nC2,Li Na,2024-03-06,78,1,曼特宁\nC1,张伟,2024年4月1日,\"1,200\",10,礼盒\n"


def write(tmp_path, name, text, encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_orders_csv_in_every_excel_encoding_creates_unknown_customers(store, tmp_path, encoding):
    path = write(tmp_path, "orders.csv", ORDERS_ZH, encoding)
    result = import_file(store, "orders", path)
    assert (result.inserted, result.created_customers) == (3, 2)
    assert store.resolve_customer("zhang wei").external_id == "C1"
    amounts = sorted(o.amount for o in store.orders())
    assert amounts == [78.0, 128.0, 1200.0]
    assert {o.date for o in store.orders()} == {"2024-03-05", "2024-03-06", "2024-04-01"}


def test_xlsx_import(store, tmp_path):
    import pandas as pd

    path = tmp_path / "customers.xlsx"
    pd.DataFrame({"会员编号": ["M1", "M2"], "姓名": ["王芳", "Tom King"], "手机": ["139", "138"],
                  "备注": ["喜欢深烘", "office"]}).to_excel(path, index=False)
    result = import_file(store, "customers", path)
    assert result.inserted == 2
    assert store.resolve_customer("wang fang").notes == "喜欢深烘"


def test_one_bad_row_writes_nothing_and_names_each_bad_row(store, tmp_path):
    text = ("external_id,name,date,amount,quantity\n"
            "C1,Ann,2024-01-05,10,1\n"
            "C2,Bob,2024/13/45,10,1\n"
            ",,2024-01-07,10,1\n"
            "C3,Cy,2024-01-08,10,-3\n"
            "C4,Di,2024-01-09,ten,1\n")
    with pytest.raises(ImportFailed) as err:
        import_file(store, "orders", write(tmp_path, "o.csv", text))
    rows = dict(err.value.errors)
    assert set(rows) == {3, 4, 5, 6}
    assert "bad date" in rows[3] and "missing customer" in rows[4]
    assert "negative quantity" in rows[5] and "bad amount" in rows[6]
    assert "row 3" in str(err.value) and "nothing was imported" in str(err.value)
    assert store.count("orders") == 0 and store.count("customers") == 0


def test_duplicate_external_ids_in_customers_file(store, tmp_path):
    text = "客户编号,姓名\nC1,张伟\nC2,李娜\nC1,王芳\n"
    with pytest.raises(ImportFailed, match="duplicate external id 'C1'") as err:
        import_file(store, "customers", write(tmp_path, "c.csv", text))
    assert err.value.errors == [(4, "duplicate external id 'C1' (first on row 2)")]
    assert store.count("customers") == 0


def test_reimporting_customers_updates_known_external_ids(store, tmp_path):
    import_file(store, "customers", write(tmp_path, "c.csv", "id,name,city\nC1,Ann,Paris\n"))
    result = import_file(store, "customers", write(tmp_path, "c2.csv", "id,name,city\nC1,Ann,Rome\n"))
    assert (result.inserted, result.updated) == (0, 1)
    assert store.resolve_customer("C1").city == "Rome"
    store.undo()
    assert store.resolve_customer("C1").city == "Paris"


def test_name_containing_sql_is_data(store, tmp_path):
    text = 'name,notes\n"x\'); DROP TABLE customers; --",evil\nAnn,ok\n'
    import_file(store, "customers", write(tmp_path, "c.csv", text))
    assert store.count("customers") == 2
    assert store.find_customers("DROP TABLE")[0].notes == "evil"


@pytest.mark.parametrize("content,message", [
    (b"", "is empty"),
    (b"name,phone\n", "no data rows"),
    (b'name,notes\n"Ann,unclosed\nBob,x\n', "well-formed|could not be read"),
    (b"\xff\xfe\x00\x00garbage\x00\x01", "encoding|could not|Could not find"),
])
def test_unreadable_files_get_a_clear_error_and_write_nothing(store, tmp_path, content, message):
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    with pytest.raises(CrmError, match=message):
        import_file(store, "customers", path)
    assert store.count("customers") == 0


def test_missing_file(store, tmp_path):
    with pytest.raises(CrmError, match="File not found"):
        import_file(store, "orders", tmp_path / "nope.csv")


def test_unknown_headers_ask_for_map_and_map_fixes_it(store, tmp_path):
    path = write(tmp_path, "o.csv", "who,when,paid\nAnn,2024-01-02,5\n")
    with pytest.raises(InvalidInput, match="--map"):
        import_file(store, "orders", path)
    result = import_file(store, "orders", path, {"who": "name", "when": "date", "paid": "amount"})
    assert result.inserted == 1 and store.orders()[0].amount == 5


def test_map_rejects_unknown_columns_and_fields():
    with pytest.raises(InvalidInput, match="names column"):
        map_columns(["a"], "orders", {"b": "name"})
    with pytest.raises(InvalidInput, match="not a orders field"):
        map_columns(["a"], "orders", {"a": "shoe_size"})


def test_dry_run_validates_and_writes_nothing(store, tmp_path):
    result = import_file(store, "orders", write(tmp_path, "o.csv", ORDERS_ZH), dry_run=True)
    assert result.dry_run and result.inserted == 3 and result.created_customers == 2
    assert store.count("orders") == 0 and store.count("customers") == 0
    assert store.history() == []


def test_import_is_one_undoable_action(store, tmp_path):
    store.add_customer("Existing")
    import_file(store, "orders", write(tmp_path, "o.csv", ORDERS_ZH))
    assert store.count("orders") == 3
    assert "import orders from o.csv" in store.undo()
    assert store.count("orders") == 0
    assert [c.name for c in store.find_customers()] == ["Existing"]


def test_interactions_import(store, tmp_path):
    store.add_customer("张伟", external_id="C1")
    text = "客户编号,日期,渠道,内容,情绪\nC1,2024-05-01,微信,问新豆子,0.5\nC1,2024-05-02,,来店里,\n"
    result = import_file(store, "interactions", write(tmp_path, "i.csv", text))
    assert result.inserted == 2
    assert {i.channel for i in store.interactions()} == {"微信", "other"}
