"""Scenario suite for the chat agent: tool, argument and database-effect accuracy, latency.

Run: .venv/bin/python bench/agent.py [--backend none|local|local:NAME|openai:MODEL] [--router-only]
                                     [--scenarios PATH] [--only ID_PREFIX] [--verbose]

Each scenario runs on a fresh copy of the demo shop (seed 7, data until 2026-11-01) with
today = 2026-11-22. A turn passes the tool check when its expected tool was called (control turns
"@confirm" / "@undo" ... check only the effect), the argument check when every listed argument
matches (customers by resolution, dates by parsing, "~x" by substring, SQL by result), and the
effect check when every table's row count changed exactly as listed (unlisted tables: unchanged)
and every check query returns its value. --router-only checks the none router's tool and
arguments without the Assistant.
"""

from __future__ import annotations

import argparse
import json
import shutil
import signal
import sqlite3
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

TODAY = date(2026, 11, 22)
DEMO_END = date(2026, 11, 1)
TABLES = ("customers", "orders", "interactions", "complaints", "tasks")
DEFAULT = Path(__file__).parent / "data" / "agent_scenarios.jsonl"
MEANING = None  # the intent model, set in main() unless --rules-only
# Written by someone who saw only the README's feature list and the demo shop's customers; frozen
# when committed. Once tuned on it is training data: say so here and write a new one.
BLIND = Path(__file__).parent / "data" / "blind" / "agent_blind25.jsonl"
BLIND_STATUS = {"agent_blind.jsonl": "blind v1, tuned on since 2026-12-05: training data now",
                "agent_blind2.jsonl": "blind v2, its failures read and tuned on since 2026-12-05 "
                                      "(second session): training data now",
                "agent_blind3.jsonl": "blind v3, its failures read and tuned on since 2026-12-05 "
                                      "(third session): training data now",
                "agent_blind4.jsonl": "blind v4, its failures read and tuned on since 2026-12-06: "
                                      "training data now",
                "agent_blind5.jsonl": "blind v5, its failures read and tuned on since 2026-12-06: "
                                      "training data now",
                "agent_blind6.jsonl": "blind v6, its failures read and tuned on since 2026-12-06 "
                                      "(second session that day): training data now",
                "agent_blind7.jsonl": "blind v7, its failures read and tuned on since 2026-12-06 "
                                      "(third session that day): training data now",
                "agent_blind8.jsonl": "blind v8, its failures read and tuned on since 2026-12-06 "
                                      "(fourth session that day): training data now",
                "agent_blind9.jsonl": "blind v9, its failures read and tuned on since 2026-12-06 "
                                      "(fourth session that day): training data now",
                "agent_blind10.jsonl": "blind v10, its failures read and tuned on since 2026-12-06 "
                                       "(fifth session that day): training data now",
                "agent_blind11.jsonl": "blind v11, its failures read and tuned on since 2026-12-06 "
                                       "(fifth session that day): training data now",
                "agent_blind12.jsonl": "blind v12, its failures read and tuned on since 2026-12-06 "
                                       "(sixth session that day), and its turns taught the intent model: training data now",
                "agent_blind13.jsonl": "blind v13, its failures read and tuned on since 2026-12-06 "
                                       "(seventh session that day): training data now",
                "agent_blind14.jsonl": "blind v14, its failures read and tuned on since 2026-12-06 "
                                       "(eighth session that day): training data now",
                "agent_blind15.jsonl": "blind v15, its failures read and tuned on since 2026-12-06 "
                                       "(ninth session that day): training data now",
                "agent_blind16.jsonl": "blind v16, its failures read and tuned on since 2026-12-07: training data now",
                "agent_blind17.jsonl": "blind v17, its failures read and tuned on since 2026-12-07 "
                                       "(second session that day), and its turns taught the intent model: training data now",
                "agent_blind18.jsonl": "blind v18, its failures read and tuned on since 2026-12-07 "
                                       "(third session that day), and its turns taught the intent model: training data now",
                "agent_blind19.jsonl": "blind v19, its failures read and tuned on since 2026-12-07 "
                                       "(fourth session that day), and its turns taught the intent model: training data now",
                "agent_blind20.jsonl": "blind v20, its failures read and tuned on since 2026-12-07 "
                                       "(fifth session that day), and its turns taught the intent model: training data now",
                "agent_blind21.jsonl": "blind v21, its failures read and tuned on since 2026-12-07 "
                                       "(sixth session that day), and its turns taught the intent model: training data now",
                "agent_blind22.jsonl": "blind v22, its failures read and tuned on since 2026-12-07 "
                                       "(seventh session that day), and its turns taught the intent model: training data now",
                "agent_blind23.jsonl": "blind v23, its failures read and tuned on since 2026-12-07 "
                                       "(eighth session that day), and its turns taught the intent model: training data now",
                "agent_blind24.jsonl": "blind v24, its failures read and tuned on since 2026-12-08, and its turns "
                                       "taught the intent and figure models: training data now",
                "agent_blind25.jsonl": "blind v25, never tuned on: only its totals were read",
                "agent_dev.jsonl": "dev: written by others, tuned on"}


@dataclass
class Outcome:
    scenario: str
    lang: str
    message: str
    tool_ok: bool | None = None      # None: not measured for this turn
    args_ok: bool | None = None
    effect_ok: bool | None = None
    answer_ok: bool | None = None  # the reply names what a read question asked for
    caught: int = 0  # values a model proposed for a write that nobody said (dropped or refused)
    shown_ungrounded: int = 0  # write proposals shown to the owner still carrying such a value
    supported: bool = True
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)


def build_demo_file(folder: Path) -> Path:
    from assistant.importer.demo_shop import build_demo
    from assistant.store import Store

    path = folder / "demo.db"
    store = Store.open(path)
    build_demo(store, seed=7, end=DEMO_END)
    store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store.close()
    return path


def query_rows(path: Path, sql: str) -> list[tuple] | str:
    """Rows of a read-only query, or the error text (a wrong SQL must not crash the bench)."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return [tuple(round(v, 2) if isinstance(v, float) else v for v in row)
                for row in conn.execute(sql).fetchall()]
    except sqlite3.Error as ex:
        return f"error: {ex}"
    finally:
        conn.close()


def _resolve(store: Any, name: Any) -> int | None:
    try:
        return store.resolve_customer(str(name)).id
    except Exception:  # noqa: BLE001 - NotFound / Ambiguous both mean "not this customer"
        return None


def arg_matches(key: str, expected: Any, actual: Any, store: Any, db: Path) -> bool:
    """One expected argument against the one the backend passed."""
    from assistant.lang.dates import parse_date

    if expected is None:
        return actual in (None, "", [], {})
    if actual in (None, "") and key == "date":
        actual = TODAY.isoformat()  # no date passed: the tools record today, as they say they do
    if actual is None:
        return False
    if key == "sql" and isinstance(expected, dict):
        got = query_rows(db, str(actual))
        return not isinstance(got, str) and same_answer(got, query_rows(db, expected["same_result_as"]),
                                                        "order by" in expected["same_result_as"].lower())
    if key == "customer":
        if isinstance(expected, str) and expected.startswith("="):
            return str(actual).strip().lower() == expected[1:].lower()
        want = _resolve(store, expected)
        return want is not None and _resolve(store, actual) == want
    if key.endswith("date"):
        try:
            prefer = "past" if key == "date" else "future"
            return parse_date(str(actual), TODAY, prefer) == date.fromisoformat(expected)
        except Exception:  # noqa: BLE001 - an unparseable date is a wrong argument
            return False
    if isinstance(expected, (int, float)) and not isinstance(expected, bool):
        try:
            return abs(float(actual) - float(expected)) < 1e-6
        except (TypeError, ValueError):
            return False
    from assistant.lang.names import to_simplified

    if isinstance(expected, str) and expected.startswith("~"):
        # 危地馬拉 typed is 危地马拉 expected: text is saved in the owner's script
        return to_simplified(expected[1:]).lower() in to_simplified(str(actual)).lower()
    if key == "name":
        # 陳美玲 and 陈美玲 are one name in two scripts; the owner's own is what gets saved
        return to_simplified(str(actual)).strip().lower() == to_simplified(str(expected)).strip().lower()
    return str(actual).strip().lower() == str(expected).strip().lower()


def _figures(cells: tuple) -> list[float]:
    return [round(float(c), 2) for c in cells if isinstance(c, (int, float)) and not isinstance(c, bool)]


def _side_by_side(row: tuple, want: list[tuple]) -> bool:
    """Two or more periods' (or places') figures asked as one row per period, answered as one row
    that shows them side by side (with their difference): every wanted figure is in the row. The
    first writer of v25 pointed out, before the set was run, that this scorer failed that layout."""
    wanted, shown = [f for r in want for f in _figures(r)], _figures(row)
    if len(wanted) < 2 or any(len(_figures(r)) != 1 for r in want):
        return False  # one figure per wanted row, beside its label
    return all(shown.count(f) >= wanted.count(f) for f in set(wanted))


def same_answer(got: list[tuple], want: list[tuple] | str, ordered: bool) -> bool:
    """The query answers what was asked: the same rows, or the same rows with more columns (a task
    list that also names the customer): every wanted column is one of the answer's columns."""
    if isinstance(want, str):
        return False
    if len(got) == 1 and 2 <= len(want) <= 4 and _side_by_side(got[0], want):
        return True
    if len(got) != len(want):
        return False
    if got == want:
        return True
    if not got or not want:
        return False

    def norm(column: tuple) -> tuple:
        return tuple(column) if ordered else tuple(sorted(map(str, column)))

    columns, used = [norm(c) for c in zip(*got)], set()
    for column in zip(*want):
        hit = next((i for i, c in enumerate(columns) if c == norm(column) and i not in used), None)
        if hit is None:
            return False
        used.add(hit)
    return True


def args_match(expected: dict, actual: dict, store: Any, db: Path, notes: list[str]) -> bool:
    ok = True
    for key, want in expected.items():
        if not arg_matches(key, want, actual.get(key), store, db):
            notes.append(f"arg {key}: want {want!r}, got {actual.get(key)!r}")
            ok = False
    return ok


def counts(store: Any) -> dict[str, int]:
    return {t: store.db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in TABLES}


def effect_matches(turn: dict, before: dict, after: dict, db: Path, notes: list[str]) -> bool:
    ok = True
    for table in TABLES:
        want = turn.get("effect", {}).get(table, 0)
        if after[table] - before[table] != want:
            notes.append(f"{table}: want {want:+d}, got {after[table] - before[table]:+d}")
            ok = False
    for check in turn.get("checks", []):
        rows = query_rows(db, check["sql"])
        got = rows[0][0] if isinstance(rows, list) and rows else rows
        if got != check["equals"]:
            notes.append(f"check {check['sql'][:60]}...: want {check['equals']!r}, got {got!r}")
            ok = False
    return ok


def run_router(scenario: dict, store: Any, db: Path) -> list[Outcome]:
    """The none router alone: tool and arguments (and control intents) per turn."""
    from assistant.agent.router import Route, RouteContext, control_intent, route
    from tools import TOOLS

    names = [r[0] for r in store.db.execute("SELECT name FROM customers")]
    products = store.product_names()
    ctx = RouteContext(today=TODAY, lang=scenario.get("lang", "en"), customer_names=lambda: names,
                       product_names=lambda: products, meaning=MEANING)
    out = []
    for turn in scenario["turns"]:
        o = Outcome(scenario["id"], scenario.get("lang", "?"), turn["message"],
                    supported=scenario.get("none_supported", True))
        started = time.perf_counter()
        want = turn.get("tool")
        if want and want.startswith("@"):
            got_control = control_intent(turn["message"])
            o.seconds = time.perf_counter() - started
            o.tool_ok = o.args_ok = got_control == want[1:]
            if not o.tool_ok:
                o.notes.append(f"control: want {want[1:]}, got {got_control}")
            out.append(o)
            continue
        found = route(turn["message"], ctx, TOOLS)
        found = found if isinstance(found, Route) else None
        o.seconds = time.perf_counter() - started
        o.tool_ok = (found.tool if found else None) == want
        if not o.tool_ok:
            o.notes.append(f"tool: want {want}, got {found.tool if found else None} "
                           f"{found.args if found else ''}")
        o.args_ok = o.tool_ok and args_match(turn.get("args", {}), found.args if found else {},
                                             store, db, o.notes)
        if found and found.args.get("customer"):
            cid = _resolve(store, found.args["customer"])
            ctx.last_customer = store.get_customer(cid).name if cid else found.args["customer"]
        out.append(o)
    return out


def bot_memory(bot: Any, session: str) -> list[str]:
    """What the conversation had established before the turn (the customer just discussed, the
    customers the last list showed: "the first one" is one of them; the customers a "which one?"
    offered, by name and id: "上海那个 新加的" picks one of those rows)."""
    from assistant.store.accounts import LOCAL_OWNER

    s = bot._session(session, LOCAL_OWNER)
    offered = [str(v) for c in (s.asked[2] if s.asked else []) for v in (c.name, c.id, c.external_id) if v]
    return [str(v) for v in (s.ctx.last_customer_name, s.ctx.last_complaint_id) if v] + s.listed + offered


def from_record(store: Any, args: dict, said: str = "") -> list[str]:
    """Values a write takes from the stored record of the customer it names: the complaint of
    "李娜那个投诉搞定了" is hers, found in the store, not invented; the goods, count and price
    of "老样子" are her last order's, and only when the owner said so."""
    from assistant.agent.router.activity_rules import THE_USUAL

    cid = _resolve(store, args["customer"]) if args.get("customer") else None
    if cid is None:
        return []
    found = [str(r[0]) for r in store.db.execute("SELECT id FROM complaints WHERE customer_id = ?", [cid])]
    if THE_USUAL.search(said):
        last = store.db.execute("SELECT quantity, product, amount FROM orders WHERE customer_id = ? "
                                "ORDER BY date DESC, id DESC LIMIT 1", [cid]).fetchone()
        found += [str(v) for v in last or ()]
    return found


def run_assistant(scenario: dict, store: Any, db: Path, backend: str, model: Any,
                  rules_first: Any = "default") -> list[Outcome]:
    """The real Assistant (auto-confirm unless the scenario tests confirmation)."""
    from assistant.agent.assistant import RULES_FIRST, Assistant
    from assistant.lang.grounding import ungrounded
    from tools import TOOLS

    bot = Assistant(store, TOOLS, index=None, model=model, backend=backend, meaning=MEANING,
                    auto_confirm=scenario.get("auto_confirm", True), today=TODAY,
                    rules_first=RULES_FIRST if rules_first == "default" else rules_first)
    writing = {t.name for t in TOOLS if t.writes}
    history: list[dict] = []
    out = []
    for turn in scenario["turns"]:
        o = Outcome(scenario["id"], scenario.get("lang", "?"), turn["message"],
                    supported=scenario.get("none_supported", True))
        before = counts(store)
        started = time.perf_counter()
        known = bot_memory(bot, scenario["id"])
        try:
            reply = bot.reply(turn["message"], history, session=scenario["id"])
            actions, text = reply.actions, reply.text
            o.caught = len(reply.dropped)
            for a in actions:
                # the owner's words are the conversation so far: "改到29號" keeps the task
                # and the customer said one turn before
                said = [h["content"] for h in history if h["role"] == "user"] + [turn["message"]]
                bad = ungrounded(a.args, said, known + from_record(store, a.args, "\n".join(said))) \
                    if a.tool in writing and a.status in ("proposed", "done") else []
                if bad:
                    o.shown_ungrounded += 1
                    o.notes.append(f"ungrounded in {a.tool}: {bad}")
        except Exception as ex:  # noqa: BLE001 - a crash is a failed turn, not a failed bench
            actions, text = [], f"CRASH {type(ex).__name__}: {ex}"
            o.notes.append(text)
            crashed = True
        else:
            crashed = False
        o.seconds = time.perf_counter() - started
        want = turn.get("tool")
        if want is None:
            writes = [a.tool for a in actions if a.tool in writing]
            o.tool_ok = o.args_ok = not writes
            if writes:
                o.notes.append(f"tool: want no write, got {writes}")
        elif not want.startswith("@"):
            hit = next((a for a in actions if a.tool == want), None)
            o.tool_ok = hit is not None
            if not o.tool_ok:
                o.notes.append(f"tool: want {want}, got {[(a.tool, a.args) for a in actions]}")
            o.args_ok = o.tool_ok and args_match(turn.get("args", {}), hit.args if hit else {},
                                                 store, db, o.notes)
        o.effect_ok = effect_matches(turn, before, counts(store), db, o.notes) and not crashed
        if turn.get("reply_contains"):
            o.answer_ok = any(str(want) in text for want in turn["reply_contains"])
            if not o.answer_ok:
                o.notes.append(f"answer: want one of {turn['reply_contains']}")
        if not (o.tool_ok is not False and o.effect_ok and o.answer_ok is not False):
            o.notes.append(f"reply: {text[:160]!r}")
        history += [{"role": "user", "content": turn["message"]},
                    {"role": "assistant", "content": text}]
        out.append(o)
    return out


def _rate(values: list[bool | None]) -> str:
    measured = [v for v in values if v is not None]
    if not measured:
        return "   n/a"
    return f"{100 * sum(measured) / len(measured):5.1f}% ({sum(measured)}/{len(measured)})"


def report(outcomes: list[Outcome], label: str, verbose: bool) -> None:
    secs = sorted(o.seconds for o in outcomes)
    p95 = secs[min(len(secs) - 1, round(0.95 * (len(secs) - 1)))] if secs else 0.0
    print(f"\n== {label}: {len(outcomes)} turns, {len({o.scenario for o in outcomes})} scenarios")
    print(f"   tool accuracy        {_rate([o.tool_ok for o in outcomes])}")
    print(f"   argument accuracy    {_rate([o.args_ok for o in outcomes])}")
    print(f"   DB-effect accuracy   {_rate([o.effect_ok for o in outcomes])}")
    print(f"   answer accuracy      {_rate([o.answer_ok for o in outcomes])}")
    right = [None if o.effect_ok is None and o.tool_ok is None else
             False not in (o.tool_ok, o.args_ok, o.effect_ok, o.answer_ok) for o in outcomes]
    print(f"   turns right          {_rate(right)}")
    print(f"   latency p50 / p95    {statistics.median(secs) * 1000:.1f} ms / {p95 * 1000:.1f} ms" if secs
          else "   latency p50 / p95    n/a (no turn finished)")
    print(f"   ungrounded values    {sum(o.caught for o in outcomes)} proposed by a model and "
          f"caught; {sum(o.shown_ungrounded for o in outcomes)} write proposals shown with one "
          f"(target 0)")
    for lang in ("en", "zh", "mixed"):
        part = [o for o in outcomes if o.lang == lang]
        if part:
            print(f"   {lang:5s} tool {_rate([o.tool_ok for o in part])}  args "
                  f"{_rate([o.args_ok for o in part])}  effect {_rate([o.effect_ok for o in part])}")
    failed = [o for o in outcomes
              if False in (o.tool_ok, o.args_ok, o.effect_ok, o.answer_ok) or o.shown_ungrounded]
    if failed:
        # only with --verbose: a blind set's failures must not reach whoever reads its totals
        print(f"   failures: {len(failed)}" + ("" if verbose else " (--verbose lists them)"))
        for o in failed if verbose else []:
            print(f"   - {o.scenario}: {o.message!r}")
            for note in o.notes:
                print(f"       {note}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", default="none")
    parser.add_argument("--router-only", action="store_true")
    parser.add_argument("--scenarios", type=Path, nargs="*",
                        default=[p for p in (DEFAULT, BLIND) if p.exists()],
                        help="scenario files, each reported on its own (default: own and blind)")
    parser.add_argument("--only", default="")
    parser.add_argument("--rules-only", action="store_true",
                        help="the exact rules alone, without the intent model")
    parser.add_argument("--verbose", action="store_true")
    parser.add_argument("--model-only", action="store_true",
                        help="every turn goes to the model (no confident-rules shortcut)")
    opts = parser.parse_args()
    global MEANING
    if not opts.rules_only:
        from assistant.agent.router.meaning import MeaningModel
        from knowledge.embedder import MultilingualE5Embedder

        MEANING = MeaningModel(MultilingualE5Embedder())
    model = None
    if not opts.router_only and opts.backend != "none":
        from assistant.core.config import Settings
        from assistant.models.factory import make_chat_model

        model = make_chat_model(opts.backend, Settings.from_env())
    from assistant.store import Store

    for path in [p for p in opts.scenarios if p.exists()]:
        scenarios = [json.loads(line) for line in path.read_text("utf-8").splitlines()
                     if line.strip() and not line.startswith("//")]
        scenarios = [s for s in scenarios if s["id"].startswith(opts.only)]
        status = BLIND_STATUS.get(path.name, "own")
        print(f"\n#### {path.name} [{status}]")
        run_file(scenarios, opts, model, Store)


def _stop(*_: Any) -> None:
    raise KeyboardInterrupt


def run_file(scenarios: list[dict], opts: Any, model: Any, Store: Any) -> None:
    outcomes: list[Outcome] = []
    # A model run takes most of an hour on two cores: say how far it is, and when it is stopped
    # (Ctrl-C, or `timeout`'s SIGTERM) report the scenarios that finished instead of nothing.
    signal.signal(signal.SIGTERM, _stop)
    done = 0
    started = time.perf_counter()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            demo = build_demo_file(Path(tmp))
            for i, scenario in enumerate(scenarios):
                db = Path(tmp) / f"s{i}.db"
                shutil.copy(demo, db)
                store = Store.open(db)
                try:
                    if opts.router_only:
                        outcomes += run_router(scenario, store, db)
                    else:
                        outcomes += run_assistant(scenario, store, db, opts.backend.split(":")[0],
                                                  model, None if opts.model_only else "default")
                finally:
                    store.close()
                done = i + 1
                if model is not None and done % 10 == 0:
                    print(f"  ... {done}/{len(scenarios)} scenarios, "
                          f"{time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True)
    except KeyboardInterrupt:
        print(f"STOPPED after {done} of {len(scenarios)} scenarios: the figures below cover those",
              flush=True)
        scenarios = scenarios[:done]
        outcomes = [o for o in outcomes if o.scenario in {s["id"] for s in scenarios}]
    singles = sum(1 for s in scenarios if len(s["turns"]) == 1)
    print(f"{len(scenarios)} scenarios ({singles} single turns, {len(scenarios) - singles} conversations), "
          f"today={TODAY}")
    label = "router only (none)" if opts.router_only else f"backend {opts.backend}" + (
        " (model only)" if opts.model_only else "")
    report(outcomes, label, opts.verbose)
    unsupported = [o for o in outcomes if not o.supported]
    if unsupported and opts.backend == "none":
        report([o for o in outcomes if o.supported], "none, supported intents only", opts.verbose)


if __name__ == "__main__":
    sys.exit(main())
