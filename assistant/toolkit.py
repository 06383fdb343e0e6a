"""bind_tool(): a plain tools/ function -> a LangChain tool. The only wrapping there is."""

from __future__ import annotations

import inspect
import typing
from typing import Any, Callable

from langchain_core.tools import BaseTool, StructuredTool, ToolException
from pydantic import create_model

from assistant.records import CrmError

INJECTED = ("store", "index", "ctx")


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


def bind_tool(fn: Callable, run: Callable[[str, dict], str], return_direct: bool = True) -> BaseTool:
    """Wrap `fn` so the model sees only its own arguments; `run(name, args)` executes it.

    `run` injects store/index/context, logs the call and formats the result as text. A CrmError
    becomes a ToolException, so the model (or the user) reads what to do next.
    """
    schema = create_model(f"{fn.__name__}_args", **visible_parameters(fn))  # type: ignore[call-overload]

    def call(**kwargs: Any) -> str:
        try:
            return run(fn.__name__, kwargs)
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
        from assistant.records import InvalidInput

        raise InvalidInput(f"{fn.__name__} needs {', '.join(missing)}.")
    return fn(**allowed, **{k: v for k, v in injected.items() if k in params})
