"""The registry of chat tools: one record each, read by the agent, the router, the prompt and the docs.

Adding a tool: write a typed function (its docstring is what the model reads), then add one Tool
here with its formatter, whether it writes, the router rules that pick it without a model, and its
line for the system prompt. Nothing else names it.
"""

from assistant.agent import formatting
from assistant.agent.router import activity_rules, campaign_rules, rules
from assistant.agent.router import meaning_rules as meant
from assistant.agent.toolkit import Tool
from tools.activity import add_order, log_activity
from tools.briefing import daily_briefing
from tools.campaigns import (
    campaign_results,
    credit_referral,
    draft_campaign,
    format_preview,
    format_report,
)
from tools.churn import churn_risks, loyal_customers
from tools.complaints import draft_complaint_reply, set_complaint_status, triage_complaint
from tools.customers import add_customer, customer_profile, find_customers, update_customer
from tools.playbook import search_playbook, suggest_actions
from tools.query import run_sql
from tools.segments import find_segment, format_segment, segment_by_meaning, segment_list

TOOLS = [
    Tool(
        find_customers,
        formatting.customers,
        intents=(rules.namesakes, rules.find, meant.find_by_meaning),
        hint="Searching for customers by name, phone, city or notes",
    ),
    Tool(
        customer_profile,
        formatting.profile,
        intents=(rules.customer_question, rules.churn_of_customer, rules.profile,
                 meant.profile_by_meaning),
        hint="Looking up one person",
    ),
    Tool(
        churn_risks,
        formatting.churn_rows,
        intents=(rules.churn_list, meant.churn_by_meaning),
        hint="Questions about who may stop buying / 流失",
    ),
    Tool(
        daily_briefing,
        formatting.briefing,
        intents=(rules.briefing_request, meant.briefing_by_meaning),
        hint="What to do today: whom to call, who is due to reorder, what is waiting",
    ),
    Tool(
        loyal_customers,
        formatting.loyal_rows,
        intents=(rules.loyal_list, meant.loyal_by_meaning),
        hint="Who the loyal / best / old regular customers are",
    ),
    Tool(
        find_segment,
        format_segment,
        intents=(segment_list, segment_by_meaning),
        hint="Which customers match conditions in plain words (city + tag, product bought or not "
        "in a period, spend, order count, stage, segment, complaint status); a saved segment's name",
    ),
    Tool(
        log_activity,
        writes=True,
        intents=(activity_rules.activity, meant.activity_by_meaning, meant.reminder_by_meaning),
        hint='"X called / came in / messaged …" (maybe wanting an order, unhappy about something), '
        "with the order, follow-up and complaint parts filled in when mentioned",
    ),
    Tool(
        add_order,
        writes=True,
        intents=(activity_rules.usual_order, activity_rules.sale, meant.sale_by_meaning),
        hint="A purchase that already happened",
    ),
    Tool(
        add_customer,
        writes=True,
        intents=(rules.new_customer, meant.new_customer_by_meaning),
        hint="A new customer",
    ),
    Tool(
        update_customer,
        writes=True,
        intents=(rules.change_customer, meant.change_by_meaning),
        hint="Changed contact details, tags or notes",
    ),
    Tool(
        set_complaint_status,
        writes=True,
        intents=(rules.complaint_status, meant.status_by_meaning),
        hint="A complaint handled, reopened or in progress",
    ),
    Tool(
        triage_complaint,
        formatting.triage,
        intents=(rules.triage, meant.triage_by_meaning),
        hint="A complaint's text to classify",
    ),
    Tool(
        draft_complaint_reply,
        formatting.draft,
        intents=(rules.draft_reply, meant.draft_by_meaning),
        hint="A reply to a customer's complaint",
    ),
    Tool(
        suggest_actions,
        formatting.suggestions,
        intents=(rules.churn_advice, rules.advice_for_customer, meant.advice_by_meaning),
        hint="What to do about one customer",
    ),
    Tool(
        search_playbook,
        formatting.passages,
        intents=(rules.playbook_question, meant.playbook_by_meaning),
        hint="How-to questions about good practice",
    ),
    Tool(
        campaign_results,
        format_report,
        intents=(campaign_rules.campaign_results, campaign_rules.results_by_meaning),
        hint="How a campaign did (上次召回活动效果怎么样): contacted vs held-out returns",
    ),
    Tool(
        draft_campaign,
        format_preview,
        intents=(campaign_rules.campaign_request, campaign_rules.campaign_by_meaning),
        hint="A message campaign to a group in words (send a WeChat win-back to people quiet "
        "for 2 months): a preview, nothing sent",
    ),
    Tool(
        credit_referral,
        writes=True,
        intents=(campaign_rules.referral_credit, campaign_rules.referral_by_meaning),
        hint="An order that used another customer's referral code (王芳用了李娜的推荐码)",
    ),
    Tool(
        run_sql,
        formatting.query,
        intents=(rules.complaint_text, rules.fact_question, rules.sql_question, meant.sales_by_meaning,
                 meant.tasks_by_meaning),
        hint="Counting or summing questions, with one SELECT",
    ),
]
