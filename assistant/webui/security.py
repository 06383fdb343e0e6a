"""Who may open the app: loopback is trusted; anything else needs CRM_AUTH=user:password."""

from __future__ import annotations

import ipaddress

from assistant.core.records import CrmError


def is_loopback(host: str) -> bool:
    """True for 127.0.0.0/8, ::1 and localhost."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def auth_for(host: str, auth: str | None) -> tuple[str, str] | None:
    """(user, password) from CRM_AUTH; required when listening beyond this machine."""
    if auth:
        user, sep, password = auth.partition(":")
        if not sep or not user or not password:
            raise CrmError("CRM_AUTH must look like user:password (both parts non-empty).")
        return user, password
    if not is_loopback(host):
        raise CrmError(
            f"Refusing to listen on {host} without a password: anyone on the network could read "
            "and change your customer data. Set CRM_AUTH=user:password, or use --host 127.0.0.1."
            f" / 拒绝在 {host} 上无密码监听：请设置 CRM_AUTH=用户名:密码，或使用 --host 127.0.0.1。"
        )
    return None
