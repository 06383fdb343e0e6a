"""Who may open the app: loopback without accounts is the single local owner; otherwise each
person signs in with their own account (`crm user add`), or CRM_AUTH=user:password creates the
first owner."""

from __future__ import annotations

import ipaddress
import logging
from contextvars import ContextVar
from typing import Any

from assistant.core.records import CrmError
from assistant.store.accounts import LOCK_MINUTES, MAX_FAILURES, Accounts, LoginLocked

log = logging.getLogger(__name__)

# Shown on the sign-in page (gradio's page says only "Incorrect credentials" on any refusal).
AUTH_MESSAGE = (f"CRM Assistant — sign in with your own account. After {MAX_FAILURES} wrong "
                f"passwords from one address, sign-in there is locked for {LOCK_MINUTES} minutes."
                f"<br>客户管理助手——请用自己的账号登录。同一地址连续 {MAX_FAILURES} 次密码错误后将锁定 "
                f"{LOCK_MINUTES} 分钟。")

# gradio calls the auth function with the name and password only; the address of the sign-in
# request travels here, set by ClientAddress for the duration of that request.
CLIENT_ADDRESS: ContextVar[str] = ContextVar("crm_client_address", default="unknown")


def is_loopback(host: str) -> bool:
    """True for 127.0.0.0/8, ::1 and localhost."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def auth_for(host: str, auth: str | None, has_accounts: bool = False) -> tuple[str, str] | None:
    """(user, password) from CRM_AUTH; a password or accounts are required beyond this machine."""
    if auth:
        user, sep, password = auth.partition(":")
        if not sep or not user or not password:
            raise CrmError("CRM_AUTH must look like user:password (both parts non-empty).")
        return user, password
    if not is_loopback(host) and not has_accounts:
        raise CrmError(
            f"Refusing to listen on {host} without a password: anyone on the network could read "
            "and change your customer data. Add an owner (`crm user add NAME --role owner`), set "
            "CRM_AUTH=user:password, or use --host 127.0.0.1."
            f" / 拒绝在 {host} 上无密码监听：请先添加店主账号（crm user add 名字 --role owner）、"
            "设置 CRM_AUTH=用户名:密码，或使用 --host 127.0.0.1。"
        )
    return None


class Login:
    """The sign-in check: the accounts, counting failures per client address."""

    def __init__(self, accounts: Accounts):
        self.accounts = accounts

    async def check(self, username: str, password: str) -> bool:
        """gradio's auth callable. Async, so the argon2 work runs in a worker thread instead of
        stalling the server's event loop for everyone while someone guesses passwords."""
        import anyio  # gradio's web server
        from fastapi import HTTPException

        address = CLIENT_ADDRESS.get()
        try:
            user = await anyio.to_thread.run_sync(self.accounts.verify, username, password,
                                                  address)
        except LoginLocked as ex:  # the page shows any 400 as "Incorrect credentials"
            raise HTTPException(status_code=400, detail=str(ex)) from None
        return user is not None


def login_for(host: str, auth: str | None, accounts: Accounts) -> Login | None:
    """The sign-in check the app launches with, or None for loopback without accounts.

    CRM_AUTH creates the first owner when there are no accounts yet; after that the accounts
    decide (`crm user passwd` changes a password, not CRM_AUTH).
    """
    parsed = auth_for(host, auth, accounts.exist())
    if parsed is not None:
        if accounts.ensure_first_owner(*parsed):
            log.info("Created the owner account %s from CRM_AUTH", parsed[0])
        elif accounts.get(parsed[0]) is None:
            log.warning("CRM_AUTH names %s, who has no account; accounts exist, so CRM_AUTH is "
                        "ignored (add one with `crm user add`)", parsed[0])
    return Login(accounts) if accounts.exist() else None


class ClientAddress:
    """ASGI middleware: the caller's address in CLIENT_ADDRESS while a sign-in is handled."""

    def __init__(self, app: Any):
        self.app = app

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope.get("type") != "http" or not scope.get("path", "").rstrip("/").endswith("/login"):
            await self.app(scope, receive, send)
            return
        client = scope.get("client") or ("unknown", 0)
        token = CLIENT_ADDRESS.set(str(client[0]))
        try:
            await self.app(scope, receive, send)
        finally:
            CLIENT_ADDRESS.reset(token)


def launch_options(login: Login | None) -> dict[str, Any]:
    """Blocks.launch() arguments for signing in: the auth check, its page text, the middleware."""
    if login is None:
        return {}
    from starlette.middleware import Middleware  # gradio's web server

    return {"auth": login.check, "auth_message": AUTH_MESSAGE,
            "app_kwargs": {"middleware": [Middleware(ClientAddress)]}}
