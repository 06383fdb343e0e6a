"""`crm kb build` and `crm kb search`: the knowledge base from the command line.

Each command imports what it uses when it runs, so `crm --help` and the other one-shot commands
start without loading pandas, scikit-learn, chromadb, LangChain or a model.
"""

from __future__ import annotations

from pathlib import Path

import click

from assistant.cli.common import emit, json_option

STAGES = ("exploration", "formation", "stability", "decline")


def _index_option(fn):
    return click.option(
        "--index-dir", type=click.Path(file_okay=False), default=None,
        help="Index folder (default: $CRM_INDEX_DIR, else the per-user data directory).",
    )(fn)


def _open(index_dir: str | None, docs: str | None = None):
    from dataclasses import replace

    from assistant.core.config import Settings
    from assistant.services import open_index

    settings = Settings.from_env()
    if index_dir:
        settings = replace(settings, index_dir=Path(index_dir))
    index = open_index(settings)
    if docs:
        index.docs_dir = Path(docs)
    _flush(index)
    return index


def _flush(index) -> None:
    for msg in index.notices:
        click.echo(msg, err=True)
    index.notices.clear()


def register(group: click.Group) -> None:
    """Add the `kb` command group."""

    @group.group()
    def kb() -> None:
        """Build and search the CRM best-practice knowledge base."""

    @kb.command()
    @_index_option
    @click.option("--docs", type=click.Path(file_okay=False, exists=True), default=None,
                  help="Folder of passage files (default: the bundled knowledge/docs).")
    @click.option("--quiet", is_flag=True, help="No progress bar.")
    def build(index_dir: str | None, docs: str | None, quiet: bool) -> None:
        """Embed new or changed passages (unchanged ones are skipped)."""
        index = _open(index_dir, docs)
        stats = index.build(progress=not quiet)
        _flush(index)
        click.echo(
            f"Indexed {index.count()} passages in {index.path} in {stats.seconds:.1f} s: "
            f"{stats.added} added, {stats.updated} updated, {stats.removed} removed, "
            f"{stats.unchanged} unchanged."
        )

    @kb.command()
    @click.argument("query")
    @click.option("--stage", type=click.Choice(STAGES), default=None, help="Only passages for this stage.")
    @click.option("--k", "k", type=click.IntRange(1, 20), default=3, show_default=True, help="How many passages.")
    @click.option("--lang", type=click.Choice(("en", "zh")), default=None,
                  help="Answer language (default: the query's language).")
    @_index_option
    @json_option
    def search(query: str, stage: str | None, k: int, lang: str | None, index_dir: str | None,
               as_json: bool) -> None:
        """Find passages for QUERY; prints id, title, language, score, source file and text."""
        index = _open(index_dir)
        found = index.search(query, k=k, stage=stage, lang=lang)
        _flush(index)
        rows = [{"id": p.id, "title": p.title, "lang": p.lang, "score": p.score,
                 "source": p.source, "stage": list(p.stage), "text": p.text}
                for p in found]
        if as_json:
            emit(rows, True)
            return
        if not rows:
            click.echo("No passages found.")
        for n, r in enumerate(rows, 1):
            click.echo(f"{n}. [{r['id']}] {r['title']}  ({r['lang']}, score {r['score']:.4f}, {r['source']})")
            click.echo(f"   {r['text']}\n")
