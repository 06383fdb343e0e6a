"""Shared pieces of the `crm` command line: --db, --json, output and one-line errors."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Sequence
from dataclasses import asdict, is_dataclass
from pathlib import Path
from typing import Any

import click

from assistant.core.config import Settings
from assistant.core.records import CrmError


def db_option(fn: Callable) -> Callable:
    """--db PATH (default: $CRM_DB, else the per-user data directory)."""
    return click.option(
        "--db", "db", type=click.Path(dir_okay=False), default=None,
        help="Database file (default: $CRM_DB, else the per-user data directory).",
    )(fn)


def json_option(fn: Callable) -> Callable:
    """--json: machine-readable output."""
    return click.option("--json", "as_json", is_flag=True, help="Print JSON.")(fn)


def db_path(db: str | None) -> Path:
    """The database path the user means."""
    return Path(db) if db else Settings.from_env().db_path


def open_store(db: str | None, must_exist: bool = True) -> Any:
    """Open the store at --db; a missing file is an error unless the command creates it."""
    from assistant.store import Store

    path = db_path(db)
    if must_exist and not path.exists():
        fail(f"No database at {path}. Run `crm init` (or `crm init --demo`) first, or pass --db.")
    return Store.open(path)


def plain(data: Any) -> Any:
    """Dataclasses (and lists of them) as JSON-ready dicts."""
    if is_dataclass(data) and not isinstance(data, type):
        return asdict(data)
    if isinstance(data, (list, tuple)):
        return [plain(d) for d in data]
    if isinstance(data, dict):
        return {k: plain(v) for k, v in data.items()}
    return data


def emit(data: Any, as_json: bool, table_columns: Sequence[str] | None = None) -> None:
    """Print data as JSON or as an aligned text table."""
    data = plain(data)
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))
        return
    if isinstance(data, list) and data and isinstance(data[0], dict):
        cols = list(table_columns or data[0].keys())
        rows = [["" if r.get(c) is None else str(r.get(c)) for c in cols] for r in data]
        widths = [max(_width(c), *(_width(r[i]) for r in rows)) for i, c in enumerate(cols)]
        click.echo("  ".join(_pad(c, w) for c, w in zip(cols, widths)))
        for r in rows:
            click.echo("  ".join(_pad(v, w) for v, w in zip(r, widths)))
    elif isinstance(data, dict):
        for k, v in data.items():
            click.echo(f"{k}: {v}")
    elif isinstance(data, list) and not data:
        click.echo("(none)")
    else:
        click.echo(str(data))


def _width(text: str) -> int:
    # CJK characters take two terminal columns.
    return sum(2 if "\u2e80" <= ch <= "\uffef" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def fail(message: str, code: int = 1) -> None:
    """Exit with a one-line error on stderr."""
    click.echo(f"Error: {message}", err=True)
    sys.exit(code)


class CrmGroup(click.Group):
    """A click group that turns CrmError (and a few OS errors) into one-line messages."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except CrmError as ex:
            fail(str(ex))
        except FileNotFoundError as ex:
            fail(f"File not found: {ex.filename}")
        except PermissionError as ex:
            fail(f"Permission denied: {ex.filename}")
        except KeyboardInterrupt:
            fail("Interrupted.", 130)
