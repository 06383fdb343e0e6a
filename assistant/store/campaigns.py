"""The reads behind campaigns: members, outreach, contacts, and what customers did afterwards.

Writes go through Store.action() (one audited, undoable action each); these are the SELECTs.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from assistant.store.database import Store

CHUNK = 900  # SQLite's cap on bound parameters, with room to spare


def _rows(store: Store, sql: str, params: Iterable[Any] = ()) -> list[dict]:
    with store._lock:
        cur = store.db.execute(sql, list(params))
        names = [d[0] for d in cur.description]
        return [dict(zip(names, row)) for row in cur.fetchall()]


def _chunks(ids: Iterable[int]) -> Iterator[list[int]]:
    wanted = [int(i) for i in ids]
    for start in range(0, len(wanted), CHUNK):
        yield wanted[start:start + CHUNK]


def campaign(store: Store, campaign_id: int) -> dict | None:
    """One campaigns row, or None."""
    rows = _rows(store, "SELECT * FROM campaigns WHERE id = ?", [int(campaign_id)])
    return rows[0] if rows else None


def campaigns(store: Store, limit: int = 50, goal: str | None = None,
              status: str | None = None) -> list[dict]:
    """Campaigns, newest first, optionally of one goal or status."""
    sql, params = "SELECT * FROM campaigns WHERE 1 = 1", []
    if goal:
        sql += " AND goal = ?"
        params.append(goal)
    if status:
        sql += " AND status = ?"
        params.append(status)
    return _rows(store, sql + " ORDER BY id DESC LIMIT ?", [*params, int(limit)])


def members(store: Store, campaign_id: int, arm: str | None = None, dropped: bool | None = None,
            offset: int = 0, limit: int | None = None) -> list[dict]:
    """A campaign's members (with each customer's name), by member id."""
    sql = ("SELECT m.*, c.name, c.external_id FROM campaign_members m"
           " JOIN customers c ON c.id = m.customer_id WHERE m.campaign_id = ?")
    params: list[Any] = [int(campaign_id)]
    if arm:
        sql += " AND m.arm = ?"
        params.append(arm)
    if dropped is not None:
        sql += " AND m.dropped = ?"
        params.append(int(dropped))
    sql += " ORDER BY m.id"
    if limit is not None:
        sql += " LIMIT ? OFFSET ?"
        params += [int(limit), int(offset)]
    return _rows(store, sql, params)


def member(store: Store, campaign_id: int, customer_id: int) -> dict | None:
    """One customer's membership of a campaign, or None."""
    rows = _rows(store, "SELECT m.*, c.name FROM campaign_members m JOIN customers c"
                        " ON c.id = m.customer_id WHERE m.campaign_id = ? AND m.customer_id = ?",
                 [int(campaign_id), int(customer_id)])
    return rows[0] if rows else None


def arm_counts(store: Store, campaign_id: int) -> dict[str, int]:
    """{contacted, holdout, skipped, dropped}: how many members of each kind."""
    out = {"contacted": 0, "holdout": 0, "skipped": 0, "dropped": 0}
    for row in _rows(store, "SELECT arm, count(*) AS n, sum(dropped) AS d FROM campaign_members"
                            " WHERE campaign_id = ? GROUP BY arm", [int(campaign_id)]):
        out[row["arm"]] = int(row["n"])
        if row["arm"] == "contacted":
            out["dropped"] = int(row["d"] or 0)
    return out


def skip_counts(store: Store, campaign_id: int) -> dict[str, int]:
    """{reason: count} of the members left out before the draw."""
    return {r["skip_reason"]: int(r["n"]) for r in _rows(
        store, "SELECT skip_reason, count(*) AS n FROM campaign_members WHERE campaign_id = ?"
               " AND arm = 'skipped' GROUP BY skip_reason", [int(campaign_id)])}


def outreach(store: Store, campaign_id: int, statuses: tuple[str, ...] | None = None) -> list[dict]:
    """A campaign's outreach rows (with names), by id; only those of the given statuses."""
    sql = ("SELECT o.*, c.name, c.external_id FROM outreach o JOIN customers c"
           " ON c.id = o.customer_id WHERE o.campaign_id = ?")
    params: list[Any] = [int(campaign_id)]
    if statuses:
        sql += f" AND o.status IN ({', '.join('?' for _ in statuses)})"
        params += list(statuses)
    return _rows(store, sql + " ORDER BY o.id", params)


def outreach_counts(store: Store, campaign_id: int) -> dict[str, int]:
    """{status: count} of a campaign's outreach rows."""
    return {r["status"]: int(r["n"]) for r in _rows(
        store, "SELECT status, count(*) AS n FROM outreach WHERE campaign_id = ? GROUP BY status",
        [int(campaign_id)])}


def contacts(store: Store, ids: Iterable[int]) -> dict[int, dict]:
    """id -> name, external id, phone, email, wechat, consent and referral code."""
    out: dict[int, dict] = {}
    for chunk in _chunks(ids):
        for row in _rows(store, "SELECT id, name, external_id, phone, email, wechat,"
                                " coalesce(marketing_consent, 'unknown') AS consent, referral_code"
                                f" FROM customers WHERE id IN ({','.join('?' * len(chunk))})",
                         chunk):
            out[int(row["id"])] = row
    return out


def usual_products(store: Store, ids: Iterable[int]) -> dict[int, str]:
    """id -> the product the customer ordered most often (ties: the most recent)."""
    out: dict[int, str] = {}
    for chunk in _chunks(ids):
        rows = _rows(store, "SELECT customer_id, product, count(*) AS n, max(date) AS last"
                            " FROM orders WHERE product IS NOT NULL AND product != ''"
                            f" AND amount >= 0 AND customer_id IN ({','.join('?' * len(chunk))})"
                            " GROUP BY customer_id, product", chunk)
        best: dict[int, tuple] = {}
        for r in rows:
            key = (r["n"], r["last"] or "")
            if r["customer_id"] not in best or key > best[r["customer_id"]][0]:
                best[r["customer_id"]] = (key, r["product"])
        out.update({cid: product for cid, (_, product) in best.items()})
    return out


def complaint_languages(store: Store, ids: Iterable[int]) -> dict[int, str]:
    """id -> the language of the customer's latest complaint (their own words), where known."""
    out: dict[int, str] = {}
    for chunk in _chunks(ids):
        for row in _rows(store, "SELECT customer_id, language FROM complaints WHERE language IN"
                                f" ('zh', 'en') AND customer_id IN ({','.join('?' * len(chunk))})"
                                " ORDER BY date, id", chunk):
            out[int(row["customer_id"])] = row["language"]
    return out


def orders_between(store: Store, ids: Iterable[int], start: str, end: str) -> list[dict]:
    """Purchases (amount > 0) of these customers dated start <= date < end, by date."""
    out: list[dict] = []
    for chunk in _chunks(ids):
        out += _rows(store, "SELECT id, customer_id, substr(date, 1, 10) AS day, amount,"
                            " referral_code, referred_by FROM orders WHERE amount > 0"
                            " AND substr(date, 1, 10) >= ? AND substr(date, 1, 10) < ?"
                            f" AND customer_id IN ({','.join('?' * len(chunk))})",
                     [start, end, *chunk])
    return sorted(out, key=lambda r: (r["day"], r["id"]))


def referred_orders(store: Store, referrers: dict[int, str | None], start: str,
                    end: str) -> list[dict]:
    """Orders dated start <= date < end credited to one of `referrers` ({id: their code}):
    marked referred_by them, or quoting their code; never a referrer's own order."""
    codes = {code.upper(): cid for cid, code in referrers.items() if code}
    rows = _rows(store, "SELECT id, customer_id, substr(date, 1, 10) AS day, amount,"
                        " referral_code, referred_by FROM orders WHERE amount > 0"
                        " AND (referred_by IS NOT NULL OR referral_code IS NOT NULL)"
                        " AND substr(date, 1, 10) >= ? AND substr(date, 1, 10) < ?", [start, end])
    out = []
    for r in rows:
        by = r["referred_by"] if r["referred_by"] in referrers else \
            codes.get((r["referral_code"] or "").strip().upper())
        if by is not None and by != r["customer_id"]:
            out.append({**r, "referrer": by})
    return out


def replies_between(store: Store, ids: Iterable[int], start: str, end: str) -> int:
    """Interactions logged with these customers dated start <= date < end, other than the
    campaign messages themselves (any campaign's)."""
    n = 0
    for chunk in _chunks(ids):
        n += _rows(store, "SELECT count(*) AS n FROM interactions WHERE substr(date, 1, 10) >= ?"
                          " AND substr(date, 1, 10) < ?"
                          f" AND customer_id IN ({','.join('?' * len(chunk))})"
                          " AND id NOT IN (SELECT interaction_id FROM outreach"
                          " WHERE interaction_id IS NOT NULL)", [start, end, *chunk])[0]["n"]
    return n


def referral_codes(store: Store) -> set[str]:
    """Every referral code already given out."""
    return {r["referral_code"] for r in _rows(
        store, "SELECT referral_code FROM customers WHERE referral_code IS NOT NULL")}


def customer_by_code(store: Store, code: str) -> int | None:
    """The customer who owns a referral code (any case), or None."""
    rows = _rows(store, "SELECT id FROM customers WHERE referral_code = ?",
                 [(code or "").strip().upper()])
    return int(rows[0]["id"]) if rows else None


def latest_order(store: Store, customer_id: int) -> dict | None:
    """A customer's most recent purchase, or None."""
    rows = _rows(store, "SELECT id, date, amount, product, referral_code, referred_by FROM orders"
                        " WHERE customer_id = ? AND amount > 0 ORDER BY date DESC, id DESC"
                        " LIMIT 1", [int(customer_id)])
    return rows[0] if rows else None
