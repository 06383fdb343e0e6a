"""Owners' own words as intent training rows: every turn of the scenario sets that are training
data now (the own set, dev and every blind set tuned on), labelled with the intent its expected
tool stands for. The current blind set is never read.

Run: .venv/bin/python bench/owner_intents.py [--hold-out FILE ...] [--out PATH]

Writes assistant/agent/data/intents_owners.jsonl; the intent model trains on it beside the
paraphrases the team wrote. A confirm, cancel or undo is the intent "control" and carries which
("control": confirm); a figure question also carries the figure its writer's SQL computes
("figure": revenue, orders, quantity, ...), which the figure model learns to read from the words.
--hold-out leaves sets out, to measure on a set the model has not seen.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from agent import BLIND, BLIND_STATUS, DEFAULT  # noqa: E402

_TASKS = re.compile(r"要做|待办|to-?dos?|\btasks?\b|\breminders?\b|follow[- ]?ups?|提醒|要跟进|有啥事", re.IGNORECASE)
OUT = Path(__file__).resolve().parent.parent / "assistant" / "agent" / "data" / "intents_owners.jsonl"


_CONTROLS = ("@confirm", "@cancel", "@undo")


def intent_of(scenario: dict, turn: dict) -> str | None:
    """The intent a turn's expected tool stands for ("control" for a confirm, cancel or undo);
    None for other conversation turns and bad input."""
    tool = turn.get("tool")
    if tool is None:
        # something chat cannot do; a supported turn that calls nothing is bad input, not an intent
        return "unsupported" if scenario.get("none_supported") is False else None
    if tool in _CONTROLS:
        return "control"  # a reply to a preview or a saved change: "ok boleh, save lah", "撤了撤了"
    if tool.startswith("@"):
        return None
    if tool == "run_sql":
        asked = json.dumps(turn.get("args", {})).lower()
        # the writer's SQL says which, or (where none was given) the words of the question do
        return "tasks" if re.search(r"\bfrom tasks\b", asked) or "sql" not in asked and _TASKS.search(
            turn["message"]) else "sales_query"
    effect = turn.get("effect", {})
    if tool == "log_activity" and effect.get("tasks") and not effect.get("orders") \
            and not effect.get("complaints"):
        return "reminder"  # a reminder alone: the task is the point
    return tool


# The figure an expected SELECT computes, by its first aggregate: SUM(amount) is money, COUNT(*)
# orders, COUNT(DISTINCT customer_id) the customers who bought, and so on.
_AGGREGATES = [("sum", "amount", "revenue"), ("sum", "quantity", "quantity"), ("count", "*", "orders"),
               ("count", "id", "orders"), ("avg", "amount", "avg_order"), ("max", "date", "last_order")]


def figure_of(sql: str) -> str | None:
    """The figure a SELECT computes (revenue, orders, quantity, buyers, customers, avg_order,
    last_order, complaints, tasks, interactions), or None when it is none of these."""
    low = re.sub(r"\s+", " ", sql.lower())
    for table in ("complaints", "tasks", "interactions"):
        if re.search(rf"\bfrom {table}\b", low):
            return table
    if not re.search(r"\bfrom orders\b", low):
        return "customers" if re.search(r"\bfrom customers\b", low) and "count(" in low else None
    first = re.search(r"\b(sum|count|avg|max)\(\s*(distinct\s+)?(?:\w+\.)?(\w+|\*)", low)
    if first is None:
        return None
    how, distinct, column = first.groups()
    if distinct:
        return "buyers" if how == "count" and column == "customer_id" else None
    return next((name for f, c, name in _AGGREGATES if (f, c) == (how, column)), None)


def figures_said(scenario: dict) -> list[str | None]:
    """Per turn, the figure a figure question asks for where its own words must say it: the
    first turn, or one that changes the figure ("and how many orders?"); a follow-up asking the
    same figure again ("and sept?") says nothing of it, so it is None."""
    said, before = [], None
    for index, turn in enumerate(scenario["turns"]):
        sql = turn.get("args", {}).get("sql") if intent_of(scenario, turn) == "sales_query" else None
        figure = figure_of(sql.get("same_result_as", "")) if isinstance(sql, dict) else None
        said.append(figure if figure and (index == 0 or figure != before) else None)
        before = figure
    return said


def training_sets(held_out: set[str]) -> list[Path]:
    """The own set, dev and every blind set named as tuned on; never the current blind set."""
    blind_dir = BLIND.parent
    sets = [DEFAULT, DEFAULT.parent / "agent_dev.jsonl"]
    sets += [blind_dir / name for name in BLIND_STATUS if (blind_dir / name).exists()]
    return [p for p in sets if p.resolve() != BLIND.resolve() and p.name not in held_out]


def rows(paths: list[Path]) -> list[dict]:
    seen: set[str] = set()
    out = []
    for path in paths:
        for line in path.read_text("utf-8").splitlines():
            if not line.strip():
                continue
            scenario = json.loads(line)
            for turn, figure in zip(scenario["turns"], figures_said(scenario)):
                intent = intent_of(scenario, turn)
                text = turn["message"].strip()
                if intent and text and text not in seen:
                    seen.add(text)
                    control = {"control": turn["tool"][1:]} if intent == "control" else {}
                    out.append({"text": text, "intent": intent, **({"figure": figure} if figure else {}),
                                **control, "source": path.name})
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hold-out", nargs="*", default=[], help="scenario file names to leave out")
    parser.add_argument("--out", type=Path, default=OUT)
    opts = parser.parse_args()
    sets = training_sets(set(opts.hold_out))
    found = rows(sets)
    opts.out.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in found), "utf-8")
    print(f"{len(found)} rows from {len(sets)} sets -> {opts.out}")


if __name__ == "__main__":
    main()
