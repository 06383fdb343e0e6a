"""`crm segment`: customers picked in plain words, shown back as a filter before anything runs."""

from __future__ import annotations

import click

from assistant.cli.common import db_option, emit, fail, json_option, open_store


def register(group: click.Group) -> None:
    """Add `segment` to the `crm` CLI."""
    group.add_command(segment)


@click.command()
@db_option
@click.argument("words", required=False)
@click.option("--save", "save_as", default=None, metavar="NAME",
              help="Save the segment under NAME (its customers are found again each time).")
@click.option("--list", "list_saved", is_flag=True, help="List the saved segments.")
@click.option("--as-of", "as_of", default=None, metavar="YYYY-MM-DD",
              help="Evaluate as of this date (default: today).")
@click.option("--lang", type=click.Choice(["en", "zh"]), default=None,
              help="Language of the description (default: the request's).")
@click.option("--model", "model_spec", default="none", show_default=True, metavar="SPEC",
              help="local, local:NAME or openai:MODEL: let a model read what the rules cannot "
                   "(its filter is checked by code).")
@json_option
def segment(db: str | None, words: str | None, save_as: str | None, list_saved: bool,
            as_of: str | None, lang: str | None, model_spec: str, as_json: bool) -> None:
    """Customers matching WORDS ("quiet for 60 days", "上海的VIP") or a saved segment's name."""
    from assistant.core.records import CrmError
    from assistant.outreach.saved_segments import list_segments, save_segment
    from assistant.outreach.segment_answer import answer_segment
    from assistant.outreach.segment_meaning import packaged_meaning
    from assistant.outreach.segments import SegmentFilter, describe

    store = open_store(db)
    if list_saved:
        rows = [{"name": s.name, "text": s.text, "filter": s.filter.to_dict(),
                 "description": describe(s.filter, lang or "en"), "created_by": s.created_by,
                 "created_at": s.created_at} for s in list_segments(store)]
        if as_json:
            emit(rows, True)
        else:
            emit([{k: r[k] for k in ("name", "text", "description")} for r in rows], False)
        return
    if not (words or "").strip():
        fail('Say which customers, e.g. crm segment "quiet for 60 days", or use --list.')
    try:
        llm = None
        if model_spec != "none":
            from assistant.core.config import Settings
            from assistant.models.factory import make_text_llm
            from assistant.outreach.segment_model import FILTER_SCHEMA

            llm = make_text_llm(model_spec, Settings.from_env(), FILTER_SCHEMA, max_tokens=200)
        answer = answer_segment(store, words or "", as_of, lang, limit=None,
                                meaning=packaged_meaning(), llm=llm)
    except CrmError as ex:
        fail(str(ex))
    if answer.not_understood:
        if as_json:
            emit({"filter": answer.filter, "description": answer.description, "customers": [],
                  "not_understood": answer.not_understood, "error": answer.message}, True)
            raise SystemExit(1)
        fail(answer.message)
    if save_as:
        try:
            save_segment(store, save_as, words or "", SegmentFilter.from_dict(answer.filter))
        except CrmError as ex:
            fail(str(ex))
    if as_json:
        emit({"filter": answer.filter, "description": answer.description,
              "count": answer.count, "saved_as": save_as or answer.saved_name,
              "message": answer.message,
              "customers": [{"customer_id": c.customer_id, "external_id": c.external_id,
                             "name": c.name} for c in answer.customers]}, True)
        return
    click.echo(f"{answer.description} — {answer.count}")
    if save_as:
        click.echo(f"saved as {save_as!r}" if answer.lang == "en" else f"已保存为“{save_as}”")
    if answer.message:
        click.echo(answer.message)
    emit([{"customer_id": c.customer_id, "external_id": c.external_id or "", "name": c.name}
          for c in answer.customers], False)
