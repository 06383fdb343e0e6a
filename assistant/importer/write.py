"""Validated rows -> the store, as one audited, undoable action: new customers, then rows, in chunks."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.core.records import ImportFailed, InvalidInput
from assistant.importer.read import read_rows
from assistant.lang.names import name_key
from assistant.store.audit import now_iso

if TYPE_CHECKING:
    import pandas as pd

    from assistant.store import Store

CHUNK = 50_000


@dataclass
class ImportResult:
    kind: str
    rows: int
    inserted: int = 0
    updated: int = 0
    created_customers: int = 0
    dry_run: bool = False
    mapping: dict[str, str] = field(default_factory=dict)


def import_file(store: Store, kind: str, path: str | Path, overrides: dict | None = None,
                dry_run: bool = False, progress: bool = False, actor: str = "user") -> ImportResult:
    """Validate every row, then write all of them as one undoable action (or none)."""
    data, mapping = read_rows(kind, path, overrides)
    return write(store, kind, data, Path(path).name, mapping, dry_run, progress, actor)
_COLUMNS = {
    "orders": ["customer_id", "date", "amount", "quantity", "product", "note", "referral_code"],
    "interactions": ["customer_id", "date", "channel", "summary", "sentiment", "created_at"],
}


def _none(value: object) -> object:
    """'' and NaN become NULL, so the file's blanks stay blanks in the database."""
    if value is None or value == "" or (isinstance(value, float) and value != value):
        return None
    return value


def _chunks(rows: list, progress: bool, label: str):
    from tqdm import tqdm

    bar = tqdm(total=len(rows), desc=label, unit="row", disable=not progress, leave=False)
    for start in range(0, len(rows), CHUNK):
        part = rows[start:start + CHUNK]
        yield part
        bar.update(len(part))
    bar.close()


def _customer_ids(store: Store, act, data: pd.DataFrame, progress: bool) -> tuple[list, int]:
    """Customer id for every row, creating customers for unknown external ids or names."""
    by_ext, by_name = store.customer_keys()
    ext = data["external_id"].tolist()
    names = data["name"].tolist()
    new: dict[tuple[str, str], int] = {}
    ambiguous = []
    for i, (e, n) in enumerate(zip(ext, names)):
        if e:
            if e not in by_ext and ("ext", e) not in new:
                new[("ext", e)] = i
        elif n not in by_name and ("name", n) not in new:
            new[("name", n)] = i
        elif by_name.get(n) == -1:
            ambiguous.append((i + 2, f"name {n!r} matches several customers; add an external id"))
    if ambiguous:
        raise ImportFailed(f"{len(ambiguous)} row(s) name an ambiguous customer: "
                           + "; ".join(f"row {r}: {w}" for r, w in ambiguous[:20]), ambiguous)
    created_at = now_iso()
    rows = []
    for (kind, key), i in new.items():
        name = names[i] or key
        rows.append((key if kind == "ext" else None, name, name_key(name), created_at))
    first = None
    for part in _chunks(rows, progress, "new customers"):
        start, _ = act.insert_many("customers", ["external_id", "name", "name_key", "created_at"],
                                   part)
        first = start if first is None else first
    for offset, (kind, key) in enumerate(new):
        (by_ext if kind == "ext" else by_name)[key] = (first or 0) + offset
    ids = [by_ext[e] if e else by_name[n] for e, n in zip(ext, names)]
    return ids, len(rows)


def write(store: Store, kind: str, data: pd.DataFrame, source: str, mapping: dict,
          dry_run: bool, progress: bool, actor: str) -> ImportResult:
    """Apply one validated import (or, with dry_run, roll it back and report what it would do)."""

    result = ImportResult(kind=kind, rows=len(data), dry_run=dry_run, mapping=mapping)
    try:
        # Customer ids below come from the store itself, so per-row FK checks are redundant.
        with store.action(f"import {kind} from {source}", actor, checked=False) as act:
            if kind == "customers":
                _write_customers(store, act, data, result, progress)
            else:
                ids, result.created_customers = _customer_ids(store, act, data, progress)
                frame = data.assign(customer_id=ids, created_at=now_iso())
                cols = _COLUMNS[kind]
                # Blank cells and NaN become NULL, so the file's blanks stay blanks.
                out = frame[cols].astype(object)
                out = out.where(out.notna() & (out != ""), None)
                rows = list(out.itertuples(index=False, name=None))
                for part in _chunks(rows, progress, f"import {kind}"):
                    act.insert_many(kind, cols, part)
                result.inserted = len(rows)
            if dry_run:
                raise _DryRun()
    except _DryRun:
        return result
    # a big load is the moment to refresh the columnar copy the churn report reads
    # (assistant/store/column_cache.py): a few seconds here instead of on the owner's next question
    store.refresh_analytics()
    return result


class _DryRun(Exception):
    """Raised inside the transaction so a dry run validates everything and writes nothing."""


def _write_customers(store: Store, act, data: pd.DataFrame, result, progress: bool) -> None:
    by_ext, _ = store.customer_keys()
    fields = [c for c in ("external_id", "name", "phone", "email", "wechat", "city", "tags",
                          "notes", "birthday", "marketing_consent") if c in data.columns]
    inserts, created_at = [], now_iso()
    for record in data[fields].to_dict("records"):
        values = {k: _none(v) for k, v in record.items()}
        ext = values.get("external_id")
        if ext and ext in by_ext:
            # Re-importing an export updates the customers it already knows.
            changes = {k: v for k, v in values.items() if v is not None}
            changes["name_key"] = name_key(values["name"])
            act.update("customers", by_ext[ext], changes)
            result.updated += 1
        else:
            if not values.get("name"):
                raise InvalidInput("Every customer row needs a name.")
            values.update(name_key=name_key(values["name"]), created_at=created_at)
            inserts.append(tuple(values.get(c) for c in [*fields, "name_key", "created_at"]))
    for part in _chunks(inserts, progress, "import customers"):
        act.insert_many("customers", [*fields, "name_key", "created_at"], part)
    result.inserted = len(inserts)
