"""`crm serve`: start the web app (the same app as `make run`).

Each command imports what it uses when it runs, so `crm --help` and the other one-shot commands
start without loading pandas, scikit-learn, chromadb, LangChain or a model.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import click

from assistant.cli.common import db_option, db_path, fail


def register(group: click.Group) -> None:
    """Add `crm serve` to the `crm` group."""
    group.add_command(serve)


@click.command()
@db_option
@click.option("--host", default=None, help="Address to listen on (default: $CRM_HOST or "
              "127.0.0.1). Anything but loopback needs accounts (`crm user add`) or "
              "CRM_AUTH=user:password.")
@click.option("--port", type=int, default=None, help="Port (default: $CRM_PORT or 7860).")
@click.option("--model", default=None, metavar="SPEC",
              help="Chat backend: local, local:NAME, openai:MODEL or none (default: $CRM_MODEL).")
def serve(db: str | None, host: str | None, port: int | None, model: str | None) -> None:
    """Start the web app (chat, customers, churn, complaints, import, settings)."""
    from assistant.core.config import Settings
    from assistant.core.records import CrmError
    from assistant.store.accounts import accounts_exist
    from assistant.webui.security import auth_for

    config = Settings.from_env()
    config = replace(config, db_path=Path(db_path(db)), host=host or config.host,
                     port=config.port if port is None else port, model=model or config.model)
    try:
        # refuse before spending seconds on imports
        auth_for(config.host, config.auth, accounts_exist(config.db_path))
        click.echo(f"Starting CRM Assistant on http://{config.host}:{config.port} "
                   f"(database {config.db_path}) …", err=True)
        from assistant.webui import app  # gradio loads here, not when the CLI starts

        app.serve(config)
    except CrmError as ex:
        fail(str(ex))


if __name__ == "__main__":
    serve()
