"""Settings.from_env(): every CRM_* variable, read once at the edge (see .env.example)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path


def default_data_dir() -> Path:
    """Per-user data folder (e.g. ~/.local/share/crm-assistant)."""
    from platformdirs import user_data_dir

    return Path(user_data_dir("crm-assistant", appauthor=False))


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    db_path: Path
    index_dir: Path
    model: str = "local"
    base_url: str | None = None
    api_key: str | None = None
    embed_model: str | None = None
    auth: str | None = None
    host: str = "127.0.0.1"
    port: int = 7860
    max_tokens: int = 512

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Build settings from CRM_* variables, with per-user defaults."""
        env = os.environ if environ is None else environ
        data_dir = Path(env.get("CRM_DATA_DIR") or default_data_dir())
        db = env.get("CRM_DB") or env.get("CRM_DB_PATH") or str(data_dir / "crm.db")
        return cls(
            data_dir=data_dir,
            db_path=Path(db),
            index_dir=Path(env.get("CRM_INDEX_DIR") or data_dir / "kb"),
            model=env.get("CRM_MODEL") or "local",
            base_url=env.get("CRM_BASE_URL") or None,
            api_key=env.get("CRM_API_KEY") or None,
            embed_model=env.get("CRM_EMBED_MODEL") or None,
            auth=env.get("CRM_AUTH") or None,
            host=env.get("CRM_HOST") or "127.0.0.1",
            port=int(env.get("CRM_PORT") or 7860),
            max_tokens=int(env.get("CRM_MAX_TOKENS") or 512),
        )
