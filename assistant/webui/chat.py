"""Chat tab: streaming replies, tool steps as collapsible bubbles, write preview with Confirm/Cancel."""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import gradio as gr

from assistant.core.markup import as_text
from assistant.core.records import CrmError
from assistant.webui.ui import Ui

if TYPE_CHECKING:
    from assistant.services import Services

log = logging.getLogger(__name__)

EXAMPLES = [  # each one works with every backend, including the no-model rules
    "Who's likely to churn?",
    "谁可能要流失了？",
    "Log a call with 张伟: asked about decaf, sounded happy",
    "记录一下：李娜今天微信问了新到的埃塞俄比亚豆子",
    "Draft a reply to 李娜's complaint",
    "上个月卖了多少钱？",
]


def text_of(content: Any) -> str:
    """Plain text of a gradio 6 message content (a string or a list of {"type": "text"} parts)."""
    if isinstance(content, str):
        return content
    if isinstance(content, dict):
        return str(content.get("text") or "")
    if isinstance(content, list):
        return "\n".join(text_of(part) for part in content if part)
    return ""


def _short(value: Any, limit: int = 600) -> str:
    try:
        text = json.dumps(value, ensure_ascii=False, default=str, indent=1)
    except (TypeError, ValueError):
        text = str(value)
    return text if len(text) <= limit else text[:limit] + " …"


def step_message(action: Any, ui: Ui) -> dict:
    """One tool call as a collapsed 'thought' bubble."""
    status = getattr(action, "status", "done")
    icon = {"done": "🔧", "proposed": "📝", "error": "⚠️"}.get(status, "🔧")
    body = f"**{ui.now('chat.args')}**\n```json\n{_short(action.args)}\n```"
    if getattr(action, "error", None):
        body += f"\n\n{ui.now('chat.error')}: {action.error}"
    elif getattr(action, "result", None) is not None:
        body += f"\n\n**{ui.now('chat.result')}**\n```json\n{_short(action.result)}\n```"
    return {"role": "assistant", "content": body,
            "metadata": {"title": f"{icon} {action.tool}", "status": "done"}}


def proposal_card(proposal: Any, ui: Ui) -> dict:
    """The pending write preview, shown as its own bubble above the Confirm / Cancel buttons."""
    # preview lines carry stored values (an old note, a name): shown as text
    lines = "\n".join(f"- {as_text(line)}" for line in proposal.summary) or "-"
    card = f"📝 **{ui.now('chat.preview_title')}**\n\n{lines}\n\n_{ui.now('chat.preview_hint')}_"
    return {"role": "assistant", "content": card}


def reply_messages(reply: Any, ui: Ui) -> list[dict]:
    """A Reply as chatbot bubbles: tool steps, then the answer, then the write preview."""
    shown = [step_message(a, ui) for a in getattr(reply, "actions", None) or []]
    proposal = getattr(reply, "proposal", None)
    # When the text only restates the pending writes, the card says it better (with buttons).
    restates = proposal is not None and all(line in reply.text for line in proposal.summary)
    if reply.text and not restates:
        shown.append({"role": "assistant", "content": reply.text})
    fresh = any(getattr(a, "status", "") == "proposed" for a in reply.actions or [])
    if proposal is not None and (fresh or restates):
        shown.append(proposal_card(proposal, ui))
    return shown


def typed(messages: list[dict], already: int = 0, frames: int = 24) -> Iterator[list[dict]]:
    """The messages with the answer's text revealed in a few frames (typing, not a wall)."""
    answer = next((m for m in reversed(messages) if not m.get("metadata")
                   and not str(m["content"]).startswith("📝")), None)
    text = str(answer["content"]) if answer else ""
    if len(text) - already < 80:
        yield messages
        return
    step = max(8, (len(text) - already) // frames)
    for end in range(already + step, len(text), step):
        yield [dict(m, content=text[:end] + " ▍") if m is answer else m for m in messages]
        time.sleep(0.02)
    yield messages


def _replies(assistant: Any, message: str, history: list[dict], session: str,
             user: Any) -> Iterator[Any]:
    stream = getattr(assistant, "stream", None)
    if callable(stream):
        yield from stream(message, history, session, user=user)
    else:
        yield assistant.reply(message, history, session=session, user=user)


def build(services: Services, ui: Ui, tab: Any) -> None:
    """The Chat tab's components and events (call inside a gr.Tab)."""
    session = gr.State("")
    chatbot = gr.Chatbot(height=480, show_label=False, elem_id="chat", buttons=["copy"],
                         placeholder=ui.t("chat.placeholder"), feedback_options=None)
    with gr.Row(visible=False, elem_id="confirm-row") as confirm_row:
        confirm = ui.make(gr.Button, {"value": "chat.confirm"}, variant="primary",
                          elem_id="chat-confirm")
        cancel = ui.make(gr.Button, {"value": "chat.cancel"}, elem_id="chat-cancel")
    with gr.Row(equal_height=True):
        box = ui.make(gr.Textbox, {"placeholder": "chat.input"}, show_label=False, scale=8,
                      lines=1, max_lines=4, elem_id="chat-input", autofocus=True)
        send = ui.make(gr.Button, {"value": "chat.send"}, variant="primary", scale=1,
                       min_width=90, elem_id="chat-send")
    with gr.Row():
        undo = ui.make(gr.Button, {"value": "chat.undo"}, size="sm", elem_id="chat-undo",
                       scale=0, min_width=170)
        clear = ui.make(gr.Button, {"value": "chat.clear"}, size="sm", scale=0, min_width=150)
    gr.Examples(EXAMPLES, inputs=[box], label=ui.t("chat.examples"))

    def respond(message: str, history: list[dict], sid: str,
                request: gr.Request) -> Iterator[tuple]:
        message = (message or "").strip()
        history = list(history or [])
        if not message:
            yield history, "", gr.skip(), sid
            return
        sid = sid or uuid.uuid4().hex
        base = history + [{"role": "user", "content": message}]
        yield base, "", gr.update(visible=False), sid
        try:
            shown = 0
            user = services.user(request.username)  # each user's sessions and previews are theirs
            for reply in _replies(services.assistant(), message, history, sid, user):
                pending = gr.update(visible=getattr(reply, "proposal", None) is not None)
                for partial in typed(reply_messages(reply, ui), shown):
                    yield base + partial, "", pending, sid
                shown = len(reply.text or "")
        except CrmError as ex:
            yield base + [{"role": "assistant", "content": f"⚠️ {ex}"}], "", gr.skip(), sid

    def follow_up(kind: str) -> Any:
        def run(history: list[dict], sid: str, request: gr.Request) -> tuple:
            history = list(history or [])
            try:
                user = services.user(request.username)
                reply = getattr(services.assistant(), kind)(session=sid or "default", user=user)
                history += reply_messages(reply, ui)
                pending = getattr(reply, "proposal", None) is not None
            except CrmError as ex:
                history.append({"role": "assistant", "content": f"⚠️ {ex}"})
                pending = False
            return history, gr.update(visible=pending)
        return run

    outputs = [chatbot, box, confirm_row, session]
    # No cap on turns at once: the model queues on its own lock, and a few people waiting for
    # it must not hold up everyone else's rule-answered turns and confirmations in gradio's queue.
    free = {"api_name": False, "concurrency_limit": None}
    box.submit(respond, [box, chatbot, session], outputs, **free)
    send.click(respond, [box, chatbot, session], outputs, **free)
    confirm.click(follow_up("confirm"), [chatbot, session], [chatbot, confirm_row], **free)
    cancel.click(follow_up("cancel"), [chatbot, session], [chatbot, confirm_row], **free)
    undo.click(follow_up("undo"), [chatbot, session], [chatbot, confirm_row], **free)
    clear.click(lambda: ([], "", gr.update(visible=False), ""), None, outputs, api_name=False)

    def chat(message: str, request: gr.Request) -> str:
        """Send one message to the assistant and return its reply text."""
        try:
            return services.assistant().reply(message, [], session="api",
                                              user=services.user(request.username)).text
        except CrmError as ex:
            return str(ex)

    gr.api(chat, api_name="chat", concurrency_limit=None)
