"""Turn latency with the local model: one-shot `crm ask` processes against the warm app.

Run: .venv/bin/python bench/ask_speed.py [--rounds 3] [--model local]

`crm ask` starts a new process per message; it keeps the evaluated system prompt and tool schemas
on disk (the prompt cache, keyed by model and prompt), so only the first run ever evaluates them.
The app is one long-lived Assistant, as `crm serve` holds it. Both answer the same messages on a
copy of the demo shop; turns are split by who answered them (the model, or code's rules alone).
Target: the default (rules first, then the model) p50 <= 5 s on this machine.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
TODAY = "2026-11-22"
# the team's own phrasings: some the rules read surely, some they leave to the model
MESSAGES = (
    "谁可能流失？",
    "show Li Na",
    "how many customers bought in October?",
    "李娜昨天买了两袋耶加雪菲，176元",
    "can u check on the cafe folks, anyone slipping?",
    "王洋那边最近有啥动静",
    "what would you do with customers who only came once",
    "Daniel Wood seemed off on the phone today, note that pls",
    "周晨曦下次大概什么时候会再订",
    "any tips for getting more reviews on xiaohongshu",
    # code reads nothing in these: the model answers
    "hmm what's going on with the beans lately",
    "生意最近咋样 给我讲讲",
    "is the espresso blend selling ok compared to last year",
    "最近是不是淡季",
)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def line(label: str, seconds: list[float]) -> str:
    if not seconds:
        return f"  {label:<34} no turns"
    return (f"  {label:<34} p50 {statistics.median(seconds):5.1f} s   p95 "
            f"{percentile(seconds, 0.95):5.1f} s   ({len(seconds)} turns)")


def cli_runs(db: Path, env: dict, model: str, rounds: int) -> tuple[float, dict[str, list[float]]]:
    """Seconds for the first process ever (builds the prompt cache), then per answering path."""
    def ask(message: str) -> tuple[float, str]:
        started = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "assistant.cli.main", "ask", message,
                               "--db", str(db), "--model", model, "--today", TODAY, "--json"],
                              cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
        seconds = time.perf_counter() - started
        if done.returncode != 0:
            raise SystemExit(f"crm ask failed: {done.stderr.strip()[-400:]}")
        return seconds, json.loads(done.stdout).get("backend", "?")

    first, _ = ask(MESSAGES[0])
    by: dict[str, list[float]] = {}
    for _ in range(rounds):
        for message in MESSAGES:
            seconds, backend = ask(message)
            by.setdefault(backend, []).append(seconds)
    return first, by


def app_runs(db: Path, model: str, rounds: int) -> dict[str, list[float]]:
    """The same messages through one warm Assistant, as the app holds it."""
    from assistant.core.config import Settings
    from assistant.services import Services, open_assistant
    from assistant.store import Store

    services = Services(Store.open(db), Settings.from_env())
    bot = open_assistant(services, model_spec=model, today=date.fromisoformat(TODAY))
    bot.reply(MESSAGES[4], session="warm-up")  # loads the model and the encoder
    by: dict[str, list[float]] = {}
    for r in range(rounds):
        for i, message in enumerate(MESSAGES):
            started = time.perf_counter()
            reply = bot.reply(message, session=f"s{r}-{i}")
            by.setdefault(reply.backend, []).append(time.perf_counter() - started)
    return by


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="passes over the messages")
    parser.add_argument("--model", default="local")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="crm-ask-speed-"))
    try:
        db = folder / "demo.db"
        subprocess.run([sys.executable, "-m", "assistant.cli.main", "init", "--demo", "--db",
                        str(db)], check=True, cwd=ROOT, capture_output=True)
        os.environ["CRM_DATA_DIR"] = str(folder)  # a fresh prompt cache
        env = {**os.environ, "NUMPY_MADVISE_HUGEPAGE": "0"}
        load = os.getloadavg()[0]
        first, cli = cli_runs(db, env, args.model, args.rounds)
        app = app_runs(db, args.model, args.rounds)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print(f"model {args.model}, {len(MESSAGES)} messages x {args.rounds} rounds, "
          f"load average at start {load:.1f} on {os.cpu_count()} cores")
    print(f"`crm ask`, first process ever (evaluates and saves the prompt): {first:.1f} s")
    print("`crm ask`, one process per message (prompt read from the cache):")
    for backend, seconds in sorted(cli.items()):
        print(line(f"answered by {backend}", seconds))
    print(line("all turns", [s for v in cli.values() for s in v]))
    print("app (one warm Assistant, as `crm serve` holds it):")
    for backend, seconds in sorted(app.items()):
        print(line(f"answered by {backend}", seconds))
    every = [s for v in app.values() for s in v]
    print(line("all turns", every))
    p50 = statistics.median(every)
    print(f"target: default p50 <= 5 s in the app: {p50:.1f} s "
          f"{'meets' if p50 <= 5 else 'misses'}")


if __name__ == "__main__":
    main()
