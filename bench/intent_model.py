"""The intent model alone (no rules): how often its intent names the tool a scenario turn wanted,
trained on the team's paraphrases only and with the owners' words of the tuned sets too.

Run: .venv/bin/python bench/intent_model.py [--held-out FILE]

Each set measured is left out of the owners' rows it is measured on: the blind set always is (it
is never training data), and --held-out leaves one tuned set out as well, to see the model on
words it was not trained on. Follow-ups that only make sense after the previous answer count too.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from agent import BLIND  # noqa: E402
from owner_intents import rows, training_sets  # noqa: E402

TOOL_OF = {"sales_query": "run_sql", "tasks": "run_sql", "reminder": "log_activity"}
SURE = 0.4


def score(train: list[dict], test: list[dict], vectors: dict) -> tuple[float, float, float]:
    """(accuracy, share of turns the model is sure of, accuracy when sure)."""
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(C=30, max_iter=3000).fit(np.array([vectors[r["text"]] for r in train]),
                                                        [r["intent"] for r in train])
    probs = model.predict_proba(np.array([vectors[r["text"]] for r in test]))
    right = [TOOL_OF.get(model.classes_[p.argmax()], model.classes_[p.argmax()]) == TOOL_OF.get(r["intent"], r["intent"])
             for r, p in zip(test, probs)]
    sure = [p.max() >= SURE for p in probs]
    n_sure = sum(sure)
    return (sum(right) / len(test), n_sure / len(test),
            sum(r for r, s in zip(right, sure) if s) / max(1, n_sure))


def main() -> None:
    from assistant.agent.router.meaning import TRAIN, training_rows
    from knowledge.embedder import MultilingualE5Embedder

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--held-out", default=None, help="a tuned scenario file to leave out and measure on")
    opts = parser.parse_args()
    paraphrases = training_rows(TRAIN)
    measured = [BLIND] + ([BLIND.parent / opts.held_out] if opts.held_out else [])
    owners = rows(training_sets({p.name for p in measured}))
    embedder = MultilingualE5Embedder()
    texts = sorted({r["text"] for r in paraphrases + owners} | {r["text"] for p in measured for r in rows([p])})
    print(f"embedding {len(texts)} texts ...", flush=True)
    vectors = dict(zip(texts, (embedder.embed_query(t) for t in texts)))
    print(f"{'measured on':28s} {'trained on':34s} {'right':>7s} {'sure':>7s} {'right when sure':>16s}")
    for path in measured:
        test = rows([path])
        for label, train in (("team paraphrases", paraphrases),
                             (f"+ owners' words ({len(owners)} turns)", paraphrases + owners)):
            acc, share, sure_acc = score(train, test, vectors)
            print(f"{path.name + f' ({len(test)})':28s} {label:34s} {acc:7.1%} {share:7.1%} {sure_acc:16.1%}")


if __name__ == "__main__":
    main()
