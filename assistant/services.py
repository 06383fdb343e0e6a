"""The composition root: opens the store, the index and the model, and hands the tools to the Assistant.

The web app and the CLI both start here; the index and the chat assistant load lazily.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.core.config import Settings
from assistant.core.records import CrmError
from assistant.models.factory import BACKENDS, Backend
from assistant.store import Store
from assistant.store.accounts import LOCAL_OWNER, Accounts, NotPermitted, User, require
from assistant.store.audit import terms
from assistant.store.backup import backup_to

if TYPE_CHECKING:
    from assistant.agent.assistant import Assistant
    from knowledge.index import KnowledgeIndex

log = logging.getLogger(__name__)
LANGUAGES = ("en", "zh")
# settings anyone signed in may change (the rest are the owner's); the value is its permission
_SETTING_PERMISSION = {"ui_language": None, "policy": "policy"}


def open_index(settings: Settings) -> KnowledgeIndex:
    """The knowledge index at settings.index_dir; the embedder loads torch on first search only."""
    # chromadb takes seconds to import: the app opens the index in the background after launch
    from knowledge.embedder import MultilingualE5Embedder, SentenceTransformerEmbedder
    from knowledge.index import KnowledgeIndex

    embedder = SentenceTransformerEmbedder(settings.embed_model)
    return KnowledgeIndex.open(settings.index_dir, embedder, meaning=MultilingualE5Embedder())


def open_assistant(services: Services, model_spec: str | None = None, auto_confirm: bool = False,
                   today: date | None = None, progress: bool = False) -> Assistant:
    """The chat Assistant (the one composition root, for the app and the CLI).

    An explicit `model_spec` (CLI --model) beats the backend saved in the app. A model that
    cannot load (not installed, files missing) degrades to the rule-based router with a warning
    rather than leaving the owner without an assistant.
    """
    # LangChain and the model libraries load here, after the app is up, not when it is imported
    from assistant.agent.assistant import Assistant
    from assistant.agent.router.meaning import MeaningModel
    from assistant.models.factory import make_chat_model
    from knowledge.embedder import MultilingualE5Embedder
    from tools import TOOLS

    settings = services.effective_settings()
    if model_spec:
        settings = replace(settings, model=model_spec)
    backend = Backend.parse(settings.model)  # an unknown backend fails here, before anything loads
    try:
        model = make_chat_model(settings.model, settings, progress=progress)
    except CrmError as ex:
        log.warning("model %s unavailable (%s); answering with the rule-based router",
                    settings.model, ex)
        model = None
    return Assistant(services.store, TOOLS, index=services.index, model=model,
                     backend=backend.kind, auto_confirm=auto_confirm, today=today,
                     meaning=MeaningModel(MultilingualE5Embedder()))


@dataclass
class Services:
    """The store and settings, plus lazily built heavy collaborators.

    Also the role seam: the UI and the CLI act through `user()`, `acting()` and the owner-only
    methods here, which check the role in code whatever called them (a tab, gradio's HTTP API).
    """

    store: Store
    settings: Settings
    index_factory: Callable[[Settings], Any] = open_index
    assistant_factory: Callable[[Services], Assistant] = open_assistant
    default_lang: str = "en"  # main() picks it from the locale; the owner can change it in Settings
    _index: Any = field(default=None, repr=False)
    _assistant: Assistant | None = field(default=None, repr=False)
    _accounts: Accounts | None = field(default=None, repr=False)
    # one lock per lazy collaborator: building the assistant (a model load) must not hold up
    # the pages that only need the index, and the reverse
    _index_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _assistant_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def index(self) -> KnowledgeIndex:
        """The knowledge index, opened on first use."""
        with self._index_lock:
            if self._index is None:
                self._index = self.index_factory(self.settings)
            return self._index

    def assistant(self) -> Assistant:
        """The chat assistant, built on first use (or after the backend changed)."""
        with self._assistant_lock:
            if self._assistant is None:
                self._assistant = self.assistant_factory(self)
            return self._assistant

    def reset_assistant(self) -> None:
        """Forget the assistant so the next chat uses the newly saved backend."""
        with self._assistant_lock:
            self._assistant = None

    # -- who is acting, and what their role allows -----------------------------------------

    @property
    def accounts(self) -> Accounts:
        """The staff accounts in this store."""
        if self._accounts is None:
            self._accounts = Accounts(self.store)
        return self._accounts

    def user(self, username: str | None) -> User:
        """The signed-in account; without a sign-in (loopback, no accounts) the local owner."""
        if not username:
            return LOCAL_OWNER
        found = self.accounts.get(username)
        if found is not None:
            return found
        if not self.accounts.exist():  # a password given to launch() directly, no accounts
            return User(username, "owner")
        raise NotPermitted(f"The account {username} no longer exists; sign in again. "
                           f"/ 账号 {username} 已不存在，请重新登录。")

    @contextmanager
    def acting(self, user: User) -> Iterator[User]:
        """Every write inside is recorded as `user`'s (audit log actor)."""
        with terms(actor=user.name):
            yield user

    @staticmethod
    def require(user: User, permission: str) -> None:
        """Raise NotPermitted (a bilingual one-line message) unless `user` may do it."""
        require(user, permission)

    def save_setting(self, user: User, key: str, value: Any) -> None:
        """Store a setting; the shop's settings and its offer policy are the owner's."""
        permission = _SETTING_PERMISSION.get(key, "settings")
        if permission is not None:
            require(user, permission)
        with self.acting(user):
            self.store.set_setting(key, value, actor=user.name)

    def undo(self, user: User, of: str | None = None) -> str:
        """Revert `user`'s own last action, or (owners only) another user's or anyone's (`of`
        "*"): returns what was undone."""
        if of is not None and of != user.name:
            require(user, "undo_others")
        by = None if of == "*" else (of or user.name,)
        return self.store.undo(actor=user.name, by=by)

    def export_rows(self, user: User, table: str) -> list[dict]:
        """Every row of one table (owners only)."""
        require(user, "export")
        return self.store.export_rows(table)

    def backup(self, user: User, target: str | Path) -> Path:
        """An online copy of the database (owners only)."""
        require(user, "backup")
        return backup_to(self.store.path, Path(target)) if self.store.path else \
            self.store.backup(target)

    def warm_up(self) -> threading.Thread:
        """Build the assistant and open the index in a background thread (first use is quicker)."""

        def run() -> None:
            from tools.complaints import warm_up_triage  # scikit-learn and jieba load in this thread

            steps = (("assistant", self.assistant), ("triage", warm_up_triage),
                     ("model", lambda: self.assistant().warm_up()),
                     ("index", self.index), ("embedder", lambda: self.index().search("hello", k=1)))
            for name, step in steps:
                try:
                    step()
                except Exception as ex:  # noqa: BLE001 - the tabs report it properly on use
                    log.warning("Background warm-up of the %s failed: %s", name, ex)

        thread = threading.Thread(target=run, name="crm-warm-up", daemon=True)
        thread.start()
        return thread

    # -- settings the shop owner changes in the app (stored in the database) ---------------

    def ui_language(self) -> str:
        """'zh' or 'en': the saved interface language, else the default from the environment."""
        lang = self.store.get_setting("ui_language")
        return lang if lang in LANGUAGES else self.default_lang

    def backend(self) -> dict:
        """The saved chat backend {kind, base_url, model, api_key}, else the one from CRM_MODEL."""
        saved = self.store.get_setting("backend")
        if isinstance(saved, dict) and saved.get("kind") in BACKENDS:
            return saved
        spec = self.settings.model
        kind = Backend.parse(spec).kind
        return {"kind": kind, "base_url": self.settings.base_url or "",
                "model": "" if kind != "openai" else spec, "api_key": self.settings.api_key or ""}

    def effective_settings(self) -> Settings:
        """Settings with the backend saved in the app applied over the environment's."""
        saved = self.store.get_setting("backend")
        if not isinstance(saved, dict) or saved.get("kind") not in BACKENDS:
            return self.settings
        kind = saved["kind"]
        model = {"none": "none", "local": self.settings.model if
                 Backend.parse(self.settings.model).kind == "local" else "local"}.get(kind)
        if kind == "openai":
            model = saved.get("model") or "openai:gpt-4o-mini"
            if ":" not in model:
                model = f"openai:{model}"
        return replace(self.settings, model=model or "local",
                       base_url=saved.get("base_url") or self.settings.base_url,
                       api_key=saved.get("api_key") or self.settings.api_key)

