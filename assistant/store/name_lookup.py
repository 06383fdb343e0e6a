"""Customer search and name resolution (SQL prefilter, then pinyin-aware fuzzy scoring)."""

from __future__ import annotations

import re

from sqlite_utils import Database

from assistant.lang.names import compact, has_han, match_score, name_key

# Below this a fuzzy name match is a guess, not a match ("zhang wie" ~ "zhang wei" scores ~88).
FUZZY_MIN = 80.0


def _like(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _fuzzy(db: Database, query: str, limit: int) -> list[tuple[float, int]]:
    """(score, id) of customers whose name key is close to the query's, best first."""
    from rapidfuzz import fuzz, process

    key = name_key(query)
    if not key:
        return []
    rows = db.execute("SELECT id, name_key FROM customers").fetchall()
    if not rows:
        return []
    keys = [r[1] or "" for r in rows]
    # Compact keys catch spacing/typos; token_sort on spaced keys catches "Wei Zhang".
    hits = process.extract(compact(key), [compact(k) for k in keys], scorer=fuzz.ratio,
                           limit=limit * 4, score_cutoff=FUZZY_MIN - 10)
    scored = {}
    for _, _, idx in hits:
        scored[rows[idx][0]] = match_score(key, keys[idx])
    for _, _, idx in process.extract(key, keys, scorer=fuzz.token_sort_ratio, limit=limit,
                                     score_cutoff=FUZZY_MIN):
        scored[rows[idx][0]] = max(scored.get(rows[idx][0], 0), match_score(key, keys[idx]))
    ranked = sorted(((s, i) for i, s in scored.items() if s >= FUZZY_MIN), reverse=True)
    return ranked[:limit]


# Cantonese "陈生" / "陈太" are a surname and a title only when nothing else follows the surname.
_HONORIFIC = re.compile(r"^(老|小|阿)(?=[\u3400-\u9fff])|(?<=[\u3400-\u9fff])(先生|女士|小姐|太太|老师|老師|老板|老闆"
                        r"|师傅|師傅|阿姨|总|總|哥|姐|叔|姨)$|(?<=^[\u3400-\u9fff])(生|太)$"
                        r"|^(mr|mrs|ms|miss|mister|madam|dr|auntie|aunty|uncle)\.?\s+", re.IGNORECASE)


def strip_honorifics(text: str) -> str:
    """'老张' -> '张', '王先生' -> '王', '陈生' -> '陈', 'Mr. Smith' -> 'Smith'."""
    return _HONORIFIC.sub("", text).strip() or text


def _by_name_part(db: Database, text: str) -> list[int]:
    """Customers whose name contains every word of the query: a surname, a first name."""
    if has_han(text):
        escaped = text.replace("%", "\\%").replace("_", "\\_")
        rows = db.execute("SELECT id FROM customers WHERE name LIKE ? ESCAPE '\\'", [escaped + "%"]).fetchall()
        if not rows and len(text) == 2:
            # "晓东今天来店里…": owners call regulars by the given name alone (沈晓东, 金晓东 …)
            rows = db.execute("SELECT id FROM customers WHERE length(name) = 3 AND name LIKE ? ESCAPE '\\'",
                              ["_" + escaped]).fetchall()
        return [r[0] for r in rows]
    words = name_key(text).split()
    if not words:
        return []
    rows = db.execute(
        "SELECT id, name_key FROM customers WHERE ' ' || name_key || ' ' LIKE ?",
        [f"% {words[0]} %"]).fetchall()
    return [cid for cid, key in rows if set(words) <= set((key or "").split())]


def search(db: Database, query: str, limit: int = 20) -> list[int]:
    """Ids of customers matching the query on name, notes, tags, contact or external id."""
    query = (query or "").strip()
    if not query:
        return [r[0] for r in db.execute(
            "SELECT id FROM customers ORDER BY name COLLATE NOCASE LIMIT ?", [limit])]
    key = compact(name_key(query))
    like = _like(query)
    direct = db.execute(
        "SELECT id FROM customers WHERE name LIKE ? ESCAPE '\\' OR replace(name_key, ' ', '') LIKE ?"
        " ESCAPE '\\' OR notes LIKE ? ESCAPE '\\' OR tags LIKE ? ESCAPE '\\' OR phone LIKE ?"
        " ESCAPE '\\' OR email LIKE ? ESCAPE '\\' OR wechat LIKE ? ESCAPE '\\' OR external_id = ?"
        " OR city LIKE ? ESCAPE '\\' ORDER BY (replace(name_key, ' ', '') = ?) DESC, name LIMIT ?",
        [like, _like(key) if key else like, like, like, like, like, like, query, like, key, limit],
    ).fetchall()
    ids = [r[0] for r in direct]
    exact = key and db.execute("SELECT 1 FROM customers WHERE replace(name_key, ' ', '') = ?",
                               [key]).fetchone()
    # A name that matches exactly needs no fuzzy neighbours ("zhang wei" should not list 汤伟).
    for _, cid in ([] if exact else _fuzzy(db, query, limit)):
        if cid not in ids:
            ids.append(cid)
    return ids[:limit]


# "那个曹佳仪": a name pointed at in speech ("that 曹佳仪"), the name itself
_POINTED = re.compile(r"^(?:刚才|刚刚|就是)?(?:那个|这个|那位|这位|嗰个|呢个)")


def resolve(db: Database, name_or_id: str | int) -> list[int]:
    """Ids of the customers meant by an id, external id or name: one id, several, or none."""
    text = str(name_or_id).strip()
    if not text:
        return []
    if text.isdigit():
        found = db.execute("SELECT id FROM customers WHERE id = ?", [int(text)]).fetchall()
        if found:
            return [found[0][0]]
    found = db.execute("SELECT id FROM customers WHERE external_id = ?", [text]).fetchall()
    if found:
        return [found[0][0]]
    exact = db.execute("SELECT id FROM customers WHERE name = ? COLLATE NOCASE", [text]).fetchall()
    if exact:
        return [r[0] for r in exact]
    named = _POINTED.sub("", text)
    text = strip_honorifics(named if len(named) >= 2 else text)
    key = compact(name_key(text))
    same_sound = db.execute(
        "SELECT id, name FROM customers WHERE replace(name_key, ' ', '') = ?", [key]
    ).fetchall()
    if same_sound:
        # 张伟 typed in 汉字 should not be ambiguous with a 章伟 that only sounds the same.
        if has_han(text):
            written = [r[0] for r in same_sound if r[1] == text]
            if written:
                return written
        return [r[0] for r in same_sound]
    partial = _by_name_part(db, text)
    if partial or has_han(text):
        # A name typed in 汉字 that sounds different is someone else: 李小龙 is not 黎晓东, though
        # their pinyin differs by one letter. Homophone slips were caught by the sound above.
        return partial
    ranked = _fuzzy(db, text, 10)
    if not ranked:
        return []
    best = ranked[0][0]
    return [cid for score, cid in ranked if score >= best - 3]
