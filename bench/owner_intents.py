"""Owners' own words as intent training rows: every turn of the scenario sets that are training
data now (the own set, dev and every blind set tuned on), labelled with the intent its expected
tool stands for. The current blind set is never read.

Run: .venv/bin/python bench/owner_intents.py [--hold-out FILE ...] [--out PATH]

Writes assistant/agent/data/intents_owners.jsonl; the intent model trains on it beside the
paraphrases the team wrote. --hold-out leaves sets out, to measure on a set the model has not seen.
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


def intent_of(scenario: dict, turn: dict) -> str | None:
    """The intent a turn's expected tool stands for; None for control turns and bad input."""
    tool = turn.get("tool")
    if tool is None:
        # something chat cannot do; a supported turn that calls nothing is bad input, not an intent
        return "unsupported" if scenario.get("none_supported") is False else None
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
            for turn in scenario["turns"]:
                intent = intent_of(scenario, turn)
                text = turn["message"].strip()
                if intent and text and text not in seen:
                    seen.add(text)
                    out.append({"text": text, "intent": intent, "source": path.name})
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
