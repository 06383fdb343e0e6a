"""The no-model router: bilingual rules that pick one tool call for a message, with its slots."""

from assistant.agent.router.controls import answer_to_preview, control_intent
from assistant.agent.router.dispatch import format_help, route
from assistant.agent.router.records import Canned, Intent, Msg, Route, RouteContext, rule

__all__ = ["Canned", "Intent", "Msg", "Route", "RouteContext", "answer_to_preview", "control_intent", "format_help", "route", "rule"]
