"""``hark config``: show the effective configuration, secrets masked."""

from __future__ import annotations

import argparse
import json

from hark.cli.common import add_config_argument, settings_from_args


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "config",
        help="print the effective configuration",
        description="Print the effective configuration (flags > HARK_* env > notices.toml for "
        "the notice rules > TOML file > defaults) with secrets masked.",
    )
    add_config_argument(parser)
    parser.add_argument("--json", action="store_true", help="print JSON instead of TOML-like lines")
    parser.add_argument(
        "--table", action="store_true", help="print every setting as a Markdown table (for docs)"
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.table:
        from hark.runtime.settings import settings_table

        print(settings_table())
        return 0
    values = settings_from_args(args).masked()
    if args.json:
        print(json.dumps(values, indent=2, default=str))
        return 0
    for key, value in values.items():
        shown = "" if value is None else value
        print(f"{key} = {json.dumps(shown, default=str)}")
    return 0
