"""Mail through the shop's own SMTP server: settings from CRM_SMTP_*, one connection per batch.

Nothing here decides what to send or to whom; callers (campaigns, the daily briefing) do. What
this module guarantees is the answer to "did it go?": `send` returns only when the server took
the message, and every way it can fail is a CrmError that says what to do.
"""

from __future__ import annotations

import os
import re
import smtplib
import socket
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formataddr, make_msgid, parseaddr
from typing import Self

from assistant.core.records import CrmError

TLS_MODES = ("starttls", "ssl", "none")
DEFAULT_PORTS = {"starttls": 587, "ssl": 465, "none": 25}
_ADDRESS = re.compile(r"^[^@\s,;<>\"]+@[^@\s,;<>\"]+\.[^@\s,;<>\"]+$")


class MailError(CrmError):
    """Mail could not be sent; the message says why and what to do."""


class MailRefused(MailError):
    """The server refused this one message (a bad address, a rejected sender); others may go."""


class MailUnavailable(MailError):
    """The server cannot be reached or refused the session: nothing more goes until it is back."""


def _t(lang: str, en: str, zh: str) -> str:
    return zh if lang == "zh" else en


@dataclass(frozen=True)
class SmtpSettings:
    """Where and how to hand mail over: host, port, login, sender address and TLS mode."""

    host: str
    port: int
    sender: str
    user: str | None = None
    password: str | None = None
    tls: str = "starttls"
    timeout: float = 20.0

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> SmtpSettings | None:
        """CRM_SMTP_HOST, _PORT, _USER, _PASSWORD, _FROM, _TLS; None when no host is set."""
        env = os.environ if environ is None else environ
        host = (env.get("CRM_SMTP_HOST") or "").strip()
        if not host:
            return None
        tls = (env.get("CRM_SMTP_TLS") or "starttls").strip().lower()
        if tls not in TLS_MODES:
            raise CrmError(f"CRM_SMTP_TLS is {tls!r}; set it to starttls, ssl or none.")
        raw_port = (env.get("CRM_SMTP_PORT") or "").strip()
        try:
            port = int(raw_port) if raw_port else DEFAULT_PORTS[tls]
        except ValueError:
            port = 0
        if not 0 < port < 65536:
            raise CrmError(f"CRM_SMTP_PORT is {raw_port!r}; set a port number such as 587.")
        user = (env.get("CRM_SMTP_USER") or "").strip() or None
        sender = (env.get("CRM_SMTP_FROM") or "").strip() or (user if user and "@" in user else "")
        if not valid_address(parseaddr(sender)[1]):
            raise CrmError("CRM_SMTP_FROM is missing or not an address; set it to the shop's "
                           "sending address, e.g. CRM_SMTP_FROM='Bean Shop <hello@example.com>'.")
        return cls(host=host, port=port, sender=sender, user=user,
                   password=env.get("CRM_SMTP_PASSWORD") or None, tls=tls)

    def describe(self) -> str:
        """host:port (tls), for messages; never the password."""
        return f"{self.host}:{self.port} ({self.tls})"


def valid_address(address: str | None) -> bool:
    """One plain address (no display name, no list, no line break)."""
    return bool(address) and bool(_ADDRESS.match(str(address).strip()))


def build_message(settings: SmtpSettings, to: str, subject: str, body: str) -> EmailMessage:
    """A UTF-8 text message (Chinese included) with a fresh Message-ID."""
    msg = EmailMessage()
    name, addr = parseaddr(settings.sender)
    msg["From"] = formataddr((name, addr)) if name else addr
    msg["To"] = to.strip()
    # a header may not carry a line break: an owner's subject is folded to one line
    msg["Subject"] = " ".join(str(subject or "").split())
    msg["Message-ID"] = make_msgid(domain=addr.rsplit("@", 1)[-1])
    msg.set_content(body or "", charset="utf-8")
    return msg


class Mailer:
    """One SMTP session for a batch: `with Mailer(settings) as m: m.send(to, subject, body)`."""

    def __init__(self, settings: SmtpSettings, lang: str = "en"):
        self.settings = settings
        self.lang = lang
        self._smtp: smtplib.SMTP | None = None

    def __enter__(self) -> Self:
        self.open()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _down(self, why: object) -> MailUnavailable:
        where = self.settings.describe()
        return MailUnavailable(_t(
            self.lang,
            f"Cannot send mail through {where}: {why}. Nothing more was sent; check CRM_SMTP_* "
            "or try again later.",
            f"无法通过 {where} 发送邮件：{why}。其余邮件没有发出；请检查 CRM_SMTP_* 设置或稍后重试。"))

    def open(self) -> None:
        """Connect, secure and log in; MailUnavailable if any step fails."""
        s = self.settings
        try:
            if s.tls == "ssl":
                smtp: smtplib.SMTP = smtplib.SMTP_SSL(s.host, s.port, timeout=s.timeout,
                                                      context=ssl.create_default_context())
            else:
                smtp = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
            self._smtp = smtp
            smtp.ehlo()
            if s.tls == "starttls":
                if not smtp.has_extn("starttls"):
                    raise self._down(_t(self.lang,
                                        "the server does not offer STARTTLS (use CRM_SMTP_TLS=ssl, "
                                        "or none only for a server on this machine)",
                                        "服务器不支持 STARTTLS（可设 CRM_SMTP_TLS=ssl；仅本机服务器可设 none）"))
                smtp.starttls(context=ssl.create_default_context())
                smtp.ehlo()
            if s.user:
                smtp.login(s.user, s.password or "")
        except MailUnavailable:
            self.close()
            raise
        except smtplib.SMTPAuthenticationError as ex:
            self.close()
            raise self._down(_t(self.lang, "the server rejected CRM_SMTP_USER / CRM_SMTP_PASSWORD",
                                "服务器拒绝了 CRM_SMTP_USER / CRM_SMTP_PASSWORD")
                             + f" ({ex.smtp_code})") from ex
        except smtplib.SMTPNotSupportedError as ex:
            self.close()
            raise self._down(_t(self.lang, "the server does not support logging in here",
                                "服务器不支持在此登录") + f" ({ex})") from ex
        except (OSError, smtplib.SMTPException, ssl.SSLError) as ex:
            self.close()
            raise self._down(_reason(ex)) from ex

    def send(self, to: str, subject: str, body: str) -> str:
        """Hand one message to the server; returns its Message-ID once the server accepted it."""
        if not valid_address(to):
            raise MailRefused(_t(self.lang, f"{to!r} is not an email address; fix it and retry.",
                                 f"“{to}”不是有效的邮箱地址，请改正后重试。"))
        if self._smtp is None:
            self.open()
        msg = build_message(self.settings, to, subject, body)
        try:
            refused = self._smtp.send_message(msg)  # type: ignore[union-attr]
        except smtplib.SMTPRecipientsRefused as ex:
            codes = _codes(ex.recipients)
            raise MailRefused(_t(self.lang, f"The mail server refused {to}: {codes}.",
                                 f"邮件服务器拒收 {to}：{codes}。")) from ex
        except smtplib.SMTPSenderRefused as ex:  # CRM_SMTP_FROM refused: no message can go
            self.close()
            raise self._down(f"{ex.smtp_code} {_decode(ex.smtp_error)} (CRM_SMTP_FROM)") from ex
        except smtplib.SMTPDataError as ex:
            code, text = ex.smtp_code, _decode(ex.smtp_error)
            if 400 <= int(code) < 500:  # a temporary refusal: the whole batch waits
                self.close()
                raise self._down(f"{code} {text}") from ex
            raise MailRefused(_t(self.lang, f"The mail server refused the message to {to}: "
                                 f"{code} {text}.", f"邮件服务器拒收发给 {to} 的邮件：{code} {text}。")) from ex
        except (OSError, smtplib.SMTPException) as ex:
            self.close()
            raise self._down(_reason(ex)) from ex
        if refused:
            raise MailRefused(_t(self.lang, f"The mail server refused {to}: {_codes(refused)}.",
                                 f"邮件服务器拒收 {to}：{_codes(refused)}。"))
        return str(msg["Message-ID"])

    def close(self) -> None:
        """End the session (quietly: the server may already be gone)."""
        smtp, self._smtp = self._smtp, None
        if smtp is None:
            return
        try:
            smtp.quit()
        except (OSError, smtplib.SMTPException):
            smtp.close()


def send_mail(settings: SmtpSettings | None, to: str, subject: str, body: str,
              lang: str = "en") -> str:
    """Send one message; returns its Message-ID. MailError (a CrmError) says why it did not go."""
    if settings is None:
        raise MailUnavailable(_t(lang, "Mail is not set up: set CRM_SMTP_HOST and CRM_SMTP_FROM "
                                 "(see .env.example).",
                                 "尚未设置邮件：请设置 CRM_SMTP_HOST 和 CRM_SMTP_FROM（见 .env.example）。"))
    with Mailer(settings, lang) as mailer:
        return mailer.send(to, subject, body)


def _decode(value: object) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def _codes(refused: dict) -> str:
    return "; ".join(f"{code} {_decode(text)}" for code, text in refused.values())


def _reason(ex: BaseException) -> str:
    if isinstance(ex, ConnectionRefusedError):
        return "connection refused (is the server running?)"
    if isinstance(ex, (socket.timeout, TimeoutError)):
        return "no answer (timed out)"
    if isinstance(ex, socket.gaierror):
        return "unknown host"
    if isinstance(ex, smtplib.SMTPResponseException):
        return f"{ex.smtp_code} {_decode(ex.smtp_error)}"
    return str(ex) or type(ex).__name__
