#!/usr/bin/env python3
"""Arrange the tests like the code: ``tests/test_x.py`` moves to ``tests/<package>/test_x.py``.

Why this exists: the suite grew as one flat folder, and branches written
before the move still add their new tests there. Run this after merging
such a branch (it is idempotent: a second run moves and rewrites nothing)::

    python3 tools/arrange_tests.py            # move, rewrite, print what it did
    python3 tools/arrange_tests.py --dry-run  # only print what it would do

What it does, printing one line per change:

1. each flat ``tests/test_*.py`` whose name starts with a prefix of
   :data:`FOLDERS` moves (``git mv``) to that folder; the folders are Python
   packages (an ``__init__.py`` is created and added), so two folders may hold
   the same file name and pytest imports them as ``voice.test_x``,
   ``integrations.twilio.test_y``, ... (``tests/`` is on pytest's
   ``pythonpath``);
2. in a moved file, ``Path(__file__)...parent`` gets one ``.parent`` per level
   it moved down, so ``REPO``, ``tests/data`` and ``tests/fixtures`` are found
   as before;
3. a test that imports another test module (``from test_notices import x``,
   ``import test_notices``) imports it by its package
   (``from skills.notices.test_notices import x``);
4. ``tests/test_x.py`` anywhere in the repository's text (Makefile, README,
   docs, CI, pyproject, bench, tools, docstrings, the tests themselves)
   becomes ``tests/<folder>/test_x.py``.

A flat test that matches no prefix stays where it is and is listed at the
end (exit status 1 unless it is in :data:`STAY`): add its prefix to
:data:`FOLDERS`. Only the standard library and git are needed.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Final

REPO: Final = Path(__file__).resolve().parent.parent
TESTS: Final = REPO / "tests"

STAY: Final = frozenset({"test_docs.py", "test_bench_scripts.py"})
"""Tests about the whole repository: they stay in ``tests/``."""

FOLDERS: Final[tuple[tuple[str, str], ...]] = (
    # (file-name prefix, folder under tests/); the longest matching prefix wins.
    ("test_admin_", "server/admin"),
    ("test_identity_desk_browser", "server/admin"),
    ("test_alexa_", "integrations/alexa"),
    ("test_twilio_", "integrations/twilio"),
    ("test_identity_twilio", "integrations/twilio"),
    ("test_kiosk_", "integrations/kiosk"),
    ("test_widget_", "integrations/widget"),
    ("test_asr_", "voice/asr"),
    ("test_tts_", "voice/tts"),
    ("test_audio", "voice"),
    ("test_vad", "voice"),
    ("test_voice_", "voice"),
    ("test_llm_voice", "voice"),
    ("test_spoken_callers", "voice"),
    ("test_hearing_", "voice"),
    ("test_recognition_scheduler", "voice/asr"),
    ("test_dialogue_", "dialogue"),
    ("test_caller_language", "dialogue"),
    ("test_concurrent_turns", "dialogue"),
    ("test_turn_any_text", "dialogue"),
    ("test_llm_parts", "dialogue"),
    ("test_meaning", "dialogue"),
    ("test_nlu", "dialogue"),
    ("test_sentiment", "dialogue"),
    ("test_revocation", "dialogue"),
    ("test_identity_", "skills"),
    ("test_notice", "skills/notices"),
    ("test_data_rights", "store"),
    ("test_postgres", "store"),
    ("test_product_media", "store"),
    ("test_shop_import", "store"),
    ("test_privacy_", "privacy"),
    ("test_redact", "privacy"),
    ("test_phone_numbers_stored", "privacy"),
    ("test_normalize", "language"),
    ("test_model", "models"),
    ("test_settings", "runtime"),
    ("test_chat_cli", "cli"),
    ("test_client", "client"),
    ("test_deploy_", "deploy"),
    ("test_bad_input_no_500", "server"),
    ("test_conversations_api", "server"),
    ("test_handoff_delivery", "server"),
    ("test_health", "server"),
    ("test_nodes_cluster", "server"),
    ("test_openapi", "server"),
    ("test_security_api", "server"),
    ("test_shared_state", "server"),
    ("test_trust_parts", "server"),
    ("test_trusted_proxies", "server"),
    ("test_workers", "server"),
)

# Files that may name a test by its path (step 4), anywhere in the repository but these folders.
TEXT_SUFFIXES: Final = frozenset({".py", ".md", ".toml", ".yaml", ".yml", ".cfg", ".ini", ".sh"})
TEXT_NAMES: Final = frozenset({"Makefile", "Dockerfile", "run"})  # .ci/run
SKIP_PARTS: Final = frozenset(
    {"node_modules", ".venv", "__pycache__", ".git", "data", "artifacts", ".mypy_cache"}
)

FILE_PARENT = re.compile(r"(Path\(__file__\)(?:\.resolve\(\))?)\.parent")


def folder_for(name: str) -> str | None:
    """The folder a flat test file belongs in, or None."""
    matches = [(prefix, folder) for prefix, folder in FOLDERS if name.startswith(prefix)]
    if not matches:
        return None
    return max(matches, key=lambda match: len(match[0]))[1]


class Arranger:
    """The moves and rewrites of one run (``dry_run``: print only)."""

    def __init__(self, dry_run: bool) -> None:
        self.dry_run = dry_run
        self.changes = 0

    def say(self, line: str) -> None:
        self.changes += 1
        print(("would: " if self.dry_run else "") + line)

    def git(self, *args: str) -> None:
        if not self.dry_run:
            subprocess.run(["git", *args], cwd=REPO, check=True, capture_output=True)

    def ensure_package(self, folder: Path) -> None:
        """``folder`` and every folder between it and tests/ hold an ``__init__.py``."""
        for level in [folder, *folder.parents]:
            if level == TESTS:
                return
            init = level / "__init__.py"
            if not init.exists():
                self.say(f"create {init.relative_to(REPO)}")
                if not self.dry_run:
                    level.mkdir(parents=True, exist_ok=True)
                    init.write_text("")
                    self.git("add", str(init.relative_to(REPO)))

    def move(self, source: Path, folder: str) -> None:
        target = TESTS / folder / source.name
        if target.exists():
            raise SystemExit(f"arrange_tests: {target.relative_to(REPO)} exists already")
        self.ensure_package(target.parent)
        self.say(f"move {source.relative_to(REPO)} -> {target.relative_to(REPO)}")
        if self.dry_run:
            return
        tracked = subprocess.run(
            ["git", "ls-files", "--error-unmatch", str(source.relative_to(REPO))],
            cwd=REPO,
            capture_output=True,
        )
        if tracked.returncode == 0:
            self.git("mv", str(source.relative_to(REPO)), str(target.relative_to(REPO)))
        else:
            source.rename(target)
        depth = len(Path(folder).parts)
        text = target.read_text(encoding="utf-8")
        deeper = FILE_PARENT.sub(lambda m: m.group(1) + ".parent" * (depth + 1), text)
        if deeper != text:
            target.write_text(deeper, encoding="utf-8")
            print(f"  {target.relative_to(REPO)}: Path(__file__) {depth} level(s) deeper")

    def rewrite(self, path: Path, pattern: re.Pattern[str], replace, what: str) -> None:
        text = path.read_text(encoding="utf-8")
        new = pattern.sub(replace, text)
        if new != text:
            self.say(f"rewrite {what} in {path.relative_to(REPO)}")
            if not self.dry_run:
                path.write_text(new, encoding="utf-8")


def test_modules() -> dict[str, str]:
    """``test_x`` -> its folder under tests/ (``voice/asr``) for every test not at the root."""
    found: dict[str, str] = {}
    for path in sorted(TESTS.rglob("test_*.py")):
        if SKIP_PARTS.intersection(path.parts) or path.parent == TESTS:
            continue
        found[path.stem] = path.parent.relative_to(TESTS).as_posix()
    return found


def text_files() -> list[Path]:
    """Every text file of the repository that may name a test by its path."""
    files: list[Path] = []
    for root, folders, names in os.walk(REPO):  # symlinks (.typecheck/hark) not followed
        folders[:] = sorted(f for f in folders if f not in SKIP_PARTS)
        for name in sorted(names):
            path = Path(root) / name
            if path.suffix in TEXT_SUFFIXES or name in TEXT_NAMES:
                files.append(path)
    return files


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dry-run", action="store_true", help="print, change nothing")
    args = parser.parse_args(argv)
    run = Arranger(args.dry_run)
    unplaced: list[str] = []

    for source in sorted(TESTS.glob("test_*.py")):
        folder = folder_for(source.name)
        if source.name in STAY:
            continue
        if folder is None:
            unplaced.append(source.name)
            continue
        run.move(source, folder)

    modules = test_modules()
    if run.dry_run:  # what the moves would give
        for source in sorted(TESTS.glob("test_*.py")):
            folder = folder_for(source.name)
            if folder is not None and source.name not in STAY:
                modules[source.stem] = folder
    if modules:
        names = "|".join(sorted(modules, key=len, reverse=True))
        dotted = {name: folder.replace("/", ".") for name, folder in modules.items()}
        from_import = re.compile(rf"^(\s*)from ({names}) import ", re.M)
        plain_import = re.compile(rf"^(\s*)import ({names})$", re.M)
        path_named = re.compile(rf"(?<![\w/.-])tests/({names})\.py\b")
        for path in sorted(TESTS.rglob("*.py")):
            if SKIP_PARTS.intersection(path.parts):
                continue
            run.rewrite(
                path,
                from_import,
                lambda m: f"{m.group(1)}from {dotted[m.group(2)]}.{m.group(2)} import ",
                "test-module imports",
            )
            run.rewrite(
                path,
                plain_import,
                lambda m: f"{m.group(1)}from {dotted[m.group(2)]} import {m.group(2)}",
                "test-module imports",
            )
        for path in text_files():
            run.rewrite(
                path,
                path_named,
                lambda m: f"tests/{modules[m.group(1)]}/{m.group(1)}.py",
                "test paths",
            )

    if not run.changes:
        print("arrange_tests: nothing to move or rewrite")
    if unplaced:
        print("arrange_tests: no folder for these (add a prefix to FOLDERS):", file=sys.stderr)
        for name in unplaced:
            print(f"  tests/{name}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
