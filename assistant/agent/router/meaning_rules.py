"""Rules that read a tool's slots once the intent model has said what a message means.

Each runs only after no exact rule fired and only for its own meaning (see `rule(order, meaning)`):
the model decides what is asked, code reads who, when, how many and which. A rule that cannot find
what its tool needs (no customer named, no field to change) returns None and the message is not
understood, rather than guessed; a question is never read as a write.
"""

from __future__ import annotations

from assistant.agent.router import activity_rules, sql_templates
from assistant.agent.router.controls import DONT_LOG
from assistant.agent.router.records import Intent, Msg, rule
from assistant.agent.router.rules import (
    STAGES,
    STATUSES,
    after_colon,
    change_args,
    complaint_id,
    complaint_in_focus,
    figure_heard,
    find_args,
    named_goods,
    new_customer_args,
    pick,
    sql_question,
    wanted_tone,
)
from assistant.agent.router.slots import find_top, quiet_days
from assistant.lang.dates import find_date
from assistant.lang.grounding import is_question

# below an exact rule's confidence, above the bar for answering without a model
BY_MEANING = 0.8


def _asks(m: Msg) -> bool:
    return is_question(m.text)


def _who(m: Msg) -> dict | None:
    # the intent model has said this is about one customer: unnamed, it is the one in focus
    who = m.in_focus()
    return {"customer": who} if who else None


def _top(text: str) -> dict:
    """{"top": N} for "前三名" / "top 5" / "10个", or nothing."""
    n = find_top(text)
    return {"top": n} if n else {}


@rule(300, meaning="churn_risks")
def churn_by_meaning(m: Msg) -> Intent | None:
    quiet = quiet_days(m.text)
    return Intent({**({"quiet_days": quiet} if quiet else {}), **_top(m.text)}, BY_MEANING)


@rule(301, meaning="loyal_customers")
def loyal_by_meaning(m: Msg) -> Intent | None:
    return Intent(_top(m.text), BY_MEANING) if not m.customer else None


def _about_customer(m: Msg) -> Intent | None:
    """The named (or remembered) customer, or None: such a tool needs to know who."""
    args = _who(m)
    return Intent(args, BY_MEANING) if args else None


@rule(316, meaning="daily_briefing")
def briefing_by_meaning(m: Msg) -> Intent | None:
    return Intent(_top(m.text), BY_MEANING) if not m.customer else None


@rule(302, meaning="customer_profile")
def profile_by_meaning(m: Msg) -> Intent | None:
    return _about_customer(m)


@rule(303, meaning="find_customers")
def find_by_meaning(m: Msg) -> Intent | None:
    found = find_args(m)
    return Intent(found.args, BY_MEANING) if found else None


@rule(304, meaning="suggest_actions")
def advice_by_meaning(m: Msg) -> Intent | None:
    return _about_customer(m)


@rule(305, meaning="draft_complaint_reply")
def draft_by_meaning(m: Msg) -> Intent | None:
    cid = complaint_id(m.text)
    args = {"complaint_id": cid} if cid is not None else _who(m)
    tone = wanted_tone(m.text)
    return Intent({**args, **({"tone": tone} if tone else {})}, BY_MEANING) if args else None


@rule(306, meaning="set_complaint_status")
def status_by_meaning(m: Msg) -> Intent | None:
    if _asks(m):
        return None
    cid = complaint_id(m.text)
    args = {"complaint_id": cid} if cid is not None else _who(m)
    if not args:
        return None
    status = pick(STATUSES, m)
    # "set 张伟's complaint to escalated": no status it can take was said, so nothing to change
    return Intent({**args, "status": status}, BY_MEANING) if status else None


@rule(307, meaning="search_playbook")
def playbook_by_meaning(m: Msg) -> Intent | None:
    args: dict = {"query": m.text}
    stage = pick(STAGES, m)
    if stage:
        args["stage"] = stage
    return Intent(args, BY_MEANING)


@rule(308, meaning="sales_query")
def sales_by_meaning(m: Msg) -> Intent | None:
    low, today = m.kw.low, m.ctx.today
    if m.customer and not m.canonical:
        return None
    read = sql_question(m)  # every reader the rules have: rankings, comparisons, figures
    if read is not None:
        return Intent(read.args, BY_MEANING)
    who = m.canonical or (m.ctx.last_customer if m.kw.has("pronoun") else None)
    sql = (sql_templates.top_customers_sql(low, today) or sql_templates.top_products_sql(low, today)
           or sql_templates.build_sql(low, today, who, named_goods(m), tuple(m.ctx.product_names()),
                                      figure_heard(m)))
    return Intent({"sql": sql}, BY_MEANING) if sql else None


@rule(309, meaning="tasks")
def tasks_by_meaning(m: Msg) -> Intent | None:
    sql = sql_templates.task_list_sql(m.kw.low, m.ctx.today, m.ctx.lang, asked=True)
    return Intent({"sql": sql}, BY_MEANING) if sql else None


@rule(310, meaning="log_activity")
def activity_by_meaning(m: Msg) -> Intent | None:
    if _asks(m):
        return None
    kind, args = activity_rules.reading(m)
    if kind == "activity":
        return Intent(args, BY_MEANING)
    who = _who(m)
    if not who or activity_rules.asked_to_do(m.text) or DONT_LOG.search(m.text):
        return None  # "帮我 call 一下李娜 跟她说货到了": an errand, nothing that happened
    if not m.customer and not m.kw.has("pronoun") and not m.kw.has("contact") and not m.kw.has("order"):
        return None  # "fine. book me a taxi then lol": nothing about the customer just discussed
    return Intent({**who, "summary": m.text}, BY_MEANING)


@rule(311, meaning="reminder")
def reminder_by_meaning(m: Msg) -> Intent | None:
    if _asks(m):
        return None
    who = _who(m)
    if not who:
        return None
    args = {**who, "summary": m.text, "follow_up": m.text}
    when = find_date(m.text, m.ctx.today)
    if when:
        args["follow_up_date"] = when[1]
    return Intent(args, BY_MEANING)


@rule(312, meaning="add_order")
def sale_by_meaning(m: Msg) -> Intent | None:
    if _asks(m):
        return None
    kind, args = activity_rules.reading(m, sold=True)
    return Intent(args, BY_MEANING) if kind == "sale" else None


@rule(313, meaning="add_customer")
def new_customer_by_meaning(m: Msg) -> Intent | None:
    if _asks(m):
        return None
    found = new_customer_args(m, by_verb=True)
    return Intent(found.args, BY_MEANING) if found else None


@rule(314, meaning="update_customer")
def change_by_meaning(m: Msg) -> Intent | None:
    if _asks(m):
        return None
    who = m.in_focus()
    found = change_args(m, who) if who else None
    return Intent(found.args, BY_MEANING) if found else None


@rule(315, meaning="triage_complaint")
def triage_by_meaning(m: Msg) -> Intent | None:
    body = after_colon(m.text)
    if not body or len(body) <= 3:
        # "how bad is that one": no complaint quoted, so the one in focus, as stored
        body = complaint_in_focus(m)
    return Intent({"text": body}, BY_MEANING) if body and len(body) > 3 else None

