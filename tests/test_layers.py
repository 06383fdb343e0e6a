"""The tree is the architecture: every import points down a layer, never up or across.

Each top-level folder of assistant/ (and tools/, knowledge/, prompts/) is one layer; LAYERS says
which layers each may import. A new import that reaches up — the store importing the agent, a
tool importing the web UI — fails here with the file, the line and the rule it breaks.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# layer -> the layers it may import (besides itself), lowest first
LAYERS: dict[str, set[str]] = {
    "prompts": set(),
    "core": set(),
    "channels": {"core"},
    "lang": {"core"},
    "store": {"core", "lang"},
    "knowledge": {"core", "lang"},
    "importer": {"core", "lang", "store"},
    "analytics": {"core", "lang", "store", "knowledge"},
    "complaints": {"core", "lang", "store", "knowledge", "prompts"},
    "models": {"core", "prompts"},
    "agent": {"core", "lang", "store", "knowledge", "analytics", "complaints", "prompts"},
    "outreach": {"core", "channels", "lang", "store", "knowledge", "analytics", "complaints",
                 "prompts"},
    "tools": {"core", "lang", "store", "knowledge", "analytics", "complaints", "agent", "outreach"},
    "services": {"core", "channels", "lang", "store", "knowledge", "models", "agent", "tools",
                 "outreach"},
    "webui": {"core", "channels", "lang", "store", "knowledge", "importer", "analytics",
              "complaints", "models", "agent", "services", "outreach"},
    "cli": {"core", "channels", "lang", "store", "knowledge", "importer", "analytics", "complaints",
            "models", "agent", "services", "webui", "outreach"},
    "app": {"webui"},
}
# inside a layer that has an order of its own: module -> the sibling modules it may import
WITHIN_AGENT = {
    "formatting": set(), "toolkit": set(),
    "router": {"formatting", "toolkit"},
    "assistant": {"formatting", "toolkit", "router"},
}


def layer_of(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] == "assistant":
        return parts[1] if len(parts) > 1 else None
    if parts[0] in ("tools", "knowledge", "prompts", "app"):
        return parts[0]
    return None


def module_name(path: Path) -> str:
    rel = path.relative_to(ROOT).with_suffix("")
    parts = list(rel.parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def internal_imports(path: Path) -> list[tuple[int, str]]:
    """(line, module) of every import of the project's own code, at any depth."""
    out = []
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and not node.level:
            if node.module == "assistant":  # from assistant import services
                out += [(node.lineno, f"assistant.{a.name}") for a in node.names]
            elif layer_of(node.module):
                out.append((node.lineno, node.module))
        elif isinstance(node, ast.Import):
            out += [(node.lineno, a.name) for a in node.names if layer_of(a.name)]
    return out


def sources() -> list[Path]:
    files = [ROOT / "app.py"]
    for folder in ("assistant", "tools", "knowledge", "prompts"):
        files += sorted((ROOT / folder).rglob("*.py"))
    return files


def violations() -> list[str]:
    bad = []
    for path in sources():
        me = module_name(path)
        mine = layer_of(me)
        for line, target in internal_imports(path):
            theirs = layer_of(target)
            where = f"{path.relative_to(ROOT)}:{line} imports {target}"
            if theirs is None or mine is None:
                bad.append(f"{where}: not in any layer")
            elif theirs != mine and theirs not in LAYERS[mine]:
                bad.append(f"{where}: {mine} may import only {sorted(LAYERS[mine])}")
            elif theirs == mine == "agent":
                a, b = me.split(".")[2:3], target.split(".")[2:3]
                if a and b and a != b and b[0] not in WITHIN_AGENT.get(a[0], set()):
                    bad.append(f"{where}: agent/{a[0]} may not import agent/{b[0]}")
    return bad


def test_every_import_points_down_a_layer():
    assert violations() == []


def test_every_folder_of_assistant_is_a_known_layer():
    folders = {p.name for p in (ROOT / "assistant").iterdir()
               if p.is_dir() and (p / "__init__.py").exists()}
    modules = {p.stem for p in (ROOT / "assistant").glob("*.py") if p.stem != "__init__"}
    assert folders | modules <= set(LAYERS), (folders | modules) - set(LAYERS)


@pytest.mark.parametrize("bad, rule", [
    ("from assistant.agent.assistant import Assistant\n", "store may import only"),
    ("from assistant.webui import app\n", "store may import only"),
    ("import tools\n", "store may import only"),
])
def test_an_upward_import_is_caught(bad, rule):
    probe = ROOT / "assistant" / "store" / "_layer_probe.py"
    probe.write_text(bad)
    try:
        found = [v for v in violations() if "_layer_probe" in v]
    finally:
        probe.unlink()
    assert len(found) == 1 and rule in found[0]
