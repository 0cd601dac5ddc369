"""``hark import-shop DIR``: load a folder of shop CSV files."""

from __future__ import annotations

import argparse

from hark.cli.common import add_config_argument, fail, settings_from_args


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "import-shop",
        help="import a shop from CSV files",
        description="Import customers.csv, products.csv, orders.csv and faq.csv from DIR "
        "(upsert; all or nothing). Orders that changed become notices (HARK_NOTICES).",
    )
    add_config_argument(parser)
    parser.add_argument("dir", metavar="DIR", help="folder with the shop's CSV files")
    parser.add_argument("--db", metavar="URL", help="database URL (HARK_DATABASE_URL)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from hark.runtime.notice_rules import parse_rules
    from hark.store.db import open_database
    from hark.store.shop_import import ShopImportError, import_shop

    settings = settings_from_args(args, database_url=args.db)
    db = open_database(settings.effective_database_url)
    try:
        report = import_shop(db, args.dir, notice_rules=parse_rules(settings.notices))
    except ShopImportError as exc:
        fail(f"import failed, nothing was changed: {exc}")
    finally:
        db.dispose()
    print(f"imported {report}")
    return 0
