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
