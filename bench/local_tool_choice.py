"""Tool choice of the local models: right tool with valid arguments, latency and tokens/s.

Run: .venv/bin/python bench/local_tool_choice.py [--model qwen2.5-coder-0.5b ...] [--verbose]
Loads one model at a time. On a shared 2-core machine the timings are noisy; accuracy is greedy
and should be stable.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any, Literal

from langchain_core.messages import AIMessage, HumanMessage, SystemMessage, ToolMessage

from assistant.models.llama_chat import Completion, LlamaRunner, LlamaToolChatModel
from assistant.models.packaged import MODELS, ensure_model, get_spec
from assistant.models.tool_format import ModelOutputError


# --- stub tools: realistic names, signatures and docstrings; never called --------------------------
def find_customer(name: str) -> list[dict]:
    """Find customers by name, pinyin, phone or customer id and show their details."""
    return []


def churn_report(top: int = 10) -> list[dict]:
    """List the customers most likely to stop buying, highest risk first."""
    return []


def log_interaction(
    customer: str,
    summary: str,
    channel: Literal["phone", "wechat", "visit", "email"] = "phone",
    date: str | None = None,
) -> dict:
    """Record a call, WeChat chat, shop visit or email that already happened with a customer."""
    return {}


def add_order(
    customer: str,
    quantity: float,
    product: str,
    date: str | None = None,
    amount: float | None = None,
) -> dict:
    """Record an order a customer placed (quantity, product, optional amount and date)."""
    return {}


def add_task(customer: str, title: str, due_date: str | None = None) -> dict:
    """Create a reminder / to-do to contact a customer later (e.g. "remind me to call X on Friday")."""
    return {}


def draft_complaint_reply(customer: str) -> str:
    """Draft a reply to a customer's latest open complaint."""
    return ""


def search_playbook(query: str) -> list[dict]:
    """Search the shop's CRM playbook for advice, e.g. how to win back lapsed customers."""
    return []


def run_query(question: str) -> list[dict]:
    """Answer a count or total question about customers, orders or sales (read-only)."""
    return []


TOOLS = [
    find_customer,
    churn_report,
    log_interaction,
    add_order,
    add_task,
    draft_complaint_reply,
    search_playbook,
    run_query,
]
SYSTEM = "You are the CRM assistant of a small tea shop. Today is 2025-11-20 (Thursday)."


def has(text: str) -> Callable[[Any], bool]:
    return lambda v: isinstance(v, str) and text.lower() in v.lower()


def eq(value: Any) -> Callable[[Any], bool]:
    return lambda v: v == value


nonempty = has("")

# (message, tool, {argument: check})
CASES: list[tuple[str, str, dict[str, Callable[[Any], bool]]]] = [
    ("Look up customer Zhang Wei", "find_customer", {"name": has("zhang wei")}),
    ("Who are the 5 customers most at risk of churning?", "churn_report", {"top": eq(5)}),
    (
        "I just called Lisa Chen, she wants a bulk discount on green tea. Log it.",
        "log_interaction",
        {"customer": has("lisa"), "channel": eq("phone"), "summary": nonempty},
    ),
    (
        "Wang Fang ordered 3 boxes of oolong tea today",
        "add_order",
        {"customer": has("wang fang"), "quantity": eq(3), "product": has("oolong")},
    ),
    ("Write a reply to Mr. Li's complaint", "draft_complaint_reply", {"customer": has("li")}),
    ("How should I win back customers who stopped buying?", "search_playbook", {"query": nonempty}),
    ("How many orders did we get in October?", "run_query", {"question": has("october")}),
    (
        "Remind me to call Zhao Lei next Friday about his invoice",
        "add_task",
        {"customer": has("zhao lei"), "title": nonempty},
    ),
    (
        "Met Sarah at the shop this morning; she liked the new jasmine tea",
        "log_interaction",
        {"customer": has("sarah"), "channel": eq("visit")},
    ),
    ("Show me customer 42", "find_customer", {"name": has("42")}),
    ("帮我查一下客户张伟的资料", "find_customer", {"name": has("张伟")}),
    ("哪些客户最可能流失？列出前10个", "churn_report", {"top": eq(10)}),
    (
        "刚刚微信跟李娜聊了，她想下周再订一批茶叶，帮我记一下",
        "log_interaction",
        {"customer": has("李娜"), "channel": eq("wechat")},
    ),
    (
        "王芳今天买了5盒龙井",
        "add_order",
        {"customer": has("王芳"), "quantity": eq(5), "product": has("龙井")},
    ),
    ("帮我给陈先生的投诉写个回复", "draft_complaint_reply", {"customer": has("陈")}),
    ("怎么提高老客户的复购率？", "search_playbook", {"query": nonempty}),
    ("上个月销售额一共多少？", "run_query", {"question": nonempty}),
    ("提醒我明天给刘洋打电话确认发货", "add_task", {"customer": has("刘洋"), "title": nonempty}),
    (
        "刚才去拜访了赵敏，她对新包装很满意",
        "log_interaction",
        {"customer": has("赵敏"), "channel": eq("visit")},
    ),
    (
        "张伟昨天订了2箱普洱",
        "add_order",
        {"customer": has("张伟"), "quantity": eq(2), "product": has("普洱")},
    ),
]


# After a tool result the model should answer in plain words: (message, call, result, fact the answer must contain)
ANSWER_CASES: list[tuple[str, tuple[str, dict], str, str]] = [
    (
        "Look up customer Zhang Wei",
        ("find_customer", {"name": "Zhang Wei"}),
        '[{"id": 7, "name": "Zhang Wei", "city": "Hangzhou", "phone": "138-0000-1111"}]',
        "Hangzhou",
    ),
    (
        "哪些客户最可能流失？列出前2个",
        ("churn_report", {"top": 2}),
        '[{"name": "王芳", "p_alive": 0.21}, {"name": "李娜", "p_alive": 0.35}]',
        "王芳",
    ),
    (
        "王芳今天买了5盒龙井",
        ("add_order", {"customer": "王芳", "quantity": 5, "product": "龙井"}),
        '{"status": "proposed", "preview": "Order: 王芳, 5 x 龙井, 2025-11-20"}',
        "王芳",
    ),
]


class RecordingRunner:
    """Delegates to the real runner and keeps every Completion."""

    def __init__(self, inner: LlamaRunner):
        self.inner = inner
        self.done: list[Completion] = []

    def count_tokens(self, prompt: str) -> int:
        return self.inner.count_tokens(prompt)

    def complete(
        self, prompt: str, grammar: str, max_tokens: int, temperature: float = 0.0
    ) -> Completion:
        c = self.inner.complete(prompt, grammar, max_tokens=max_tokens, temperature=temperature)
        self.done.append(c)
        return c


def run(model_name: str, verbose: bool) -> dict[str, Any]:
    path = ensure_model(get_spec(model_name), progress=True)
    runner = RecordingRunner(LlamaRunner(path))
    start = time.perf_counter()
    runner.count_tokens("warm up")  # loads the model
    load_s = time.perf_counter() - start
    model = LlamaToolChatModel(runner=runner, model_name=model_name).bind_tools(TOOLS)
    right, latencies = 0, []
    for message, tool, checks in CASES:
        t0 = time.perf_counter()
        try:
            reply = model.invoke([SystemMessage(SYSTEM), HumanMessage(message)])
            calls = [(c["name"], c["args"]) for c in reply.tool_calls] or [
                ("answer", reply.content)
            ]
        except ModelOutputError as ex:
            calls = [("error", str(ex))]
        latencies.append(time.perf_counter() - t0)
        name, args = calls[0]
        ok = name == tool and all(k in args and check(args[k]) for k, check in checks.items())
        right += ok
        if verbose or not ok:
            print(f"  {'ok ' if ok else 'BAD'} {latencies[-1]:5.1f}s {message} -> {name} {args}")
    answered = 0
    for message, (tool, args), result, fact in ANSWER_CASES:
        call = AIMessage("", tool_calls=[{"name": tool, "args": args, "id": "c1"}])
        try:
            reply = model.invoke(
                [
                    SystemMessage(SYSTEM),
                    HumanMessage(message),
                    call,
                    ToolMessage(result, tool_call_id="c1"),
                ]
            )
            ok = not reply.tool_calls and fact in reply.content
            shown = reply.content or reply.tool_calls
        except ModelOutputError as ex:
            ok, shown = False, str(ex)
        answered += ok
        if verbose or not ok:
            print(f"  {'ok ' if ok else 'BAD'} answer to {message} -> {shown!r}")
    runner.inner.close()
    gen_tokens = sum(c.completion_tokens for c in runner.done)
    gen_seconds = sum(c.seconds for c in runner.done)
    return {
        "model": model_name,
        "right": right,
        "n": len(CASES),
        "load_s": load_s,
        "answered": answered,
        "p50_s": statistics.median(latencies),
        "max_s": max(latencies),
        "mean_s": statistics.fmean(latencies),
        "tok_s": gen_tokens / gen_seconds,
        "calls": len(runner.done),
        "prompt_tokens": statistics.median(c.prompt_tokens for c in runner.done),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--model", action="append", choices=list(MODELS), help="repeatable; default: all"
    )
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args(argv)
    rows = []
    for name in args.model or list(MODELS):
        print(f"{name}:")
        rows.append(run(name, args.verbose))
    print(
        "\nmodel                tool+args  answers  p50 s  mean s  max s  load s  out tok/s*  prompt tok"
    )
    for r in rows:
        print(
            f"{r['model']:<20} {r['right']:>5}/{r['n']:<4} {r['answered']:>4}/{len(ANSWER_CASES)}"
            f" {r['p50_s']:6.1f} {r['mean_s']:7.1f} {r['max_s']:6.1f} {r['load_s']:7.1f} {r['tok_s']:10.1f}"
            f"  {r['prompt_tokens']:>6}"
        )
    print(
        "tool+args: first reply to a fresh message is the right tool with valid, right arguments; "
        "answers: plain-text reply after a tool result that states the key fact. p50/mean/max: seconds "
        "per tool-choice request."
    )
    print(
        "* output tokens / wall time of the completion call (prompt evaluation included; the shared "
        "system+tools prefix is reused from llama.cpp's cache after the first request). 2 threads, "
        "machine shared with other jobs: timings are noisy.",
        file=sys.stdout,
    )


if __name__ == "__main__":
    main()
