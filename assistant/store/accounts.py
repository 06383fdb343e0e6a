"""Staff accounts: who may sign in, with which role, and how often an address got it wrong.

Passwords are kept as argon2id hashes (argon2-cffi). Failed sign-ins are counted per address in
SQLite, not in memory, so restarting the app does not clear a lock, and every process on the
file sees the same count.
"""

from __future__ import annotations

import sqlite3
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.core.records import CrmError, InvalidInput, NotFound
from assistant.store.audit import terms

if TYPE_CHECKING:
    from assistant.store.database import Store

ROLES = ("owner", "staff")
MAX_FAILURES = 5  # wrong passwords from one address before sign-in is locked there
LOCK_MINUTES = 5
FORGET_MINUTES = 15  # failures older than this no longer count
MIN_PASSWORD = 8
# actors the store already writes as: the command line ("user") and the demo shop
_RESERVED = {"user", "demo"}

# What only an owner may do, in words for the refusal: (en, zh).
OWNER_ONLY: dict[str, tuple[str, str]] = {
    "settings": ("change settings", "修改设置"),
    "policy": ("change the offer policy", "修改优惠政策"),
    "import": ("import files", "导入文件"),
    "export": ("export whole tables", "导出整张表"),
    "backup": ("run a backup or restore", "备份或恢复数据"),
    "users": ("manage accounts", "管理账号"),
    "undo_others": ("undo someone else's action", "撤销别人的操作"),
    "campaigns": ("approve or send a campaign", "批准或发送营销活动"),
}


@dataclass(frozen=True)
class User:
    """A signed-in person and their role."""

    name: str
    role: str

    @property
    def is_owner(self) -> bool:
        return self.role == "owner"


# Who uses the app when it has no accounts (loopback, as before accounts existed), and the CLI.
LOCAL_OWNER = User("owner", "owner")


class NotPermitted(CrmError):
    """The signed-in user's role does not allow this."""


class LoginLocked(CrmError):
    """Too many wrong passwords from one address."""


def require(user: User, permission: str) -> None:
    """Raise NotPermitted unless `user` may do `permission` (a key of OWNER_ONLY)."""
    en, zh = OWNER_ONLY[permission]
    if not user.is_owner:
        raise NotPermitted(f"Only an owner may {en}; {user.name} is signed in as staff. "
                           f"/ 只有店主可以{zh}；{user.name} 是店员账号。")


def accounts_exist(path: str | Path) -> bool:
    """True if the database file at `path` holds any account (read-only: no migration, no lock)."""
    path = Path(path)
    if not path.is_file():
        return False
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error:
        return False
    try:
        return conn.execute("SELECT 1 FROM users LIMIT 1").fetchone() is not None
    except sqlite3.Error:  # an older file without the users table, or not a database
        return False
    finally:
        conn.close()


def _now() -> datetime:
    return datetime.now(UTC)


def _iso(moment: datetime) -> str:
    return moment.replace(microsecond=0).isoformat()


class Accounts:
    """The users table and the sign-in check over one Store."""

    def __init__(self, store: Store, clock: Callable[[], datetime] = _now, hasher: Any = None):
        from argon2 import PasswordHasher

        self.store = store
        self._clock = clock
        self._hasher = hasher or PasswordHasher()
        self._decoy: str | None = None

    # -- reads ---------------------------------------------------------------------------

    def _query(self, sql: str, params: list | tuple = ()) -> list[tuple]:
        with self.store._lock:  # the store's one connection is shared by every thread
            return self.store.db.execute(sql, params).fetchall()

    def exist(self) -> bool:
        """True once any account has been added."""
        return bool(self._query("SELECT 1 FROM users LIMIT 1"))

    def get(self, name: str | None) -> User | None:
        """The account called `name` (any letter case), or None."""
        rows = self._query("SELECT name, role FROM users WHERE name = ?", [(name or "").strip()])
        return User(*rows[0]) if rows else None

    def list(self) -> list[dict]:
        """Every account: name, role, created_at, updated_at (never the hash)."""
        rows = self._query("SELECT name, role, created_at, updated_at FROM users"
                           " ORDER BY role, name COLLATE NOCASE")
        return [dict(zip(("name", "role", "created_at", "updated_at"), r)) for r in rows]

    def owners(self) -> int:
        """How many owner accounts there are."""
        return int(self._query("SELECT count(*) FROM users WHERE role = 'owner'")[0][0])

    # -- changes (audited, never undone: the log keeps no password hash) -----------------------

    def add(self, name: str, role: str, password: str, actor: str = LOCAL_OWNER.name) -> User:
        """Add an account; the first one must be an owner."""
        name = _valid_name(name)
        if role not in ROLES:
            raise InvalidInput(f"Role must be owner or staff, not {role!r}. / 角色只能是 owner 或 staff。")
        digest = self._hasher.hash(_valid_password(password))
        stamp = _iso(self._clock())
        with terms(via="accounts"), self.store.action(f"add account {name} ({role})", actor) as act:
            if self.get(name) is not None:
                raise InvalidInput(f"There is already an account called {name}; change its "
                                   f"password with `crm user passwd {name}`. / 已有账号 {name}。")
            if role != "owner" and not self.exist():
                raise InvalidInput("The first account must be an owner: add one with --role "
                                   "owner. / 第一个账号必须是店主（--role owner）。")
            act.conn.execute("INSERT INTO users (name, role, password_hash, created_at, updated_at)"
                             " VALUES (?, ?, ?, ?, ?)", (name, role, digest, stamp, stamp))
            act._audit("account", "users", None, None, {"name": name, "role": role,
                                                          "event": "add"})
        return User(name, role)

    def set_password(self, name: str, password: str, actor: str = LOCAL_OWNER.name) -> None:
        """Give an account a new password."""
        user = self.existing(name)
        digest = self._hasher.hash(_valid_password(password))
        with terms(via="accounts"), self.store.action(f"new password for {user.name}",
                                                      actor) as act:
            act.conn.execute("UPDATE users SET password_hash = ?, updated_at = ? WHERE name = ?",
                             (digest, _iso(self._clock()), user.name))
            act._audit("account", "users", None, None, {"name": user.name, "event": "passwd"})

    def remove(self, name: str, actor: str = LOCAL_OWNER.name) -> None:
        """Remove an account; the last owner cannot be removed."""
        user = self.existing(name)
        with terms(via="accounts"), self.store.action(f"remove account {user.name}",
                                                      actor) as act:
            if user.is_owner and self.owners() <= 1:
                raise InvalidInput(f"{user.name} is the last owner: add another owner first. "
                                   f"/ {user.name} 是最后一个店主账号，请先添加另一个店主。")
            act.conn.execute("DELETE FROM users WHERE name = ?", (user.name,))
            act._audit("account", "users", None, None, {"name": user.name, "role": user.role,
                                                          "event": "remove"})

    def ensure_first_owner(self, name: str, password: str) -> bool:
        """Create the owner from CRM_AUTH when there are no accounts yet; True if created."""
        if self.exist():
            return False
        self.add(name, "owner", password, actor="CRM_AUTH")
        return True

    def existing(self, name: str) -> User:
        """The account called `name`; NotFound if there is none."""
        user = self.get(name)
        if user is None:
            raise NotFound(f"No account called {name!r}; `crm user list` shows them. "
                           f"/ 没有叫 {name} 的账号。")
        return user

    # -- signing in ----------------------------------------------------------------------

    def verify(self, name: str, password: str, address: str = "unknown") -> User | None:
        """The account if the password is right; None if not. Raises LoginLocked when `address`
        got it wrong MAX_FAILURES times in a row (then for LOCK_MINUTES)."""
        now = self._clock()
        self._refuse_if_locked(address, now)
        rows = self._query("SELECT name, role, password_hash FROM users WHERE name = ?",
                           [(name or "").strip()])
        digest = rows[0][2] if rows else self._decoy_hash()
        ok = self._matches(digest, password or "") and bool(rows)  # same work for unknown names
        if ok:
            with self.store.write_transaction():
                self.store.db.execute("DELETE FROM login_failures WHERE address = ?", [address])
            self._rehash_if_needed(rows[0][0], digest, password)
            return User(rows[0][0], rows[0][1])
        self._count_failure(address, now)
        return None

    def _matches(self, digest: str, password: str) -> bool:
        from argon2.exceptions import InvalidHashError, VerificationError

        try:
            return bool(self._hasher.verify(digest, password))
        except (VerificationError, InvalidHashError):
            return False

    def _decoy_hash(self) -> str:
        if self._decoy is None:
            self._decoy = self._hasher.hash("no such account")
        return self._decoy

    def _rehash_if_needed(self, name: str, digest: str, password: str) -> None:
        if self._hasher.check_needs_rehash(digest):  # argon2's recommended cost went up
            with self.store.write_transaction():
                self.store.db.execute("UPDATE users SET password_hash = ? WHERE name = ?",
                                      [self._hasher.hash(password), name])

    def _refuse_if_locked(self, address: str, now: datetime) -> None:
        rows = self._query("SELECT locked_until FROM login_failures WHERE address = ?", [address])
        until = rows[0][0] if rows else None
        if until and now < datetime.fromisoformat(until):
            left = max(1, round((datetime.fromisoformat(until) - now).total_seconds() / 60))
            raise LoginLocked(
                f"Too many wrong passwords from this address: sign-in is locked for {left} more "
                f"minute(s). / 此地址密码错误次数过多，登录已锁定，请 {left} 分钟后再试。")

    def _count_failure(self, address: str, now: datetime) -> None:
        forget = _iso(now - timedelta(minutes=FORGET_MINUTES))
        with self.store.write_transaction():
            db = self.store.db
            row = db.execute("SELECT failures, last_failed_at, locked_until FROM login_failures"
                             " WHERE address = ?", [address]).fetchone()
            stale = row is None or row[2] is not None or row[1] < forget  # lock over, or old
            failures = 1 if stale else row[0] + 1
            locked = _iso(now + timedelta(minutes=LOCK_MINUTES)) if failures >= MAX_FAILURES \
                else None
            db.execute("INSERT OR REPLACE INTO login_failures (address, failures, last_failed_at,"
                       " locked_until) VALUES (?, ?, ?, ?)", [address, failures, _iso(now), locked])
        if locked:
            self._refuse_if_locked(address, now)


def _valid_name(name: str) -> str:
    name = unicodedata.normalize("NFC", (name or "").strip())
    if not name or len(name) > 40:
        raise InvalidInput("An account name needs 1 to 40 characters. / 账号名需要 1 到 40 个字符。")
    if any(ch in name for ch in ":/\\") or any(unicodedata.category(ch)[0] == "C" for ch in name):
        raise InvalidInput(f"An account name cannot contain ':', '/', '\\' or control characters: "
                           f"{name!r}. / 账号名不能包含 : / \\ 或控制字符。")
    if name.lower() in _RESERVED:
        raise InvalidInput(f"{name!r} is reserved; pick another account name. / {name} 是保留名，请换一个。")
    return name


def _valid_password(password: str) -> str:
    if len(password or "") < MIN_PASSWORD or not (password or "").strip():
        raise InvalidInput(f"A password needs at least {MIN_PASSWORD} characters. "
                           f"/ 密码至少需要 {MIN_PASSWORD} 个字符。")
    return password
