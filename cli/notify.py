"""``hark notify run [--dry-run]``: what would be sent now and why (or why not), or send it."""

from __future__ import annotations

import argparse

from hark.cli.common import add_config_argument, settings_from_args


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "notify",
        help="proactive notices: show or send what is due",
        description="Proactive notices to customers (see docs/notices.md).",
    )
    sub = parser.add_subparsers(dest="notify_command", metavar="ACTION", required=True)
    run_parser = sub.add_parser(
        "run",
        help="send the notices due now (the server does this on its own schedule)",
        description="Pass every notice due now through consent, opt-out, quiet hours, caps "
        "and channels, and send it; with --dry-run only say what would happen and why.",
    )
    add_config_argument(run_parser)
    run_parser.add_argument("--db", metavar="URL", help="database URL (HARK_DATABASE_URL)")
    run_parser.add_argument(
        "--dry-run", action="store_true", help="decide and print, send and change nothing"
    )
    run_parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from hark.dialogue.manager import DialogueManager
    from hark.server.notice_sender import NoticeSender
    from hark.store.db import open_database

    settings = settings_from_args(args, database_url=args.db)
    db = open_database(settings.effective_database_url)
    sender = NoticeSender(db, settings, DialogueManager(db, settings))
    try:
        outcomes = sender.run_once(dry_run=args.dry_run)
    finally:
        sender.closed()
        db.dispose()
    if not outcomes:
        print("no notices due now")
    for o in outcomes:
        action = f"would {o.action}" if args.dry_run else o.action
        channel = f" by {o.channel}" if o.channel else ""
        print(f"notice {o.notice_id} {o.event} for {o.customer_id}: {action}{channel}: {o.reason}")
    return 0
