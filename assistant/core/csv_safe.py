"""Cells a spreadsheet would run as a formula, made inert: the one rule every CSV export uses.

OWASP's CSV-injection rule: a text cell starting with =, +, -, @, a tab or a carriage return is
read by Excel, WPS and LibreOffice as a formula (`=HYPERLINK(...)`, `@SUM(...)`, DDE `=cmd|...`).
A customer's note or an imported cell is data, so such a cell gets a leading single quote, which
spreadsheets show as text. Numbers stay numbers: a refund of -12.5 is not text and is not touched.
The importer strips that quote again, so an export re-imports as it was.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import IO, Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_ESCAPED = re.compile(r"^'(?=[=+\-@\t\r])")


def spreadsheet_safe(value: Any) -> Any:
    """The value as it may go into a CSV cell: text a spreadsheet would evaluate gets a quote."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def unescape_cell(value: str) -> str:
    """Undo spreadsheet_safe on one imported cell ("'=1+1" -> "=1+1")."""
    return _ESCAPED.sub("", value)


ESCAPED_PATTERN = _ESCAPED.pattern  # for vectorised use (pandas .str.replace)


def write_csv(out: IO[str], columns: Sequence[str], rows: Iterable[Mapping[str, Any]]) -> int:
    """Write a header and rows (dicts) with every cell made spreadsheet-safe; returns the count."""
    writer = csv.writer(out)
    writer.writerow([spreadsheet_safe(c) for c in columns])
    count = 0
    for row in rows:
        writer.writerow([spreadsheet_safe(row.get(c)) for c in columns])
        count += 1
    return count


def safe_frame(frame: Any) -> Any:
    """A copy of a pandas DataFrame whose text cells (and headers) are spreadsheet-safe."""
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype.kind not in "biufcmM":  # text (object or string), not numbers/dates
            out[col] = out[col].map(spreadsheet_safe)
    out.columns = [spreadsheet_safe(str(c)) for c in out.columns]
    return out
