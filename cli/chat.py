"""``hark chat``: talk to the brain from a terminal, or script a conversation.

With utterances on the command line they are the consecutive turns of one
new conversation (handy for demos and for tests that drive the real CLI);
without, an interactive prompt. ``--json`` prints one JSON object per line
(the same turn object as the HTTP API), so scripts can assert on meaning.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import tempfile
from pathlib import Path
from typing import Any

from hark.cli.common import add_config_argument, fail, settings_from_args

QUIT_WORDS = {"quit", "exit", ":q"}


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "chat",
        help="chat with the assistant in the terminal (text in, text out)",
        description="Talk to Hark's dialogue brain. With UTTERANCEs: run them as consecutive "
        "turns of one new conversation and exit. Without: an interactive prompt "
        "(quit or Ctrl-D to leave).",
    )
    add_config_argument(parser)
    parser.add_argument(
        "--shop",
        metavar="DIR",
        help="shop CSV folder; loaded into a fresh temporary database unless --db",
    )
    parser.add_argument("--db", metavar="URL", help="database URL (HARK_DATABASE_URL)")
    parser.add_argument("--customer", metavar="ID", help="talk as this known customer")
    parser.add_argument(
        "--json", action="store_true", help="one JSON object per line: the greeting, then each turn"
    )
    parser.add_argument(
        "utterances",
        nargs="*",
        metavar="UTTERANCE",
        help="what the caller says, one argument per turn",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from hark.dialogue.errors import CustomerNotFound
    from hark.skills.identity import Identity

    with tempfile.TemporaryDirectory(prefix="hark-chat-") as tmp:
        overrides: dict[str, Any] = {"database_url": args.db}
        if args.shop and not args.db:
            overrides["database_url"] = f"sqlite:///{Path(tmp) / 'chat.db'}"
        settings = settings_from_args(args, **overrides)
        _quiet_logs(settings)
        db = _open_db(settings, args.shop)
        try:
            from hark.dialogue.manager import DialogueManager

            manager = DialogueManager(db, settings)
            try:
                # The operator's own tool: it vouches for the customer it names.
                conversation_id, greeting = manager.start_conversation(
                    "cli",
                    args.customer,
                    identity=Identity.VERIFIED if args.customer else None,
                )
            except CustomerNotFound:
                fail(f"unknown customer: {args.customer}")
            out = _Printer(args.json)
            out.greeting(conversation_id, greeting)
            turns = (
                iter(args.utterances) if args.utterances else _prompt("" if args.json else "you> ")
            )
            for text in turns:
                reply = manager.turn(conversation_id, text)
                out.turn(text, reply)
                if reply.end:
                    break
            manager.end_conversation(conversation_id)
        finally:
            db.dispose()
    return 0


def _quiet_logs(settings) -> None:
    """Logs go to stderr and only when they matter: stdout belongs to the conversation."""
    try:
        from hark.server.logs import configure_logging

        configure_logging("WARNING", settings.log_format)
    except ImportError:  # pragma: no cover
        logging.basicConfig(level=logging.WARNING)


def _open_db(settings, shop: str | None):
    from hark.server.services import prepare_database
    from hark.store.db import open_database
    from hark.store.shop_import import ShopImportError, import_shop

    try:
        if shop:
            db = open_database(settings.effective_database_url)
            import_shop(db, shop)
            return db
        return prepare_database(settings)
    except ShopImportError as exc:
        fail(f"could not load the shop: {exc}")
    except Exception as exc:
        fail(f"could not open the database: {exc}")
    raise AssertionError("unreachable")


def _prompt(prompt: str):
    """Lines from stdin until EOF or "quit" (no prompt text in --json mode: stdout is data)."""
    while True:
        try:
            text = input(prompt)
        except EOFError:
            if prompt:
                print()
            return
        if text.strip().lower() in QUIT_WORDS:
            return
        yield text


class _Printer:
    def __init__(self, as_json: bool) -> None:
        self.as_json = as_json

    def _emit(self, obj: dict[str, Any]) -> None:
        sys.stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")
        sys.stdout.flush()

    def greeting(self, conversation_id: str, reply) -> None:
        if self.as_json:
            self._emit(
                {
                    "event": "greeting",
                    "conversation_id": conversation_id,
                    "text": reply.text,
                    "ssml": reply.ssml,
                    "cards": [c.to_dict() for c in reply.cards],
                    "actions": [a.to_dict() for a in reply.actions],
                }
            )
        else:
            print(f"hark> {reply.text}", flush=True)

    def turn(self, text: str, reply) -> None:
        if self.as_json:
            self._emit(reply.to_turn_event(reply.user_echo(text)))  # never echo a card number
            return
        print(f"hark> {reply.text}")
        for c in reply.cards:
            stock = "in stock" if c.stock > 0 else "out of stock"
            print(f"      [{c.sku}] {c.name} - {c.price:.2f} ({stock})")
        if reply.handoff:
            print("      (handing over to a person; summary attached)")
        sys.stdout.flush()
