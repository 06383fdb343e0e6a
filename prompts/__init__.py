"""Prompt and template files: `load(name, **vars)` reads prompts/<name>.md and fills $vars."""

from __future__ import annotations

from pathlib import Path
from string import Template

_DIR = Path(__file__).parent


def load(name: str, /, **vars: object) -> str:
    """prompts/<name>.md with $vars filled in; a missing var raises KeyError."""
    return Template((_DIR / f"{name}.md").read_text("utf-8")).substitute(**vars)
