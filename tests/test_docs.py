"""Docs stay true: every tool documented and typed, every CLI command has help, README names them."""

import inspect
import typing
from pathlib import Path

import pytest
from click.testing import CliRunner

from assistant.cli.main import cli
from tools import TOOLS

README = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("tool", TOOLS, ids=lambda t: t.name)
def test_tool_has_docstring_annotations_and_readme_entry(tool):
    fn = tool.fn
    assert inspect.getdoc(fn), f"{fn.__name__} needs a docstring (the model reads it)"
    hints = typing.get_type_hints(fn)
    for name in inspect.signature(fn).parameters:
        assert name in hints, f"{fn.__name__}({name}) needs a type annotation"
    assert f"`{fn.__name__}`" in README


def test_readme_names_the_two_commands():
    assert "make run" in README and "make test" in README


@pytest.mark.parametrize("name", sorted(cli.commands))
def test_commands_have_help(name):
    result = CliRunner().invoke(cli, [name, "--help"])
    assert result.exit_code == 0 and "Usage" in result.output
    assert cli.commands[name].help or cli.commands[name].short_help
    assert f"crm {name}" in README
