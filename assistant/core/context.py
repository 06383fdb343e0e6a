"""Per-turn context injected into tools: today, the user's language and the session's memory."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass
class TurnContext:
    today: date = field(default_factory=date.today)
    lang: str = "en"
    session: str = "default"
    last_customer_id: int | None = None
    last_customer_name: str | None = None
    last_complaint_id: int | None = None
    # the customer talked about before the last one: "她俩谁买得多" compares the two
    earlier_customer_name: str | None = None
    unknown_name: str | None = None  # a name looked up and not found, for "add her" next
    adding_customer: bool = False  # "add a customer" was asked with no name: the next message gives it

    def remember(self, customer_id: int, name: str) -> None:
        """The customer the conversation is about, for 'her' / '她' in the next turn."""
        if name != self.last_customer_name:
            self.earlier_customer_name = self.last_customer_name
        self.last_customer_id, self.last_customer_name = customer_id, name

    def t(self, en: str, zh: str) -> str:
        """The text in the user's language."""
        return zh if self.lang == "zh" else en
