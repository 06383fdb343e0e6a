"""Ui: builds components with labels in the shop's language and relabels them when it changes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from assistant.webui.text import TEXT


def t(key: str, lang: str, **vars: Any) -> str:
    """The text for `key` in `lang` ('en' or 'zh'), with {placeholders} filled."""
    en, zh = TEXT[key]
    text = zh if lang == "zh" else en
    return text.format(**vars) if vars else text


class Ui:
    """Component factory that remembers which props are translatable, for live relabelling."""

    def __init__(self, lang: str, get_lang: Callable[[], str]):
        self.lang = lang
        self.get_lang = get_lang  # the current language (it may change while the app runs)
        self._registry: list[tuple[Any, dict[str, Any]]] = []
        # (fn, inputs, outputs) that redraw server-made content (tables) after a switch
        self.refreshers: list[tuple[Callable, Any, Any]] = []

    def t(self, key: str, **vars: Any) -> str:
        """Text in the build-time language."""
        return t(key, self.lang, **vars)

    def now(self, key: str, **vars: Any) -> str:
        """Text in the current language (for event handlers)."""
        return t(key, self.get_lang(), **vars)

    def make(self, cls: type, tr: dict[str, Any] | None = None, **kwargs: Any) -> Any:
        """cls(**kwargs) with the props named in `tr` translated (key, or [(key, value), ...])."""
        tr = tr or {}
        for prop, spec in tr.items():
            kwargs[prop] = self._render(spec, self.lang)
        component = cls(**kwargs)
        if tr:
            self._registry.append((component, tr))
        return component

    def register(self, component: Any, tr: dict[str, Any]) -> Any:
        """Track a component built elsewhere (tabs, accordions) for relabelling."""
        self._registry.append((component, tr))
        return component

    def on_switch(self, fn: Callable, inputs: Any, outputs: Any) -> None:
        """Run fn(inputs) -> outputs after the interface language changes."""
        self.refreshers.append((fn, inputs, outputs))

    @staticmethod
    def _render(spec: Any, lang: str) -> Any:
        if isinstance(spec, str):
            return t(spec, lang)
        return [(t(key, lang), value) for key, value in spec]

    @property
    def components(self) -> list[Any]:
        """Every component with translated props (the outputs of a relabel)."""
        return [c for c, _ in self._registry]

    def relabel(self, lang: str) -> list[Any]:
        """gr.update()s that switch every registered component to `lang`."""
        import gradio as gr

        return [gr.update(**{p: self._render(s, lang) for p, s in tr.items()})
                for _, tr in self._registry]
