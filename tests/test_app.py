"""The web app over a launched loopback server (gradio_client) and its tab functions directly."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from assistant.core.config import Settings
from assistant.core.records import CrmError
from assistant.services import Services
from assistant.webui.security import auth_for

ROOT = Path(__file__).resolve().parents[1]


def make_services(store, tmp_path: Path, **kw) -> Services:
    settings = Settings.from_env({"CRM_DATA_DIR": str(tmp_path), "CRM_MODEL": "none",
                                  "CRM_DB": str(store.path)})
    return Services(store, settings, **kw)


@pytest.fixture
def served(demo_store, tmp_path):
    """The app on 127.0.0.1 (a free port) over a private copy of the demo shop."""
    from assistant.webui import app

    services = make_services(demo_store, tmp_path)
    blocks = app.build_app(services)
    _, url, _ = blocks.launch(prevent_thread_lock=True, server_name="127.0.0.1", quiet=True)
    yield url, services
    blocks.close()


def test_chat_api_previews_then_confirms_a_write(served):
    from gradio_client import Client

    url, services = served
    client = Client(url, verbose=False)
    before = len(services.store.interactions(1))
    preview = client.predict("Log a call with 张伟: asked about decaf", api_name="/chat")
    assert "张伟" in preview and "yes" in preview
    assert len(services.store.interactions(1)) == before  # nothing saved yet
    saved = client.predict("yes", api_name="/chat")
    assert "Saved" in saved
    assert services.store.interactions(1)[0].summary.endswith("asked about decaf")


def test_chat_api_answers_in_chinese(served):
    from gradio_client import Client

    url, _ = served
    reply = Client(url, verbose=False).predict("记录一下：李娜今天微信问了新到的埃塞俄比亚豆子",
                                               api_name="/chat")
    assert "确认" in reply and "李娜" in reply


def test_only_the_chat_endpoint_is_public(served):
    from gradio_client import Client

    url, _ = served
    info = Client(url, verbose=False).view_api(return_format="dict", print_info=False)
    assert list(info["named_endpoints"]) == ["/chat"]


def test_auth_protects_the_app(demo_store, tmp_path):
    import httpx

    from assistant.webui import app

    blocks = app.build_app(make_services(demo_store, tmp_path))
    _, url, _ = blocks.launch(prevent_thread_lock=True, server_name="127.0.0.1", quiet=True,
                              auth=auth_for("127.0.0.1", "owner:s3cret"))
    try:
        assert httpx.get(f"{url}config").status_code == 401
        ok = httpx.post(f"{url}login", data={"username": "owner", "password": "s3cret"})
        assert ok.status_code == 200
        bad = httpx.post(f"{url}login", data={"username": "owner", "password": "nope"})
        assert bad.status_code == 400
    finally:
        blocks.close()


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.20", "::"])
def test_non_loopback_without_auth_is_refused(host):
    with pytest.raises(CrmError, match="CRM_AUTH"):
        auth_for(host, None)


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "::1", "127.0.0.2"])
def test_loopback_needs_no_auth(host):
    assert auth_for(host, None) is None


def test_bad_auth_value_is_refused():
    with pytest.raises(CrmError, match="user:password"):
        auth_for("127.0.0.1", "justapassword")


def test_crm_serve_refuses_all_interfaces_without_auth(demo_db_file, monkeypatch):
    from click.testing import CliRunner

    from assistant.cli.main import cli

    monkeypatch.delenv("CRM_AUTH", raising=False)
    result = CliRunner().invoke(cli, ["serve", "--db", str(demo_db_file), "--host", "0.0.0.0",
                                      "--model", "none"])
    assert result.exit_code == 1
    assert "CRM_AUTH=user:password" in result.output and "Traceback" not in result.output


def test_importing_the_app_loads_no_model_libraries():
    code = ("import sys, app; heavy = [m for m in ('torch', 'chromadb', 'sentence_transformers',"
            " 'llama_cpp', 'langchain') if m in sys.modules]; print(heavy)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, cwd=ROOT, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_building_the_app_opens_neither_index_nor_assistant(demo_store, tmp_path):
    from assistant.webui import app

    def boom(*_):
        raise AssertionError("loaded at startup")

    services = make_services(demo_store, tmp_path, index_factory=boom, assistant_factory=boom)
    assert app.build_app(services) is not None


def test_language_switch_relabels_every_component(demo_store, tmp_path):
    from assistant.webui import app
    from assistant.webui.ui import Ui

    services = make_services(demo_store, tmp_path)
    ui = Ui("en", services.ui_language)
    import gradio as gr

    with gr.Blocks():
        from assistant.webui import chat

        with ui.make(gr.Tab, {"label": "tab.chat"}) as tab:
            chat.build(services, ui, tab)
    updates = ui.relabel("zh")
    assert len(updates) == len(ui.components) > 5
    assert {"value": "发送", "__type__": "update"} in updates
    assert app.build_app(services) is not None


def test_every_text_has_both_languages_and_matching_placeholders():
    import string

    from assistant.webui.text import TEXT

    def fields(s: str) -> set:
        return {f for _, f, _, _ in string.Formatter().parse(s) if f}

    for key, (en, zh) in TEXT.items():
        assert en.strip() and zh.strip(), key
        assert fields(en) == fields(zh), key
