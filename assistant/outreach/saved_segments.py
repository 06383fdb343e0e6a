"""Saved segments: a name, the owner's words and the filter; their customers are found again
each time they are used, so a saved segment never goes stale."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from assistant.core.records import InvalidInput, NotFound
from assistant.outreach.segments import SegmentFilter
from assistant.store.audit import now_iso


@dataclass(frozen=True)
class SavedSegment:
    """A named segment: the words and the filter; its customers are found again each time."""

    id: int
    name: str
    text: str
    filter: SegmentFilter = field(default_factory=SegmentFilter)
    created_by: str = "user"
    created_at: str = ""


def save_segment(store, name: str, text: str, flt: SegmentFilter,
                 actor: str = "user") -> SavedSegment:
    """Save (or replace) a named segment as one audited, undoable action."""
    name = (name or "").strip()
    if not name:
        raise InvalidInput("A saved segment needs a name, e.g. --save 'quiet regulars'.")
    row = {"name": name, "text": (text or "").strip(), "filter": flt.to_json(),
           "created_by": actor, "created_at": now_iso()}
    found = _segment_row(store, name)
    with store.action(f"save segment {name}", actor) as act:
        if found is None:
            act.insert("segments", row)
        else:
            act.update("segments", int(found["id"]), row)
    return get_segment(store, name)


def get_segment(store, name: str) -> SavedSegment:
    """One saved segment by name (case-insensitive)."""
    row = _segment_row(store, name)
    if row is None:
        known = ", ".join(s.name for s in list_segments(store)[:10]) or "none saved yet"
        raise NotFound(f"No saved segment named {name!r} (saved: {known}).")
    return _saved(row)


def find_saved(store, name: str) -> SavedSegment | None:
    """The saved segment of that name, or None."""
    row = _segment_row(store, name)
    return None if row is None else _saved(row)


def list_segments(store) -> list[SavedSegment]:
    """Every saved segment, by name."""
    with store._lock:
        rows = list(store.db.query("SELECT * FROM segments ORDER BY name COLLATE NOCASE"))
    return [_saved(r) for r in rows]


def delete_segment(store, name: str, actor: str = "user") -> None:
    """Delete a saved segment (undoable)."""
    saved = get_segment(store, name)
    with store.action(f"delete segment {saved.name}", actor) as act:
        act.delete("segments", saved.id)


def _segment_row(store, name: str) -> dict | None:
    with store._lock:
        rows = list(store.db.query("SELECT * FROM segments WHERE name = ? COLLATE NOCASE",
                                   [(name or "").strip()]))
    return rows[0] if rows else None


def _saved(row: dict) -> SavedSegment:
    return SavedSegment(int(row["id"]), row["name"], row["text"] or "",
                        SegmentFilter.from_dict(json.loads(row["filter"] or "{}")),
                        row["created_by"] or "user", row["created_at"] or "")
