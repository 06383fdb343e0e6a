"""Start importing scikit-learn in the background (about a second) before the churn model needs it."""

from __future__ import annotations

import threading

_started = threading.Event()


def sklearn_in_background() -> None:
    """Once per process: import the parts of scikit-learn the churn model uses, in a thread."""
    if _started.is_set():
        return
    _started.set()
    threading.Thread(target=_load, daemon=True, name="preload-sklearn").start()


def _load() -> None:
    try:
        import sklearn.ensemble
        import sklearn.isotonic  # noqa: F401
    except Exception:  # noqa: BLE001 - the model's own import reports a real failure
        pass
