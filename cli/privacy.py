"""``hark privacy export|erase|purge``: a customer's data rights, and retention.

``export`` prints everything Hark holds about a customer as JSON; ``erase``
removes their personal data (orders stay for the accounts, tied to no one)
and says what it did in one line; ``purge`` deletes conversations older than
``HARK_RETENTION_DAYS`` (the running server also does this once a day). The
logic lives in :mod:`hark.store.data_rights`, shared with the admin endpoints.
"""

from __future__ import annotations

import argparse
import json

from hark.cli.common import add_config_argument, fail, settings_from_args


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "privacy",
        help="data rights: export or erase a customer's data, purge old conversations",
        description="A customer's data rights (export, erase) and the retention purge.",
    )
    commands = parser.add_subparsers(dest="privacy_command", metavar="ACTION")

    export = commands.add_parser(
        "export",
        help="print everything Hark holds about a customer, as JSON",
        description="Print, as JSON, the customer's profile, orders, returns, carts, channel "
        "links, and conversations with their (redacted) turns.",
    )
    export.add_argument("customer_id", metavar="CUSTOMER_ID")
    erase = commands.add_parser(
        "erase",
        help="remove a customer's personal data (idempotent)",
        description="Delete the customer's conversations and turns, channel links and carts; "
        "clear the profile's name, phone and e-mail; keep their orders for the shop's accounts "
        "but tied to no one. Safe to run again.",
    )
    erase.add_argument("customer_id", metavar="CUSTOMER_ID")
    purge = commands.add_parser(
        "purge",
        help="delete conversations older than the retention period",
        description="Delete conversations with no activity for HARK_RETENTION_DAYS days "
        "(default 90), with their turns and guest carts.",
    )
    purge.add_argument(
        "--older-than-days",
        type=int,
        metavar="N",
        help="use N days instead of HARK_RETENTION_DAYS (1 <= N <= 36500)",
    )
    for sub, func in ((export, run_export), (erase, run_erase), (purge, run_purge)):
        add_config_argument(sub)
        sub.add_argument("--db", metavar="URL", help="database URL (HARK_DATABASE_URL)")
        sub.set_defaults(func=func)
    parser.set_defaults(func=lambda _args: _usage(parser))


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help()
    return 2


def _open(args: argparse.Namespace):
    from hark.store.db import open_database

    settings = settings_from_args(args, database_url=args.db)
    return settings, open_database(settings.effective_database_url)


def run_export(args: argparse.Namespace) -> int:
    from hark.store.data_rights import UnknownCustomer, export_customer

    _settings, db = _open(args)
    try:
        data = export_customer(db, args.customer_id)
    except UnknownCustomer as exc:
        fail(str(exc))
    finally:
        db.dispose()
    print(json.dumps(data, indent=2, ensure_ascii=False))
    return 0


def run_erase(args: argparse.Namespace) -> int:
    from hark.privacy.caller_keys import CallerKeys
    from hark.store.data_rights import UnknownCustomer, erase_customer

    settings, db = _open(args)
    try:
        report = erase_customer(db, args.customer_id, CallerKeys.of(settings))
    except UnknownCustomer as exc:
        fail(str(exc))
    finally:
        db.dispose()
    print(report.summary())
    return 0


def run_purge(args: argparse.Namespace) -> int:
    from hark.runtime.settings import MAX_DAYS
    from hark.store.data_rights import purge_conversations

    if args.older_than_days is not None and not 1 <= args.older_than_days <= MAX_DAYS:
        fail(f"--older-than-days must be between 1 and {MAX_DAYS}")
    settings, db = _open(args)
    days = args.older_than_days if args.older_than_days is not None else settings.retention_days
    try:
        report = purge_conversations(db, days)
    finally:
        db.dispose()
    print(report.summary())
    return 0
