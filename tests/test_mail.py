"""Mail against a real SMTP server on 127.0.0.1 (aiosmtpd): what the server took was sent."""

from __future__ import annotations

import socket
from email import message_from_bytes, policy
from typing import Self

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from assistant.channels.mail import (
    Mailer,
    MailRefused,
    MailUnavailable,
    SmtpSettings,
    send_mail,
)
from assistant.core.records import CrmError


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Inbox:
    """An aiosmtpd handler that keeps what it accepted and refuses the addresses it is told to."""

    def __init__(self, refuse: tuple[str, ...] = (), busy: bool = False):
        self.messages: list = []
        self.refuse = set(refuse)
        self.busy = busy

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.busy:
            return "451 4.3.0 try again later"
        self.messages.append((envelope.rcpt_tos[:],
                              message_from_bytes(envelope.original_content or envelope.content,
                                                 policy=policy.default)))
        return "250 Message accepted"


class SmtpServer:
    """A real SMTP server on 127.0.0.1 for one test."""

    def __init__(self, inbox: Inbox, **kwargs):
        self.inbox = inbox
        self.port = free_port()
        self.controller = Controller(inbox, hostname="127.0.0.1", port=self.port, **kwargs)

    def __enter__(self) -> Self:
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()

    def env(self, **extra: str) -> dict[str, str]:
        return {"CRM_SMTP_HOST": "127.0.0.1", "CRM_SMTP_PORT": str(self.port),
                "CRM_SMTP_FROM": "Bean Shop <shop@example.com>", "CRM_SMTP_TLS": "none", **extra}


@pytest.fixture
def smtp():
    with SmtpServer(Inbox(refuse=("nobody@example.com",))) as server:
        yield server


def test_not_configured_is_none_and_sending_says_what_to_set():
    assert SmtpSettings.from_env({}) is None
    with pytest.raises(MailUnavailable, match="CRM_SMTP_HOST"):
        send_mail(None, "a@example.com", "hi", "body")


@pytest.mark.parametrize("env, fix", [
    ({"CRM_SMTP_TLS": "maybe"}, "CRM_SMTP_TLS"),
    ({"CRM_SMTP_PORT": "smtp"}, "CRM_SMTP_PORT"),
    ({"CRM_SMTP_FROM": ""}, "CRM_SMTP_FROM"),
])
def test_bad_settings_say_which_variable(env, fix):
    base = {"CRM_SMTP_HOST": "mail.example.com", "CRM_SMTP_FROM": "shop@example.com"}
    with pytest.raises(CrmError, match=fix):
        SmtpSettings.from_env({**base, **env})


def test_defaults_follow_the_tls_mode_and_the_login_can_be_the_sender():
    s = SmtpSettings.from_env({"CRM_SMTP_HOST": "mail.example.com", "CRM_SMTP_TLS": "ssl",
                               "CRM_SMTP_USER": "shop@example.com", "CRM_SMTP_PASSWORD": "pw"})
    assert (s.port, s.tls, s.sender, s.user) == (465, "ssl", "shop@example.com", "shop@example.com")
    assert "pw" not in s.describe()
    assert SmtpSettings.from_env({"CRM_SMTP_HOST": "h", "CRM_SMTP_FROM": "a@b.cn"}).port == 587


def test_a_chinese_message_arrives_intact(smtp):
    settings = SmtpSettings.from_env(smtp.env())
    message_id = send_mail(settings, "lina@example.com", "好久不见，李娜\n(second line)",
                           "李娜您好！\n新到的耶加雪菲给您留了一袋。")
    [(to, msg)] = smtp.inbox.messages
    assert to == ["lina@example.com"]
    assert msg["Subject"] == "好久不见，李娜 (second line)"  # folded: a header has no line break
    assert msg["Message-ID"] == message_id
    assert "Bean Shop" in msg["From"] and "shop@example.com" in msg["From"]
    assert "新到的耶加雪菲给您留了一袋" in msg.get_content()


def test_one_refused_address_does_not_stop_the_batch(smtp):
    with Mailer(SmtpSettings.from_env(smtp.env())) as mailer:
        mailer.send("a@example.com", "s", "one")
        with pytest.raises(MailRefused, match="nobody@example.com.*550"):
            mailer.send("nobody@example.com", "s", "two")
        with pytest.raises(MailRefused, match="not an email address"):
            mailer.send("li na <x@y.cn>, z@y.cn", "s", "three")
        mailer.send("b@example.com", "s", "four")
    assert [to for to, _ in smtp.inbox.messages] == [["a@example.com"], ["b@example.com"]]


def test_a_server_that_is_down_is_a_clear_error():
    env = {"CRM_SMTP_HOST": "127.0.0.1", "CRM_SMTP_PORT": str(free_port()),
           "CRM_SMTP_FROM": "shop@example.com", "CRM_SMTP_TLS": "none"}
    with pytest.raises(MailUnavailable, match="connection refused.*try again later"):
        send_mail(SmtpSettings.from_env(env), "a@example.com", "s", "b")
    with pytest.raises(MailUnavailable, match="稍后重试"):
        send_mail(SmtpSettings.from_env(env), "a@example.com", "s", "b", lang="zh")


def test_a_temporary_refusal_stops_the_batch():
    with SmtpServer(Inbox(busy=True)) as server:
        with pytest.raises(MailUnavailable, match="451"):
            send_mail(SmtpSettings.from_env(server.env()), "a@example.com", "s", "b")
        assert server.inbox.messages == []


def test_starttls_is_required_unless_turned_off(smtp):
    with pytest.raises(MailUnavailable, match="STARTTLS"):
        send_mail(SmtpSettings.from_env(smtp.env(CRM_SMTP_TLS="starttls")), "a@example.com",
                  "s", "b")
    assert smtp.inbox.messages == []


def _only_owner(server, session, envelope, mechanism, auth_data):
    ok = isinstance(auth_data, LoginPassword) and auth_data.password == b"right"
    return AuthResult(success=ok, handled=False)


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_login_with_the_right_and_the_wrong_password():
    inbox = Inbox()
    with SmtpServer(inbox, authenticator=_only_owner, auth_require_tls=False,
                    auth_required=True) as server:
        good = SmtpSettings.from_env(server.env(CRM_SMTP_USER="owner", CRM_SMTP_PASSWORD="right"))
        send_mail(good, "a@example.com", "s", "b")
        bad = SmtpSettings.from_env(server.env(CRM_SMTP_USER="owner", CRM_SMTP_PASSWORD="wrong"))
        with pytest.raises(MailUnavailable, match="CRM_SMTP_PASSWORD"):
            send_mail(bad, "b@example.com", "s", "b")
    assert [to for to, _ in inbox.messages] == [["a@example.com"]]
