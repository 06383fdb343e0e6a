"""Files -> validated rows: CSV/XLSX decoding, header synonyms in zh + en, vectorised validation."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from assistant.core.records import CrmError, ImportFailed, InvalidInput

if TYPE_CHECKING:
    import pandas as pd


KINDS = ("customers", "orders", "interactions")
FIELDS = {
    "customers": ("external_id", "name", "phone", "email", "wechat", "city", "tags", "notes"),
    "orders": ("external_id", "name", "date", "amount", "quantity", "product", "note"),
    "interactions": ("external_id", "name", "date", "channel", "summary", "sentiment"),
}
REQUIRED = {
    "customers": ("name",),
    "orders": ("date", "amount"),
    "interactions": ("date", "summary"),
}
# Header words people actually use in exports from POS systems, Excel and WeChat shops.
SYNONYMS = {
    "external_id": ("external_id", "external id", "id", "customer_id", "customer id", "customer no",
                    "customer number", "cust_id", "member id", "member_id", "客户编号", "客户id",
                    "客户号", "会员号", "会员编号", "会员id", "编号", "客户代码"),
    "name": ("name", "customer", "customer name", "customer_name", "full name", "客户", "姓名",
             "客户名", "客户名称", "客户姓名", "名字", "会员名", "会员姓名"),
    "phone": ("phone", "mobile", "tel", "telephone", "phone number", "电话", "手机", "手机号",
              "联系电话", "电话号码"),
    "email": ("email", "e-mail", "mail", "邮箱", "电子邮件", "电子邮箱"),
    "wechat": ("wechat", "weixin", "wechat id", "微信", "微信号"),
    "city": ("city", "town", "城市", "所在城市", "地区"),
    "tags": ("tags", "tag", "labels", "标签"),
    "notes": ("notes", "note", "remarks", "comment", "备注", "说明"),
    "note": ("note", "notes", "remark", "remarks", "comment", "备注", "说明"),
    "date": ("date", "order date", "order_date", "purchase date", "day", "time", "日期",
             "下单日期", "订单日期", "交易日期", "购买日期", "时间", "下单时间", "联系日期"),
    "amount": ("amount", "total", "price", "sales", "revenue", "paid", "value", "金额", "总额",
               "订单金额", "实付", "实付金额", "销售额", "总价", "价格", "消费金额"),
    "quantity": ("quantity", "qty", "units", "count", "pieces", "数量", "件数", "购买数量"),
    "product": ("product", "item", "sku", "product name", "goods", "商品", "产品", "商品名称",
                "品名", "货品"),
    "channel": ("channel", "via", "medium", "渠道", "方式", "联系方式", "沟通渠道"),
    "summary": ("summary", "content", "message", "details", "text", "内容", "摘要", "沟通内容",
                "记录"),
    "sentiment": ("sentiment", "mood", "情绪", "情感"),
}
_DATE = r"^\s*(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[ T][\d:.]*)?\s*$"
_NOISE = r"[,\s¥￥$€£元]|RMB|CNY|USD"


def _norm(header: str) -> str:
    return re.sub(r"[\s_\-:：()（）]+", " ", str(header).strip().lower()).strip()


def map_columns(headers: list[str], kind: str, overrides: dict[str, str] | None = None) -> dict:
    """{source header: field} from synonyms, with user overrides (`--map SRC=FIELD`) winning."""
    fields = FIELDS[kind]
    mapping: dict[str, str] = {}
    for src, dst in (overrides or {}).items():
        if src not in headers:
            raise InvalidInput(f"--map names column {src!r}, but the file's columns are "
                               f"{', '.join(headers)}.")
        if dst not in fields:
            raise InvalidInput(f"--map target {dst!r} is not a {kind} field; use one of "
                               f"{', '.join(fields)}.")
        mapping[src] = dst
    taken = set(mapping.values())
    for header in headers:
        if header in mapping:
            continue
        for dst in fields:
            if dst not in taken and _norm(header) in {_norm(s) for s in SYNONYMS[dst]}:
                mapping[header] = dst
                taken.add(dst)
                break
    missing = [f for f in REQUIRED[kind] if f not in taken]
    if kind != "customers" and not {"external_id", "name"} & taken:
        missing.append("external_id or name")
    if missing:
        raise InvalidInput(
            f"Could not find column(s) for {', '.join(missing)} among: {', '.join(headers)}. "
            f"Rename the header or pass --map SRC=FIELD."
        )
    return mapping


def _decode(raw: bytes, path: Path) -> str:
    # Excel in China saves GBK; gb18030 is its superset. BOM-marked UTF-8 comes from Excel too.
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    from charset_normalizer import from_bytes

    best = from_bytes(raw[:200_000]).best()
    if best is None:
        raise CrmError(f"{path.name}: cannot tell the text encoding; save it as UTF-8 CSV.")
    return raw.decode(best.encoding, errors="strict")


def read_table(path: str | Path) -> "pd.DataFrame":
    """A CSV (UTF-8, UTF-8 BOM, GBK) or XLSX file as a frame of strings."""
    import pandas as pd

    path = Path(path)
    if not path.exists():
        raise CrmError(f"File not found: {path}")
    if path.is_dir():
        raise CrmError(f"{path} is a folder; give a .csv or .xlsx file.")
    suffix = path.suffix.lower()
    try:
        if suffix in (".xlsx", ".xlsm"):
            frame = pd.read_excel(path, dtype=str, keep_default_na=False, engine="openpyxl")
        elif suffix == ".xls":
            raise CrmError(f"{path.name}: old .xls files are not supported; save as .xlsx or CSV.")
        else:
            raw = path.read_bytes()
            if not raw.strip():
                raise CrmError(f"{path.name} is empty: it needs a header row and data rows.")
            text = _decode(raw, path)
            frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False,
                                skipinitialspace=True, sep=None if suffix == ".txt" else ",",
                                engine="c" if suffix != ".txt" else "python")
    except CrmError:
        raise
    except pd.errors.EmptyDataError:
        raise CrmError(f"{path.name} is empty: it needs a header row and data rows.") from None
    except pd.errors.ParserError as ex:
        raise CrmError(f"{path.name} is not a well-formed CSV ({ex}). "
                       "Check for stray quotes or a different column count.") from None
    except (ValueError, OSError, KeyError) as ex:
        raise CrmError(f"{path.name} could not be read as a spreadsheet ({ex}).") from None
    frame.columns = [str(c).strip() for c in frame.columns]
    if frame.empty:
        raise CrmError(f"{path.name} has a header but no data rows.")
    return frame


def _clean(frame: "pd.DataFrame", kind: str, mapping: dict) -> tuple["pd.DataFrame", list]:
    """Rename, strip and validate; returns the typed frame and (row number, reason) errors."""
    import pandas as pd

    data = frame[list(mapping)].rename(columns=mapping).astype(str)
    for col in data.columns:
        data[col] = data[col].str.strip()
    for col in FIELDS[kind]:
        if col not in data.columns:
            data[col] = ""
    rownum = pd.Series(range(2, len(data) + 2), index=data.index)  # header is row 1
    errors: list[tuple[int, str]] = []

    def flag(mask: "pd.Series", reason: Callable[[pd.Series], str] | str) -> None:
        for idx in data.index[mask.fillna(False).to_numpy()]:
            text = reason if isinstance(reason, str) else reason(data.loc[idx])
            errors.append((int(rownum[idx]), text))

    if kind == "customers":
        flag(data["name"] == "", "missing name")
        ext = data["external_id"]
        dup = (ext != "") & ext.duplicated(keep=False)
        first = ext[dup].groupby(ext[dup]).transform(lambda s: rownum[s.index].min())
        flag(dup & (rownum != first.reindex(data.index)),
             lambda r: f"duplicate external id {r['external_id']!r} "
                       f"(first on row {int(first[r.name])})")
    else:
        flag((data["external_id"] == "") & (data["name"] == ""),
             "missing customer (no external id or name)")
        # Fast C parse of plain ISO dates first; only the rest go through the regex.
        when = pd.to_datetime(data["date"].str.slice(0, 10), format="%Y-%m-%d", errors="coerce")
        rest = when.isna()
        if rest.any():
            parts = data.loc[rest, "date"].str.extract(_DATE)
            other = pd.to_datetime(
                {"year": pd.to_numeric(parts[0], errors="coerce"),
                 "month": pd.to_numeric(parts[1], errors="coerce"),
                 "day": pd.to_numeric(parts[2], errors="coerce")},
                errors="coerce",
            )
            compact = data.loc[rest, "date"]
            compact = pd.to_datetime(compact.where(compact.str.fullmatch(r"\d{8}")),
                                     format="%Y%m%d", errors="coerce")
            when = when.where(~rest, other.fillna(compact).reindex(when.index))
        flag(when.isna(), lambda r: f"bad date {r['date']!r} (use YYYY-MM-DD)")
        data["date"] = when.dt.strftime("%Y-%m-%d")
    if kind == "orders":
        amount = pd.to_numeric(data["amount"].str.replace(_NOISE, "", regex=True), errors="coerce")
        flag(amount.isna(), lambda r: f"bad amount {r['amount']!r} (a number, e.g. 12.50)")
        qty_text = data["quantity"].str.replace(_NOISE, "", regex=True)
        qty = pd.to_numeric(qty_text.where(qty_text != "", "1"), errors="coerce")
        flag(qty.isna(), lambda r: f"bad quantity {r['quantity']!r}")
        flag(qty < 0, lambda r: f"negative quantity {r['quantity']}")
        data["amount"], data["quantity"] = amount, qty
    if kind == "interactions":
        flag(data["summary"] == "", "missing summary")
        senti = pd.to_numeric(data["sentiment"].where(data["sentiment"] != ""), errors="coerce")
        flag(data["sentiment"].ne("") & (senti.isna() | senti.abs().gt(1)),
             lambda r: f"bad sentiment {r['sentiment']!r} (a number from -1 to 1)")
        data["sentiment"] = senti
        data["channel"] = data["channel"].str.lower().where(data["channel"] != "", "other")
    errors.sort()
    return data, errors


def _fail(path: Path, errors: list[tuple[int, str]]) -> ImportFailed:
    shown = "; ".join(f"row {n}: {why}" for n, why in errors[:20])
    more = f"; and {len(errors) - 20} more" if len(errors) > 20 else ""
    return ImportFailed(
        f"{path.name}: {len(errors)} bad row(s), nothing was imported. {shown}{more}", errors
    )


def read_rows(kind: str, path: str | Path,
              overrides: dict | None = None) -> tuple["pd.DataFrame", dict]:
    """Every row of the file validated for `kind`, and the column mapping; ImportFailed names
    every bad row."""
    if kind not in KINDS:
        raise InvalidInput(f"Cannot import {kind!r}; choose one of {', '.join(KINDS)}.")
    path = Path(path)
    frame = read_table(path)
    mapping = map_columns(list(frame.columns), kind, overrides)
    data, errors = _clean(frame, kind, mapping)
    if errors:
        raise _fail(path, errors)
    return data, mapping
