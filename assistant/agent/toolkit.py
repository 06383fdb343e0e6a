"""Tool, the one record that describes a chat tool, and bind_tool(), the only LangChain wrapping."""

from __future__ import annotations

import inspect
import typing
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from langchain_core.runnables import RunnableConfig
from langchain_core.tools import BaseTool, StructuredTool, ToolException
from pydantic import create_model

from assistant.core.records import CrmError, InvalidInput

INJECTED = ("store", "index", "ctx")


@dataclass(frozen=True)
class Tool:
    """Everything about one chat tool, in one place.

    `fn` is a plain typed function whose docstring the model reads; `format` turns its result into
    reply text (a write tool returns a Plan, which the preview card shows instead); `writes` says
    whether it proposes writes; `intents` are the router rules that pick it without a model;
    `hint` is its line in the system prompt.
    """

    fn: Callable[..., Any]
    format: Callable[[Any, str], str] | None = None
    writes: bool = False
    intents: tuple[Callable[..., Any], ...] = ()
    hint: str = ""

    @property
    def name(self) -> str:
        return self.fn.__name__


def by_name(tools: Sequence[Tool]) -> dict[str, Tool]:
    """{name: Tool}, refusing two tools of one name (the model could not tell them apart)."""
    out: dict[str, Tool] = {}
    for tool in tools:
        if tool.name in out:
            raise ValueError(f"Two tools are called {tool.name!r}.")
        out[tool.name] = tool
    return out


def tool_hints(tools: Sequence[Tool]) -> str:
    """The system prompt's list of when to use which tool."""
    return "\n".join(f"- {t.hint} → {t.name}." for t in tools if t.hint)


def description(fn: Callable) -> str:
    """The docstring the model sees, whitespace folded."""
    return " ".join((inspect.getdoc(fn) or fn.__name__).split())


def visible_parameters(fn: Callable) -> dict[str, tuple[Any, Any]]:
    """{name: (type, default)} of the parameters the model fills in."""
    hints = typing.get_type_hints(fn)
    out = {}
    for name, param in inspect.signature(fn).parameters.items():
        if name in INJECTED:
            continue
        default = ... if param.default is inspect.Parameter.empty else param.default
        out[name] = (hints.get(name, str), default)
    return out


def bind_tool(fn: Callable, run: Callable[[str, dict, RunnableConfig], str],
              return_direct: bool = True) -> BaseTool:
    """Wrap `fn` so the model sees only its own arguments; `run(name, args, config)` executes it.

    `run` injects store/index/context, logs the call and formats the result as text; `config` is
    the agent run's, which carries the turn. A CrmError becomes a ToolException, so the model (or
    the user) reads what to do next.
    """
    schema = create_model(f"{fn.__name__}_args", **visible_parameters(fn))  # type: ignore[call-overload]

    def call(config: RunnableConfig, **kwargs: Any) -> str:
        try:
            return run(fn.__name__, kwargs, config)
        except CrmError as ex:
            raise ToolException(str(ex)) from ex

    return StructuredTool.from_function(
        func=call, name=fn.__name__, description=description(fn), args_schema=schema,
        return_direct=return_direct, handle_tool_error=True,
    )


def call_with_injection(fn: Callable, args: dict, **injected: Any) -> Any:
    """Call a tools/ function with model arguments plus the collaborators it asks for."""
    params = inspect.signature(fn).parameters
    # Small models invent argument names; drop those rather than fail the whole turn.
    allowed = {k: v for k, v in args.items() if k in params and k not in INJECTED and v is not None}
    missing = [name for name, p in params.items() if name not in INJECTED
               and p.default is inspect.Parameter.empty and name not in allowed]
    if missing:
        raise InvalidInput(f"{fn.__name__} needs {', '.join(missing)}.")
    return fn(**allowed, **{k: v for k, v in injected.items() if k in params})
