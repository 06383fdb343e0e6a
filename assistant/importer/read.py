"""Files -> validated rows: CSV/XLSX decoding, header synonyms in zh + en, vectorised validation."""

from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.core.csv_safe import ESCAPED_PATTERN
from assistant.core.records import CrmError, ImportFailed, InvalidInput
from assistant.lang.validate import birthday, marketing_consent

if TYPE_CHECKING:
    import pandas as pd


KINDS = ("customers", "orders", "interactions")
FIELDS = {
    "customers": ("external_id", "name", "phone", "email", "wechat", "city", "tags", "notes",
                  "birthday", "marketing_consent"),
    "orders": ("external_id", "name", "date", "amount", "quantity", "product", "note",
               "referral_code"),
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
    "birthday": ("birthday", "birth date", "birthdate", "date of birth", "dob", "生日", "出生日期",
                 "出生年月日", "生辰"),
    "marketing_consent": ("marketing_consent", "marketing consent", "consent", "opt in",
                          "opt-in", "营销同意", "同意营销", "接收营销", "营销授权",
                          "是否同意营销", "接受推广"),
    "referral_code": ("referral_code", "referral code", "referral", "ref code",
                      "推荐码", "邀请码", "推荐人码", "推荐代码"),
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
# A cell longer than this is an accident (a pasted document) or an attack, not a CRM field.
MAX_CELL = 10_000
_ZIP = b"PK\x03\x04"


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
        shown = ", ".join(_short(h) for h in headers[:12]) + (" …" if len(headers) > 12 else "")
        raise InvalidInput(
            f"Could not find column(s) for {', '.join(missing)} among: {shown}. "
            f"Rename the header or pass --map SRC=FIELD."
        )
    return mapping


def _short(text: object, limit: int = 30) -> str:
    """A header or message shown in a one-line error: no line breaks, not too long."""
    flat = "".join(ch if ch.isprintable() else "?" for ch in " ".join(str(text).split()))
    return flat if len(flat) <= limit else flat[:limit] + "…"


def _binary(path: Path) -> CrmError:
    return CrmError(f"{path.name} could not be read as a CSV: it holds binary data, not text. "
                    "Open it in Excel or WPS and save it as CSV UTF-8 or .xlsx.")


def _decode(raw: bytes, path: Path) -> str:
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):  # Excel's "Unicode text"
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError:
            raise _binary(path) from None
    if b"\x00" in raw:
        raise _binary(path)
    try:  # BOM-marked UTF-8 comes from Excel too
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    # Excel in China saves GBK (gb18030 is its superset); in Europe, Windows-1252. Both decode
    # most byte strings, so the likelier reading wins ("Müller" is not "M黮ler").
    best = from_bytes(raw[:200_000], cp_isolation=["gb18030", "cp1252"]).best() \
        or from_bytes(raw[:200_000]).best()
    if best is None:
        raise CrmError(f"{path.name}: cannot tell the text encoding; save it as UTF-8 CSV.")
    for encoding in (best.encoding, "gb18030", "latin-1"):
        try:
            return raw.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            continue
    raise CrmError(f"{path.name}: cannot tell the text encoding; save it as UTF-8 CSV.")


def _controls(text: str) -> bool:
    """Mostly control characters: a binary file that happened to decode."""
    sample = text[:65_536]
    odd = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\t\r\n")
    return odd > max(8, len(sample) // 100)


def _workbook(path: Path) -> pd.DataFrame:
    import pandas as pd

    try:
        return pd.read_excel(path, dtype=str, keep_default_na=False, engine="openpyxl")
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError) as ex:
        raise CrmError(f"{path.name} is not an Excel workbook ({_short(ex, 80)}). Save it again "
                       "from Excel or WPS as .xlsx or CSV UTF-8.") from None


def read_table(path: str | Path) -> pd.DataFrame:
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
            frame = _workbook(path)
        elif suffix == ".xls":
            raise CrmError(f"{path.name}: old .xls files are not supported; save as .xlsx or CSV.")
        else:
            raw = path.read_bytes()
            if not raw.strip():
                raise CrmError(f"{path.name} is empty: it needs a header row and data rows.")
            if raw.startswith(_ZIP):  # a workbook saved under a .csv name
                frame = _workbook(path)
                raw = b""
            text = _decode(raw, path) if raw else ""
            if text and _controls(text):
                raise _binary(path)
            if text:
                # Excel's "Unicode text" is tab-separated: sniff the separator there too
                sniff = suffix == ".txt" or "\t" in text.split("\n", 1)[0]
                frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False,
                                    skipinitialspace=True, sep=None if sniff else ",",
                                    engine="python" if sniff else "c")
    except CrmError:
        raise
    except pd.errors.EmptyDataError:
        raise CrmError(f"{path.name} is empty: it needs a header row and data rows.") from None
    except pd.errors.ParserError as ex:
        raise CrmError(f"{path.name} is not a well-formed CSV ({_short(ex, 120)}). "
                       "Check for stray quotes or a different column count.") from None
    except (ValueError, OSError, KeyError, csv.Error) as ex:  # csv: a failed sniff
        raise CrmError(f"{path.name} could not be read as a spreadsheet ({_short(ex, 120)}).") \
            from None
    frame.columns = [str(c).strip() for c in frame.columns]
    if frame.empty:
        raise CrmError(f"{path.name} has a header but no data rows.")
    return frame


def _clean(frame: pd.DataFrame, kind: str, mapping: dict) -> tuple[pd.DataFrame, list]:
    """Rename, strip and validate; returns the typed frame and (row number, reason) errors."""
    import pandas as pd

    data = frame[list(mapping)].rename(columns=mapping).astype(str)
    long: list[tuple[int, str]] = []
    for col in data.columns:
        data[col] = data[col].str.strip()
        if data[col].str.startswith("'").any():  # our own export's formula escape, undone
            data[col] = data[col].str.replace(ESCAPED_PATTERN, "", regex=True)
        sizes = data[col].str.len()
        for n in sizes[sizes > MAX_CELL].index[:20]:
            why = f"{col} is {int(sizes[n]):,} characters long (at most {MAX_CELL:,}); shorten it"
            long.append((int(n) + 2, why))
        nul = data[col].str.contains("\x00", regex=False)
        for n in nul[nul].index[:20]:
            long.append((int(n) + 2, f"{col} holds a NUL character; remove it"))
    for col in FIELDS[kind]:
        if col not in data.columns:
            data[col] = ""
    rownum = pd.Series(range(2, len(data) + 2), index=data.index)  # header is row 1
    errors: list[tuple[int, str]] = list(long)

    def flag(mask: pd.Series, reason: Callable[[pd.Series], str] | str) -> None:
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
        data["birthday"] = [_birthday_or_error(v, n, errors) for v, n in zip(data["birthday"], rownum)]
        data["marketing_consent"] = [_consent_or_error(v, n, errors)
                                     for v, n in zip(data["marketing_consent"], rownum)]
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
        # a referral code is matched against customers' codes, whatever case it was typed in
        data["referral_code"] = data["referral_code"].str.upper()
    if kind == "interactions":
        flag(data["summary"] == "", "missing summary")
        senti = pd.to_numeric(data["sentiment"].where(data["sentiment"] != ""), errors="coerce")
        flag(data["sentiment"].ne("") & (senti.isna() | senti.abs().gt(1)),
             lambda r: f"bad sentiment {r['sentiment']!r} (a number from -1 to 1)")
        data["sentiment"] = senti
        data["channel"] = data["channel"].str.lower().where(data["channel"] != "", "other")
    errors.sort()
    return data, errors


def _consent_or_error(value: str, row: int, errors: list[tuple[int, str]]) -> str:
    try:
        return marketing_consent(value) or ""
    except InvalidInput as e:
        errors.append((row, str(e)))
        return ""


def _birthday_or_error(value: str, row: int, errors: list[tuple[int, str]]) -> str:
    try:
        return birthday(value) or ""
    except InvalidInput as e:
        errors.append((row, str(e)))
        return ""


def _fail(path: Path, errors: list[tuple[int, str]]) -> ImportFailed:
    shown = "; ".join(f"row {n}: {why}" for n, why in errors[:20])
    more = f"; and {len(errors) - 20} more" if len(errors) > 20 else ""
    return ImportFailed(
        f"{path.name}: {len(errors)} bad row(s), nothing was imported. {shown}{more}", errors
    )


def read_rows(kind: str, path: str | Path,
              overrides: dict | None = None) -> tuple[pd.DataFrame, dict]:
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
