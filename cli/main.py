"""The ``hark`` command line. Each command lives in its own module of
``hark.cli`` and registers itself, so this file stays a table."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from hark import __version__

COMMAND_MODULES = [
    "serve",
    "config",
    "import_shop",
    # --- further commands (each feature adds its module name here) ---
    "alexa",
    "models",
    "transcribe",
    "say",
    "chat",
    "privacy",
    "nlu",
    "notify",
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="hark",
        description="Hark: a self-hosted voice assistant server for customer service and sales.",
    )
    parser.add_argument("--version", action="version", version=f"hark {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(f"hark.cli.{name}").register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # output piped into `head` and the like
        return 0


if __name__ == "__main__":
    sys.exit(main())
