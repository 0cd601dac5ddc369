"""Settings: environment, TOML file, precedence, masking, and `hark config`."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import ValidationError

from hark.runtime.settings import load_settings


def test_defaults() -> None:
    s = load_settings()
    assert (s.host, s.port, s.alexa_verify, s.llm_base_url) == ("127.0.0.1", 8080, True, None)
    assert s.effective_database_url.startswith("sqlite:///")
    assert s.current_date() == dt.date.today()


def test_env_and_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HARK_PORT", "9001")
    monkeypatch.setenv("HARK_TODAY", "2026-12-01")
    monkeypatch.setenv("HARK_ALEXA_VERIFY", "false")
    s = load_settings()
    assert s.port == 9001 and s.current_date() == dt.date(2026, 12, 1) and not s.alexa_verify


def test_file_then_env_then_flags(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "hark.toml"
    config.write_text('port = 7000\nhost = "0.0.0.0"\nshop_name = "Corner Shop"\n')
    s = load_settings(config)
    assert (s.port, s.host, s.shop_name) == (7000, "0.0.0.0", "Corner Shop")
    monkeypatch.setenv("HARK_PORT", "7100")
    assert load_settings(config).port == 7100  # env beats file
    assert load_settings(config, port=7200).port == 7200  # flags beat env
    assert load_settings(config).host == "0.0.0.0"  # file still beats defaults
    monkeypatch.setenv("HARK_CONFIG", str(config))
    assert load_settings().shop_name == "Corner Shop"


def test_bad_values_and_missing_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(FileNotFoundError):
        load_settings(tmp_path / "missing.toml")
    monkeypatch.setenv("HARK_VAD_FRAME_MS", "25")
    with pytest.raises(ValidationError):
        load_settings()
    config = tmp_path / "typo.toml"
    config.write_text("prot = 1\n")
    monkeypatch.delenv("HARK_VAD_FRAME_MS")
    with pytest.raises(ValidationError):
        load_settings(config)


def test_masking(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HARK_LLM_API_KEY", "sk-secret-123")
    monkeypatch.setenv("HARK_DATABASE_URL", "postgresql+psycopg://hark:pw-456@db/hark")
    masked = load_settings().masked()
    text = json.dumps(masked, default=str)
    assert "sk-secret-123" not in text and "pw-456" not in text
    assert masked["llm_api_key"] == "********"
    assert masked["database_url"].startswith("postgresql+psycopg://hark:***@db/hark")


def test_config_command(tmp_path: Path) -> None:
    config = tmp_path / "hark.toml"
    config.write_text('llm_api_key = "sk-from-file"\nport = 8123\n')
    env = {"PATH": "/usr/bin:/bin", "HARK_HOST": "0.0.0.0"}
    done = subprocess.run(
        [sys.executable, "-m", "hark.cli", "config", "--config", str(config), "--json"],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    shown = json.loads(done.stdout)
    assert (shown["port"], shown["host"], shown["llm_api_key"]) == (8123, "0.0.0.0", "********")
    assert "sk-from-file" not in done.stdout
    bad = subprocess.run(
        [sys.executable, "-m", "hark.cli", "config"],
        capture_output=True,
        text=True,
        env={**env, "HARK_PORT": "http"},
    )
    assert bad.returncode == 2 and "port" in bad.stderr and "Traceback" not in bad.stderr
