"""Plain records passed between the store, the tools and the UI, and the CrmError hierarchy."""

from __future__ import annotations

from dataclasses import dataclass, field


class CrmError(Exception):
    """An expected failure; the message says what to do next."""


class NotFound(CrmError):
    """No row matches."""


class Ambiguous(CrmError):
    """Several customers match a name; the caller must pick one."""

    def __init__(self, message: str, candidates: list[Customer]):
        super().__init__(message)
        self.candidates = candidates


class InvalidInput(CrmError):
    """A value failed validation (bad date, negative quantity, ...)."""


class ImportFailed(CrmError):
    """An import was rejected as a whole; `errors` lists (row number, reason)."""

    def __init__(self, message: str, errors: list[tuple[int, str]]):
        super().__init__(message)
        self.errors = errors


class NothingToUndo(CrmError):
    """The audit log holds no action that can still be undone."""


@dataclass(frozen=True)
class Customer:
    id: int
    name: str
    external_id: str | None = None
    phone: str | None = None
    email: str | None = None
    wechat: str | None = None
    city: str | None = None
    tags: str | None = None
    notes: str | None = None
    created_at: str | None = None
    birthday: str | None = None  # YYYY-MM-DD, or MM-DD when the year is not known


@dataclass(frozen=True)
class Order:
    id: int
    customer_id: int
    date: str
    amount: float
    quantity: float = 1
    product: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class Interaction:
    id: int
    customer_id: int
    date: str
    channel: str
    summary: str
    sentiment: float | None = None
    created_at: str | None = None


@dataclass(frozen=True)
class Complaint:
    id: int
    customer_id: int
    date: str
    text: str
    category: str | None = None
    sentiment: float | None = None
    severity: str | None = None
    fault: str | None = None
    status: str = "open"
    reply_draft: str | None = None
    reply_sent: str | None = None
    resolved_at: str | None = None
    language: str | None = None
    label_source: str | None = None
    fault_clue: str | None = None


@dataclass(frozen=True)
class Task:
    id: int
    customer_id: int | None
    due_date: str | None
    title: str
    status: str = "open"


@dataclass(frozen=True)
class Passage:
    """One knowledge-base passage in one language; `source` is the file it came from."""

    id: str
    lang: str
    title: str
    text: str
    source: str
    stage: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    score: float = 0.0


@dataclass(frozen=True)
class Write:
    """One proposed write: table, op (insert / update), row id for updates, and values."""

    table: str
    op: str
    values: dict = field(default_factory=dict)
    row_id: int | None = None
    summary: str = ""


@dataclass(frozen=True)
class Plan:
    """Writes a tool proposes; nothing is written until the owner confirms."""

    writes: tuple[Write, ...]
    summary: tuple[str, ...]
    customer_id: int | None = None
