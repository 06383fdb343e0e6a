"""What the owner-voice chat tests share: the real intent model, a session, and its one call."""

from __future__ import annotations

from datetime import date

import pytest

from assistant.agent.assistant import Assistant
from assistant.agent.router.meaning import MeaningModel
from knowledge.embedder import MultilingualE5Embedder
from tools import TOOLS

TODAY = date(2026, 11, 22)


@pytest.fixture(scope="module")
def meaning():
    return MeaningModel(MultilingualE5Embedder())


def said(store, meaning, *messages: str, confirm: bool = True):
    """The replies to `messages`, said in turn in one fresh session."""
    bot = Assistant(store, TOOLS, today=TODAY, meaning=meaning, auto_confirm=confirm)
    return [bot.reply(m, session="s") for m in messages]


def call(reply) -> tuple[str, dict]:
    """The one tool call of a reply."""
    assert len(reply.actions) == 1, reply.text
    return reply.actions[0].tool, reply.actions[0].args
