"""The docs stand alone and follow the code: the README's settings table, the voice
protocol's error codes, and docs/architecture.md naming every package that exists."""

from __future__ import annotations

from pathlib import Path

from hark.runtime.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()
# Folders of the repository that are not Hark's source (tests/ is a tree of packages too).
NOT_SOURCE = frozenset({"tests", "bench", "tools", "docs", "examples", "deploy", "data"})


def source_packages() -> list[str]:
    """Every package of the source tree as a path (``voice/asr``): each folder under the
    repository root (itself the ``hark`` package) with an ``__init__.py`` whose parents
    are packages too, outside the folders that are not Hark's source."""
    found: list[str] = []

    def walk(folder: Path, prefix: str) -> None:
        for child in sorted(folder.iterdir()):
            if not child.is_dir() or child.is_symlink() or child.name.startswith("."):
                continue
            if not prefix and child.name in NOT_SOURCE:
                continue
            if (child / "__init__.py").is_file():
                found.append(prefix + child.name)
                walk(child, prefix + child.name + "/")

    walk(ROOT, "")
    return found


def test_every_setting_is_documented() -> None:
    missing = [
        f"HARK_{name.upper()}"
        for name in Settings.model_fields
        if f"`HARK_{name.upper()}`" not in README
    ]
    assert not missing, f"add these to the README settings table: {missing}"


def test_quick_start_is_two_commands() -> None:
    quick = README.split("## Quick start", 1)[1].split("##", 1)[0]
    assert "make run" in quick and "make test" in quick


def test_settings_table_is_current() -> None:
    """Regenerate with `hark config --table` between the settings-table markers."""
    from hark.runtime.settings import settings_table

    assert settings_table() in README


def test_voice_protocol_error_codes_are_the_documented_ones() -> None:
    """docs/voice-protocol.md's error table and ``ErrorCode`` are one closed set."""
    import re

    from hark.voice.protocol import ErrorCode

    doc = (ROOT / "docs" / "voice-protocol.md").read_text()
    table = doc.split("### Errors", 1)[1].split("\n## ", 1)[0]
    documented = set(re.findall(r"^\| `([a-z_]+)` \|", table, flags=re.MULTILINE)) - {"code"}
    assert documented == {code.value for code in ErrorCode}


def test_layers_have_no_cycles() -> None:
    """The top-level packages import each other in one direction only (docs/architecture.md)."""
    import ast

    root = ROOT
    packages = {name for name in source_packages() if "/" not in name}
    assert {"server", "voice", "runtime", "models", "cli"} <= packages
    edges: dict[str, set[str]] = {p: set() for p in packages}
    for package in packages:
        for path in (root / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text())):
                names = []
                if isinstance(node, ast.ImportFrom) and node.module:
                    names = [node.module]
                elif isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                for name in names:
                    parts = name.split(".")
                    if parts[0] == "hark" and len(parts) > 1 and parts[1] in packages - {package}:
                        edges[package].add(parts[1])

    def reaches(start: str, goal: str, seen: set[str]) -> bool:
        return any(
            nxt == goal or (nxt not in seen and reaches(nxt, goal, seen | {nxt}))
            for nxt in edges[start]
        )

    cycles = sorted(p for p in packages if reaches(p, p, {p}))
    assert not cycles, f"packages in an import cycle: {cycles}"


def test_architecture_names_every_package() -> None:
    """docs/architecture.md is the one map: each package and sub-package is in it by path."""
    doc = (ROOT / "docs" / "architecture.md").read_text()
    packages = source_packages()
    assert "voice/asr" in packages and "integrations/twilio" in packages
    missing = [name for name in packages if f"`{name}/`" not in doc]
    assert not missing, f"add these to docs/architecture.md ('Every package'): {missing}"


def test_every_package_is_in_the_wheel() -> None:
    """pyproject.toml lists the packages by hand (the repository root is ``hark``): a
    package missing there is missing from a non-editable install, such as the image's."""
    import tomllib

    declared = set(
        tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]
    )
    missing = [
        name for name in source_packages() if "hark." + name.replace("/", ".") not in declared
    ]
    assert not missing, f"add these to [tool.setuptools] packages in pyproject.toml: {missing}"


def test_tests_are_arranged_like_the_code() -> None:
    """No test waits in the flat folder: after merging a branch that adds one, run
    ``python3 tools/arrange_tests.py`` (docs/architecture.md, 'Tests and benchmarks')."""
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "arrange_tests.py"), "--dry-run"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "arrange_tests: nothing to move or rewrite", result.stdout
