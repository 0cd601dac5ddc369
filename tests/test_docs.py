"""The README is the user's reference: every setting must be in its table."""

from __future__ import annotations

from pathlib import Path

from hark.runtime.settings import Settings

README = (Path(__file__).resolve().parent.parent / "README.md").read_text()


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

    doc = (Path(__file__).resolve().parent.parent / "docs" / "voice-protocol.md").read_text()
    table = doc.split("### Errors", 1)[1].split("\n## ", 1)[0]
    documented = set(re.findall(r"^\| `([a-z_]+)` \|", table, flags=re.MULTILINE)) - {"code"}
    assert documented == {code.value for code in ErrorCode}


def test_layers_have_no_cycles() -> None:
    """The top-level packages import each other in one direction only (docs/architecture.md)."""
    import ast

    root = Path(__file__).resolve().parent.parent
    packages = {"server", "integrations", "voice", "dialogue", "skills", "shop", "store",
                "privacy", "language", "runtime"}  # fmt: skip
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
