"""Pieces shared by commands: the --config flag and turning errors into one line."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from pydantic import ValidationError

from hark.runtime.settings import Settings, load_settings


def add_config_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--config", metavar="FILE", help="TOML configuration file (also HARK_CONFIG)"
    )


def settings_from_args(args: argparse.Namespace, **overrides: Any) -> Settings:
    """Settings from --config, environment and flags; exits with one clear line on error."""
    try:
        return load_settings(getattr(args, "config", None), **overrides)
    except FileNotFoundError as exc:
        fail(str(exc))
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'settings'}: {e['msg']}" for e in exc.errors()
        )
        fail(f"invalid configuration: {problems}")
    raise AssertionError("unreachable")


def fail(message: str, code: int = 2) -> None:
    print(f"hark: error: {message}", file=sys.stderr)
    raise SystemExit(code)
