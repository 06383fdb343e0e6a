"""Split knowledge/docs/*.md into bilingual passages and validate their front matter.

File format (several passages per file, one per topic):

    ---
    id: complaint-compensation
    title_en: ...
    title_zh: ...
    stage: [all]                  # exploration / formation / stability / decline / all
    topics: [complaints, compensation]
    keywords_en: owner words, comma separated      (optional; searched, never shown)
    keywords_zh: 店主的说法, 逗号分隔                 (optional)
    ---
    <!-- en -->
    English text
    <!-- zh -->
    中文正文
    <!-- asked en -->              (optional; searched, never shown)
    one question an owner might ask, in their own words, per line
    <!-- asked zh -->
    店主可能怎么问, 一行一句
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from assistant.core.records import InvalidInput, Passage

STAGES = ("exploration", "formation", "stability", "decline")
LANGS = ("en", "zh")
REQUIRED = ("id", "title_en", "title_zh", "stage", "topics")
OPTIONAL = ("keywords_en", "keywords_zh")
_ID = re.compile(r"^[a-z0-9][a-z0-9-]{2,80}$")
_LANG_MARK = re.compile(r"^<!--\s*(asked\s+)?([a-z]{2})\s*-->\s*$")


class BrokenPassageFile(InvalidInput):
    """A knowledge file cannot be parsed; the message names the file and line."""


@dataclass(frozen=True)
class Entry:
    """One passage in one language plus the search-only keywords and owner questions."""

    passage: Passage
    keywords: str = ""
    # Questions owners ask in other words than the passage's, one per line: searched, never shown.
    asked: str = ""

    @property
    def key(self) -> str:
        return f"{self.passage.id}:{self.passage.lang}"

    @property
    def search_text(self) -> str:
        return f"{self.passage.title}\n{self.keywords}\n{self.asked}\n{self.passage.text}"

    def digest(self, embedder_name: str) -> str:
        p = self.passage
        parts = [embedder_name, p.id, p.lang, p.title, self.keywords, self.asked, p.text, p.source,
                 ",".join(p.stage), ",".join(p.topics)]
        return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]


def default_docs_dir() -> Path:
    """The docs shipped with the package."""
    return Path(__file__).resolve().parent / "docs"


def load_dir(docs_dir: Path | str | None = None) -> list[Entry]:
    """Parse every *.md file; raise BrokenPassageFile before anything is indexed."""
    root = Path(docs_dir) if docs_dir is not None else default_docs_dir()
    files = sorted(root.glob("*.md"))
    if not files:
        raise InvalidInput(f"No knowledge files (*.md) in {root}. Point --docs at the docs folder.")
    entries: list[Entry] = []
    seen: dict[str, str] = {}
    for path in files:
        for entry in parse_file(path):
            if entry.passage.lang == LANGS[0]:
                if entry.passage.id in seen:
                    raise BrokenPassageFile(
                        f"{path}: passage id '{entry.passage.id}' is already used in "
                        f"{seen[entry.passage.id]}. Give each passage a unique id."
                    )
                seen[entry.passage.id] = path.name
            entries.append(entry)
    return entries


def parse_file(path: Path) -> list[Entry]:
    """Parse one file into Entries (one per passage and language)."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except UnicodeDecodeError as ex:
        raise BrokenPassageFile(f"{path}: not valid UTF-8 ({ex.reason}).") from ex
    blocks = _split_blocks(path, lines)
    if not blocks:
        raise BrokenPassageFile(f"{path}: no passages; each starts with a '---' front matter line.")
    entries: list[Entry] = []
    for start, head, body in blocks:
        entries.extend(_parse_block(path, start, head, body))
    return entries


def _fail(path: Path, line: int, problem: str) -> BrokenPassageFile:
    return BrokenPassageFile(f"{path}: line {line}: {problem}. Fix the file and build again.")


def _split_blocks(path: Path, lines: list[str]) -> list[tuple[int, list[tuple[int, str]], list[tuple[int, str]]]]:
    """Cut the file into (first line number, front matter lines, body lines)."""
    marks = [i for i, line in enumerate(lines) if line.strip() == "---"]
    first_text = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first_text is None:
        return []
    if not marks or marks[0] != first_text:
        raise _fail(path, first_text + 1, "expected '---' to open the front matter")
    if len(marks) % 2:
        raise _fail(path, marks[-1] + 1, "front matter opened with '---' but never closed")
    blocks = []
    for n in range(0, len(marks), 2):
        open_, close = marks[n], marks[n + 1]
        end = marks[n + 2] if n + 2 < len(marks) else len(lines)
        head = [(i + 1, lines[i]) for i in range(open_ + 1, close)]
        body = [(i + 1, lines[i]) for i in range(close + 1, end)]
        blocks.append((open_ + 1, head, body))
    return blocks


def _parse_block(path: Path, start: int, head: list[tuple[int, str]], body: list[tuple[int, str]]) -> list[Entry]:
    meta: dict[str, str] = {}
    for num, line in head:
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        key, sep, value = line.partition(":")
        key = key.strip()
        if not sep or not key:
            raise _fail(path, num, f"'{line.strip()}' is not a 'key: value' line")
        if key not in REQUIRED + OPTIONAL:
            raise _fail(path, num, f"unknown key '{key}' (allowed: {', '.join(REQUIRED + OPTIONAL)})")
        if key in meta:
            raise _fail(path, num, f"key '{key}' appears twice")
        meta[key] = value.strip()
    missing = [k for k in REQUIRED if not meta.get(k)]
    if missing:
        raise _fail(path, start, f"front matter lacks {', '.join(missing)}")
    pid = meta["id"]
    if not _ID.match(pid):
        raise _fail(path, start, f"id '{pid}' must be lowercase letters, digits and '-'")
    stages = _list(meta["stage"])
    bad = [s for s in stages if s not in STAGES + ("all",)]
    if bad or not stages:
        raise _fail(path, start, f"stage {bad or stages} not in {', '.join(STAGES)}, all")
    stage = STAGES if "all" in stages else tuple(s for s in STAGES if s in stages)
    topics = tuple(_list(meta["topics"]))
    if not topics:
        raise _fail(path, start, "topics is empty")
    texts, asked = _split_langs(path, start, body)
    return [
        Entry(
            Passage(id=pid, lang=lang, title=meta[f"title_{lang}"], text=texts[lang],
                    source=path.name, stage=stage, topics=topics),
            keywords=meta.get(f"keywords_{lang}", ""),
            asked="\n".join(asked.get(lang, [])),
        )
        for lang in LANGS
    ]


def _list(value: str) -> list[str]:
    value = value.strip()
    if value.startswith("[") and value.endswith("]"):
        value = value[1:-1]
    return [v.strip() for v in value.split(",") if v.strip()]


def _split_langs(path: Path, start: int,
                 body: list[tuple[int, str]]) -> tuple[dict[str, str], dict[str, list[str]]]:
    """The passage text per language, and the owner questions (<!-- asked en -->) per language."""
    texts: dict[str, list[str]] = {}
    asked: dict[str, list[str]] = {}
    current: list[str] | None = None
    for num, line in body:
        mark = _LANG_MARK.match(line.strip())
        if mark:
            lang = mark.group(2)
            section = asked if mark.group(1) else texts
            name = f"asked {lang}" if mark.group(1) else lang
            if lang not in LANGS:
                raise _fail(path, num, f"language '{lang}' is not one of {', '.join(LANGS)}")
            if lang in section:
                raise _fail(path, num, f"a second '{name}' section in one passage")
            section[lang] = current = []
        elif line.strip():
            if current is None:
                raise _fail(path, num, "text before the first <!-- en --> / <!-- zh --> marker")
            current.append(line.strip())
    for lang in LANGS:
        if not texts.get(lang):
            raise _fail(path, start, f"passage has no '{lang}' text (add <!-- {lang} --> and the text)")
    sep = {"en": " ", "zh": ""}
    return {lang: sep[lang].join(texts[lang]) for lang in LANGS}, asked
