"""Cold start of `crm serve`: process start -> the page and its config answer over HTTP.

Target: <= 20 s on this machine. Models load in a background thread after launch,
so they must not delay the page. Usage: python bench/cold_start.py [--runs 3] [--model none]
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
TARGET_S = 20.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve_command() -> list[str]:
    """`crm serve` when the CLI has it, else the same command through its module."""
    crm = Path(sys.executable).with_name("crm")
    if crm.exists():
        probe = subprocess.run([str(crm), "serve", "--help"], capture_output=True, text=True, check=False)
        if probe.returncode == 0:
            return [str(crm), "serve"]
    return [sys.executable, "-m", "assistant.cli.serve"]


def one_run(db: Path, env: dict, model: str | None) -> tuple[float, float]:
    """(seconds to a usable page, seconds to the server's first byte) for one cold start."""
    port = free_port()
    cmd = serve_command() + ["--db", str(db), "--port", str(port)]
    if model:
        cmd += ["--model", model]
    url = f"http://127.0.0.1:{port}"
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    first_byte = None
    try:
        while time.perf_counter() - started < 120:
            if proc.poll() is not None:
                raise SystemExit(f"crm serve exited early:\n{proc.stderr.read()}")
            try:
                page = httpx.get(url + "/", timeout=2)
                first_byte = first_byte or time.perf_counter() - started
                config = httpx.get(url + "/config", timeout=5)
                if page.status_code == 200 and config.status_code == 200 \
                        and "chat-input" in config.text:
                    return time.perf_counter() - started, first_byte
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise SystemExit("the page did not become usable within 120 s")
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--model", default=None, help="--model for crm serve (default: $CRM_MODEL)")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="crm-cold-"))
    try:
        db = folder / "demo.db"
        crm_init = [sys.executable, "-m", "assistant.cli.main", "init", "--demo", "--db", str(db)]
        subprocess.run(crm_init, check=True, cwd=ROOT, capture_output=True)
        env = {**os.environ, "CRM_DATA_DIR": os.environ.get("CRM_DATA_DIR", str(folder))}
        times = [one_run(db, env, args.model) for _ in range(args.runs)]
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    usable = [t for t, _ in times]
    print(f"command: {' '.join(serve_command())} --db DEMO.db --port PORT"
          + (f" --model {args.model}" if args.model else ""))
    print(f"cold start to usable page ({args.runs} runs): "
          + ", ".join(f"{t:.1f}s" for t in usable))
    print(f"median {statistics.median(usable):.1f}s, worst {max(usable):.1f}s "
          f"(first byte median {statistics.median(b for _, b in times):.1f}s); "
          f"target <= {TARGET_S:.0f}s: {'OK' if max(usable) <= TARGET_S else 'TOO SLOW'}")


if __name__ == "__main__":
    main()
