"""The one registry of tools the chat agent (and the no-model router) may call."""

from tools.activity import add_order, log_activity, set_complaint_status
from tools.advice import (
    churn_risks, draft_complaint_reply, search_playbook, suggest_actions, triage_complaint,
)
from tools.customers import add_customer, customer_profile, find_customers, update_customer
from tools.query import run_sql

ALL_TOOLS = [
    find_customers, customer_profile, churn_risks, log_activity, add_order, add_customer,
    update_customer, set_complaint_status, triage_complaint, draft_complaint_reply,
    suggest_actions, search_playbook, run_sql,
]
# Tools that propose writes (they return a Plan); everything else only reads.
WRITE_TOOLS = {"log_activity", "add_order", "add_customer", "update_customer",
               "set_complaint_status"}
