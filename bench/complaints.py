"""Complaint triage and reply-rubric bench (issue 5): prints accuracy and macro-F1 per field.

    .venv/bin/python bench/complaints.py              # no-LLM column; LLM column prints n/a
    .venv/bin/python bench/complaints.py --llm local  # (reserved) fills the LLM column
    .venv/bin/python bench/complaints.py --errors     # also lists the misclassified texts

The set (bench/data/complaints_labelled.jsonl) was written for this bench and is separate from the
training data in assistant/data/complaints_train.jsonl.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DATA = Path(__file__).parent / "data" / "complaints_labelled.jsonl"
# Written after the lexicons were tuned on DATA and never tuned on: an honest generalisation check.
HOLDOUT = Path(__file__).parent / "data" / "complaints_holdout.jsonl"
FIELDS = ("category", "fault", "severity", "is_complaint", "language", "sentiment")
SIGN_THRESHOLD = 0.05  # |polarity| below this counts as neutral (vaderSentiment's convention)


def load_set(path: Path = DATA) -> list[dict]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


def sign(x: float) -> int:
    return 0 if abs(x) < SIGN_THRESHOLD else (1 if x > 0 else -1)


def predict(rows: list[dict], llm: Callable[[str], str] | None) -> list[dict]:
    from assistant.triage import classify

    out = []
    for row in rows:
        t = classify(row["text"], llm=llm)
        out.append({"category": t.category, "fault": t.fault, "severity": t.severity,
                    "is_complaint": t.is_complaint, "language": t.language,
                    "sentiment": sign(t.sentiment), "fault_clue": t.fault_clue})
    return out


def scores(rows: list[dict], preds: list[dict]) -> dict[str, tuple[float, float]]:
    from sklearn.metrics import accuracy_score, f1_score

    result = {}
    for field in FIELDS:
        gold = [str(r[field]) for r in rows]
        got = [str(p[field]) for p in preds]
        result[field] = (accuracy_score(gold, got),
                         f1_score(gold, got, average="macro", labels=sorted(set(gold)),
                                  zero_division=0))
    return result


def make_llm(name: str | None) -> Callable[[str], str] | None:
    """The LLM callable for the second column; only a local model is planned (issue 6)."""
    if name is None:
        return None
    raise SystemExit(f"--llm {name}: no LLM path is wired into the bench yet")


def rubric_rate(rows: list[dict]) -> dict[str, object]:
    """Draft a reply to every complaint in three tones; check it against triaged and gold labels."""
    from dataclasses import replace

    from assistant.reply import check
    from assistant.store import Store
    from tools.complaints import _context, draft_reply, log_complaint

    failures: dict[str, int] = {}
    passed = passed_gold = total = 0
    with tempfile.TemporaryDirectory() as tmp:
        store = Store.open(Path(tmp) / "bench.db")
        store.set_setting("policy", {"max_refund": 200, "max_coupon": 50, "replacement": True,
                                     "currency": "¥"})
        en = store.add_customer("Alice Walker", created_at="2022-05-01")
        zh = store.add_customer("王小红", created_at="2023-02-11")
        for who in (en, zh):
            store.add_order(who.id, "2024-01-05", 68.0, product="oolong tea")
            store.add_order(who.id, "2024-03-09", 240.0, product="tea set")
        for row in rows:
            who = zh if row["language"] == "zh" else en
            complaint = log_complaint(store, who.id, row["text"], date="2024-04-01")
            # The gold rubric judges the same text against the hand labels (fault, language).
            gold = replace(_context(store, complaint), fault=row["fault"],
                           language=row["language"])
            for tone in ("formal", "warm", "brief"):
                draft = draft_reply(store, complaint.id, tone=tone)
                total += 1
                passed += all(draft.checks.values())
                passed_gold += all(check(draft.text, gold).values())
                for name, ok in draft.checks.items():
                    if not ok:
                        failures[name] = failures.get(name, 0) + 1
        store.close()
    return {"passed": passed, "passed_gold": passed_gold, "total": total, "failures": failures}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--llm", default=None, help="LLM for the second column (e.g. local)")
    parser.add_argument("--errors", action="store_true", help="list misclassified texts")
    parser.add_argument("--no-rubric", action="store_true", help="skip the reply rubric")
    args = parser.parse_args(argv)

    rows = load_set()
    llm = make_llm(args.llm)
    base, preds, elapsed = None, [], 0.0
    for title, path in (("main set", DATA), ("held-out set", HOLDOUT)):
        data = load_set(path)
        langs = {lang: sum(r["language"] == lang for r in data) for lang in ("zh", "en")}
        print(f"\n{title}: {len(data)} texts ({sum(r['is_complaint'] for r in data)} complaints; "
              f"zh {langs['zh']}, en {langs['en']}) — {path.name}")
        started = time.perf_counter()
        got = predict(data, None)
        if base is None:
            elapsed, preds = time.perf_counter() - started, got
        result = scores(data, got)
        base = base or result
        with_llm = scores(data, predict(data, llm)) if llm else None
        print(f"{'field':<15}{'acc (no LLM)':>13}{'F1 (no LLM)':>13}{'acc (LLM)':>11}"
              f"{'F1 (LLM)':>10}")
        for field in FIELDS:
            acc, f1 = result[field]
            extra = (f"{with_llm[field][0]:>11.3f}{with_llm[field][1]:>10.3f}" if with_llm
                     else f"{'n/a':>11}{'n/a':>10}")
            name = "sentiment sign" if field == "sentiment" else field
            print(f"{name:<15}{acc:>13.3f}{f1:>13.3f}{extra}")
    print(f"\ntriage time: {elapsed:.1f} s for {len(rows)} texts (includes first-use training)")
    target = base["category"][1]
    print(f"target category macro-F1 >= 0.85 without an LLM (main set): {target:.3f} "
          f"{'PASS' if target >= 0.85 else 'FAIL'}")

    if args.errors:
        for field in ("category", "fault", "severity", "is_complaint", "sentiment"):
            print(f"\n-- {field} errors")
            for row, p in zip(rows, preds):
                if row[field] != p[field]:
                    print(f"  #{row['id']} gold={row[field]} got={p[field]} "
                          f"clue={p['fault_clue']!r}: {row['text'][:70]}")

    if not args.no_rubric:
        r = rubric_rate([row for row in rows if row["is_complaint"]])
        total = r["total"]
        print(f"\nreply rubric (template path, 3 tones), against the triaged labels: "
              f"{r['passed']}/{total} = {100 * r['passed'] / total:.1f} % pass (target 100 %)")
        for name, n in sorted(r["failures"].items()):
            print(f"  failed {name}: {n}")
        print(f"reply rubric against the gold labels (triage errors show up here): "
              f"{r['passed_gold']}/{total} = {100 * r['passed_gold'] / total:.1f} %")
        print("reply rubric (LLM path): n/a")


if __name__ == "__main__":
    main()
