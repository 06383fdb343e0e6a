"""The local model's tool-calling format: prompt rendering, output grammar, parsing and validation.

small local models scored 0/15 when free to choose between text and a tool call, and
LangChain's stock llama.cpp paths 0-4/15, so we own the format. The model sees Qwen's native
ChatML with its own <tools> block and <tool_call> form; a llama.cpp grammar built from the tool
schemas forces the reply to be one well-formed <tool_call> or plain text, and which of the two
is allowed depends on the turn (see LlamaToolChatModel).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage, ToolMessage
from langchain_core.utils.function_calling import convert_to_openai_tool

import prompts
from assistant.core.records import CrmError

DEFAULT_SYSTEM = "You are a helpful CRM assistant for a small shop."
TOOL_RESULT_CHARS = 2000  # a 4k context must still hold the tools, the history and the reply
_DROP_KEYS = {"title", "description", "default", "examples"}


class ModelOutputError(CrmError):
    """The local model's output did not parse or validate, even after a retry."""


@dataclass(frozen=True)
class ToolCall:
    name: str
    arguments: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Answer:
    text: str


def tool_spec(tool: Any) -> dict[str, Any]:
    """{name, description, parameters} of a BaseTool, a typed function, a pydantic model or an OpenAI dict."""
    fn = convert_to_openai_tool(tool)["function"]
    params = fn.get("parameters") or {"type": "object", "properties": {}}
    return {"name": fn["name"], "description": fn.get("description", ""), "parameters": params}


def _strict(schema: Any, required: bool = False) -> Any:
    """Copy a JSON schema for the grammar: no prose keys, no extra properties, no empty required strings."""
    if isinstance(schema, list):
        return [_strict(s) for s in schema]
    if not isinstance(schema, dict):
        return schema
    out = {k: _strict(v) for k, v in schema.items() if k not in _DROP_KEYS and k != "properties"}
    if "properties" in schema:
        req = set(schema.get("required", []))
        out["properties"] = {k: _strict(v, k in req) for k, v in schema["properties"].items()}
    if out.get("type") == "object":
        out.setdefault("additionalProperties", False)
    if required and out.get("type") == "string" and "enum" not in out:
        out.setdefault("minLength", 1)
    return out


def call_schema(tools: list[dict[str, Any]], choice: str = "any") -> dict[str, Any] | None:
    """JSON schema of one {"name", "arguments"} call; choice is any or a tool name; None if no tool fits."""
    calls = [
        {
            "type": "object",
            "properties": {"name": {"const": t["name"]}, "arguments": _strict(t["parameters"])},
            "required": ["name", "arguments"],
            "additionalProperties": False,
        }
        for t in tools
        if choice in ("auto", "any") or choice == t["name"]
    ]
    if not calls:
        return None
    return calls[0] if len(calls) == 1 else {"anyOf": calls}


def build_grammar(tools: list[dict[str, Any]], choice: str = "auto") -> str:
    """GBNF for one reply: a <tool_call> block (any / a name), plain text (none), or either (auto)."""
    from llama_cpp.llama_grammar import json_schema_to_gbnf

    # Plain text may not contain "<", so an answer cannot smuggle in a half-formed <tool_call>, nor
    # start with JSON: the 0.5B model otherwise echoes the tool call or result as its "answer".
    answer = r"crm-answer ::= [^<{\[ \t\n] [^<]*"
    schema = call_schema(tools, choice) if choice != "none" else None
    if schema is None:
        return f"root ::= crm-answer\n{answer}\n"
    call = json_schema_to_gbnf(json.dumps(schema), prop_order=["name", "arguments"])
    call = call.replace("root ::=", "crm-call ::=", 1)
    block = 'crm-block ::= "<tool_call>\\n" crm-call "\\n</tool_call>"'
    if choice == "auto":
        return f"root ::= crm-block | crm-answer\n{block}\n{answer}\n{call}"
    return f"root ::= crm-block\n{block}\n{call}"


def _text(content: Any) -> str:
    if isinstance(content, str):
        return content
    parts = [p if isinstance(p, str) else p.get("text", "") for p in content or []]
    return "".join(p for p in parts if isinstance(p, str))


def _clip(text: str, limit: int = TOOL_RESULT_CHARS) -> str:
    return (
        text
        if len(text) <= limit
        else text[:limit] + f"\n…[{len(text) - limit} more characters cut]"
    )


def _prompt_tool(t: dict[str, Any]) -> str:
    params = {k: v for k, v in t["parameters"].items() if k != "title"}
    fn = {"name": t["name"], "description": t["description"], "parameters": params}
    return json.dumps({"type": "function", "function": fn}, ensure_ascii=False)


def render_prompt(messages: list[BaseMessage], tools: list[dict[str, Any]]) -> str:
    """Qwen ChatML for the conversation, ending with the open assistant turn."""
    system = "\n\n".join(_text(m.content) for m in messages if isinstance(m, SystemMessage)).strip()
    system = system or DEFAULT_SYSTEM
    if tools:
        listing = "\n".join(_prompt_tool(t) for t in tools)
        system = prompts.load("local_tools", system=system, tools=listing).strip()
    turns: list[tuple[str, str]] = [("system", system)]
    for m in messages:
        if isinstance(m, SystemMessage):
            continue
        if isinstance(m, ToolMessage):
            # Qwen's own template: tool results go back as a user turn in <tool_response> tags.
            block = f"<tool_response>\n{_clip(_text(m.content))}\n</tool_response>"
            if turns[-1][0] == "tool":
                turns[-1] = ("tool", turns[-1][1] + "\n" + block)
            else:
                turns.append(("tool", block))
        elif isinstance(m, AIMessage):
            turns.append(("assistant", _render_ai(m)))
        elif isinstance(m, HumanMessage):
            turns.append(("user", _text(m.content)))
        else:
            turns.append(("user", _text(m.content)))
    body = "".join(f"<|im_start|>{'user' if r == 'tool' else r}\n{t}<|im_end|>\n" for r, t in turns)
    return body + "<|im_start|>assistant\n"


def _render_ai(m: AIMessage) -> str:
    """Earlier assistant turns as Qwen writes them: <tool_call> blocks, or plain text."""
    if m.tool_calls:
        return "\n".join(
            "<tool_call>\n"
            + json.dumps({"name": c["name"], "arguments": c["args"]}, ensure_ascii=False)
            + "\n</tool_call>"
            for c in m.tool_calls
        )
    return _text(m.content)


_BLOCK = re.compile(r"\s*<tool_call>\s*(.*?)\s*</tool_call>\s*$", re.DOTALL)


def parse_output(text: str, tools: list[dict[str, Any]]) -> ToolCall | Answer:
    """Parse and validate one reply; ValueError says what is wrong."""
    if not text.lstrip().startswith("<"):
        if not text.strip():
            raise ValueError("empty answer")
        return Answer(text.strip())
    m = _BLOCK.match(text)
    if not m:
        raise ValueError("unterminated <tool_call>")
    try:
        obj = json.loads(m.group(1), strict=False)
    except json.JSONDecodeError as ex:
        raise ValueError(f"tool call is not JSON: {ex}") from None
    if not isinstance(obj, dict):
        raise ValueError("tool call is not a JSON object")  # noqa: TRY004 - callers catch ValueError
    by_name = {t["name"]: t for t in tools}
    name, args = obj.get("name"), obj.get("arguments", {})
    if name not in by_name:
        raise ValueError(f"unknown tool {name!r}")
    if not isinstance(args, dict):
        raise ValueError("arguments is not an object")  # noqa: TRY004
    # Small models pad values (" Zhao Lei"); the tools' fuzzy lookups should not have to care.
    args = {k: v.strip() if isinstance(v, str) else v for k, v in args.items()}
    errors = schema_errors(args, by_name[name]["parameters"])
    if errors:
        raise ValueError(f"{name}: " + "; ".join(errors))
    return ToolCall(name, args)


_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "array": (list,),
    "object": (dict,),
    "null": (type(None),),
}


def schema_errors(value: Any, schema: dict[str, Any], path: str = "") -> list[str]:
    """Errors of value against the JSON-schema subset tool signatures use (type, enum, anyOf, required)."""
    where = path or "arguments"
    if "anyOf" in schema:
        if any(not schema_errors(value, s, path) for s in schema["anyOf"]):
            return []
        return [f"{where} has the wrong type"]
    if "const" in schema and value != schema["const"]:
        return [f"{where} must be {schema['const']!r}"]
    if "enum" in schema and value not in schema["enum"]:
        return [f"{where} must be one of {schema['enum']}"]
    types = schema.get("type")
    if types is not None:
        allowed = [types] if isinstance(types, str) else types
        ok = any(
            isinstance(value, _TYPES.get(t, (object,)))
            and not (t in ("integer", "number") and isinstance(value, bool))
            for t in allowed
        )
        if not ok:
            return [f"{where} must be {' or '.join(allowed)}"]
    errors: list[str] = []
    if isinstance(value, dict):
        props = schema.get("properties", {})
        errors += [
            f"{path + '.' if path else ''}{k} is required"
            for k in schema.get("required", [])
            if k not in value
        ]
        if schema.get("additionalProperties") is False or props:
            errors += [f"unknown argument {k!r}" for k in value if k not in props]
        for k, v in value.items():
            if k in props:
                errors += schema_errors(v, props[k], f"{path + '.' if path else ''}{k}")
    if isinstance(value, list) and isinstance(schema.get("items"), dict):
        for i, v in enumerate(value):
            errors += schema_errors(v, schema["items"], f"{where}[{i}]")
    if isinstance(value, str) and len(value) < schema.get("minLength", 0):
        errors.append(f"{where} is too short")
    return errors
